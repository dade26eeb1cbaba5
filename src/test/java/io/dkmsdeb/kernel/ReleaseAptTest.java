package io.dkmsdeb.kernel;

import io.dkmsdeb.model.kernel.DebianRelease;
import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.model.KernelHeadersException;
import io.dkmsdeb.model.UsageException;
import io.dkmsdeb.process.ProcessRunner;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The private apt state of another archive's listing: its sources, the configuration it writes (read back by the real
 * apt-config, as apt-get and apt-cache will read it), its place, and what a failed apt-get update is turned into. No
 * network here (KernelsReleaseTest fetches trixie's lists).
 */
@Tag("unit")
class ReleaseAptTest {
    private static Host host(Path cache, String mirror) {
        return new Host(mirror == null ? Map.of("XDG_CACHE_HOME", cache.toString())
                : Map.of("XDG_CACHE_HOME", cache.toString(), "DKMS_DEB_MIRROR", mirror), Path.of("/"));
    }

    @Test
    void aReleaseIsItsSuiteUpdatesAndSecuritySignedByDebiansKeysFromTheMirror(@TempDir Path cache) {
        ReleaseApt trixie = ReleaseApt.ofRelease(DebianRelease.TRIXIE, "amd64", host(cache, "http://mirror.example/debian"));
        assertThat(trixie.sourcesList().lines().filter(l -> !l.startsWith("#")).toList()).containsExactly(
                "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian trixie main",
                "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian trixie-updates main",
                "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security trixie-security main");
        assertThat(trixie.dir()).isEqualTo(cache.resolve("dkms-deb/apt/trixie-amd64"));
        assertThat(trixie.release()).contains(DebianRelease.TRIXIE);
        assertThat(trixie.describe()).isEqualTo("trixie's archive (http://mirror.example/debian)");
        // unstable has no -updates nor -security suite: asking for them would fail every update
        assertThat(ReleaseApt.ofRelease(new DebianRelease("sid"), "amd64", host(cache, null)).sourcesList().lines()
                .filter(l -> !l.startsWith("#")).toList())
                .containsExactly("deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main");
    }

    @Test
    void givenLinesGetDebiansKeysUnlessTheyNameTheirOwnAndAStateOfTheirOwn(@TempDir Path cache) {
        ReleaseApt given = ReleaseApt.ofSources(List.of("deb http://deb.debian.org/debian trixie-backports main contrib",
                "deb [arch=amd64 signed-by=/etc/apt/keyrings/vendor.gpg] https://vendor.example/apt stable main"), null, "amd64", host(cache, null));
        assertThat(given.sourcesList().lines().filter(l -> !l.startsWith("#")).toList()).containsExactly(
                "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main contrib",
                "deb [arch=amd64 signed-by=/etc/apt/keyrings/vendor.gpg] https://vendor.example/apt stable main");
        assertThat(given.release()).as("the first line's suite, without -backports").contains(DebianRelease.TRIXIE);
        assertThat(given.dir().getParent()).isEqualTo(cache.resolve("dkms-deb/apt"));
        assertThat(given.dir().getFileName().toString()).matches("trixie-amd64-[0-9a-f]{12}");
        ReleaseApt other = ReleaseApt.ofSources(List.of("deb http://deb.debian.org/debian trixie main"), null, "amd64", host(cache, null));
        assertThat(other.dir()).as("other lines, another state").isNotEqualTo(given.dir())
                .isNotEqualTo(ReleaseApt.ofRelease(DebianRelease.TRIXIE, "amd64", host(cache, null)).dir());
        assertThat(ReleaseApt.ofSources(List.of("deb http://deb.debian.org/debian trixie main"), DebianRelease.BOOKWORM, "amd64",
                host(cache, null)).release()).as("--release wins").contains(DebianRelease.BOOKWORM);
        assertThat(ReleaseApt.ofSources(List.of("deb https://vendor.example/apt ./"), null, "amd64", host(cache, null)).release())
                .as("a flat repository names no release").isEmpty();
        for (String bad : List.of("deb-src http://deb.debian.org/debian trixie main", "deb http://deb.debian.org/debian",
                "deb http://x trixie main\ndeb http://y trixie main", "trixie")) {
            assertThatThrownBy(() -> ReleaseApt.ofSources(List.of(bad), null, "amd64", host(cache, null))).as(bad)
                    .isInstanceOf(UsageException.class).hasMessageContaining("is not an apt source line");
        }
    }

    @Test
    void theConfigurationPointsEveryPlaceOfAptIntoTheStateAndAptReadsItSo(@TempDir Path cache) throws Exception {
        ReleaseApt trixie = ReleaseApt.ofRelease(DebianRelease.TRIXIE, "amd64", host(cache, null));
        Path dir = Files.createDirectories(trixie.dir());
        String config = trixie.config(dir, List.of("Acquire::http::Proxy \"http://proxy.example:3128\";", "APT::Default-Release \"bookworm\";"));
        assertThat(config).contains("Dir::State::lists \"" + dir.resolve("lists") + "\";", "Dir::State::status \"" + dir.resolve("status") + "\";",
                "Dir::Etc::sourcelist \"" + dir.resolve("sources.list") + "\";", "Dir::Etc::main \"/dev/null\";",
                "Dir::Etc::preferences \"/dev/null\";", "Dir::Cache::srcpkgcache \"\";", "APT::Architecture \"amd64\";",
                "Acquire::http::Proxy \"http://proxy.example:3128\";")
                .as("of the host's configuration only its proxy").doesNotContain("Default-Release");
        // every directory and file apt is told of is in the state, or /dev/null
        assertThat(config.lines().filter(l -> l.startsWith("Dir::")).map(l -> l.replaceFirst("^\\S+ \"([^\"]*)\";$", "$1")).toList())
                .allSatisfy(v -> assertThat(v.isEmpty() || v.equals("/dev/null") || v.startsWith(dir + "/")).as(v).isTrue());

        // the real apt-config, run as apt-get and apt-cache will be, resolves the places to the state's
        Path conf = dir.resolve("apt.conf");
        Files.writeString(conf, config, StandardCharsets.UTF_8);
        ProcessRunner.Captured c = ProcessRunner.capture(List.of("apt-config", "shell", "LISTS", "Dir::State::lists/d", "SOURCES",
                "Dir::Etc::sourcelist/f", "STATUS", "Dir::State::status/f", "ARCH", "APT::Architecture", "PARTS", "Dir::Etc::sourceparts/d"),
                null, Map.of("PATH", "/usr/bin:/bin", "APT_CONFIG", conf.toString()), Duration.ofSeconds(60));
        assertThat(c.exit()).as(c.stderrText()).isZero();
        assertThat(c.stdoutText()).contains("LISTS='" + dir.resolve("lists") + "/'", "SOURCES='" + dir.resolve("sources.list") + "'",
                "STATUS='" + dir.resolve("status") + "'", "ARCH='amd64'", "PARTS='" + dir.resolve("sources.list.d") + "/'");
    }

    @Test
    void aFailedUpdateSaysWhatAptSaidAndWhichKindOfFailureItIs(@TempDir Path cache) {
        ReleaseApt trixie = ReleaseApt.ofRelease(DebianRelease.TRIXIE, "amd64", host(cache, "http://127.0.0.1:9/debian"));
        String said = ReleaseApt.said("""
                Err:1 http://127.0.0.1:9/debian trixie InRelease
                  Could not connect to 127.0.0.1:9 (127.0.0.1). - connect (111: Connection refused)
                Get:2 http://deb.debian.org/debian-security trixie-security InRelease [43.4 kB]
                Reading package lists...
                W: Some index files failed to download. They have been ignored, or old ones used instead.
                E: Failed to fetch http://127.0.0.1:9/debian/dists/trixie/InRelease  Could not connect to 127.0.0.1:9
                """);
        assertThat(said).isEqualTo("http://127.0.0.1:9/debian trixie InRelease: Could not connect to 127.0.0.1:9 (127.0.0.1). - connect "
                + "(111: Connection refused); Failed to fetch http://127.0.0.1:9/debian/dists/trixie/InRelease  Could not connect to 127.0.0.1:9");
        RuntimeException unreachable = trixie.failure(said, false, true);
        assertThat(unreachable).isInstanceOf(KernelHeadersException.class).hasMessageContaining("cannot fetch the package lists of trixie's archive")
                .hasMessageContaining("Connection refused").hasMessageContaining("DKMS_DEB_MIRROR (http://127.0.0.1:9/debian)")
                .hasMessageContaining("--kernel-list");

        ReleaseApt foo = ReleaseApt.ofRelease(new DebianRelease("foo"), "amd64", host(cache, null));
        RuntimeException unknown = foo.failure(ReleaseApt.said(
                "E: The repository 'http://deb.debian.org/debian foo Release' does not have a Release file."), false, true);
        assertThat(unknown).isInstanceOf(UsageException.class).hasMessageStartingWith("Debian has no release 'foo' at http://deb.debian.org/debian")
                .hasMessageContaining("trixie");

        RuntimeException expired = trixie.failure(ReleaseApt.said("E: Release file for http://deb.debian.org/debian/dists/trixie/InRelease "
                + "is expired (invalid since 30d 4h 4min 49s). Updates for this repository will not be applied."), false, true);
        assertThat(expired).isInstanceOf(KernelHeadersException.class).hasMessageContaining("are out of date")
                .hasMessageContaining("is expired (invalid since 30d 4h 4min 49s)").hasMessageContaining("Valid-Until")
                .hasMessageContaining("clock").hasMessageContaining("DKMS_DEB_MIRROR").hasMessageContaining("--kernel-list");

        RuntimeException unsigned = trixie.failure("GPG error: http://x trixie InRelease: NO_PUBKEY 0123456789ABCDEF", false, false);
        assertThat(unsigned).isInstanceOf(KernelHeadersException.class).hasMessageContaining("signed-by=")
                .hasMessageContaining("the lists fetched earlier are kept but not used");
    }
}

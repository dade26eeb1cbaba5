package io.dkmsdeb.it;

import io.dkmsdeb.model.kernel.DebianRelease;
import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.support.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One signed repository, a suite per Debian release: {@code bookworm} with hello's modules for an installed bookworm
 * kernel, its meta-package following a bookworm listing, and {@code trixie} with hello's modules for trixie's current
 * kernel (built in the trixie build root), its meta-package following the listing {@code kernels --release trixie}
 * wrote. A real apt, in an isolated root, pointed at either suite sees that release's packages only, and
 * {@code hello-modules-amd64} of that suite depends on, and installs (simulated), the module package of that release's
 * kernel. The Debian archive is stood in for by a flat archive of stub kernel packages per release, as in
 * AptRepositoryInstallTest.
 */
@Tag("root")
@Tag("tools")
@Tag("kernel")
@Tag("network")
class RepoSuitesAptTest {
    @TempDir
    static Path tmp;
    private static RepoFixtures.Key key;

    @BeforeAll
    static void setUp() throws IOException {
        assertThat(Cmd.isRoot()).as("this test builds in a build root and runs apt in an isolated root: it must run as root").isTrue();
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        key = RepoFixtures.Key.create(tmp);
    }

    @AfterAll
    static void tearDown() {
        key.close();
    }

    /** A flat archive standing in for a release's: linux-image-KVER, and linux-image-amd64 at {@code version} depending on it. */
    private static Path archive(String name, String kernel, String version) throws IOException {
        Path archive = Files.createDirectories(tmp.resolve(name));
        for (String[] p : new String[][] {{"linux-image-" + kernel, "1", null}, {"linux-image-amd64", version, "linux-image-" + kernel}}) {
            Path dir = Files.createDirectories(tmp.resolve("stub-build/" + name + "/" + p[0] + "/DEBIAN"));
            Files.writeString(dir.resolve("control"), "Package: " + p[0] + "\nVersion: " + p[1] + "\nArchitecture: amd64\n"
                    + "Maintainer: Test <test@example.org>\n" + (p[2] == null ? "" : "Depends: " + p[2] + "\n")
                    + "Description: stand-in for the Debian archive's " + p[0] + "\n", StandardCharsets.UTF_8);
            Cmd.ok("dpkg-deb", "--build", "--root-owner-group", dir.getParent().toString(),
                    archive.resolve(p[0] + "_" + p[1].replace(':', '%') + "_amd64.deb").toString());
        }
        Cmd.Result r = Cmd.run(archive, null, List.of("dpkg-scanpackages", "."));
        assertThat(r.exit()).as(r.toString()).isZero();
        Files.writeString(archive.resolve("Packages"), r.out(), StandardCharsets.UTF_8);
        return archive;
    }

    @Test
    @SuppressWarnings("unchecked")
    void aptOnEachSuiteSeesOnlyItsReleasesPackagesAndItsMetaPackagePicksItsKernel() throws Exception {
        Assumptions.assumeTrue(new Host(Map.of(), Path.of("/")).debianRelease().filter(r -> !r.equals(DebianRelease.TRIXIE)).isPresent(),
                "a host of another release than trixie");
        String bookworm = Kernels.newest61();
        // trixie's listing, as a user gets it, and hello built for its current kernel in the trixie build root
        Cmd.Result listed = Cmd.dkmsDeb(null, Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString()), "kernels", "--release", "trixie",
                "--json", "current", "amd64");
        assertThat(listed.exit()).as(listed.toString()).isZero();
        Path trixieListing = tmp.resolve("trixie.json");
        Files.writeString(trixieListing, listed.out(), StandardCharsets.UTF_8);
        Map<String, Object> listing = (Map<String, Object>) Json.read(listed.out());
        Map<String, Object> meta = ((List<Map<String, Object>>) listing.get("metas")).get(0);
        String trixie = (String) meta.get("release");
        String trixieMetaVersion = (String) meta.get("version");
        assertThat(trixie).matches("[0-9.]+\\+deb13-amd64");
        Path trixieOut = Files.createDirectories(tmp.resolve("trixie-out"));
        Cmd.Result built = Cmd.dkmsDeb(null, Map.of("XDG_CACHE_HOME", TrixieBuildRootTest.CACHE.toString(), "SOURCE_DATE_EPOCH", HelloModules.EPOCH),
                "bmdeb", HelloModules.example(), "-k", trixie, "--no-sign", "-o", trixieOut.toString(), "--log-dir", tmp.resolve("logs").toString());
        assertThat(built.exit()).as(built.toString()).isZero();
        Path trixieDeb = trixieOut.resolve("hello-modules-" + trixie + "_1.0_amd64.deb");

        Path repo = tmp.resolve("repo");
        Cmd.Result b = RepoFixtures.repo(key, repo, List.of(HelloModules.deb(bookworm)), "--suite", "bookworm", "--sign-key", key.fingerprint(),
                "--kernel-list", RepoFixtures.listing(tmp.resolve("bookworm.json"), "linux-image-amd64", "1:100-2", bookworm).toString());
        assertThat(b.exit()).as(b.toString()).isZero();
        Cmd.Result t = RepoFixtures.repo(key, repo, List.of(trixieDeb), "--suite", "trixie", "--sign-key", key.fingerprint(),
                "--kernel-list", trixieListing.toString());
        assertThat(t.exit()).as(t.toString()).isZero();

        IsolatedRoot root = IsolatedRoot.in(tmp);
        Map<String, String[]> suites = Map.of("bookworm", new String[] {bookworm, trixie, "1:100-2"},
                "trixie", new String[] {trixie, bookworm, trixieMetaVersion});
        for (String suite : List.of("bookworm", "trixie")) {
            String own = suites.get(suite)[0];
            String other = suites.get(suite)[1];
            AptInRoot.sources(root, repo, suite, archive("archive-" + suite, own, suites.get(suite)[2]), true);
            Cmd.Result update = AptInRoot.ok(root, "update");
            assertThat(update.all()).as(suite).doesNotContain("GPG error", "NO_PUBKEY", "is not signed", "BADSIG");

            Cmd.Result policy = root.exec("apt-cache", "policy", "hello-modules-" + own, "hello-modules-" + other, "hello-modules-amd64");
            assertThat(policy.exit()).as(policy.toString()).isZero();
            assertThat(section(policy.out(), "hello-modules-" + own)).as(suite + ": " + policy).contains("Candidate: 1.0")
                    .contains(" " + suite + "/main amd64 Packages");
            assertThat(section(policy.out(), "hello-modules-" + other)).as(suite + ": the other release's package is not there: " + policy)
                    .doesNotContain("Candidate: 1.0");
            Cmd.Result show = root.exec("apt-cache", "show", "hello-modules-amd64");
            assertThat(show.exit()).as(show.toString()).isZero();
            assertThat(show.out()).as(suite).contains("Depends: hello-modules-" + own + " (= 1.0)").doesNotContain(other);
            Cmd.Result simulated = AptInRoot.ok(root, "install", "--simulate", "hello-modules-amd64");
            assertThat(simulated.out()).as(suite).contains("Inst hello-modules-" + own + " ").contains("Inst linux-image-" + own + " ")
                    .doesNotContain("hello-modules-" + other);
        }
        IsolatedRoot.assertMachineHasNone(List.of("hello-modules-amd64", "hello-modules-" + bookworm, "hello-modules-" + trixie), List.of());
    }

    /** The part of {@code apt-cache policy} output about {@code pkg} (up to the next package's heading). */
    private static String section(String policy, String pkg) {
        int start = policy.indexOf(pkg + ":\n");
        if (start < 0) {
            return "";
        }
        int end = policy.indexOf("\n", start + pkg.length() + 2);
        int next = end;
        while (next >= 0 && next + 1 < policy.length() && policy.charAt(next + 1) == ' ') {
            next = policy.indexOf("\n", next + 1);
        }
        return policy.substring(start, next < 0 ? policy.length() : next);
    }
}

package io.dkmsdeb.it;

import io.dkmsdeb.model.kernel.DebianRelease;
import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.support.Json;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kernels --release trixie} on a host of another release: trixie's archive, fetched into a private apt state (no
 * root, nothing of the host's apt touched), lists trixie's {@code +deb13} kernels and trixie's meta-packages, and
 * {@code current} picks the ABI trixie's {@code linux-headers-amd64} depends on (and, on a machine whose dpkg knows arm64,
 * the arm64 kernels and the ABI of {@code linux-headers-arm64} too), as the archive's Packages files,
 * read here apart from dkms-deb's code, say. An unknown release and an unreachable archive are errors that leave no
 * state behind.
 */
@Tag("network")
@Tag("tools")
class KernelsReleaseTest {
    @TempDir
    Path tmp;

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(Cmd.Result r) throws Exception {
        assertThat(r.exit()).as(r.toString()).isZero();
        return (Map<String, Object>) Json.read(r.out());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> listing, String key) {
        return (List<Map<String, Object>>) listing.get(key);
    }

    private static long bytes(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void listsTrixiesKernelsAndMetaPackagesAndCurrentIsWhatTrixiesHeadersMetaPackageDependsOn() throws Exception {
        Assumptions.assumeTrue(new Host(Map.of(), Path.of("/")).debianRelease().filter(r -> !r.equals(DebianRelease.TRIXIE)).isPresent(),
                "a host of another release than trixie");
        Path cache = Files.createDirectories(tmp.resolve("cache"));
        Map<String, String> env = Map.of("XDG_CACHE_HOME", cache.toString());
        long t = System.nanoTime();
        Cmd.Result first = Cmd.dkmsDeb(null, env, "kernels", "--release", "trixie", "--json");
        double firstSeconds = (System.nanoTime() - t) / 1e9;
        Map<String, Object> listing = json(first);
        assertThat(first.err()).contains("fetching the package lists of trixie's archive");
        assertThat(listing.get("release")).isEqualTo("trixie");
        List<Map<String, Object>> kernels = list(listing, "kernels");
        assertThat(kernels).isNotEmpty().allSatisfy(k -> assertThat((String) k.get("release")).matches("[0-9.]+\\+deb13(\\.[0-9]+)?-[a-z0-9-]+"));
        // this machine's architecture and those its dpkg was told of (dpkg --add-architecture arm64), as its own listing has them
        List<String> arches = new java.util.ArrayList<>(List.of("amd64"));
        Cmd.ok("dpkg", "--print-foreign-architectures").out().lines().map(String::strip).filter(a -> !a.isEmpty()).sorted()
                .forEach(arches::add);
        assertThat(kernels).extracting(k -> (String) k.get("arch")).containsOnlyElementsOf(arches).containsAll(arches.stream()
                .filter(a -> a.equals("amd64") || a.equals("arm64")).toList());

        ArchivePackages trixie = ArchivePackages.of("trixie", arches, Files.createDirectories(tmp.resolve("packages")));
        String current = trixie.currentKernel("amd64");
        // every linux-headers-KVER of a kernel ABI in trixie's suites is listed, and nothing else
        List<String> served = trixie.names("linux-headers-").stream().map(n -> n.substring("linux-headers-".length()))
                .filter(n -> n.matches("[0-9.]+(-[0-9]+)?\\+deb[0-9.]+-[a-z0-9-]+") && !n.contains("-common")).toList();
        assertThat(kernels).extracting(k -> (String) k.get("release")).containsExactlyInAnyOrderElementsOf(served).contains(current);

        // trixie's meta-packages, each on a +deb13 kernel of the listing; linux-image-amd64 at trixie's newest version
        List<Map<String, Object>> metas = list(listing, "metas");
        List<String> trixieImages = trixie.names("linux-image-");
        assertThat(metas).extracting(m -> (String) m.get("package")).contains("linux-image-amd64", "linux-image-cloud-amd64")
                .allMatch(trixieImages::contains);
        List<String> listed = kernels.stream().map(k -> (String) k.get("release")).toList();
        assertThat(metas).extracting(m -> (String) m.get("release")).allMatch(listed::contains);
        Map<String, Object> amd64 = metas.stream().filter(m -> m.get("package").equals("linux-image-amd64")).findFirst().orElseThrow();
        assertThat(amd64.get("version")).isEqualTo(trixie.newest("linux-image-amd64").orElseThrow().get("Version"));
        assertThat(amd64.get("release")).isEqualTo(current);

        // 'current amd64': the one ABI trixie's linux-headers-amd64 depends on
        t = System.nanoTime();
        Cmd.Result again = Cmd.dkmsDeb(null, env, "kernels", "--release", "13", "--json", "current", "amd64");
        double againSeconds = (System.nanoTime() - t) / 1e9;
        Map<String, Object> picked = json(again);
        assertThat(list(picked, "kernels")).extracting(k -> (String) k.get("release")).containsExactly(current);
        assertThat(list(picked, "metas")).extracting(m -> (String) m.get("package")).containsExactly("linux-image-amd64");
        assertThat(again.err()).as("the lists of a minute ago are used: no network").doesNotContain("fetching", "updating");
        if (arches.contains("arm64")) {
            Map<String, Object> arm64 = json(Cmd.dkmsDeb(null, env, "kernels", "--release", "trixie", "--json", "current", "arm64"));
            assertThat(list(arm64, "kernels")).extracting(k -> (String) k.get("release")).containsExactly(trixie.currentKernel("arm64"));
            assertThat(list(arm64, "kernels")).extracting(k -> (String) k.get("arch")).containsExactly("arm64");
        }

        // the private state: only under the cache, with nothing of the host's apt in it
        Path state = cache.resolve("dkms-deb/apt/trixie-" + String.join("+", arches));
        assertThat(state.resolve("sources.list")).content().contains("trixie-security").doesNotContain("bookworm");
        assertThat(state.resolve("status")).isEmptyFile();
        System.out.printf("KernelsReleaseTest: kernels --release trixie %.1f s with the lists fetched, %.1f s from the state; "
                + "state %.0f MB; %d kernels, current %s%n", firstSeconds, againSeconds, bytes(state) / 1e6, kernels.size(), current);

        // the table says whose archive it is
        Cmd.Result table = Cmd.dkmsDeb(null, env, "kernels", "--release", "trixie", "current");
        assertThat(table.exit()).as(table.toString()).isZero();
        assertThat(table.out()).contains(current).contains("linux-image-amd64");
        assertThat(table.err()).contains("in trixie's archive)");
    }

    @Test
    void anUnknownReleaseIsUsageAndAnUnreachableArchiveExit4AndNeitherLeavesAState() throws Exception {
        Path cache = Files.createDirectories(tmp.resolve("cache"));
        Cmd.Result unknown = Cmd.dkmsDeb(null, Map.of("XDG_CACHE_HOME", cache.toString()), "kernels", "--release", "bookwork");
        assertThat(unknown.exit()).as(unknown.toString()).isEqualTo(2);
        assertThat(unknown.err()).contains("Debian has no release 'bookwork' at http://deb.debian.org/debian");
        assertThat(unknown.out()).isEmpty();

        Cmd.Result unreachable = Cmd.dkmsDeb(null, Map.of("XDG_CACHE_HOME", cache.toString(), "DKMS_DEB_MIRROR", "http://127.0.0.1:9/debian"),
                "kernels", "--release", "trixie", "--json");
        assertThat(unreachable.exit()).as(unreachable.toString()).isEqualTo(4);
        assertThat(unreachable.err()).contains("cannot fetch the package lists of trixie's archive (http://127.0.0.1:9/debian)",
                "DKMS_DEB_MIRROR", "--kernel-list");
        assertThat(unreachable.out()).isEmpty();

        Cmd.Result badLine = Cmd.dkmsDeb(null, Map.of("XDG_CACHE_HOME", cache.toString()), "kernels", "--apt-source", "deb-src http://x trixie main");
        assertThat(badLine.exit()).as(badLine.toString()).isEqualTo(2);
        assertThat(badLine.err()).contains("is not an apt source line");

        Path listing = Files.writeString(tmp.resolve("k.json"), "{\"kernels\":[],\"metas\":[]}");
        Cmd.Result both = Cmd.dkmsDeb(null, Map.of("XDG_CACHE_HOME", cache.toString()), "kernels", "--release", "trixie",
                "--kernel-list", listing.toString());
        assertThat(both.exit()).as(both.toString()).isEqualTo(2);
        assertThat(both.err()).contains("give one of them");

        try (Stream<Path> s = Files.list(cache.resolve("dkms-deb/apt"))) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).as("no state of a failed first fetch").containsOnly(".lock");
        }
    }
}

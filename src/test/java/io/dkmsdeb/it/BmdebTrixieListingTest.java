package io.dkmsdeb.it;

import io.dkmsdeb.model.kernel.DebianRelease;
import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.support.Json;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bmdeb --kernels-from-archive --release trixie --kernel-list FILE} with the listing {@code kernels --release trixie
 * --json current amd64} wrote: hello is built for trixie's current kernel, in the trixie build root (shared with
 * TrixieBuildRootTest in {@code target/build-roots}); a listing of trixie given with {@code --release bookworm} is refused
 * before anything is built.
 */
@Tag("kernel")
@Tag("network")
@Tag("root")
@Tag("tools")
class BmdebTrixieListingTest {
    @TempDir
    Path work;

    @Test
    @SuppressWarnings("unchecked")
    void buildsHelloForTheCurrentKernelOfTrixiesListing() throws Exception {
        Assumptions.assumeTrue(Cmd.isRoot(), "making a build root needs root");
        Assumptions.assumeTrue(new Host(Map.of(), Path.of("/")).debianRelease().filter(r -> !r.equals(DebianRelease.TRIXIE)).isPresent(),
                "a host of another release than trixie");
        Cmd.Result listed = Cmd.dkmsDeb(null, Map.of("XDG_CACHE_HOME", work.resolve("cache").toString()), "kernels", "--release", "trixie",
                "--json", "current", "amd64");
        assertThat(listed.exit()).as(listed.toString()).isZero();
        Path listing = work.resolve("trixie.json");
        Files.writeString(listing, listed.out(), StandardCharsets.UTF_8);
        List<Map<String, Object>> kernels = (List<Map<String, Object>>) ((Map<String, Object>) Json.read(listed.out())).get("kernels");
        assertThat(kernels).hasSize(1);
        String kernel = (String) kernels.get(0).get("release");
        assertThat(kernel).matches("[0-9.]+\\+deb13-amd64");

        // a listing of trixie is no listing of bookworm: refused before any build, nothing written
        Path refusedOut = Files.createDirectories(work.resolve("refused"));
        Cmd.Result refused = Cmd.dkmsDeb(null, Map.of("XDG_CACHE_HOME", TrixieBuildRootTest.CACHE.toString()), "bmdeb", HelloModules.example(),
                "--kernels-from-archive", "--release", "bookworm", "--kernel-list", listing.toString(), "--no-sign", "-o", refusedOut.toString());
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(2);
        assertThat(refused.err()).contains("is of trixie's archive, not of bookworm's");
        try (Stream<Path> s = Files.list(refusedOut)) {
            assertThat(s).isEmpty();
        }

        Path out = Files.createDirectories(work.resolve("out"));
        long t = System.nanoTime();
        Cmd.Result built = Cmd.dkmsDeb(null, Map.of("XDG_CACHE_HOME", TrixieBuildRootTest.CACHE.toString(), "SOURCE_DATE_EPOCH", HelloModules.EPOCH),
                "bmdeb", HelloModules.example(), "--kernels-from-archive", "--release", "trixie", "--kernel-list", listing.toString(),
                "--no-sign", "-o", out.toString(), "--log-dir", work.resolve("logs").toString(), "--json");
        double seconds = (System.nanoTime() - t) / 1e9;
        assertThat(built.exit()).as(built.toString()).isZero();
        assertThat(built.err()).contains("trixie's archive serves 1 kernel: " + kernel);
        assertThat(built.out()).contains("\"dkmsLevel\":\"3.2.2\"");
        Path deb = out.resolve("hello-modules-" + kernel + "_1.0_amd64.deb");
        assertThat(deb).exists();
        Path x = work.resolve("x");
        Cmd.ok("dpkg-deb", "-x", deb.toString(), x.toString());
        Path packed = x.resolve("lib/modules/" + kernel + "/updates/dkms/hello.ko.xz");
        assertThat(packed).exists();
        Cmd.ok("xz", "-dk", packed.toString());
        assertThat(Cmd.ok("modinfo", "-F", "vermagic", x.resolve("lib/modules/" + kernel + "/updates/dkms/hello.ko").toString()).out())
                .startsWith(kernel + " ");
        assertThat(Files.readString(work.resolve("logs/hello-1.0_" + kernel + ".log"))).contains("in the build root");
        System.out.printf("BmdebTrixieListingTest: hello for %s from trixie's listing in %.1f s%n", kernel, seconds);
    }
}

package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * --fetch-headers: builds debian-example/hello against a Debian kernel whose headers are not
 * installed (an older 6.1 ABI the archive still serves), from headers downloaded and unpacked
 * into a per-user cache; nothing is installed and /usr/src is untouched.
 */
@Tag("kernel")
@Tag("tools")
@Tag("network")
class FetchHeadersTest {
    @TempDir
    Path work;

    /** The newest linux-headers-6.1.0-N-amd64 in the archive whose kernel has no headers here. */
    static String olderAbi() {
        String installed = Kernels.newest61();
        List<String> candidates = new ArrayList<>();
        for (String line : Cmd.ok("apt-cache", "search", "--names-only", "^linux-headers-6\\.1\\.0-[0-9]+-amd64$").out().split("\n")) {
            if (!line.isBlank()) {
                String kernel = line.substring("linux-headers-".length(), line.indexOf(' '));
                if (!kernel.equals(installed) && !Files.exists(Path.of("/lib/modules", kernel, "build"))) {
                    candidates.add(kernel);
                }
            }
        }
        candidates.sort((a, b) -> Integer.compare(abi(a), abi(b)));
        assertThat(candidates).as("an older 6.1 ABI in the apt archive (run apt-get update)").isNotEmpty();
        return candidates.get(candidates.size() - 1);
    }

    private static int abi(String kernel) {
        return Integer.parseInt(kernel.split("-")[1]);
    }

    private static List<String> usrSrc() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/usr/src"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void buildsAgainstHeadersThatAreNotInstalled() throws Exception {
        String kernel = olderAbi();
        List<String> before = usrSrc();
        Path cache = work.resolve("cache");
        Map<String, String> env = Map.of("XDG_CACHE_HOME", cache.toString());
        Path out = Files.createDirectories(work.resolve("out"));

        // two concurrent first calls share one download and do not corrupt the cache
        List<Process> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Path o = Files.createDirectories(work.resolve("out" + i));
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), "io.dkmsdeb.cli.Main", "bmdeb", HelloModules.example(), "-k", kernel,
                    "--fetch-headers", "--no-sign", "-o", o.toString(), "--log-dir", work.resolve("logs" + i).toString())
                    .redirectErrorStream(true).redirectOutput(work.resolve("run" + i + ".txt").toFile());
            pb.environment().putAll(env);
            runs.add(pb.start());
        }
        for (int i = 0; i < 2; i++) {
            assertThat(runs.get(i).waitFor(600, TimeUnit.SECONDS)).isTrue();
            assertThat(runs.get(i).exitValue()).as(Files.readString(work.resolve("run" + i + ".txt"))).isZero();
            Path deb = work.resolve("out" + i).resolve("hello-modules-" + kernel + "_1.0_amd64.deb");
            Path x = work.resolve("x" + i);
            Cmd.ok("dpkg-deb", "-x", deb.toString(), x.toString());
            Path ko = x.resolve("lib/modules/" + kernel + "/updates/dkms/hello.ko");
            assertThat(Cmd.ok("modinfo", "-F", "vermagic", ko.toString()).out()).startsWith(kernel + " ");
        }
        assertThat(cache.resolve("dkms-deb/headers/" + kernel + "/.complete")).exists();
        assertThat(Path.of("/lib/modules", kernel)).doesNotExist();
        assertThat(usrSrc()).isEqualTo(before);
        assertThat(Cmd.run("dpkg-query", "-W", "linux-headers-" + kernel).exit()).as("nothing installed").isNotZero();

        // a second call reuses the cache
        Cmd.Result again = Cmd.dkmsDeb(null, env, "bmdeb", HelloModules.example(), "-k", kernel, "--fetch-headers", "--no-sign",
                "-o", out.toString());
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.err()).contains("using the headers fetched earlier").doesNotContain("apt-get download");

        // a dkms.conf that reads the kernel's .config to decide (as ddcci-dkms's does) sees the fetched headers in the
        // sandbox it is read in, although the cache that holds them is hidden there
        Path reads = ModuleTrees.write(work.resolve("readsconfig"), "readsconfig", ModuleTrees.GOOD_C, ModuleTrees.conf("readsconfig", "0.1")
                + "if ! grep -q '^CONFIG_MODULES=y$' \"$kernel_source_dir/.config\"; then BUILD_EXCLUSIVE_ARCH='^do_not_build$'; fi\n");
        Map<String, String> withMaintainer = new java.util.HashMap<>(env);
        withMaintainer.putAll(Map.of("DEBFULLNAME", "Conf Reader", "DEBEMAIL", "conf@example.org"));
        Cmd.Result conf = Cmd.dkmsDeb(null, withMaintainer, "bmdeb", reads.toString(), "-k", kernel, "--fetch-headers", "--no-sign", "-o", out.toString());
        assertThat(conf.exit()).as(conf.toString()).isZero();
        assertThat(out.resolve("readsconfig-modules-" + kernel + "_0.1_amd64.deb")).exists();
    }

    @Test
    void unknownKernelExits4AndNamesWhatWasTried() throws IOException {
        Path out = Files.createDirectories(work.resolve("out"));
        Cmd.Result r = Cmd.dkmsDeb(null, Map.of("XDG_CACHE_HOME", work.resolve("cache").toString()), "bmdeb", HelloModules.example(),
                "-k", "6.1.0-999-amd64", "--fetch-headers", "-o", out.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(4);
        assertThat(r.err()).contains("apt-get download linux-headers-6.1.0-999-amd64 failed").contains("packages tried: linux-headers-6.1.0-999-amd64")
                .contains("apt-cache search linux-headers-");
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.toList()).isEmpty();
        }
    }
}

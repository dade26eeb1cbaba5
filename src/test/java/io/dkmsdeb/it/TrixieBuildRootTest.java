package io.dkmsdeb.it;

import io.dkmsdeb.kernel.BuildRoot;
import io.dkmsdeb.model.kernel.DebianRelease;
import io.dkmsdeb.model.kernel.Host;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A kernel of Debian 13 trixie on this Debian 12 host: bmdeb builds debian-example/hello for the kernel trixie's
 * {@code linux-headers-amd64} depends on now (found at run time, never named here) in a trixie build root, with trixie's
 * gcc 14 and headers, at trixie's dkms level; nothing is installed on the host and no mount is left. The root is kept in
 * {@code target/build-roots} for the whole test run (made once, about a minute; then reused), as a user's is in their cache.
 */
@Tag("kernel")
@Tag("network")
@Tag("root")
@Tag("tools")
class TrixieBuildRootTest {
    /** The cache the tests share: $XDG_CACHE_HOME of every call. */
    static final Path CACHE = Cmd.repo().resolve("target/build-roots");

    @TempDir
    Path work;

    @Test
    void buildsHelloForTrixiesCurrentKernelInATrixieRootAndReusesIt() throws Exception {
        Assumptions.assumeTrue(Cmd.isRoot(), "making a build root needs root");
        Assumptions.assumeTrue(new Host(Map.of(), Path.of("/")).debianRelease().filter(r -> !r.equals(DebianRelease.TRIXIE)).isPresent(),
                "a host of another release than trixie");
        Map<String, String> env = Map.of("XDG_CACHE_HOME", CACHE.toString(), "SOURCE_DATE_EPOCH", HelloModules.EPOCH);
        BuildRoot root = new BuildRoot(DebianRelease.TRIXIE, "amd64", new Host(env, Path.of("/")));
        long t = System.nanoTime();
        String kernel = root.currentKernel("amd64");
        double rootSeconds = (System.nanoTime() - t) / 1e9;
        assertThat(kernel).matches("[0-9.]+\\+deb13-amd64");

        Path out1 = Files.createDirectories(work.resolve("out1"));
        t = System.nanoTime();
        Cmd.Result first = Cmd.dkmsDeb(null, env, "bmdeb", HelloModules.example(), "-k", kernel, "--no-sign", "-o", out1.toString(),
                "--log-dir", work.resolve("logs").toString(), "--json");
        double firstSeconds = (System.nanoTime() - t) / 1e9;
        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(first.out()).contains("\"dkmsLevel\":\"3.2.2\"");
        Path deb = out1.resolve("hello-modules-" + kernel + "_1.0_amd64.deb");
        assertThat(deb).exists();
        String log = Files.readString(work.resolve("logs/hello-1.0_" + kernel + ".log"));
        assertThat(log).contains("by the rules of dkms 3.2.2 (Debian 13 trixie)").contains("in the build root " + root.dir());

        helloOfTrixie(deb, kernel, work.resolve("x"));

        // the second call finds the root ready: no debootstrap, no apt; the same bytes
        double secondSeconds = rebuildsTheSame(env, kernel, deb, work);
        System.out.printf("TrixieBuildRootTest: root ready in %.1f s (%s), first bmdeb %.1f s, second %.1f s%n", rootSeconds, kernel,
                firstSeconds, secondSeconds);

        // dkms.conf is read in the root too: one that reads the kernel's .config to decide (as ddcci-dkms's does) finds
        // trixie's headers at their place in the root, not on this host
        Path reads = ModuleTrees.write(work.resolve("readsconfig"), "readsconfig", ModuleTrees.GOOD_C, ModuleTrees.conf("readsconfig", "0.1")
                + "if ! grep -q '^CONFIG_MODULES=y$' \"$kernel_source_dir/.config\"; then BUILD_EXCLUSIVE_ARCH='^do_not_build$'; fi\n");
        Path out3 = Files.createDirectories(work.resolve("out3"));
        Map<String, String> withMaintainer = new java.util.HashMap<>(env);
        withMaintainer.putAll(Map.of("DEBFULLNAME", "Conf Reader", "DEBEMAIL", "conf@example.org"));
        Cmd.Result conf = Cmd.dkmsDeb(null, withMaintainer, "bmdeb", reads.toString(), "-k", kernel, "--no-sign", "-o", out3.toString(),
                "--log-dir", work.resolve("logs3").toString());
        assertThat(conf.exit()).as(conf.toString()).isZero();
        assertThat(out3.resolve("readsconfig-modules-" + kernel + "_0.1_amd64.deb")).exists();

        // nothing of trixie on the host: no package, no headers, no mount
        nothingOnTheHost(kernel);
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(CACHE.toString());
    }

    /**
     * The hello module of a trixie kernel's package {@code deb}, unpacked into {@code x} and decompressed: compressed as
     * trixie's own modules, vermagic naming {@code kernel}, compiled by trixie's gcc 14; inspect passes on the package.
     */
    static Path helloOfTrixie(Path deb, String kernel, Path x) {
        Cmd.ok("dpkg-deb", "-x", deb.toString(), x.toString());
        Path packed = x.resolve("lib/modules/" + kernel + "/updates/dkms/hello.ko.xz");
        assertThat(packed).as("compressed as trixie's own modules").exists();
        Cmd.ok("xz", "-dk", packed.toString());
        Path ko = x.resolve("lib/modules/" + kernel + "/updates/dkms/hello.ko");
        assertThat(Cmd.ok("modinfo", "-F", "vermagic", ko.toString()).out()).startsWith(kernel + " ");
        assertThat(Cmd.ok("readelf", "-p", ".comment", ko.toString()).out()).as("compiled by trixie's gcc 14").contains("(Debian 14.")
                .doesNotContain("(Debian 12.");
        Cmd.Result inspect = Cmd.dkmsDeb("inspect", deb.toString());
        assertThat(inspect.exit()).as(inspect.toString()).isZero();
        return ko;
    }

    /**
     * bmdeb of hello for {@code kernel} again, into {@code work/out2}: the root is ready (no debootstrap, no apt, nothing
     * installed) and the package is {@code deb} byte for byte. Returns the seconds it took.
     */
    static double rebuildsTheSame(Map<String, String> env, String kernel, Path deb, Path work) throws java.io.IOException {
        Path out2 = Files.createDirectories(work.resolve("out2"));
        long t = System.nanoTime();
        Cmd.Result second = Cmd.dkmsDeb(null, env, "bmdeb", HelloModules.example(), "-k", kernel, "--no-sign", "-o", out2.toString(),
                "--log-dir", work.resolve("logs2").toString());
        double seconds = (System.nanoTime() - t) / 1e9;
        assertThat(second.exit()).as(second.toString()).isZero();
        assertThat(second.err()).doesNotContain("making the trixie").doesNotContain("updating the trixie").doesNotContain("installing");
        assertThat(Files.readAllBytes(out2.resolve(deb.getFileName()))).isEqualTo(Files.readAllBytes(deb));
        return seconds;
    }

    /** Nothing of {@code kernel} on this host: no headers package, no headers, no mount of the build roots' cache. */
    static void nothingOnTheHost(String kernel) {
        assertThat(Cmd.run("dpkg-query", "-W", "linux-headers-" + kernel).exit()).isNotZero();
        assertThat(Path.of("/usr/src/linux-headers-" + kernel)).doesNotExist();
        assertThat(Cmd.ok("findmnt", "-rn", "-o", "TARGET").out()).doesNotContain(CACHE.toString());
    }
}

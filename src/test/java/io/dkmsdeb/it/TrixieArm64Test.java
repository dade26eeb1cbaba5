package io.dkmsdeb.it;

import io.dkmsdeb.kernel.BuildRoot;
import io.dkmsdeb.kernel.Modinfo;
import io.dkmsdeb.model.kernel.DebianRelease;
import io.dkmsdeb.model.kernel.Host;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An arm64 kernel of Debian 13 trixie, built on this amd64 Debian 12 machine: bmdeb builds debian-example/hello for the
 * kernel trixie's {@code linux-headers-arm64} depends on now (found at run time) in the trixie amd64 build root, which
 * cross-builds it: trixie's {@code gcc-14-aarch64-linux-gnu}, the root's own linux-kbuild, and the kernel's arm64 headers
 * unpacked there. The package is an arm64 one whose AArch64 module names the kernel, compiled by gcc 14; inspect and
 * lintian pass; a second call finds everything ready and writes the same bytes; nothing is installed on the host. Then
 * trixie's own arm64 kernel image (its linux-image package, downloaded by the root's apt) boots under
 * qemu-system-aarch64 (TCG) and loads the module.
 */
@Tag("kernel")
@Tag("network")
@Tag("root")
@Tag("tools")
@Tag("qemu")
class TrixieArm64Test {
    @TempDir
    Path work;

    @Test
    void helloForTrixiesCurrentArm64KernelIsCrossBuiltInTheTrixieRootAndLoadsThere() throws Exception {
        Assumptions.assumeTrue(Cmd.isRoot(), "making a build root needs root");
        Assumptions.assumeTrue(new Host(Map.of(), Path.of("/")).debianRelease().filter(r -> !r.equals(DebianRelease.TRIXIE)).isPresent(),
                "a host of another release than trixie");
        Assumptions.assumeTrue(Cmd.ok("dpkg", "--print-architecture").out().strip().equals("amd64"), "an amd64 machine");
        Map<String, String> env = Map.of("XDG_CACHE_HOME", TrixieBuildRootTest.CACHE.toString(), "SOURCE_DATE_EPOCH", HelloModules.EPOCH);
        BuildRoot root = new BuildRoot(DebianRelease.TRIXIE, "amd64", new Host(env, Path.of("/")));
        String kernel = root.currentKernel("arm64", "arm64");
        assertThat(kernel).matches("[0-9.]+\\+deb13-arm64");

        Path out1 = Files.createDirectories(work.resolve("out1"));
        long t = System.nanoTime();
        Cmd.Result first = Cmd.dkmsDeb(null, env, "bmdeb", HelloModules.example(), "-k", kernel, "--no-sign", "-o", out1.toString(),
                "--log-dir", work.resolve("logs").toString(), "--json");
        double firstSeconds = (System.nanoTime() - t) / 1e9;
        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(first.out()).contains("\"dkmsLevel\":\"3.2.2\"");
        Path deb = out1.resolve("hello-modules-" + kernel + "_1.0_arm64.deb");
        assertThat(deb).exists();
        assertThat(Cmd.ok("dpkg-deb", "-f", deb.toString(), "Architecture").out().strip()).isEqualTo("arm64");
        String log = Files.readString(work.resolve("logs/hello-1.0_" + kernel + ".log"));
        assertThat(log).contains("ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-").contains("in the build root " + root.dir());

        Path ko = TrixieBuildRootTest.helloOfTrixie(deb, kernel, work.resolve("x"));
        Path packed = ko.resolveSibling("hello.ko.xz");
        assertThat(Modinfo.elfMachine(Files.readAllBytes(ko))).as("ELF machine (183 = AArch64)").isEqualTo(183);
        assertThat(Cmd.ok("modinfo", "-F", "vermagic", ko.toString()).out()).contains(" aarch64");
        assertThat(Cmd.dkmsDeb("inspect", deb.toString()).out()).contains("ELF machine AArch64 (183)").doesNotContain("FAIL");
        Cmd.Result lintian = Cmd.run("lintian", "--pedantic", "--fail-on", "error,warning", deb.toString());
        assertThat(lintian.exit()).as(lintian.toString()).isZero();

        // the second call finds the root ready: no apt, no unpacking; the same bytes
        double secondSeconds = TrixieBuildRootTest.rebuildsTheSame(env, kernel, deb, work);

        // nothing of it on the host
        TrixieBuildRootTest.nothingOnTheHost(kernel);

        // trixie's own arm64 kernel image loads it
        Path images = Files.createDirectories(work.resolve("images"));
        Path imageDeb = TrixieModulesLoadTest.downloadInRoot(root, "linux-image-" + kernel + "-unsigned:arm64", "arm64", images);
        Path unpacked = work.resolve("image");
        Cmd.ok("dpkg-deb", "-x", imageDeb.toString(), unpacked.toString());
        Path image = unpacked.resolve("boot/vmlinuz-" + kernel);
        assertThat(image).isRegularFile();
        QemuBoot.Result r = QemuBoot.boot(kernel, image, List.of(packed), work.resolve("boot"),
                QemuBoot.Options.defaults().withTimeout(Duration.ofSeconds(600)));
        System.out.printf("TrixieArm64Test: %s, first bmdeb %.1f s, second %.1f s; qemu-system-aarch64 boot "
                + "%d ms, insmods %s%n", kernel, firstSeconds, secondSeconds, r.wallTime().toMillis(), r.insmods());
        r.dmesg().forEach(l -> System.out.println("TrixieArm64Test: guest: " + l));
        assertThat(r.timedOut()).as(r.describe()).isFalse();
        assertThat(r.bootedRelease()).as("uname -r in the guest; %s", r.describe()).contains(kernel);
        assertThat(r.insmodStatus("hello.ko.xz")).as("insmod hello.ko.xz; %s", r.describe()).contains(0);
        assertThat(r.loadedModules()).as("/proc/modules; %s", r.describe()).contains("hello");
        assertThat(r.dmesg()).as("hello's init message; %s", r.describe()).anyMatch(l -> l.endsWith(QemuBootTest.LOADED));
        assertThat(r.dmesg()).noneMatch(l -> l.contains("disagrees about version") || l.contains("nvalid module format")
                || l.contains("version magic"));
    }
}

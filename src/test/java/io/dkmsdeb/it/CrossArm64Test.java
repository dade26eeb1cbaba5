package io.dkmsdeb.it;

import io.dkmsdeb.kernel.Modinfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cross-architecture bmdeb: debian-example/hello built on this amd64 machine for the newest 6.1 and
 * 6.12 arm64 kernels the apt archive serves, their headers fetched with --fetch-headers (nothing
 * installed), compiled with the cross compiler. The packages are arm64 ones, lintian clean, with an
 * AArch64 module whose vermagic names the kernel, compressed as Debian's own arm64 modules of that
 * kernel are (read from its linux-image package). And the module loads: each kernel's Debian arm64
 * image (linux-image-KVER:arm64, downloaded, not installed) boots under qemu-system-aarch64 with a
 * busybox-static:arm64 initramfs that insmods it; the 6.12 module is refused by the 6.1 kernel,
 * which shows the load check can fail. About 3 minutes on 2 cores (two TCG boots).
 */
@Tag("kernel")
@Tag("tools")
@Tag("qemu")
@Tag("network")
class CrossArm64Test {
    static final String LOADED = "hello: loaded (dkms-deb example 1.0)";
    static String k61;
    static String k612;

    @TempDir
    static Path work;

    @BeforeAll
    static void build() throws IOException {
        k61 = Kernels.newestArm64InArchive("6.1.");
        k612 = Kernels.newestArm64InArchive("6.12.");
        Path out = Files.createDirectories(work.resolve("out"));
        Cmd.Result r = Cmd.dkmsDeb(null, Map.of("XDG_CACHE_HOME", work.resolve("cache").toString(), "SOURCE_DATE_EPOCH", HelloModules.EPOCH),
                "bmdeb", HelloModules.example(), "-k", k61, "-k", k612, "--fetch-headers", "--no-sign", "-o", out.toString(),
                "--log-dir", work.resolve("logs").toString());
        assertThat(r.exit()).as("bmdeb for the arm64 kernels %s and %s: %s", k61, k612, r).isZero();
    }

    static Path deb(String kernel) {
        return work.resolve("out/hello-modules-" + kernel + "_1.0_arm64.deb");
    }

    /** The one module file of the package, unpacked with dpkg-deb. */
    static Path module(String kernel) throws IOException {
        Path x = work.resolve("x-" + kernel);
        if (!Files.isDirectory(x)) {
            Cmd.ok("dpkg-deb", "-x", deb(kernel).toString(), x.toString());
        }
        Path dir = x.resolve("lib/modules/" + kernel + "/updates/dkms");
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> modules = s.toList();
            assertThat(modules).as("modules in %s", dir).hasSize(1);
            return modules.get(0);
        }
    }

    void assertArm64Package(String kernel) throws IOException {
        assertThat(deb(kernel)).isRegularFile();
        assertThat(Cmd.ok("dpkg-deb", "-f", deb(kernel).toString(), "Architecture").out().strip()).isEqualTo("arm64");
        Path module = module(kernel);
        assertThat(module.getFileName().toString()).as("compressed as the modules of linux-image-%s:arm64", kernel)
                .isEqualTo("hello" + QemuBoot.moduleSuffix(kernel));
        assertThat(Modinfo.elfMachine(Files.readAllBytes(module))).as("ELF machine (183 = AArch64)").isEqualTo(183);
        assertThat(Cmd.ok("modinfo", "-F", "vermagic", module.toString()).out()).startsWith(kernel + " ").contains(" aarch64");
        Cmd.Result lintian = Cmd.run("lintian", "--pedantic", "--fail-on", "error,warning", deb(kernel).toString());
        assertThat(lintian.exit()).as(lintian.toString()).isZero();
        Cmd.Result inspect = Cmd.dkmsDeb("inspect", deb(kernel).toString());
        assertThat(inspect.exit()).as(inspect.toString()).isZero();
        assertThat(inspect.out()).contains("[ok] ELF machine of lib/modules/" + kernel + "/updates/dkms/" + module.getFileName()
                + ": ELF machine AArch64 (183)").contains("[ok] vermagic of").doesNotContain("FAIL");
    }

    @Test
    void arm64PackageFor61Kernel() throws IOException {
        assertArm64Package(k61);
    }

    @Test
    void arm64PackageFor612Kernel() throws IOException {
        assertArm64Package(k612);
    }

    static QemuBoot.Result boot(String kernel, List<Path> modules) {
        QemuBoot.Result r = QemuBoot.boot(kernel, modules, work.resolve("boot-" + kernel),
                QemuBoot.Options.defaults().withTimeout(java.time.Duration.ofSeconds(300)));
        System.out.printf("qemu-system-aarch64 boot of %s: %d ms, insmods %s%n", kernel, r.wallTime().toMillis(), r.insmods());
        assertThat(r.timedOut()).as(r.describe()).isFalse();
        assertThat(r.bootedRelease()).as("uname -r in the guest; %s", r.describe()).contains(kernel);
        assertThat(r.initDone()).as("/init ran to its end; %s", r.describe()).isTrue();
        return r;
    }

    /** One boot of the 6.1 kernel: the 6.12 module first (refused), then the 6.1 one (loaded). */
    @Test
    void loadsIn61KernelWhereThe612ModuleIsRefused() throws IOException {
        Path wrong = module(k612);
        Path right = module(k61);
        QemuBoot.Result r = boot(k61, List.of(wrong, right));
        assertThat(r.insmodStatus(wrong.getFileName().toString())).as("insmod of the 6.12 module; %s", r.describe()).isPresent()
                .hasValueSatisfying(status -> assertThat(status).as("insmod exit status").isNotZero());
        assertThat(r.dmesg()).as("kernel log; %s", r.describe())
                .anyMatch(l -> l.contains("hello: disagrees about version of symbol") || l.contains("hello: version magic"));
        assertThat(r.insmodStatus(right.getFileName().toString())).as("insmod of the 6.1 module; %s", r.describe()).contains(0);
        assertThat(r.dmesg()).as("kernel log; %s", r.describe()).anyMatch(l -> l.endsWith(LOADED));
        assertThat(r.loadedModules()).as("/proc/modules; %s", r.describe()).contains("hello");
    }

    @Test
    void loadsIn612Kernel() throws IOException {
        Path module = module(k612);
        QemuBoot.Result r = boot(k612, List.of(module));
        assertThat(r.insmodStatus(module.getFileName().toString())).as("insmod; %s", r.describe()).contains(0);
        assertThat(r.dmesg()).as("kernel log; %s", r.describe()).anyMatch(l -> l.endsWith(LOADED));
        assertThat(r.loadedModules()).as("/proc/modules; %s", r.describe()).contains("hello");
    }

    /**
     * A Makefile that finds the kernel as dahdi's does ({@code ifndef KSRC}, else /lib/modules/$(KVERS)/build, which
     * a fetched arm64 kernel does not have on this machine): bmdeb names the fetched headers in KSRC (and KDIR,
     * KERNELDIR, ...), so it builds, for arm64.
     */
    @Test
    void aMakefileThatReadsKsrcFindsTheFetchedHeaders() throws IOException {
        Path tree = ModuleTrees.write(work.resolve("ksrcmod"), "ksrcmod", ModuleTrees.GOOD_C, ModuleTrees.conf("ksrcmod", "1.0")
                + "MAKE[0]=\"make modules KVERS=$kernelver\"\n");
        Files.writeString(tree.resolve("Makefile"), """
                KVERS ?= $(shell uname -r)
                ifndef KSRC
                KSRC := /lib/modules/$(KVERS)/build
                endif
                modules:
                \t@test -e $(KSRC)/Makefile || { echo "You do not appear to have the sources for the $(KVERS) kernel installed."; exit 1; }
                \t$(MAKE) -C $(KSRC) M=$(CURDIR) modules
                """);
        assertThat(Path.of("/lib/modules", k61, "build")).as("the arm64 kernel's headers are not installed here").doesNotExist();
        Path out = Files.createDirectories(work.resolve("out-ksrc"));
        Cmd.Result r = Cmd.dkmsDeb(null, Map.of("XDG_CACHE_HOME", work.resolve("cache").toString(), "SOURCE_DATE_EPOCH", HelloModules.EPOCH,
                        "DEBFULLNAME", "Cross Test", "DEBEMAIL", "cross@example.org"),
                "bmdeb", tree.toString(), "-k", k61, "--fetch-headers", "--no-sign", "-o", out.toString(), "--log-dir", work.resolve("logs").toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        Path deb = out.resolve("ksrcmod-modules-" + k61 + "_1.0_arm64.deb");
        assertThat(deb).isRegularFile();
        Path x = work.resolve("x-ksrc");
        Cmd.ok("dpkg-deb", "-x", deb.toString(), x.toString());
        try (Stream<Path> s = Files.list(x.resolve("lib/modules/" + k61 + "/updates/dkms"))) {
            Path ko = s.findFirst().orElseThrow();
            assertThat(Modinfo.elfMachine(Files.readAllBytes(ko))).as("ELF machine of %s", ko).isEqualTo(183);
        }
    }

    /** PATH without the aarch64-linux-gnu- programs: exit 4, the message names the packages to install, nothing written. */
    @Test
    void withoutTheCrossCompilerExit4NamesThePackages() throws IOException {
        Path bin = Files.createDirectories(work.resolve("bin-without-cross"));
        try (Stream<Path> s = Files.list(Path.of("/usr/bin"))) {
            for (Path p : s.filter(p -> !p.getFileName().toString().startsWith("aarch64-linux-gnu-")).toList()) {
                Files.createSymbolicLink(bin.resolve(p.getFileName()), p);
            }
        }
        Path out = Files.createDirectories(work.resolve("out-without-cross"));
        Cmd.Result r = Cmd.dkmsDeb(null, Map.of("PATH", bin + ":/usr/sbin:/sbin", "XDG_CACHE_HOME", work.resolve("cache").toString()),
                "bmdeb", HelloModules.example(), "-k", k61, "--fetch-headers", "--no-sign", "-o", out.toString(),
                "--log-dir", work.resolve("logs").toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(4);
        assertThat(r.err()).contains("arm64 kernel " + k61 + " on this amd64 machine needs the cross compiler aarch64-linux-gnu-gcc")
                .containsPattern("apt-get install gcc-[0-9]+-aarch64-linux-gnu binutils-aarch64-linux-gnu");
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.toList()).isEmpty();
        }
    }
}

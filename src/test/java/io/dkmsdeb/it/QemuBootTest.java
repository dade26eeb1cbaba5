package io.dkmsdeb.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * It loads: the hello module from the NAME-modules-KVER package that bmdeb writes is loaded with
 * insmod in the real Debian kernel (the installed /boot image, or linux-image-KVER fetched with
 * apt-get download) booted under qemu-system-x86_64, and its init message shows on the serial
 * console. About 10 s per boot under TCG. A module for the other kernel must be refused, which
 * shows the check can fail.
 */
@Tag("kernel")
@Tag("tools")
@Tag("qemu")
@Tag("network")
class QemuBootTest {
    static final String K61 = Kernels.newest61();
    static final String LOADED = "hello: loaded (dkms-deb example 1.0)";
    static String k612;

    @TempDir
    static Path shared;

    @BeforeAll
    static void packages() {
        k612 = Kernels.newest612();
    }

    /** The module file of hello-modules-KVER, as the package has it (hello.ko, or hello.ko.xz for 6.12). */
    static Path moduleFromPackage(String kernel) throws IOException {
        Path deb = HelloModules.deb(kernel);
        Path x = shared.resolve("x-" + kernel);
        if (!Files.isDirectory(x)) {
            Cmd.ok("dpkg-deb", "-x", deb.toString(), x.toString());
        }
        Path dir = x.resolve("lib/modules/" + kernel + "/updates/dkms");
        List<Path> modules;
        try (Stream<Path> s = Files.list(dir)) {
            modules = s.filter(Files::isRegularFile).sorted().toList();
        }
        assertThat(modules).as("modules in %s", dir).hasSize(1);
        assertThat(modules.get(0).getFileName().toString()).startsWith("hello.ko");
        return modules.get(0);
    }

    static QemuBoot.Result boot(String kernel, Path module, String label) {
        QemuBoot.Result r = QemuBoot.boot(kernel, List.of(module), shared.resolve("boot-" + label));
        // Surefire keeps this in target/surefire-reports/io.dkmsdeb.it.QemuBootTest-output.txt.
        System.out.printf("qemu boot %s (%s, %s): %d ms, insmods %s%n", label, kernel, module.getFileName(),
                r.wallTime().toMillis(), r.insmods());
        assertThat(r.timedOut()).as(r.describe()).isFalse();
        assertThat(r.bootedRelease()).as("uname -r in the guest; %s", r.describe()).contains(kernel);
        assertThat(r.initDone()).as("/init ran to its end; %s", r.describe()).isTrue();
        return r;
    }

    void assertLoads(String kernel) throws IOException {
        Path module = moduleFromPackage(kernel);
        String file = module.getFileName().toString();
        QemuBoot.Result r = boot(kernel, module, kernel);
        assertThat(r.insmodStatus(file)).as("insmod %s exit status; %s", file, r.describe()).contains(0);
        assertThat(r.console()).as("init message on the console; %s", r.describe()).contains(LOADED);
        assertThat(r.dmesg()).as("kernel log after the insmod; %s", r.describe()).anyMatch(l -> l.endsWith(LOADED));
        assertThat(r.loadedModules()).as("/proc/modules; %s", r.describe()).contains("hello");
    }

    @Test
    void helloModuleOf61PackageLoadsIn61Kernel() throws IOException {
        assertLoads(K61);
    }

    /** The package has hello.ko.xz: busybox insmod decompresses it (see QemuBoot), no host-side unxz. */
    @Test
    void helloModuleOf612PackageLoadsIn612Kernel() throws IOException {
        assertLoads(k612);
    }

    /** Negative control: the 6.12 module in the 6.1 kernel must be refused, so a passing check means something. */
    @Test
    void moduleForAnotherKernelIsRefused() throws IOException {
        Path module = moduleFromPackage(k612);
        String file = module.getFileName().toString();
        QemuBoot.Result r = boot(K61, module, "6.12-module-in-" + K61);
        assertThat(r.insmodStatus(file)).as("insmod %s exit status; %s", file, r.describe()).isPresent()
                .hasValueSatisfying(status -> assertThat(status).as("insmod exit status").isNotZero());
        assertThat(r.console()).as("no init message; %s", r.describe()).doesNotContain(LOADED)
                .containsAnyOf("disagrees about version of symbol", "version magic", "invalid module format",
                        "Invalid module format");
        assertThat(r.dmesg()).as("kernel log after the insmod; %s", r.describe())
                .anyMatch(l -> l.contains("hello: disagrees about version of symbol") || l.contains("hello: version magic"));
        assertThat(r.loadedModules()).as("/proc/modules; %s", r.describe()).doesNotContain("hello");
    }
}

package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The hello-dkms package installed for real with dpkg on this machine: dkms builds and installs
 * the module for every kernel whose headers are installed, and dpkg -r leaves nothing behind.
 * Needs root (CI runs as root).
 */
@Tag("kernel")
@Tag("tools")
@Tag("root")
class DkmsInstallTest {
    private static final Path FRAMEWORK_CONF = Path.of("/etc/dkms/framework.conf");

    @TempDir
    Path out;

    /** Kernels with headers, the ones common.postinst can build for. */
    static List<String> kernelsWithHeaders() throws IOException {
        List<String> kernels = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/lib/modules"))) {
            for (Path p : s.sorted().toList()) {
                if (Files.isDirectory(p.resolve("build/include"))) {
                    kernels.add(p.getFileName().toString());
                }
            }
        }
        return kernels;
    }

    /** hello.ko, or hello.ko.xz / .zst when dkms compressed it as that kernel's modules are; null when absent. */
    static Path installedModule(String kernel) throws IOException {
        Path dir = Path.of("/lib/modules", kernel, "updates/dkms");
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("hello.ko")).findFirst().orElse(null);
        }
    }

    @Test
    void dpkgInstallBuildsForEachKernelAndRemoveCleansUp() throws IOException {
        assumeTrue(Cmd.isRoot(), "installs packages: needs root");
        List<String> kernels = kernelsWithHeaders();
        assertThat(kernels).as("kernel headers installed by .ci/run").isNotEmpty();
        assertThat(Cmd.run("dpkg-query", "-W", "hello-dkms").exit()).as("hello-dkms must not be installed before the test").isNotZero();

        Cmd.Result built = Cmd.dkmsDeb("source", Cmd.repo().resolve("debian-example/hello").toString(), "-o", out.toString());
        assertThat(built.exit()).as(built.toString()).isZero();
        Path deb = out.resolve("hello-dkms_1.0-1_all.deb");

        // The running kernel of a build VM or container is often not installed here; dkms's
        // common.postinst then treats it as a chroot host and builds nothing on a first install.
        // autoinstall_all_kernels (dkms framework.conf) makes it build for every installed kernel.
        byte[] savedConf = Files.exists(FRAMEWORK_CONF) ? Files.readAllBytes(FRAMEWORK_CONF) : null;
        try {
            Files.writeString(FRAMEWORK_CONF, (savedConf == null ? "" : new String(savedConf)) + "\nautoinstall_all_kernels=\"y\"\n");
            Cmd.Result install = Cmd.run("dpkg", "-i", deb.toString());
            assertThat(install.exit()).as(install.toString()).isZero();

            String status = Cmd.ok("dkms", "status", "-m", "hello", "-v", "1.0").out();
            for (String kernel : kernels) {
                assertThat(status).contains("hello/1.0, " + kernel + ", x86_64: installed");
                Path ko = installedModule(kernel);
                assertThat(ko).as("hello.ko* for " + kernel).isNotNull();
                assertThat(Cmd.ok("modinfo", "-F", "vermagic", ko.toString()).out()).startsWith(kernel + " ");
            }
            assertThat(Path.of("/usr/src/hello-1.0/dkms.conf")).exists();

            Cmd.Result remove = Cmd.run("dpkg", "-r", "hello-dkms");
            assertThat(remove.exit()).as(remove.toString()).isZero();
            assertThat(Cmd.ok("dkms", "status").out()).doesNotContain("hello");
            assertThat(Path.of("/usr/src/hello-1.0")).doesNotExist();
            assertThat(Path.of("/var/lib/dkms/hello")).doesNotExist();
            for (String kernel : kernels) {
                assertThat(installedModule(kernel)).as("hello.ko* for " + kernel).isNull();
            }
        } finally {
            Cmd.run("dpkg", "--purge", "hello-dkms");
            if (savedConf == null) {
                Files.deleteIfExists(FRAMEWORK_CONF);
            } else {
                Files.write(FRAMEWORK_CONF, savedConf);
            }
        }
    }
}

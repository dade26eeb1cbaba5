package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The hello-dkms package installed for real with dpkg, in an {@link IsolatedRoot} over this machine's
 * state: dkms builds and installs the module for every kernel whose headers are installed, and dpkg -r
 * leaves nothing behind. The machine's own dpkg database, /usr/src, /lib/modules, /var/lib/dkms and
 * dkms framework.conf are the same before and after. Needs root (CI runs as root).
 */
@Tag("kernel")
@Tag("tools")
@Tag("root")
class DkmsInstallTest {
    static final Path FRAMEWORK_CONF = Path.of("/etc/dkms/framework.conf");

    @TempDir
    Path out;

    /**
     * The running kernel of a build VM or container is often not installed here; dkms's
     * common.postinst then treats it as a chroot host and builds nothing on a first install.
     * autoinstall_all_kernels (dkms framework.conf, in the root only) makes it build for every
     * installed kernel.
     */
    static void buildForEveryInstalledKernel(IsolatedRoot root) {
        Cmd.Result r = root.run("printf '\\nautoinstall_all_kernels=\"y\"\\n' >> \"$1\"", FRAMEWORK_CONF.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
    }

    /** The bytes of the machine's dkms framework.conf, null when there is none. */
    static byte[] machineFrameworkConf() throws IOException {
        return Files.exists(FRAMEWORK_CONF) ? Files.readAllBytes(FRAMEWORK_CONF) : null;
    }

    /** MODULE.ko, or .ko.xz / .ko.zst when dkms compressed it as that kernel's modules are, in the root; null when absent. */
    static String installedModule(IsolatedRoot root, String kernel, String module) {
        String dir = "/lib/modules/" + kernel + "/updates/dkms";
        return root.list(dir).stream().filter(n -> n.equals(module + ".ko") || n.startsWith(module + ".ko."))
                .map(n -> dir + "/" + n).findFirst().orElse(null);
    }

    @Test
    void dpkgInstallBuildsForEachKernelAndRemoveCleansUp() throws IOException {
        assumeTrue(Cmd.isRoot(), "installs packages in a private mount namespace: needs root");
        List<String> kernels = Kernels.withHeaders();
        assertThat(kernels).as("kernel headers installed by .ci/run").isNotEmpty();
        List<Path> machinePaths = new ArrayList<>(List.of(Path.of("/usr/src/hello-1.0"), Path.of("/var/lib/dkms/hello")));
        for (String kernel : kernels) {
            machinePaths.add(Path.of("/lib/modules", kernel, "updates/dkms/hello.ko"));
            machinePaths.add(Path.of("/lib/modules", kernel, "updates/dkms/hello.ko.xz"));
        }
        IsolatedRoot.assertMachineHasNone(List.of("hello-dkms"), machinePaths);
        byte[] frameworkConf = machineFrameworkConf();

        Cmd.Result built = Cmd.dkmsDeb("source", Cmd.repo().resolve("debian-example/hello").toString(), "-o", out.toString());
        assertThat(built.exit()).as(built.toString()).isZero();
        Path deb = out.resolve("hello-dkms_1.0-1_all.deb");

        IsolatedRoot root = IsolatedRoot.in(out);
        buildForEveryInstalledKernel(root);
        Cmd.Result install = root.exec("dpkg", "-i", deb.toString());
        assertThat(install.exit()).as(install.toString()).isZero();

        String status = root.ok("dkms", "status", "-m", "hello", "-v", "1.0").out();
        for (String kernel : kernels) {
            assertThat(status).contains("hello/1.0, " + kernel + ", x86_64: installed");
            String ko = installedModule(root, kernel, "hello");
            assertThat(ko).as("hello.ko* for " + kernel).isNotNull();
            assertThat(root.ok("modinfo", "-F", "vermagic", ko).out()).startsWith(kernel + " ");
        }
        assertThat(root.exists("/usr/src/hello-1.0/dkms.conf")).isTrue();

        Cmd.Result remove = root.exec("dpkg", "-r", "hello-dkms");
        assertThat(remove.exit()).as(remove.toString()).isZero();
        assertThat(root.ok("dkms", "status").out()).doesNotContain("hello");
        assertThat(root.exists("/usr/src/hello-1.0")).isFalse();
        assertThat(root.exists("/var/lib/dkms/hello")).isFalse();
        for (String kernel : kernels) {
            assertThat(installedModule(root, kernel, "hello")).as("hello.ko* for " + kernel).isNull();
        }

        IsolatedRoot.assertMachineHasNone(List.of("hello-dkms"), machinePaths);
        assertThat(machineFrameworkConf()).as("this machine's " + FRAMEWORK_CONF).isEqualTo(frameworkConf);
    }
}

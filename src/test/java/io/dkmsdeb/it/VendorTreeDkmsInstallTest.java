package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The package {@code dkms-deb source} makes of each vendor-style tree, installed for real in an
 * {@link IsolatedRoot} over this machine's state: dkms builds every module of it for every kernel with
 * headers; {@code dkms-deb bmdeb NAME/VERSION}, which finds the sources where the package put them,
 * builds modules with the same srcversion as dkms's; and removing the package leaves nothing behind.
 * The machine's own dpkg database, /usr/src, /var/lib/dkms and dkms framework.conf are the same before
 * and after. Needs root (CI runs as root).
 */
@Tag("kernel")
@Tag("tools")
@Tag("root")
class VendorTreeDkmsInstallTest {
    @TempDir
    Path out;

    /** The trees of the debhelper features are installed together, once, by {@link VendorTreeDebhelperInstallTest}. */
    static Stream<VendorTree> trees() {
        return VendorTree.BASIC.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trees")
    void installBuildsEveryModuleBmdebMatchesAndRemoveCleansUp(VendorTree tree) throws IOException {
        assumeTrue(Cmd.isRoot(), "installs packages in a private mount namespace: needs root");
        List<String> kernels = Kernels.withHeaders();
        assertThat(kernels).as("kernel headers installed by .ci/run").isNotEmpty();
        List<Path> machinePaths = List.of(Path.of("/", tree.usrSrcDir()), Path.of("/var/lib/dkms", tree.moduleName()),
                Path.of("/etc/modprobe.d", tree.packageName() + ".conf"));
        IsolatedRoot.assertMachineHasNone(List.of(tree.packageName()), machinePaths);
        byte[] frameworkConf = DkmsInstallTest.machineFrameworkConf();

        Path debDir = Files.createDirectories(out.resolve("source"));
        Cmd.Result built = Cmd.dkmsDeb("source", tree.source().toString(), "-o", debDir.toString());
        assertThat(built.exit()).as(built.toString()).isZero();
        Path deb = debDir.resolve(tree.debFile());
        List<String> conffiles = conffiles(deb);

        IsolatedRoot root = IsolatedRoot.in(out);
        DkmsInstallTest.buildForEveryInstalledKernel(root);
        Cmd.Result install = root.exec("dpkg", "-i", deb.toString());
        assertThat(install.exit()).as(install.toString()).isZero();

        String arch = Cmd.ok("uname", "-m").out().strip();
        String status = root.ok("dkms", "status", "-m", tree.moduleName(), "-v", tree.moduleVersion()).out();
        for (String kernel : kernels) {
            assertThat(status).contains(tree.moduleName() + "/" + tree.moduleVersion() + ", " + kernel + ", " + arch + ": installed");
        }
        assertThat(root.exists("/" + tree.usrSrcDir() + "/dkms.conf")).isTrue();
        for (String conffile : conffiles) {
            assertThat(root.exists(conffile)).as("conffile " + conffile).isTrue();
        }

        for (String kernel : kernels) {
            assertBmdebMatchesDkms(root, tree, kernel);
        }

        Cmd.Result remove = root.exec("dpkg", "-r", tree.packageName());
        assertThat(remove.exit()).as(remove.toString()).isZero();
        assertThat(root.ok("dkms", "status").out().lines()).noneMatch(l -> l.startsWith(tree.moduleName() + "/"));
        assertThat(root.exists("/" + tree.usrSrcDir())).isFalse();
        assertThat(root.exists("/var/lib/dkms/" + tree.moduleName())).isFalse();
        for (String kernel : kernels) {
            for (String module : tree.modules()) {
                assertThat(DkmsInstallTest.installedModule(root, kernel, module)).as(module + " for " + kernel).isNull();
            }
        }

        Cmd.Result purge = root.exec("dpkg", "--purge", tree.packageName());
        assertThat(purge.exit()).as(purge.toString()).isZero();
        for (String conffile : conffiles) {
            assertThat(root.exists(conffile)).as("conffile after purge: " + conffile).isFalse();
        }
        assertThat(root.exists("/etc/modprobe.d/" + tree.packageName() + ".conf")).isFalse();

        IsolatedRoot.assertMachineHasNone(List.of(tree.packageName()), machinePaths);
        assertThat(DkmsInstallTest.machineFrameworkConf()).as("this machine's " + DkmsInstallTest.FRAMEWORK_CONF).isEqualTo(frameworkConf);
    }

    /** bmdeb NAME/VERSION in the root for one kernel: exactly the tree's modules, each with the srcversion of dkms's build. */
    private void assertBmdebMatchesDkms(IsolatedRoot root, VendorTree tree, String kernel) throws IOException {
        Path kout = Files.createDirectories(out.resolve("bmdeb-" + kernel));
        // no --maintainer: it is the installed -dkms package's, as dpkg knows it
        Cmd.Result bm = root.dkmsDeb("bmdeb", tree.moduleName() + "/" + tree.moduleVersion(), "-k", kernel, "-o", kout.toString(),
                "--log-dir", out.resolve("logs-" + kernel).toString());
        assertThat(bm.exit()).as(bm.toString()).isZero();
        List<Path> debs;
        try (Stream<Path> s = Files.list(kout)) {
            // the certificate package too when the modules are signed with dkms's MOK key (which dkms made in the root)
            debs = s.filter(p -> p.getFileName().toString().endsWith(".deb") && !p.getFileName().toString().contains("-modules-cert_")).toList();
        }
        assertThat(debs).as("packages bmdeb wrote for " + kernel).hasSize(1);
        String dkmsMaintainer = root.exec("dpkg-query", "-W", "-f=${Maintainer}", tree.packageName()).out().strip();
        assertThat(DebInfo.of(debs.get(0)).fields().get("Maintainer")).isEqualTo(dkmsMaintainer).isNotBlank();
        Path x = out.resolve("x-" + kernel);
        Cmd.ok("dpkg-deb", "-x", debs.get(0).toString(), x.toString());
        Path moduleDir = x.resolve("lib/modules").resolve(kernel).resolve("updates/dkms");

        List<String> packaged = new ArrayList<>();
        try (Stream<Path> s = Files.list(moduleDir)) {
            s.map(p -> p.getFileName().toString()).forEach(packaged::add);
        }
        assertThat(new TreeSet<>(packaged.stream().map(n -> n.substring(0, n.indexOf(".ko"))).toList()))
                .as("modules in " + debs.get(0).getFileName()).isEqualTo(new TreeSet<>(tree.modules()));
        assertThat(packaged).as("one file per module").hasSameSizeAs(tree.modules());

        for (String module : tree.modules()) {
            String dkmsBuilt = DkmsInstallTest.installedModule(root, kernel, module);
            assertThat(dkmsBuilt).as(module + " built by dkms for " + kernel).isNotNull();
            Path ours = packaged.stream().filter(n -> n.equals(module + ".ko") || n.startsWith(module + ".ko."))
                    .map(moduleDir::resolve).findFirst().orElseThrow();
            String srcversion = root.ok("modinfo", "-F", "srcversion", dkmsBuilt).out().strip();
            assertThat(srcversion).as("srcversion of dkms's " + module).isNotEmpty();
            assertThat(modinfo("srcversion", ours)).as("srcversion of " + ours.getFileName() + " for " + kernel).isEqualTo(srcversion);
            assertThat(modinfo("vermagic", ours)).startsWith(kernel + " ");
        }
    }

    private static String modinfo(String field, Path ko) {
        return Cmd.ok("modinfo", "-F", field, ko.toString()).out().strip();
    }

    private List<String> conffiles(Path deb) throws IOException {
        Path control = out.resolve("control");
        Cmd.ok("dpkg-deb", "-e", deb.toString(), control.toString());
        Path conffiles = control.resolve("conffiles");
        return Files.exists(conffiles) ? Files.readAllLines(conffiles).stream().filter(l -> !l.isBlank()).toList() : List.of();
    }
}

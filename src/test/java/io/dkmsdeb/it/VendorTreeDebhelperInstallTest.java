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
 * The packages {@code dkms-deb source} makes of every tree of debhelper's features (pciled: Architecture amd64;
 * hidkey: udev rules, triggers, an initramfs hook; gpsync: plain override_dh_install), of the combined tree (acme-sense: two -dkms packages,
 * udev rules, triggers, own postinst and postrm, maintscript, links, dirs, man page) and of fanctl
 * (all four own maintainer scripts), installed together with one {@code dpkg -i} in an
 * {@link IsolatedRoot} and purged together: dkms builds every module for every kernel with headers;
 * the udev rules are at {@code /lib/udev/rules.d/60-PACKAGE.rules}, where dh_installudev puts them;
 * dpkg processes the {@code update-initramfs} triggers (initramfs-tools' trigger calls a logging stand-in
 * for update-initramfs in the root: making an initramfs took half of this test's time); the packages' own maintainer scripts ran
 * (their state files appear on configure and go on purge); dh_link's and dh_installdirs' paths are
 * there; and purging leaves nothing behind. The machine's own state is the same before and after.
 * Needs root (CI runs as root). The other trees of {@link VendorTree#DEBHELPER_FEATURES} are left to
 * {@link VendorTreeDhComparisonTest}: dkms builds take most of this test's time (134 s for these three
 * modules on two kernels, 2 shared cores), and the other packages differ from these only in what that test
 * shows equal to dh's.
 */
@Tag("kernel")
@Tag("tools")
@Tag("root")
class VendorTreeDebhelperInstallTest {
    private static final List<String> UDEV_RULES = List.of("/lib/udev/rules.d/60-acme-sense-dkms.rules",
            "/lib/udev/rules.d/60-hidkey-dkms.rules");
    /** What the other trees install besides the sources: hidkey's initramfs hook, gpsync's override_dh_install file. */
    private static final List<String> OTHER_FILES = List.of("/usr/share/initramfs-tools/hooks/hidkey", "/etc/modules-load.d/gpsync.conf");
    private static final List<String> TREES = List.of("acme-sense-5.0", "fanctl-0.8", "pciled-0.4", "hidkey-2.3", "gpsync-1.0");
    /** What the packages' own postinst scripts write on configure (their postrm removes it on purge). */
    private static final List<String> OWN_SCRIPT_STATE = List.of("/var/lib/fanctl/state", "/var/lib/acme-sense/acme-sense-dkms.state");

    @TempDir
    Path out;

    @Test
    void everyPackageInstallsBuildsItsModuleAndPurgesCleanly() throws IOException {
        assumeTrue(Cmd.isRoot(), "installs packages in a private mount namespace: needs root");
        List<String> kernels = Kernels.withHeaders();
        assertThat(kernels).as("kernel headers installed by .ci/run").isNotEmpty();
        List<VendorTree> trees = VendorTree.DEBHELPER_FEATURES.stream().filter(t -> TREES.contains(t.dir())).toList();
        assertThat(trees).hasSize(6);
        List<String> packages = trees.stream().map(VendorTree::packageName).toList();
        List<Path> machinePaths = new ArrayList<>();
        for (VendorTree t : trees) {
            machinePaths.add(Path.of("/", t.usrSrcDir()));
            machinePaths.add(Path.of("/var/lib/dkms", t.moduleName()));
        }
        UDEV_RULES.forEach(r -> machinePaths.add(Path.of(r)));
        OTHER_FILES.forEach(f -> machinePaths.add(Path.of(f)));
        machinePaths.add(Path.of("/var/lib/fanctl"));
        machinePaths.add(Path.of("/var/lib/acme-sense"));
        IsolatedRoot.assertMachineHasNone(packages, machinePaths);
        byte[] frameworkConf = DkmsInstallTest.machineFrameworkConf();

        Path debDir = Files.createDirectories(out.resolve("source"));
        for (String dir : trees.stream().map(VendorTree::dir).distinct().toList()) {
            Cmd.Result built = Cmd.dkmsDeb("source", Cmd.repo().resolve("src/test/vendor-trees").resolve(dir).toString(), "-o", debDir.toString());
            assertThat(built.exit()).as(built.toString()).isZero();
        }
        List<String> install = new ArrayList<>(List.of("dpkg", "-i"));
        trees.forEach(t -> install.add(debDir.resolve(t.debFile()).toString()));

        IsolatedRoot root = IsolatedRoot.in(out);
        DkmsInstallTest.buildForEveryInstalledKernel(root);
        // in the root only: update-initramfs logs its calls instead of making an initramfs (InitramfsOfItsKernelTest makes real ones)
        Cmd.Result stub = root.run("printf '#!/bin/sh\\necho \"update-initramfs $*\" >> /var/log/update-initramfs.calls\\n' "
                + "> /usr/sbin/update-initramfs && chmod 755 /usr/sbin/update-initramfs");
        assertThat(stub.exit()).as(stub.toString()).isZero();
        Cmd.Result installed = root.exec(install.toArray(String[]::new));
        assertThat(installed.exit()).as(installed.toString()).isZero();
        assertThat(installed.out()).as("dpkg ran the update-initramfs trigger").contains("Processing triggers for initramfs-tools");
        assertThat(root.read("/var/log/update-initramfs.calls")).as("what initramfs-tools' trigger ran").contains("update-initramfs -u");

        String arch = Cmd.ok("uname", "-m").out().strip();
        String status = root.ok("dkms", "status").out();
        for (VendorTree t : trees) {
            for (String kernel : kernels) {
                assertThat(status).contains(t.moduleName() + "/" + t.moduleVersion() + ", " + kernel + ", " + arch + ": installed");
                assertThat(DkmsInstallTest.installedModule(root, kernel, t.modules().get(0))).as(t.moduleName() + " for " + kernel).isNotNull();
            }
        }
        for (String file : java.util.stream.Stream.concat(UDEV_RULES.stream(), OTHER_FILES.stream()).toList()) {
            assertThat(root.exists(file)).as(file).isTrue();
        }
        assertThat(root.read("/var/lib/fanctl/state")).isEqualTo("fanctl-dkms configured\n");
        assertThat(root.read("/var/lib/acme-sense/acme-sense-dkms.state")).isEqualTo("configured\n");
        assertThat(root.exists("/usr/share/fanctl/source/dkms.conf")).as("dh_link's relative link into /usr/src").isTrue();
        assertThat(root.exists("/usr/share/man/man4/fanctl.4.gz")).isTrue();
        String pending = root.ok("dpkg-query", "-W", "-f=${Package} ${db:Status-Abbrev}\\n", "initramfs-tools").out();
        assertThat(pending).as("no trigger left pending").startsWith("initramfs-tools ii");

        List<String> purge = new ArrayList<>(List.of("dpkg", "--purge"));
        purge.addAll(packages);
        Cmd.Result purged = root.exec(purge.toArray(String[]::new));
        assertThat(purged.exit()).as(purged.toString()).isZero();
        String after = root.ok("dkms", "status").out();
        for (VendorTree t : trees) {
            assertThat(after.lines()).noneMatch(l -> l.startsWith(t.moduleName() + "/"));
            assertThat(root.exists("/" + t.usrSrcDir())).as(t.usrSrcDir()).isFalse();
            for (String kernel : kernels) {
                assertThat(DkmsInstallTest.installedModule(root, kernel, t.modules().get(0))).as(t.moduleName() + " for " + kernel).isNull();
            }
        }
        List<String> gone = new ArrayList<>(List.of(OWN_SCRIPT_STATE.get(0), OWN_SCRIPT_STATE.get(1), "/var/lib/fanctl",
                "/var/lib/acme-sense", "/usr/share/fanctl/source"));
        gone.addAll(UDEV_RULES);
        gone.addAll(OTHER_FILES);
        for (String path : gone) {
            assertThat(root.exists(path)).as("after purge: " + path).isFalse();
        }

        IsolatedRoot.assertMachineHasNone(packages, machinePaths);
        assertThat(DkmsInstallTest.machineFrameworkConf()).as("this machine's " + DkmsInstallTest.FRAMEWORK_CONF).isEqualTo(frameworkConf);
    }
}

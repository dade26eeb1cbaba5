package io.dkmsdeb.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The life of a server that moves from {@code hello-dkms} to the prebuilt {@code hello-modules-KVER}
 * packages and back, with real dpkg, apt and dkms, in an {@link IsolatedRoot} over this machine's
 * state (its two installed kernels, 6.1 and 6.12, with headers and images). After every step
 * {@code dpkg -V} of the installed packages is clean, and the module file is there exactly for the
 * kernels whose module package is installed (or which dkms built for while hello-dkms is installed).
 */
@Tag("root")
@Tag("tools")
@Tag("kernel")
class ModulesAndDkmsLifeTest {

    @TempDir
    static Path tmp;
    private static RepoFixtures.Key key;

    @BeforeAll
    static void setUp() throws IOException {
        assertThat(Cmd.isRoot()).as("this test installs packages (in an isolated root) and must run as root").isTrue();
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        key = RepoFixtures.Key.create(tmp);
    }

    @AfterAll
    static void tearDown() {
        key.close();
    }

    private static Cmd.Result apt(IsolatedRoot root, String... args) {
        List<String> argv = new ArrayList<>(List.of("-q", "-y"));
        argv.addAll(List.of(args));
        return AptInRoot.ok(root, argv.toArray(String[]::new));
    }

    private static boolean installed(IsolatedRoot root, String pkg) {
        return AptInRoot.installed(root, pkg).startsWith("ii");
    }

    /** dpkg -V of every hello package installed in the root is clean; the module file is there exactly for {@code expected}. */
    private static void assertState(IsolatedRoot root, List<String> kernels, Set<String> expected, String when) {
        List<String> pkgs = new ArrayList<>(List.of("hello-dkms", "hello-modules-amd64"));
        kernels.forEach(k -> pkgs.add("hello-modules-" + k));
        for (String p : pkgs) {
            if (installed(root, p)) {
                Cmd.Result v = root.exec("dpkg", "-V", p);
                assertThat(v.out() + v.err()).as("dpkg -V " + p + ", " + when).isEmpty();
            }
        }
        Set<String> present = new TreeSet<>();
        for (String k : kernels) {
            if (DkmsInstallTest.installedModule(root, k, "hello") != null) {
                present.add(k);
            }
        }
        assertThat(present).as("kernels with hello.ko, " + when).isEqualTo(new TreeSet<>(expected));
    }

    @Test
    void fromDkmsToPrebuiltModulesAndBackNoKernelLosesItsModule() throws Exception {
        String k61 = Kernels.newest61();
        String k612 = Kernels.newest612();
        List<String> kernels = List.of(k61, k612);
        for (String k : kernels) {
            assertThat(Path.of("/lib/modules", k, "kernel")).as("linux-image-" + k + " is installed (.ci/run installs it)").isDirectory();
        }
        List<String> ours = new ArrayList<>(List.of("hello-dkms", "hello-modules-amd64"));
        kernels.forEach(k -> ours.add("hello-modules-" + k));
        List<Path> machineFiles = new ArrayList<>();
        kernels.forEach(k -> machineFiles.add(Path.of("/lib/modules", k, "updates/dkms/hello.ko")));
        IsolatedRoot.assertMachineHasNone(ours, machineFiles);

        Path dkmsDeb = RepoFixtures.helloDkms(Files.createDirectories(tmp.resolve("dkms")), HelloModules.EPOCH);
        Path repo = tmp.resolve("repo");
        Cmd.Result made = RepoFixtures.repo(key, repo, List.of(HelloModules.deb(k61), HelloModules.deb(k612)), "--suite", "bookworm",
                "--sign-key", key.fingerprint(),
                "--kernel-list", RepoFixtures.listing(tmp.resolve("listing.json"), "linux-image-amd64", "1", k61).toString());
        assertThat(made.exit()).as(made.toString()).isZero();
        for (String k : kernels) {
            assertThat(Cmd.ok("dpkg-deb", "-f", HelloModules.deb(k).toString(), "Conflicts").out().strip()).isEqualTo("hello-dkms");
        }

        IsolatedRoot root = IsolatedRoot.in(tmp);
        AptInRoot.sources(root, repo, null, false);
        // each module package rebuilds its kernel's initramfs: MODULES=list keeps that to seconds (Debian's MODULES=most: minutes)
        root.initramfsOfModules("hello");
        DkmsInstallTest.buildForEveryInstalledKernel(root);
        apt(root, "update");

        // a server with hello-dkms: dkms builds the module for both kernels
        Cmd.Result dkms = root.exec("dpkg", "-i", dkmsDeb.toString());
        assertThat(dkms.exit()).as(dkms.toString()).isZero();
        assertState(root, kernels, Set.of(k61, k612), "hello-dkms installed");

        // dpkg alone refuses the prebuilt package beside it, and changes nothing
        Cmd.Result refused = root.exec("dpkg", "-i", HelloModules.deb(k61).toString());
        assertThat(refused.exit()).as(refused.toString()).isNotZero();
        assertThat(refused.all()).contains("conflicts with hello-dkms");
        assertThat(installed(root, "hello-modules-" + k61)).isFalse();
        assertState(root, kernels, Set.of(k61, k612), "after dpkg refused hello-modules-" + k61);

        // the migration is one apt command: the flavour's meta-package; apt removes hello-dkms first and says so
        Cmd.Result migrate = apt(root, "install", "hello-modules-amd64");
        assertThat(migrate.out()).containsPattern("(?s)The following packages will be REMOVED:\\s+hello-dkms")
                .contains("hello-modules-" + k61);
        assertThat(installed(root, "hello-dkms")).isFalse();
        assertThat(root.ok("dkms", "status").out()).doesNotContain("hello");
        assertState(root, kernels, Set.of(k61), "after the migration (only " + k61 + " has a package)");

        // the other kernel's package: both kernels have the module again
        apt(root, "install", "hello-modules-" + k612);
        assertState(root, kernels, Set.of(k61, k612), "with both module packages");

        // back to dkms: apt removes the module packages and the meta-package first, dkms builds for both kernels
        Cmd.Result back = apt(root, "install", dkmsDeb.toString());
        assertThat(back.out()).containsPattern("(?s)The following packages will be REMOVED:.*hello-modules-" + java.util.regex.Pattern.quote(k61));
        assertThat(installed(root, "hello-modules-" + k61)).isFalse();
        assertThat(installed(root, "hello-modules-" + k612)).isFalse();
        assertState(root, kernels, Set.of(k61, k612), "back on hello-dkms");

        // and prebuilt again; then one kernel's package purged, then the kernel itself purged
        apt(root, "install", "hello-modules-amd64", "hello-modules-" + k612);
        assertState(root, kernels, Set.of(k61, k612), "prebuilt again");
        apt(root, "purge", "hello-modules-" + k612);
        assertState(root, kernels, Set.of(k61), "after purging hello-modules-" + k612);
        assertThat(root.list("/lib/modules/" + k612 + "/updates/dkms")).as("nothing of ours left for " + k612).isEmpty();

        Cmd.Result kernelGone = apt(root, "purge", "linux-image-" + k61);
        assertThat(kernelGone.out()).containsPattern("(?s)The following packages will be REMOVED:.*hello-modules-" + java.util.regex.Pattern.quote(k61));
        assertThat(installed(root, "hello-modules-" + k61)).isFalse();
        assertThat(kernelGone.all()).as("the module package does not rebuild the initramfs of a kernel that goes with it")
                .doesNotContain("update-initramfs: Generating /boot/initrd.img-" + k61);
        assertThat(root.list("/lib/modules/" + k61 + "/updates")).as("no file or directory of ours left for " + k61).isEmpty();
        assertThat(root.exists("/lib/modules/" + k61 + "/modules.dep")).as("no depmod state left for the purged " + k61).isFalse();

        IsolatedRoot.assertMachineHasNone(ours, machineFiles);
    }
}

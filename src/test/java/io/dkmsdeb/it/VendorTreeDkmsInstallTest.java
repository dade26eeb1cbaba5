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
 * The package {@code dkms-deb source} makes of each vendor-style tree, installed for real: dkms
 * builds every module of it for every kernel with headers; {@code dkms-deb bmdeb NAME/VERSION},
 * which finds the sources where the package put them, builds modules with the same srcversion
 * as dkms's; and removing the package leaves nothing behind. Needs root (CI runs as root).
 */
@Tag("kernel")
@Tag("tools")
@Tag("root")
class VendorTreeDkmsInstallTest {
    private static final Path FRAMEWORK_CONF = Path.of("/etc/dkms/framework.conf");

    @TempDir
    Path out;

    static Stream<VendorTree> trees() {
        return VendorTree.ALL.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trees")
    void installBuildsEveryModuleBmdebMatchesAndRemoveCleansUp(VendorTree tree) throws IOException {
        assumeTrue(Cmd.isRoot(), "installs packages: needs root");
        List<String> kernels = DkmsInstallTest.kernelsWithHeaders();
        assertThat(kernels).as("kernel headers installed by .ci/run").isNotEmpty();
        assertThat(Cmd.run("dpkg-query", "-W", tree.packageName()).exit()).as(tree.packageName() + " must not be installed before the test").isNotZero();

        Path debDir = Files.createDirectories(out.resolve("source"));
        Cmd.Result built = Cmd.dkmsDeb("source", tree.source().toString(), "-o", debDir.toString());
        assertThat(built.exit()).as(built.toString()).isZero();
        Path deb = debDir.resolve(tree.debFile());
        List<String> conffiles = conffiles(deb);

        // As in DkmsInstallTest: build for every installed kernel, not only the running one.
        byte[] savedConf = Files.exists(FRAMEWORK_CONF) ? Files.readAllBytes(FRAMEWORK_CONF) : null;
        try {
            Files.writeString(FRAMEWORK_CONF, (savedConf == null ? "" : new String(savedConf)) + "\nautoinstall_all_kernels=\"y\"\n");
            Cmd.Result install = dpkg("-i", deb.toString());
            assertThat(install.exit()).as(install.toString()).isZero();

            String arch = Cmd.ok("uname", "-m").out().strip();
            String status = Cmd.ok("dkms", "status", "-m", tree.moduleName(), "-v", tree.moduleVersion()).out();
            for (String kernel : kernels) {
                assertThat(status).contains(tree.moduleName() + "/" + tree.moduleVersion() + ", " + kernel + ", " + arch + ": installed");
            }
            assertThat(Path.of("/", tree.usrSrcDir(), "dkms.conf")).exists();
            for (String conffile : conffiles) {
                assertThat(Path.of(conffile)).as("conffile").exists();
            }

            for (String kernel : kernels) {
                assertBmdebMatchesDkms(tree, kernel);
            }

            Cmd.Result remove = dpkg("-r", tree.packageName());
            assertThat(remove.exit()).as(remove.toString()).isZero();
            assertThat(Cmd.ok("dkms", "status").out().lines()).noneMatch(l -> l.startsWith(tree.moduleName() + "/"));
            assertThat(Path.of("/", tree.usrSrcDir())).doesNotExist();
            assertThat(Path.of("/var/lib/dkms", tree.moduleName())).doesNotExist();
            for (String kernel : kernels) {
                for (String module : tree.modules()) {
                    assertThat(installedModule(kernel, module)).as(module + " for " + kernel).isNull();
                }
            }

            Cmd.Result purge = dpkg("--purge", tree.packageName());
            assertThat(purge.exit()).as(purge.toString()).isZero();
            for (String conffile : conffiles) {
                assertThat(Path.of(conffile)).as("conffile after purge").doesNotExist();
            }
            assertThat(Path.of("/etc/modprobe.d", tree.packageName() + ".conf")).doesNotExist();
        } finally {
            dpkg("--purge", tree.packageName());
            if (savedConf == null) {
                Files.deleteIfExists(FRAMEWORK_CONF);
            } else {
                Files.write(FRAMEWORK_CONF, savedConf);
            }
        }
    }

    /** bmdeb NAME/VERSION for one kernel: exactly the tree's modules, each with the srcversion of dkms's build. */
    private void assertBmdebMatchesDkms(VendorTree tree, String kernel) throws IOException {
        Path kout = Files.createDirectories(out.resolve("bmdeb-" + kernel));
        // /usr/src/NAME-VERSION holds no debian/control to take a maintainer from.
        Cmd.Result bm = Cmd.dkmsDeb("bmdeb", tree.moduleName() + "/" + tree.moduleVersion(), "-k", kernel, "-o", kout.toString(),
                "--maintainer", SourceCommandTest.MAINTAINER);
        assertThat(bm.exit()).as(bm.toString()).isZero();
        List<Path> debs;
        try (Stream<Path> s = Files.list(kout)) {
            debs = s.filter(p -> p.getFileName().toString().endsWith(".deb")).toList();
        }
        assertThat(debs).as("packages bmdeb wrote for " + kernel).hasSize(1);
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
            Path dkmsBuilt = installedModule(kernel, module);
            assertThat(dkmsBuilt).as(module + " built by dkms for " + kernel).isNotNull();
            Path ours = packaged.stream().filter(n -> n.equals(module + ".ko") || n.startsWith(module + ".ko."))
                    .map(moduleDir::resolve).findFirst().orElseThrow();
            String srcversion = modinfo("srcversion", dkmsBuilt);
            assertThat(srcversion).as("srcversion of dkms's " + module).isNotEmpty();
            assertThat(modinfo("srcversion", ours)).as("srcversion of " + ours.getFileName() + " for " + kernel).isEqualTo(srcversion);
            assertThat(modinfo("vermagic", ours)).startsWith(kernel + " ");
        }
    }

    /** MODULE.ko, or .ko.xz / .ko.zst when dkms compressed it as that kernel's modules are; null when absent. */
    static Path installedModule(String kernel, String module) throws IOException {
        Path dir = Path.of("/lib/modules", kernel, "updates/dkms");
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.equals(module + ".ko") || n.startsWith(module + ".ko.");
            }).findFirst().orElse(null);
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

    /** dpkg, waiting for the lock when another dpkg holds it (only one may run at a time). */
    private static Cmd.Result dpkg(String... args) {
        List<String> cmd = new ArrayList<>(List.of("dpkg"));
        cmd.addAll(List.of(args));
        for (int attempt = 0; ; attempt++) {
            Cmd.Result r = Cmd.run(null, null, cmd);
            boolean locked = r.exit() != 0 && (r.err().contains("lock was locked") || r.err().contains("unable to lock"));
            if (!locked || attempt == 60) {
                return r;
            }
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return r;
            }
        }
    }
}

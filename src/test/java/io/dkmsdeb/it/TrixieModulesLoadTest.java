package io.dkmsdeb.it;

import io.dkmsdeb.kernel.BuildRoot;
import io.dkmsdeb.model.kernel.DebianRelease;
import io.dkmsdeb.model.kernel.Host;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Modules built for a Debian 13 trixie kernel load in that kernel. For the kernel trixie's {@code linux-headers-amd64}
 * depends on now (found at run time), {@code dkms-deb bmdeb -k KVER --no-sign} builds debian-example/hello and three of
 * trixie's own *-dkms packages, given as the package files that trixie's archive serves (fetched with {@code apt-get
 * download} by the trixie build root's apt, the root bound read-only). Then trixie's own {@code vmlinuz} of that kernel,
 * which its headers brought into the build root, boots under qemu (TCG) with a busybox initramfs that insmods the
 * packages' modules after the kernel's own modules they need (v4l2loopback needs videodev and mc), from the root's
 * {@code lib/modules/KVER}, in the order {@link ConformanceLoad} resolves: each must be in /proc/modules (hello signed with a
 * key of the test's own, by the sign-file of trixie's kbuild, and its signature verified by openssl first), and the kernel
 * log must have no "Unknown symbol", "disagrees about version" or "invalid module format". The root is read, never
 * changed: the image and those modules are copied out of it. The packages' .ko.xz and the kernel's own go into the
 * initramfs compressed, and busybox insmod decompresses them (see {@link QemuBoot}).
 */
@Tag("kernel")
@Tag("network")
@Tag("root")
@Tag("tools")
@Tag("qemu")
class TrixieModulesLoadTest {
    /** trixie's *-dkms packages built and loaded besides hello: a few of ConformanceSubsetTest.SUBSET. */
    static final List<String> PACKAGES = List.of("vpoll-dkms", "acpi-call-dkms", "v4l2loopback-dkms");
    /** The module names of hello and of those packages. */
    static final List<String> MODULES = List.of("hello", "vpoll", "acpi_call", "v4l2loopback");
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(600);

    @TempDir
    Path work;

    @Test
    void modulesBuiltForTrixiesCurrentKernelLoadInTrixiesOwnKernelImage() throws Exception {
        Assumptions.assumeTrue(Cmd.isRoot(), "making a build root needs root");
        Assumptions.assumeTrue(new Host(Map.of(), Path.of("/")).debianRelease().filter(r -> !r.equals(DebianRelease.TRIXIE)).isPresent(),
                "a host of another release than trixie");
        Map<String, String> env = Map.of("XDG_CACHE_HOME", TrixieBuildRootTest.CACHE.toString(), "SOURCE_DATE_EPOCH", HelloModules.EPOCH);
        BuildRoot root = new BuildRoot(DebianRelease.TRIXIE, "amd64", new Host(env, Path.of("/")));
        String kernel = root.currentKernel("amd64");
        assertThat(kernel).matches("[0-9.]+\\+deb13-amd64");

        // the sources: hello, and trixie's packages as its archive has them
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("hello", HelloModules.example());
        Path debs = Files.createDirectories(work.resolve("debs"));
        for (String pkg : PACKAGES) {
            Path deb = downloadInRoot(root, pkg, debs);
            sources.put(pkg, deb.toString());
            System.out.printf("TrixieModulesLoadTest: %s %s%n", pkg, Cmd.ok("dpkg-deb", "--field", deb.toString(), "Version").out().strip());
        }

        // built for the kernel, one bmdeb each; hello signed (by the sign-file of trixie's kbuild, outside the sandbox)
        Path key = work.resolve("signing_key.pem");
        Path cert = work.resolve("signing_cert.pem");
        SigningTest.makeKey(work, key, cert);
        List<Path> ours = new ArrayList<>();
        long t = System.nanoTime();
        for (var e : sources.entrySet()) {
            Path out = Files.createDirectories(work.resolve("out").resolve(e.getKey()));
            List<String> signing = e.getKey().equals("hello") ? List.of("--sign-key", key.toString(), "--sign-cert", cert.toString())
                    : List.of("--no-sign");
            List<String> args = new ArrayList<>(List.of("bmdeb", e.getValue(), "-k", kernel, "-o", out.toString(),
                    "--log-dir", work.resolve("logs").resolve(e.getKey()).toString()));
            args.addAll(signing);
            Cmd.Result r = Cmd.dkmsDeb(null, env, args.toArray(String[]::new));
            assertThat(r.exit()).as("bmdeb %s -k %s: %s", e.getKey(), kernel, r).isZero();
            List<Path> built;
            try (Stream<Path> s = Files.list(out)) {
                built = s.filter(p -> p.getFileName().toString().matches(".*-modules-" + java.util.regex.Pattern.quote(kernel) + "_.*_amd64\\.deb"))
                        .toList();
            }
            assertThat(built).as("the modules package of %s in %s", e.getKey(), out).hasSize(1);
            ours.addAll(modulesOf(built.get(0), kernel, work.resolve("x").resolve(e.getKey())));
        }
        double buildSeconds = (System.nanoTime() - t) / 1e9;
        assertThat(ours).as("the packages' modules, compressed as trixie's own").allSatisfy(p -> assertThat(p.toString()).endsWith(".ko.xz"));
        assertThat(ours.stream().map(p -> ConformanceLoad.modName(p.getFileName().toString())).toList())
                .containsExactlyInAnyOrderElementsOf(MODULES);
        for (Path ko : ours) {
            assertThat(Cmd.ok("modinfo", "-F", "vermagic", ko.toString()).out()).as("vermagic of %s", ko.getFileName()).startsWith(kernel + " ");
        }
        Path hello = ours.stream().filter(p -> p.getFileName().toString().equals("hello.ko.xz")).findFirst().orElseThrow();
        assertThat(Cmd.ok("modinfo", "-F", "signer", hello.toString()).out().strip()).isEqualTo("dkms-deb test signing key");
        SigningTest.assertSignatureVerifies(hello, cert, Files.createDirectories(work.resolve("verify")));

        // trixie's own kernel, as its headers brought it into the root: the image and the modules the plan needs copied out,
        // the root's lock held meanwhile (no refresh of the root changes them halfway)
        Path copies = Files.createDirectories(work.resolve("kernel"));
        ConformanceLoad.Plan plan = locked(root, () -> {
            Path inRoot = root.dir().resolve("boot/vmlinuz-" + kernel);
            assertThat(inRoot).as("the kernel image in the build root (trixie's headers depend on it)").isRegularFile();
            Files.copy(inRoot, copies.resolve(inRoot.getFileName()));
            Path tree = root.dir().resolve("lib/modules").resolve(kernel);
            ConformanceLoad.Plan p = ConformanceLoad.plan(ours, ConformanceLoad.kernelModules(kernel, tree));
            for (String dep : p.kernelDeps()) {
                Path f = p.files().stream().filter(x -> x.startsWith(tree) && ConformanceLoad.modName(x.getFileName().toString()).equals(dep))
                        .findFirst().orElseThrow();
                Files.copy(f, copies.resolve(f.getFileName()));
            }
            return p;
        });
        assertThat(plan.untried()).as("modules whose dependencies are found nowhere").isEmpty();
        assertThat(plan.kernelDeps()).as("the kernel's own modules v4l2loopback needs").contains("videodev");
        Path image = copies.resolve("vmlinuz-" + kernel);
        List<Path> files = plan.files().stream().map(f -> ours.contains(f) ? f : copies.resolve(f.getFileName())).toList();

        QemuBoot.Result r = QemuBoot.boot(kernel, image, files, work.resolve("boot"), QemuBoot.Options.defaults().withTimeout(BOOT_TIMEOUT));
        System.out.printf("TrixieModulesLoadTest: %s, 4 packages built in %.1f s; qemu boot (TCG) with %d insmods: %d ms, insmods %s%n",
                kernel, buildSeconds, plan.files().size(), r.wallTime().toMillis(), r.insmods());
        r.dmesg().forEach(l -> System.out.println("TrixieModulesLoadTest: guest: " + l));
        assertThat(r.timedOut()).as(r.describe()).isFalse();
        assertThat(r.bootedRelease()).as("uname -r in the guest; %s", r.describe()).contains(kernel);
        assertThat(r.initDone()).as("/init ran to its end; %s", r.describe()).isTrue();
        for (Path f : plan.files()) {
            assertThat(r.insmodStatus(f.getFileName().toString())).as("insmod %s; %s", f.getFileName(), r.describe()).contains(0);
        }
        assertThat(r.loadedModules()).as("/proc/modules; %s", r.describe()).containsAll(MODULES).containsAll(plan.kernelDeps());
        assertThat(r.dmesg()).as("the kernel log of the insmods; %s", r.describe())
                .noneMatch(l -> l.contains("Unknown symbol") || l.contains("disagrees about version") || l.contains("nvalid module format")
                        || l.contains("version magic"));
        assertThat(r.dmesg()).as("hello's init message; %s", r.describe()).anyMatch(l -> l.endsWith(QemuBootTest.LOADED));
        assertThat(ConformanceLoad.classify(plan, r)).as("the conformance harness's reading of the boot")
                .allSatisfy(m -> assertThat(m.text()).as(m.module()).isEqualTo(ConformanceLoad.LOADED)).hasSize(MODULES.size());
    }

    /**
     * {@code apt-get download PKG} by the trixie root's apt, the root bound read-only (its package lists as its last refresh
     * left them; apt's cache a scratch tmpfs) and {@code dir} the only writable place; holds the root's lock, so that no
     * refresh changes the lists meanwhile. Returns the .deb.
     */
    private static Path downloadInRoot(BuildRoot root, String pkg, Path dir) throws IOException {
        return downloadInRoot(root, pkg, "all", dir);
    }

    /** {@link #downloadInRoot(BuildRoot, String, Path)} of {@code pkg} for architecture {@code arch} ({@code pkg:arch} unless all). */
    static Path downloadInRoot(BuildRoot root, String pkg, String arch, Path dir) throws IOException {
        String name = pkg.contains(":") ? pkg.substring(0, pkg.indexOf(':')) : pkg;
        Cmd.Result r = locked(root, () -> {
            List<String> argv = new ArrayList<>(List.of("bwrap", "--die-with-parent", "--ro-bind", root.dir().toString(), "/",
                    "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--tmpfs", "/var/cache/apt", "--bind", dir.toString(), "/tmp/out",
                    "--chdir", "/tmp/out"));
            if (Files.exists(Path.of("/etc/resolv.conf"))) {
                argv.addAll(List.of("--ro-bind", "/etc/resolv.conf", "/etc/resolv.conf"));
            }
            argv.addAll(List.of("--", "apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", pkg));
            return Cmd.run(null, Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL", "C"), argv);
        });
        assertThat(r.exit()).as("apt-get download %s in the trixie root: %s", pkg, r).isZero();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(name + "_") && p.toString().endsWith("_" + arch + ".deb")).findFirst()
                    .orElseThrow(() -> new AssertionError("apt-get download " + pkg + " wrote no " + name + "_*_" + arch + ".deb in " + dir
                            + ": " + r));
        }
    }

    /** Something done with the root's lock held: the lock BuildRoot takes to make or refresh the root. */
    interface UnderLock<T> {
        T run() throws IOException;
    }

    static <T> T locked(BuildRoot root, UnderLock<T> action) throws IOException {
        Path lock = root.dir().resolveSibling(root.dir().getFileName() + ".lock");
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
            return action.run();
        }
    }

    /** The module files of a NAME-modules-KVER package, unpacked into {@code x}. */
    private static List<Path> modulesOf(Path deb, String kernel, Path x) throws IOException {
        Files.createDirectories(x);
        Cmd.ok("dpkg-deb", "-x", deb.toString(), x.toString());
        try (Stream<Path> s = Files.walk(x.resolve("lib/modules").resolve(kernel))) {
            return s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().contains(".ko")).sorted().toList();
        }
    }
}

package io.dkmsdeb.kernel;

import io.dkmsdeb.model.kernel.DebianRelease;
import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.model.KernelHeadersException;
import io.dkmsdeb.process.ProcessRunner;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.support.Trees;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A minimal system of another Debian release to build that release's kernels' modules in, as sbuild keeps a chroot
 * per suite: a trixie kernel's module is compiled by trixie's gcc against trixie's headers, which the host's compiler
 * cannot do. One root per release and architecture, {@code $XDG_CACHE_HOME/dkms-deb/roots/RELEASE-ARCH}, shared by every
 * kernel of that release: made once with {@code debootstrap --variant=minbase} and {@link #PACKAGES} (the compiler
 * comes with the headers package, which depends on the kernel's own gcc), each kernel's {@code linux-headers-KVER}
 * installed into it with the root's apt. Nothing is installed on the host.
 *
 * <p>A kernel of another architecture ({@code arm64} in an {@code amd64} root) is cross-built in the same root, as
 * Debian's own cross builds go: the cross compiler of the kernel's gcc ({@code gcc-14-aarch64-linux-gnu}) and the root's
 * own {@code linux-kbuild} and {@code -common} headers of the kernel's version are installed, and the kernel's
 * architecture-specific headers package ({@code linux-headers-KVER:arm64}) is unpacked in place, not installed: its
 * kbuild programs and compiler would be of its architecture.
 *
 * <p>Safe under concurrency and kills: one process at a time changes a root (an fcntl lock on
 * {@code RELEASE-ARCH.lock}, which the system drops when its holder dies); a root is made in {@code .RELEASE-ARCH.new-PID}
 * and renamed into place complete (with its {@code .complete} marker), so a killed run leaves only such a directory,
 * which the next holder of the lock removes. debootstrap runs in a mount namespace of its own and apt-get in a
 * bubblewrap of the root, so no mount of theirs outlives them on the host.
 *
 * <p>Refreshed when its archive moves: when its package lists are older than {@link #REFRESH}, or a kernel's headers
 * are not known to them, the next use runs {@code apt-get update} and {@code apt-get dist-upgrade} in it (security and
 * point-release updates of the compiler and of the headers installed), then installs the kernel's headers.
 */
public final class BuildRoot {
    /** What a module build needs besides the compiler the headers bring: make, libc headers for helper programs, patch, kmod. */
    static final List<String> PACKAGES = List.of("make", "gcc", "libc6-dev", "patch", "kmod", "xz-utils");
    /** How old a root's package lists may be before the archive is asked again. */
    static final Duration REFRESH = Duration.ofHours(24);
    /** The Debian archive the roots come from, unless {@code DKMS_DEB_MIRROR} names another. */
    static final String MIRROR = "http://deb.debian.org/debian";
    static final String SECURITY = "http://deb.debian.org/debian-security";
    private static final String COMPLETE = ".complete";
    /** In a foreign kernel's unpacked headers: the Version of the package unpacked there. */
    private static final String UNPACKED = ".dkms-deb-unpacked";
    private static final String UPDATED = ".updated";
    private static final long TIMEOUT_SECONDS = 1800;
    private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final DebianRelease release;
    private final String arch;
    private final Host host;

    /**
     * @param release the Debian release of the root
     * @param arch    its Debian architecture (this machine's; kernels of another are cross-built in it)
     * @param host    where the cache is, the environment
     */
    public BuildRoot(DebianRelease release, String arch, Host host) {
        this.release = release;
        this.arch = arch;
        this.host = host;
    }

    /** {@code $XDG_CACHE_HOME/dkms-deb/roots}: where every release root is. */
    public static Path rootsDir(Host host) {
        return host.cacheDir().resolve("roots");
    }

    /** This root's directory (it may not exist yet). */
    public Path dir() {
        return rootsDir(host).resolve(release + "-" + arch);
    }

    /** The directory of {@code kernel}'s headers in the root, as the headers package installs them. */
    public Path headersOf(String kernel) {
        return dir().resolve("usr/src/linux-headers-" + kernel);
    }

    /** The root with the headers of {@code kernel}, a kernel of the root's own architecture: {@link #withHeaders(String, String)}. */
    public Path withHeaders(String kernel) {
        return withHeaders(kernel, arch);
    }

    /**
     * The root, made or refreshed as needed, with {@code linux-headers-KVER} of {@code kernel} installed in it; for a
     * kernel of another architecture {@code kernelArch}, with its cross compiler installed and its headers unpacked.
     *
     * @throws KernelHeadersException (exit 4) when the root cannot be made (no root privileges, no debootstrap, the
     *                                archive unreachable) or the release's archive has no headers for the kernel
     */
    public Path withHeaders(String kernel, String kernelArch) {
        Path dir = dir();
        ReentrantLock inProcess = IN_PROCESS.computeIfAbsent(dir, d -> new ReentrantLock());
        inProcess.lock();
        try {
            if (installedVersion(kernel).isPresent() && fresh()) {
                return dir;    // the common case: no lock, no network
            }
            requirePrivileges(kernel);
            Files.createDirectories(dir.getParent());
            try (FileChannel ch = FileChannel.open(dir.resolveSibling(dir.getFileName() + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = lockOrWait(ch)) {
                removeHalfMade();
                if (!Files.exists(dir.resolve(COMPLETE))) {
                    make();
                }
                boolean refreshed = false;
                if (!fresh()) {
                    refresh();
                    refreshed = true;
                }
                if (installedVersion(kernel).isEmpty()) {
                    refreshed |= withArchitecture(kernelArch);
                    if (!refreshed && !knownToApt(kernel, kernelArch)) {
                        refresh();    // a kernel newer than the root's package lists
                    }
                    if (kernelArch.equals(arch)) {
                        install(kernel);
                    } else {
                        installForeign(kernel, kernelArch);
                    }
                }
            }
            return dir;
        } catch (IOException e) {
            throw new KernelHeadersException("cannot prepare the " + release + " build root " + dir + ": " + e.getMessage()
                    + "; check free space and permissions of " + dir.getParent(), e);
        } finally {
            inProcess.unlock();
        }
    }

    /**
     * The kernel the release's {@code linux-headers-FLAVOUR} meta-package depends on now ({@code amd64}: {@code 6.12.118+deb13-amd64}),
     * as the root's apt knows it: the root is made or refreshed first.
     */
    public String currentKernel(String flavour) {
        return currentKernel(flavour, arch);
    }

    /**
     * The kernel the release's {@code linux-headers-FLAVOUR} of architecture {@code flavourArch} depends on now
     * ({@code arm64} in an amd64 root: {@code 6.12.118+deb13-arm64}); the root's apt learns that architecture first.
     */
    public String currentKernel(String flavour, String flavourArch) {
        Path dir = dir();
        ReentrantLock inProcess = IN_PROCESS.computeIfAbsent(dir, d -> new ReentrantLock());
        inProcess.lock();
        try {
            if (!Files.exists(dir.resolve(COMPLETE)) || !fresh() || !knowsArchitecture(flavourArch)) {
                requirePrivileges("linux-headers-" + flavour);
                Files.createDirectories(dir.getParent());
                try (FileChannel ch = FileChannel.open(dir.resolveSibling(dir.getFileName() + ".lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE); FileLock ignored = lockOrWait(ch)) {
                    removeHalfMade();
                    if (!Files.exists(dir.resolve(COMPLETE))) {
                        make();
                    }
                    if (!withArchitecture(flavourArch) && !fresh()) {
                        refresh();
                    }
                }
            }
            String meta = "linux-headers-" + flavour;
            ProcessRunner.Captured c = ProcessRunner.capture(bwrap(List.of("apt-cache", "depends", qualified(meta, flavourArch))),
                    Path.of("/"), environment(), Duration.ofSeconds(120));
            return c.stdoutText().lines().map(String::strip).map(l -> l.replaceFirst(":[a-z0-9]+$", ""))
                    .filter(l -> l.startsWith("Depends: linux-headers-") && l.endsWith("-" + flavour))
                    .map(l -> l.substring("Depends: linux-headers-".length())).findFirst()
                    .orElseThrow(() -> new KernelHeadersException("the " + release + " archive (" + mirror() + ") has no " + meta
                            + " that depends on a kernel's headers; check the flavour"));
        } catch (IOException e) {
            throw new KernelHeadersException("cannot prepare the " + release + " build root " + dir + ": " + e.getMessage()
                    + "; check free space and permissions of " + dir.getParent(), e);
        } finally {
            inProcess.unlock();
        }
    }

    /**
     * The Version of {@code linux-headers-KVER} installed in the root (or, for a kernel of another architecture, unpacked
     * there), when it is, with its headers in place.
     */
    public Optional<String> installedVersion(String kernel) {
        Path headers = headersOf(kernel);
        if (!Files.exists(dir().resolve(COMPLETE)) || !Files.isRegularFile(headers.resolve("Makefile"))
                || !Files.isRegularFile(headers.resolve(".config"))) {
            return Optional.empty();
        }
        try {
            if (Files.isRegularFile(headers.resolve(UNPACKED))) {
                String v = Files.readString(headers.resolve(UNPACKED), StandardCharsets.UTF_8).strip();
                return v.isEmpty() ? Optional.empty() : Optional.of(v);
            }
            ProcessRunner.Captured c = ProcessRunner.capture(List.of("dpkg-query", "--admindir=" + dir().resolve("var/lib/dpkg"), "-W",
                    "-f=${Version} ${db:Status-Status}", "linux-headers-" + kernel), Path.of("/"), null, Duration.ofSeconds(60));
            String[] words = c.stdoutText().strip().split(" ");
            return c.exit() == 0 && words.length == 2 && words[1].equals("installed") ? Optional.of(words[0]) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private boolean fresh() {
        try {
            Instant updated = Files.getLastModifiedTime(dir().resolve(UPDATED)).toInstant();
            return updated.isAfter(Instant.now().minus(REFRESH));
        } catch (IOException e) {
            return false;
        }
    }

    private void requirePrivileges(String kernel) {
        if (!"0".equals(uid())) {
            throw new KernelHeadersException(kernel + " is a " + release + " kernel: its module is built in a " + release
                    + " build root (its compiler and headers), and making or updating that root (debootstrap, apt-get in it) needs root; "
                    + "run dkms-deb as root, or give the headers with --kernel-source-dir and the release's compiler yourself");
        }
        if (!onPath("debootstrap")) {
            throw new KernelHeadersException(kernel + " is a " + release + " kernel, built in a " + release + " build root, and "
                    + "debootstrap, which makes that root, is not installed; install it: apt-get install debootstrap");
        }
    }

    private FileLock lockOrWait(FileChannel ch) throws IOException {
        FileLock lock = ch.tryLock();
        if (lock != null) {
            return lock;
        }
        Log.info("waiting for another dkms-deb that prepares the " + release + " build root " + dir());
        return ch.lock();
    }

    /** What a killed run left: half-made roots (a root is complete only once renamed into place). */
    private void removeHalfMade() throws IOException {
        String prefix = "." + dir().getFileName() + ".new-";
        try (var s = Files.list(dir().getParent())) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                Log.info("removing " + p + ", a " + release + " build root a killed run left half-made");
                Trees.delete(p);
            }
        }
        if (Files.isDirectory(dir()) && !Files.exists(dir().resolve(COMPLETE))) {
            Log.info("removing " + dir() + ": it is not a complete build root");
            Trees.delete(dir());
        }
    }

    /** debootstrap --variant=minbase with {@link #PACKAGES}, then the archive's updates, then renamed into place. */
    private void make() throws IOException {
        Path tmp = dir().resolveSibling("." + dir().getFileName() + ".new-" + ProcessHandle.current().pid());
        Path log = log();
        Log.info("making the " + release + " " + arch + " build root " + dir() + " with debootstrap (about a minute and 350 MB; "
                + "once per release; log: " + log + ")");
        long t = System.nanoTime();
        Files.writeString(log, "", StandardCharsets.UTF_8);
        // in a mount namespace of its own: the /proc and /sys debootstrap mounts in the root go with it, even when killed
        run("debootstrap", List.of("unshare", "--mount", "--propagation", "private", "debootstrap", "--variant=minbase", "--arch=" + arch,
                "--include=" + String.join(",", PACKAGES), release.codename(), tmp.toString(), mirror()), log);
        Files.writeString(tmp.resolve("etc/apt/sources.list"), sources(), StandardCharsets.UTF_8);
        Files.writeString(tmp.resolve("etc/apt/apt.conf.d/90dkms-deb"), "APT::Install-Recommends \"false\";\n"
                + "Acquire::Languages \"none\";\n", StandardCharsets.UTF_8);
        Files.writeString(tmp.resolve("etc/dpkg/dpkg.cfg.d/90dkms-deb-nodoc"), "path-exclude=/usr/share/doc/*\n"
                + "path-exclude=/usr/share/man/*\npath-exclude=/usr/share/locale/*\npath-exclude=/usr/share/info/*\n", StandardCharsets.UTF_8);
        Files.writeString(tmp.resolve(COMPLETE), release + " " + arch + " made by dkms-deb\n", StandardCharsets.UTF_8);
        Files.move(tmp, dir(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Log.info(String.format("made the %s build root in %.0f s", release, (System.nanoTime() - t) / 1e9));
    }

    /** apt-get update and dist-upgrade in the root: the archive's updates of what is installed. */
    private void refresh() throws IOException {
        Log.info("updating the " + release + " build root " + dir() + " from its archive");
        inRoot("apt-get update", List.of("apt-get", "-q", "update"));
        inRoot("apt-get dist-upgrade", List.of("apt-get", "-q", "-y", "dist-upgrade"));
        apt();
        Files.writeString(dir().resolve(UPDATED), Instant.now() + "\n", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(dir().resolve(UPDATED), FileTime.from(Instant.now()));
    }

    private boolean knownToApt(String kernel) throws IOException {
        return knownToApt(kernel, arch);
    }

    private boolean knownToApt(String kernel, String kernelArch) throws IOException {
        return ProcessRunner.capture(bwrap(List.of("apt-cache", "show", "--no-all-versions", qualified("linux-headers-" + kernel, kernelArch))),
                Path.of("/"), environment(), Duration.ofSeconds(120)).exit() == 0;
    }

    /** {@code pkg}, or {@code pkg:ARCH} for another architecture than the root's. */
    private String qualified(String pkg, String pkgArch) {
        return pkgArch.equals(arch) ? pkg : pkg + ":" + pkgArch;
    }

    /** True when the root's dpkg knows {@code a}: its own architecture, or one added to it. */
    private boolean knowsArchitecture(String a) {
        if (a.equals(arch)) {
            return true;
        }
        try {
            Path added = dir().resolve("var/lib/dpkg/arch");
            return Files.isRegularFile(added) && Files.readAllLines(added, StandardCharsets.UTF_8).stream().map(String::strip).anyMatch(a::equals);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Makes the root's dpkg and apt know architecture {@code a} ({@code dpkg --add-architecture}, then its package lists):
     * true when it did, so the root was refreshed. Under the root's lock.
     */
    private boolean withArchitecture(String a) throws IOException {
        if (knowsArchitecture(a)) {
            return false;
        }
        if (CrossToolchain.of(a, arch).crossCompile().isEmpty()) {
            throw new KernelHeadersException("a " + a + " kernel cannot be built in the " + release + " " + arch + " build root: Debian "
                    + "has no cross compiler from " + arch + " to " + a + "; build it on a " + a + " machine of " + release);
        }
        Log.info("adding the architecture " + a + " to the " + release + " build root, for the cross build of " + a + " kernels");
        inRoot("dpkg --add-architecture " + a, List.of("dpkg", "--add-architecture", a));
        refresh();
        return true;
    }

    /**
     * A kernel of another architecture: the cross compiler of its gcc and the binutils, the root's own linux-kbuild and
     * the -common headers of its version installed with the root's apt; its own headers package unpacked in place.
     */
    private void installForeign(String kernel, String kernelArch) throws IOException {
        String pkg = "linux-headers-" + kernel;
        ProcessRunner.Captured show = ProcessRunner.capture(bwrap(List.of("apt-cache", "show", "--no-all-versions",
                qualified(pkg, kernelArch))), Path.of("/"), environment(), Duration.ofSeconds(120));
        if (show.exit() != 0) {
            throw new KernelHeadersException("the " + release + " archive (" + mirror() + ") has no " + pkg + " for " + kernelArch
                    + "; check the kernel release, or build against headers of your own with --kernel-source-dir DIR");
        }
        ForeignHeaders h = ForeignHeaders.of(show.stdoutText(), CrossToolchain.of(kernelArch, arch));
        Log.info("installing the " + kernelArch + " cross compiler (" + h.crossCompiler() + ") and " + String.join(", ", h.natives())
                + " into the " + release + " build root, and unpacking " + pkg + ":" + kernelArch + " " + h.version() + " there");
        List<String> install = new ArrayList<>(List.of("apt-get", "-q", "-y", "install"));
        install.addAll(h.natives());
        install.addAll(h.crossPackages());
        inRoot("apt-get install " + String.join(" ", h.crossPackages()), install);
        inRoot("apt-get download " + pkg + ":" + kernelArch + " and dpkg-deb -x", List.of("sh", "-c",
                "cd /tmp && apt-get download -q -o APT::Sandbox::User=root \"$1\" && dpkg-deb -x /tmp/*.deb /", "sh",
                pkg + ":" + kernelArch + "=" + h.version()));
        Path headers = headersOf(kernel);
        if (!Files.isRegularFile(headers.resolve("Makefile")) || !Files.isRegularFile(headers.resolve(".config"))) {
            throw new KernelHeadersException(pkg + ":" + kernelArch + " " + h.version() + " unpacked in the " + release
                    + " build root has no Makefile and .config in " + headers + "; it is not a kernel headers package");
        }
        Files.writeString(headers.resolve(UNPACKED), h.version() + "\n", StandardCharsets.UTF_8);
        apt();
    }

    private void install(String kernel) throws IOException {
        String pkg = "linux-headers-" + kernel;
        Log.info("installing " + pkg + " into the " + release + " build root");
        if (!knownToApt(kernel)) {
            throw new KernelHeadersException("the " + release + " archive (" + mirror() + ") has no " + pkg + "; check the kernel release "
                    + "(apt-cache search linux-headers on a " + release + " machine lists them), give its release with --release, or "
                    + "build against headers of your own with --kernel-source-dir DIR");
        }
        inRoot("apt-get install " + pkg, List.of("apt-get", "-q", "-y", "install", pkg));
    }

    /** Nothing to remove but apt's downloaded packages: the root stays small. */
    private void apt() throws IOException {
        inRoot("apt-get clean", List.of("apt-get", "clean"));
    }

    /** {@code command} run as root in the root (network, /proc, /dev; its own /tmp), its output in the log. */
    private void inRoot(String what, List<String> command) throws IOException {
        run(what, bwrap(command), log());
    }

    private List<String> bwrap(List<String> command) {
        List<String> argv = new ArrayList<>(List.of("bwrap", "--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                "--cap-add", "ALL", "--bind", dir().toString(), "/", "--dev", "/dev", "--proc", "/proc", "--perms", "1777", "--tmpfs", "/tmp"));
        if (Files.exists(Path.of("/etc/resolv.conf"))) {
            argv.addAll(List.of("--ro-bind", "/etc/resolv.conf", "/etc/resolv.conf"));
        }
        argv.add("--");
        argv.addAll(command);
        return argv;
    }

    private void run(String what, List<String> command, Path log) throws IOException {
        Files.writeString(log, "\n$ " + String.join(" ", command) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        ProcessRunner.Outcome o = ProcessRunner.run(command, Path.of("/"), environment(), log, TIMEOUT_SECONDS);
        if (o.exit() != 0) {
            List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            throw new KernelHeadersException("cannot prepare the " + release + " build root " + dir() + ": " + what
                    + (o.timedOut() ? " did not finish in " + TIMEOUT_SECONDS + " s" : " exited with status " + o.exit())
                    + " (last line of its log " + log + ": " + (lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip())
                    + "); check that " + mirror() + " is reachable, then run again");
        }
    }

    private Map<String, String> environment() {
        return Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND", "noninteractive", "LC_ALL", "C");
    }

    private Path log() {
        return dir().resolveSibling(dir().getFileName() + ".log");
    }

    private String mirror() {
        return mirror(host);
    }

    /** The release, its updates and its security updates. */
    String sources() {
        return String.join("\n", suites(release, mirror(), "")) + "\n";
    }

    /**
     * The apt source lines of {@code release}'s archive at {@code mirror}: the release, its {@code -updates} and its
     * {@code -security} suites (of {@link #SECURITY}); sid (unstable) and experimental, which have neither, alone.
     * {@code options} ({@code [signed-by=...] }, or "") goes after {@code deb}.
     */
    static List<String> suites(DebianRelease release, String mirror, String options) {
        String c = release.codename();
        if (List.of("sid", "unstable", "experimental", "rc-buggy").contains(c)) {
            return List.of("deb " + options + mirror + " " + c + " main");
        }
        return List.of("deb " + options + mirror + " " + c + " main", "deb " + options + mirror + " " + c + "-updates main",
                "deb " + options + SECURITY + " " + c + "-security main");
    }

    /** {@code DKMS_DEB_MIRROR} of {@code host}, else {@link #MIRROR}. */
    static String mirror(Host host) {
        return host.get("DKMS_DEB_MIRROR", MIRROR);
    }

    private static String uid() {
        try {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name")) ? "0" : "";
        }
    }

    private boolean onPath(String program) {
        for (String d : (host.searchPath() + ":/usr/sbin:/sbin").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }
}

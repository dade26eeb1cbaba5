package io.dkmsdeb.it;

import io.dkmsdeb.support.Trees;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Debian 13 trixie's own dkms as an oracle, in a trixie root of its own that nothing else uses:
 * {@code debootstrap --variant=minbase trixie}, then trixie's {@code dkms} and the {@code linux-headers-KVER}
 * that trixie's {@code linux-headers-amd64} depends on (found at run time) installed with the root's apt (dkms with its
 * recommends, as {@code apt install dkms} installs it: gcc and libc6-dev).
 * Nothing is installed on the host: debootstrap runs in a mount namespace of its own, apt-get and dkms in a
 * bubblewrap whose {@code /} is the root, so no mount outlives them.
 *
 * <p>Made once and kept in {@code target/oracle-roots/trixie-amd64} (a few minutes and about 1 GB); test classes
 * and JVMs share it: one makes it at a time (a lock on {@code trixie-amd64.lock}), under
 * {@code .trixie-amd64.new-PID}, renamed into place complete. A root whose package lists are older than a day
 * is brought up to date (apt-get update, dist-upgrade, the then current kernel's headers) before use. The log
 * of making it is {@code trixie-amd64.log} beside it.
 *
 * <p>{@link #build} runs {@code dkms build} with a private {@code --dkmstree} and {@code --sourcetree} (in the
 * caller's work directory, seen as {@code /mnt} in the root) and a private {@code /var/lib/dkms} (where dkms
 * makes its signing key), on a read-only root: the root stays as made.
 */
final class TrixieOracle {
    static final Path DIR = Cmd.repo().resolve("target/oracle-roots");
    static final String MIRROR = "http://deb.debian.org/debian";
    private static final String COMPLETE = ".complete";
    /** What {@link #COMPLETE} says: a root made otherwise (by an earlier version of this class) is made again. */
    private static final String MADE_AS = "trixie amd64 dkms oracle: dkms with its recommends\n";
    private static final String KERNEL = ".kernel";
    private static final Duration FRESH = Duration.ofHours(24);
    private static TrixieOracle instance;

    private final Path root;
    private final String kernel;
    private final String dkmsVersion;
    private final String made;

    private TrixieOracle(Path root, String kernel, String dkmsVersion, String made) {
        this.root = root;
        this.kernel = kernel;
        this.dkmsVersion = dkmsVersion;
        this.made = made;
    }

    /** The root's directory. */
    Path root() {
        return root;
    }

    /** The trixie kernel whose headers are in the root: what trixie's linux-headers-amd64 depended on when the root was made or refreshed. */
    String kernel() {
        return kernel;
    }

    /** {@code dkms --version} in the root, e.g. {@code dkms-3.2.2}. */
    String dkmsVersion() {
        return dkmsVersion;
    }

    /** How the root came to be in this run: made (with its time and size), refreshed, or found ready. */
    String made() {
        return made;
    }

    /** The oracle root, made or refreshed as needed (once per JVM; other JVMs wait on the lock). */
    static synchronized TrixieOracle get() throws IOException {
        if (instance == null) {
            instance = prepare(DIR.resolve("trixie-amd64"));
        }
        return instance;
    }

    private static TrixieOracle prepare(Path root) throws IOException {
        Files.createDirectories(root.getParent());
        Path log = root.resolveSibling(root.getFileName() + ".log");
        String made;
        try (FileChannel ch = FileChannel.open(root.resolveSibling(root.getFileName() + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
            try (Stream<Path> s = Files.list(root.getParent())) {
                for (Path p : s.filter(p -> p.getFileName().toString().startsWith("." + root.getFileName() + ".new-")).toList()) {
                    Trees.delete(p);    // what a killed run left
                }
            }
            if (Files.isDirectory(root) && !(Files.exists(root.resolve(COMPLETE)) && Files.readString(root.resolve(COMPLETE)).equals(MADE_AS))) {
                Trees.delete(root);
            }
            if (!Files.exists(root.resolve(COMPLETE))) {
                long t = System.nanoTime();
                make(root, log);
                made = String.format("made in %.0f s, %s", (System.nanoTime() - t) / 1e9, du(root));
            } else if (Files.getLastModifiedTime(root.resolve(COMPLETE)).toInstant().isBefore(Instant.now().minus(FRESH))) {
                long t = System.nanoTime();
                refresh(root, log);
                made = String.format("refreshed in %.0f s, %s", (System.nanoTime() - t) / 1e9, du(root));
            } else {
                made = "ready (made " + Files.getLastModifiedTime(root.resolve(COMPLETE)) + "), " + du(root);
            }
        }
        String kernel = Files.readString(root.resolve(KERNEL)).strip();
        Cmd.Result v = Cmd.run(null, null, inRoot(root, List.of(), false, List.of("dkms", "--version")));
        if (v.exit() != 0) {
            throw new AssertionError("dkms --version in the trixie oracle root " + root + " failed; remove the root to make it again:\n" + v);
        }
        return new TrixieOracle(root, kernel, v.out().strip(), made);
    }

    /** debootstrap, trixie's apt sources, dkms and the current kernel's headers; then renamed into place. */
    private static void make(Path root, Path log) throws IOException {
        Path tmp = root.resolveSibling("." + root.getFileName() + ".new-" + ProcessHandle.current().pid());
        Files.writeString(log, "", StandardCharsets.UTF_8);
        step(log, List.of("unshare", "--mount", "--propagation", "private", "debootstrap", "--variant=minbase", "--arch=amd64", "trixie",
                tmp.toString(), MIRROR));
        Files.writeString(tmp.resolve("etc/apt/sources.list"), "deb " + MIRROR + " trixie main\ndeb " + MIRROR + " trixie-updates main\n"
                + "deb http://deb.debian.org/debian-security trixie-security main\n", StandardCharsets.UTF_8);
        Files.writeString(tmp.resolve("etc/apt/apt.conf.d/90oracle"), "APT::Install-Recommends \"false\";\nAcquire::Languages \"none\";\n",
                StandardCharsets.UTF_8);
        Files.writeString(tmp.resolve("etc/dpkg/dpkg.cfg.d/90oracle-nodoc"), "path-exclude=/usr/share/man/*\n"
                + "path-exclude=/usr/share/locale/*\npath-exclude=/usr/share/info/*\n", StandardCharsets.UTF_8);
        step(log, inRoot(tmp, List.of(), true, List.of("apt-get", "-q", "update")));
        step(log, inRoot(tmp, List.of(), true, List.of("apt-get", "-q", "-y", "dist-upgrade")));
        String kernel = currentKernel(tmp);
        // dkms as "apt install dkms" gives it on trixie, with its recommends (gcc, and gcc's libc6-dev: a PRE_BUILD
        // ./configure links test programs), then the kernel's headers without theirs
        step(log, inRoot(tmp, List.of(), true, List.of("apt-get", "-q", "-y", "--install-recommends", "install", "dkms")));
        step(log, inRoot(tmp, List.of(), true, List.of("apt-get", "-q", "-y", "install", "linux-headers-" + kernel)));
        step(log, inRoot(tmp, List.of(), true, List.of("apt-get", "clean")));
        Files.writeString(tmp.resolve(KERNEL), kernel + "\n", StandardCharsets.UTF_8);
        Files.writeString(tmp.resolve(COMPLETE), MADE_AS, StandardCharsets.UTF_8);
        Files.move(tmp, root, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The archive's updates, and the headers of the kernel trixie's linux-headers-amd64 depends on now. */
    private static void refresh(Path root, Path log) throws IOException {
        step(log, inRoot(root, List.of(), true, List.of("apt-get", "-q", "update")));
        step(log, inRoot(root, List.of(), true, List.of("apt-get", "-q", "-y", "dist-upgrade")));
        String kernel = currentKernel(root);
        step(log, inRoot(root, List.of(), true, List.of("apt-get", "-q", "-y", "install", "linux-headers-" + kernel)));
        step(log, inRoot(root, List.of(), true, List.of("apt-get", "clean")));
        Files.writeString(root.resolve(KERNEL), kernel + "\n", StandardCharsets.UTF_8);
        Files.writeString(root.resolve(COMPLETE), MADE_AS, StandardCharsets.UTF_8);
    }

    private static String currentKernel(Path root) {
        Cmd.Result r = Cmd.run(null, null, inRoot(root, List.of(), false, List.of("apt-cache", "depends", "linux-headers-amd64")));
        return r.out().lines().map(String::strip).filter(l -> l.startsWith("Depends: linux-headers-") && l.endsWith("-amd64"))
                .map(l -> l.substring("Depends: linux-headers-".length())).findFirst()
                .orElseThrow(() -> new AssertionError("trixie's linux-headers-amd64 names no kernel's headers in " + root + ":\n" + r));
    }

    private static void step(Path log, List<String> argv) throws IOException {
        Files.writeString(log, "\n$ " + String.join(" ", argv) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        pb.environment().put("LC_ALL", "C");
        try {
            Process p = pb.start();
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("timed out making the trixie oracle root: " + argv + "; log: " + log);
            }
            if (p.exitValue() != 0) {
                List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
                throw new AssertionError("making the trixie oracle root: " + argv + " exited " + p.exitValue() + "; last lines of " + log + ":\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making the trixie oracle root", e);
        }
    }

    /**
     * {@code command} in a bubblewrap of {@code root} as {@code /}: writable with {@code writable} (apt), else
     * read-only; each of {@code binds} (pairs: host path, path in the root) bound writable; network only when writable.
     */
    static List<String> inRoot(Path root, List<String> binds, boolean writable, List<String> command) {
        List<String> argv = new ArrayList<>(List.of("bwrap", "--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts"));
        if (writable) {
            argv.addAll(List.of("--cap-add", "ALL", "--bind", root.toString(), "/"));
        } else {
            argv.addAll(List.of("--unshare-net", "--ro-bind", root.toString(), "/"));
        }
        argv.addAll(List.of("--dev", "/dev", "--proc", "/proc", "--perms", "1777", "--tmpfs", "/tmp"));
        if (writable && Files.exists(Path.of("/etc/resolv.conf"))) {
            argv.addAll(List.of("--ro-bind", "/etc/resolv.conf", "/etc/resolv.conf"));
        }
        for (int i = 0; i + 1 < binds.size(); i += 2) {
            argv.addAll(List.of("--bind", binds.get(i), binds.get(i + 1)));
        }
        argv.addAll(List.of("--", "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", "HOME=/root", "DEBIAN_FRONTEND=noninteractive"));
        argv.addAll(command);
        return argv;
    }

    /**
     * {@code dkms build} of {@code tree} (copied to a private source tree) for {@link #kernel()} by trixie's dkms:
     * its exit code, the modules it saved ($dkmstree/NAME/VERSION/KVER/ARCH/module), its output. The signing key
     * dkms makes is kept in {@code keys}, shared by calls. dkms's make.log is at
     * {@code work/dkmstree/NAME/VERSION/build/make.log}.
     */
    DkmsOracle.Result build(Path tree, String name, String version, Path work, Path keys) throws IOException {
        Path sourceTree = Files.createDirectories(work.resolve("sourcetree"));
        Path dkmsTree = Files.createDirectories(work.resolve("dkmstree"));
        Files.createDirectories(keys);
        Cmd.ok("cp", "-a", tree.toString(), sourceTree.resolve(name + "-" + version).toString());
        Cmd.Result r = Cmd.run(null, null, inRoot(root, List.of(work.toString(), "/mnt", keys.toString(), "/var/lib/dkms"), false,
                List.of("timeout", "900", "dkms", "build", "--dkmstree", "/mnt/dkmstree", "--sourcetree", "/mnt/sourcetree", "-m", name, "-v",
                        version, "-k", kernel)));
        Set<String> modules = new TreeSet<>();
        Path moduleDir = dkmsTree.resolve(name).resolve(version).resolve(kernel);
        if (Files.isDirectory(moduleDir)) {
            try (Stream<Path> s = Files.walk(moduleDir)) {
                s.filter(p -> p.getParent().getFileName().toString().equals("module") && p.getFileName().toString().contains(".ko"))
                        .forEach(p -> modules.add(DkmsOracle.stripSuffix(p.getFileName().toString())));
            }
        }
        return new DkmsOracle.Result(r.exit(), modules, r.all());
    }

    /** The module files dkms saved for the kernel (for vermagic and .comment checks). */
    List<Path> moduleFiles(Path work, String name, String version) throws IOException {
        Path moduleDir = work.resolve("dkmstree").resolve(name).resolve(version).resolve(kernel);
        if (!Files.isDirectory(moduleDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(moduleDir)) {
            return s.filter(p -> p.getParent().getFileName().toString().equals("module") && p.getFileName().toString().contains(".ko"))
                    .sorted().toList();
        }
    }

    /** trixie's {@code PKG}s downloaded by the root's apt into {@code dir} (nothing installed): each package's .deb. */
    List<Path> download(List<String> packages, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "cd /mnt && exec apt-get -q download \"$@\"", "download"));
        cmd.addAll(packages);
        // network: the root's apt, writable root (apt's partial directory); nothing is installed
        Cmd.Result r = Cmd.run(null, null, inRoot(root, List.of(dir.toString(), "/mnt"), true, cmd));
        if (r.exit() != 0) {
            throw new AssertionError("apt-get download " + packages + " in the trixie oracle root failed:\n" + r);
        }
        List<Path> debs = new ArrayList<>();
        for (String pkg : packages) {
            try (Stream<Path> s = Files.list(dir)) {
                debs.add(s.filter(p -> p.getFileName().toString().startsWith(pkg + "_") && p.toString().endsWith(".deb")).findFirst()
                        .orElseThrow(() -> new AssertionError("apt-get download " + pkg + " wrote no .deb in " + dir)));
            }
        }
        return debs;
    }

    /** Every {@code *-dkms} package trixie's archive has (apt-cache search in the root), minus dh-dkms, sorted. */
    List<String> dkmsPackages() {
        Cmd.Result r = Cmd.run(null, null, inRoot(root, List.of(), false, List.of("apt-cache", "search", "--names-only", "--", "-dkms$")));
        if (r.exit() != 0) {
            throw new AssertionError("apt-cache search in the trixie oracle root failed:\n" + r);
        }
        return r.out().lines().map(l -> l.split(" ", 2)[0]).filter(n -> n.endsWith("-dkms") && !n.equals("dh-dkms")).sorted().distinct()
                .toList();
    }

    private static String du(Path root) {
        Cmd.Result r = Cmd.run("du", "-sh", "--one-file-system", root.toString());
        return r.exit() == 0 ? r.out().split("\\s")[0] + " on disk" : "size unknown";
    }
}

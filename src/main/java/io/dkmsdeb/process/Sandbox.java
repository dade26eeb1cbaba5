package io.dkmsdeb.process;

import io.dkmsdeb.model.SandboxUnavailableException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a step that runs a module's own code runs: dkms.conf (bash), PATCH, PRE_BUILD, CLEAN, MAKE,
 * make itself, strip, POST_BUILD. It is somebody else's code, so it runs under bubblewrap in its own
 * user, mount, PID, IPC, UTS, cgroup and network namespaces (the network has only a loopback of its
 * own): the system read-only, a private {@code /tmp}, {@code HOME} an empty directory, the
 * paths of {@link #hidden} (the signing key, {@code /root}, {@code /home}, {@code /var/lib/dkms}, the
 * output directories, ...) replaced by empty ones, only the {@link #mounts} writable, no process of
 * the host visible, and every process it started ended with the step. Started as root, the step runs
 * as {@code nobody} (65534): kbuild needs no privilege, and a file only root may read stays unread.
 *
 * <p>bubblewrap rather than util-linux {@code unshare}: one program sets up every namespace and
 * every mount from an argument list, without a shell script of mount calls run as root, and it
 * runs unprivileged (its user namespace), so the step never holds a capability of the host.
 *
 * @param enabled false for {@code --no-sandbox}: the step runs as it is, as the invoking user
 * @param hidden  paths the step must not see: a directory becomes an empty one, a file an empty file
 * @param mounts  what the step sees of the host besides the read-only system, in this order
 * @param root    the system the step sees, read-only: {@code /}, the host's, or the root of another Debian release
 *                (a build root: its compiler, its kernel headers); there, the host's files are not seen at all, and only
 *                the {@link #hidden} paths that are in that root are hidden
 */
public record Sandbox(boolean enabled, List<Path> hidden, List<Mount> mounts, Path root) {
    /** The uid and gid a step runs as when dkms-deb runs as root. */
    public static final int NOBODY = 65534;
    /** The directory that is {@code HOME} inside: empty, on the private {@code /tmp}. */
    public static final String HOME = "/tmp/home";
    /** Always hidden: the system's secrets and state a module build has no business with. */
    private static final List<Path> ALWAYS_HIDDEN = List.of(Path.of("/root"), Path.of("/home"), Path.of("/var/lib/dkms"), Path.of("/run"),
            Path.of("/var/tmp"), Path.of("/var/mail"), Path.of("/var/spool"), Path.of("/var/backups"), Path.of("/var/log"), Path.of("/srv"),
            Path.of("/mnt"), Path.of("/media"));
    private static final Path HOST_ROOT = Path.of("/");
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);
    private static volatile Optional<String> probed;

    /**
     * What the step sees of the host: {@code source} at {@code target}, read-only or writable, or
     * ({@code link}) a symbolic link at {@code target} to {@code source}.
     */
    public record Mount(Path source, Path target, Kind kind) {
        public enum Kind { READ_ONLY, WRITABLE, LINK }

        public Mount {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(target, "target");
            if (!target.isAbsolute() || (kind != Kind.LINK && !source.isAbsolute())) {
                throw new IllegalArgumentException("a sandbox mount needs absolute paths: " + source + " -> " + target);
            }
        }

        public static Mount readOnly(Path dir) {
            return new Mount(dir.toAbsolutePath().normalize(), dir.toAbsolutePath().normalize(), Kind.READ_ONLY);
        }

        public static Mount writable(Path source, Path target) {
            return new Mount(source.toAbsolutePath().normalize(), target.toAbsolutePath().normalize(), Kind.WRITABLE);
        }

        public static Mount link(Path to, Path at) {
            return new Mount(to, at.toAbsolutePath().normalize(), Kind.LINK);
        }
    }

    public Sandbox {
        hidden = hidden.stream().map(p -> p.toAbsolutePath().normalize()).distinct().toList();
        mounts = List.copyOf(mounts);
        root = root == null ? HOST_ROOT : root.toAbsolutePath().normalize();
    }

    /** A sandbox over the host's own system. */
    public Sandbox(boolean enabled, List<Path> hidden, List<Mount> mounts) {
        this(enabled, hidden, mounts, HOST_ROOT);
    }

    /** This sandbox with {@code system} as the read-only system its steps see ({@code null}: the host's). */
    public Sandbox inRoot(Path system) {
        return new Sandbox(enabled, hidden, mounts, system);
    }

    /** True when the steps see another system than the host's. */
    public boolean inOtherRoot() {
        return !root.equals(HOST_ROOT);
    }

    /** A sandbox hiding {@code hidden} (and what is always hidden), with nothing mounted yet. */
    public static Sandbox hiding(List<Path> hidden) {
        List<Path> all = new ArrayList<>(ALWAYS_HIDDEN);
        all.addAll(hidden);
        return new Sandbox(true, all, List.of());
    }

    /** No sandbox: {@code --no-sandbox}. */
    public static Sandbox none() {
        return new Sandbox(false, List.of(), List.of());
    }

    /** This sandbox with {@code more} mounted after its mounts. */
    public Sandbox with(Mount... more) {
        List<Mount> all = new ArrayList<>(mounts);
        all.addAll(List.of(more));
        return new Sandbox(enabled, hidden, all, root);
    }

    /** True when the step runs as {@link #NOBODY}: a sandbox started by root. Its writable mounts must be that user's. */
    public boolean dropsToNobody() {
        return enabled && runsAsRoot();
    }

    /**
     * {@code command} as it runs in this sandbox, with {@code workDir} as its directory; the
     * environment given to the process is the step's (bubblewrap passes it on, HOME replaced).
     */
    public List<String> wrap(List<String> command, Path workDir) {
        if (!enabled) {
            return List.copyOf(command);
        }
        List<String> argv = new ArrayList<>();
        boolean asRoot = runsAsRoot();
        // as root, bubblewrap sets the namespaces up with root's access to the host (so that it can mount what only root
        // may read) and the step is started as nobody with no capability; as another user, bubblewrap runs unprivileged
        // in a user namespace of its own
        argv.addAll(List.of("bwrap", "--die-with-parent", "--new-session"));
        argv.addAll(asRoot ? List.of("--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try")
                : List.of("--unshare-all"));
        List<Path> hiddenReal = hidden.stream().map(this::seen).toList();
        List<Path> expanded = expansions(hiddenReal);
        if (inOtherRoot()) {
            // the root's entries on bubblewrap's own (writable) base, read-only from the end on: a mount of a host path the
            // root has not (a checkout in /builds, a workspace in /var/lib/jenkins) needs its directory made on the way
            bindEntries(argv, HOST_ROOT);
        } else {
            argv.addAll(List.of("--ro-bind", "/", "/"));
        }
        for (Path dir : expanded) {
            argv.addAll(List.of("--tmpfs", dir.toString()));
            bindEntries(argv, dir);
        }
        argv.addAll(List.of("--dev", "/dev", "--proc", "/proc", "--perms", "1777", "--tmpfs", "/tmp"));
        for (Path p : hiddenReal) {
            if (Files.isDirectory(inside(p), LinkOption.NOFOLLOW_LINKS)) {
                argv.addAll(List.of("--tmpfs", p.toString()));
            } else if (Files.exists(inside(p), LinkOption.NOFOLLOW_LINKS)) {
                argv.addAll(List.of("--ro-bind", "/dev/null", p.toString()));
            }
        }
        argv.addAll(List.of("--dir", HOME, "--setenv", "HOME", HOME));
        if (asRoot) {
            argv.addAll(List.of("--chmod", "0777", HOME));
        }
        java.util.Set<Path> made = new java.util.HashSet<>();
        for (Mount m : mounts) {
            // the directories on the way to a mount that the sandbox makes (on its /tmp, in a hidden directory, or new)
            // are made traversable: bubblewrap started by root would make them 0700, closed to the step's user
            Path up = m.target().getParent();
            List<Path> way = new ArrayList<>();
            for (; up != null && up.getParent() != null; up = up.getParent()) {
                way.add(0, up);
            }
            for (Path dir : way) {
                boolean madeHere = dir.startsWith("/tmp") || !Files.isDirectory(inside(dir)) || hiddenReal.stream().anyMatch(dir::startsWith);
                if (madeHere && made.add(dir)) {
                    argv.addAll(List.of("--perms", "0755", "--dir", dir.toString()));
                }
            }
            switch (m.kind()) {
                case READ_ONLY -> argv.addAll(List.of("--ro-bind", m.source().toString(), m.target().toString()));
                case WRITABLE -> argv.addAll(List.of("--bind", m.source().toString(), m.target().toString()));
                case LINK -> argv.addAll(List.of("--symlink", m.source().toString(), m.target().toString()));
            }
        }
        if (inOtherRoot()) {
            argv.addAll(List.of("--remount-ro", "/"));
        }
        for (Path dir : expanded) {
            argv.addAll(List.of("--remount-ro", dir.toString()));
        }
        if (workDir != null) {
            argv.addAll(List.of("--chdir", workDir.toAbsolutePath().toString()));
        }
        argv.add("--");
        if (asRoot) {
            argv.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--inh-caps=-all",
                    "--bounding-set=-all", "--no-new-privs", "--"));
        }
        argv.addAll(command);
        return argv;
    }

    /**
     * Fails, before any module code runs, when this machine cannot make the namespaces (bubblewrap
     * missing, user namespaces switched off, a container's seccomp or AppArmor policy): the message
     * says why and what to do. Checked once per process.
     */
    public void requireAvailable() {
        if (!enabled) {
            return;
        }
        Optional<String> why = probed;
        if (why == null) {
            synchronized (Sandbox.class) {
                if (probed == null) {
                    probed = probe();
                }
                why = probed;
            }
        }
        why.ifPresent(reason -> {
            throw new SandboxUnavailableException("cannot run the module's build code in a sandbox: " + reason + ". Install bubblewrap "
                    + "and allow user namespaces (sysctl user.max_user_namespaces above 0; in a container, run it with "
                    + "--security-opt seccomp=unconfined --security-opt apparmor=unconfined, or with --privileged); or pass --no-sandbox "
                    + "to build without one, trusting the module's code with this machine, its files and its signing key");
        });
    }

    private Optional<String> probe() {
        List<String> cmd = new Sandbox(true, List.of(), List.of()).wrap(List.of("true"), null);
        try {
            ProcessRunner.Captured c = ProcessRunner.capture(cmd, null, Map.of("PATH", "/usr/bin:/bin:/usr/sbin:/sbin"), PROBE_TIMEOUT);
            if (c.exit() == 0) {
                return Optional.empty();
            }
            return Optional.of(cmd.get(0) + " failed (exit " + c.exit() + "): " + c.lastLine());
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Forgets what {@link #requireAvailable} found (a test that changes the machine). */
    static void forgetProbe() {
        probed = null;
    }

    /**
     * The read-only directories of the system that a mount needs a new directory in (its target's way leaves the system
     * there), parents first. Each becomes a tmpfs with the system's entries bound again, so that the directory can be made;
     * a directory on {@code /tmp} or in a hidden one is made on a tmpfs already, and in another root so is one at the top.
     */
    private List<Path> expansions(List<Path> hiddenReal) {
        java.util.TreeSet<Path> dirs = new java.util.TreeSet<>(java.util.Comparator.comparingInt(Path::getNameCount).thenComparing(Path::toString));
        for (Mount m : mounts) {
            for (Path dir = HOST_ROOT, next; (next = nextOnTheWay(dir, m.target())) != null; dir = next) {
                if (next.startsWith("/tmp") || hiddenReal.stream().anyMatch(next::startsWith)) {
                    break;
                }
                if (!Files.isDirectory(inside(next))) {
                    if (!(dir.equals(HOST_ROOT) && inOtherRoot())) {
                        dirs.add(dir);
                    }
                    break;
                }
            }
        }
        return List.copyOf(dirs);
    }

    /** The directory after {@code dir} on the way to {@code target}'s parent, or null at its end. */
    private static Path nextOnTheWay(Path dir, Path target) {
        Path parent = target.getParent();
        if (parent == null || dir.getNameCount() >= parent.getNameCount() || parent.equals(dir)) {
            return null;
        }
        return HOST_ROOT.resolve(parent.subpath(0, dir.equals(HOST_ROOT) ? 1 : dir.getNameCount() + 1));
    }

    /**
     * Binds every entry of the system's {@code dir} read-only at its place (a symbolic link as the same link), but the
     * kernel's file systems that the sandbox mounts itself; in name order.
     */
    private void bindEntries(List<String> argv, Path dir) {
        List<Path> entries;
        try (var s = Files.list(inside(dir))) {
            entries = s.sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + inside(dir) + " for the sandbox: " + e.getMessage(), e);
        }
        for (Path entry : entries) {
            Path at = dir.resolve(entry.getFileName().toString());
            if (dir.equals(HOST_ROOT) && List.of("dev", "proc", "tmp").contains(entry.getFileName().toString())) {
                continue;
            }
            try {
                if (Files.isSymbolicLink(entry)) {
                    argv.addAll(List.of("--symlink", Files.readSymbolicLink(entry).toString(), at.toString()));
                } else if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS) || Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    argv.addAll(List.of("--ro-bind", entry.toString(), at.toString()));
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the link " + entry + " for the sandbox: " + e.getMessage(), e);
            }
        }
    }

    /** Where {@code p}, a path as the step sees it, is on the host: in {@link #root}. */
    private Path inside(Path p) {
        return inOtherRoot() ? root.resolve(HOST_ROOT.relativize(p)) : p;
    }

    /** A hidden path as the step sees it: on the host's system, with its links resolved; in another root, as it is. */
    private Path seen(Path p) {
        return inOtherRoot() ? p : real(p);
    }

    /** {@code p} with its links resolved when it exists (bubblewrap mounts over the place, not over a link). */
    private static Path real(Path p) {
        try {
            return Files.exists(p) ? p.toRealPath() : p;
        } catch (IOException e) {
            return p;
        }
    }

    /** True when this process runs as root (the owner of /proc/self). */
    static boolean runsAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** Gives {@code tree} (every file and directory in it) to {@link #NOBODY}, so that a step run as that user may write it. */
    public static void giveToNobody(Path tree) throws IOException {
        try (var s = Files.walk(tree)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.setAttribute(p, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", NOBODY, LinkOption.NOFOLLOW_LINKS);
            }
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }
}

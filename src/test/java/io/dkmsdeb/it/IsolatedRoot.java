package io.dkmsdeb.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A throwaway copy of this machine's package state, for tests that install packages ({@code dpkg -i},
 * dkms): every script runs as root in a new private mount namespace (and pid namespace) where
 * {@link #OVERLAID} are overlay mounts whose lower layer is the machine's own directory and whose
 * upper layer is kept in this root's state directory. So dpkg's database and lock, /usr/src,
 * /usr/lib/modules (and /lib/modules, a link to it), /var/lib/dkms, /etc/dkms/framework.conf, docs,
 * lintian overrides, logs, debconf's cache and the initramfs images that initramfs-tools' trigger
 * writes to /boot all change only in the upper layers; the machine's directories are never written.
 *
 * <p>Each {@link #run} starts a new namespace over the same upper layers, so the steps of one test
 * (install, check, remove) see each other's changes, and nothing is mounted between them. A second
 * {@code IsolatedRoot} on another state directory starts again from the machine's state. The mounts
 * exist only in the namespace: they go when its last process ends. {@code setpriv --pdeathsig} and
 * {@code unshare --kill-child} tie the namespace to the test's JVM, and the pid namespace takes every
 * process of the script with it, so a killed test or a timeout leaves no mount and no process behind;
 * the state directory is the test's temporary directory.
 *
 * <p>Scripts are text the test provides; values reach them only as positional parameters ($1, ...),
 * never inside the text. Anything a test asserts on about the installed state is printed or checked
 * by a script in the root; files a script writes outside the overlaid directories (a test's
 * temporary directory) are visible to the test directly.
 */
final class IsolatedRoot {
    /**
     * The directories overlaid: everything {@code dpkg -i} and dkms write when installing and
     * removing the packages of these tests ({@code /usr/src}, {@code /usr/lib/modules},
     * {@code /usr/share/doc}, {@code /usr/bin}, {@code /etc/dkms}, {@code /var/lib/dpkg},
     * {@code /var/lib/dkms}, {@code /var/cache}, {@code /var/log}, ...), and {@code /boot}, where
     * update-initramfs writes {@code initrd.img-KVER} when a -modules package activates its trigger.
     * Debian 12 is merged-/usr: /lib is a link to usr/lib.
     */
    static final List<String> OVERLAID = List.of("/boot", "/etc", "/usr", "/var");

    /** Exit code of the setup when it cannot make the root; the test then fails instead of checking a half-made root. */
    private static final int SETUP_FAILED = 125;

    /**
     * Run in the new namespaces: $1 the state directory, then the directories to overlay up to
     * "--", then the test's script and its arguments.
     */
    private static final String SETUP = """
            state=$1; shift
            while [ "$1" != -- ]; do
                dir=$1; shift
                mkdir -p "$state/upper$dir" "$state/work$dir" || exit 125
                if ! mount -t overlay overlay -o "lowerdir=$dir,upperdir=$state/upper$dir,workdir=$state/work$dir" "$dir"; then
                    echo "isolated-root: cannot overlay $dir" >&2
                    exit 125
                fi
            done
            shift
            script=$1; shift
            exec sh -c "$script" isolated-root "$@"
            """;

    /** Overlay mount options are comma separated and lowerdir is colon separated: the state path must hold neither. */
    private static final Pattern SAFE_PATH = Pattern.compile("/[A-Za-z0-9._/+-]+");

    private final Path state;

    private IsolatedRoot(Path state) {
        this.state = state;
    }

    /** A root whose upper layers live in {@code dir} (the test's temporary directory, outside {@link #OVERLAID}). */
    static IsolatedRoot in(Path dir) throws IOException {
        Path state = Files.createDirectories(dir.toAbsolutePath().normalize().resolve("isolated-root"));
        String s = state.toString();
        if (!SAFE_PATH.matcher(s).matches()) {
            throw new IllegalArgumentException("state directory " + s + " must match " + SAFE_PATH + " (overlay mount options)");
        }
        for (String overlaid : OVERLAID) {
            if (state.startsWith(overlaid)) {
                throw new IllegalArgumentException("state directory " + s + " must not be inside the overlaid " + overlaid);
            }
        }
        return new IsolatedRoot(state);
    }

    /** The upper layers: what the scripts changed, by overlaid directory. */
    Path upper() {
        return state.resolve("upper");
    }

    /** The command line that runs {@code script} with {@code args} in the root. */
    List<String> command(String script, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL", "--",
                "unshare", "--mount", "--propagation", "private", "--pid", "--fork", "--kill-child", "--mount-proc", "--",
                "sh", "-c", SETUP, "isolated-root-setup", state.toString()));
        cmd.addAll(OVERLAID);
        cmd.add("--");
        cmd.add(script);
        cmd.addAll(args);
        return cmd;
    }

    /** Runs {@code script} (sh) in the root with {@code args} as $1, $2, ...; fails the test when the root cannot be made. */
    Cmd.Result run(String script, String... args) {
        Cmd.Result r = Cmd.run(null, null, command(script, Arrays.asList(args)));
        if (r.exit() == SETUP_FAILED && r.err().contains("isolated-root:")) {
            throw new AssertionError("cannot make the isolated root in " + state + ":\n" + r);
        }
        return r;
    }

    /** Runs a program in the root (argument list, no shell text). */
    Cmd.Result exec(String... argv) {
        return run("exec \"$@\"", argv);
    }

    /** Runs a program in the root and fails the test unless it exits 0. */
    Cmd.Result ok(String... argv) {
        Cmd.Result r = exec(argv);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", argv) + " failed in the isolated root:\n" + r);
        }
        return r;
    }

    /** dkms-deb itself in the root, as a separate JVM on the test class path. */
    Cmd.Result dkmsDeb(String... args) {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.dkmsdeb.cli.Main"));
        argv.addAll(Arrays.asList(args));
        return exec(argv.toArray(String[]::new));
    }

    /** Whether {@code path} exists in the root (a dangling link counts). */
    boolean exists(String path) {
        Cmd.Result r = run("if [ -e \"$1\" ] || [ -L \"$1\" ]; then echo yes; else echo no; fi", path);
        String answer = r.out().strip();
        if (r.exit() != 0 || !(answer.equals("yes") || answer.equals("no"))) {
            throw new AssertionError("cannot test " + path + " in the isolated root:\n" + r);
        }
        return answer.equals("yes");
    }

    /** The names in directory {@code dir} of the root, sorted; empty when it does not exist. */
    List<String> list(String dir) {
        Cmd.Result r = run("if [ -d \"$1\" ]; then ls -1A -- \"$1\"; fi", dir);
        if (r.exit() != 0) {
            throw new AssertionError("cannot list " + dir + " in the isolated root:\n" + r);
        }
        return r.out().lines().filter(l -> !l.isEmpty()).sorted().toList();
    }

    /**
     * Configures the root's initramfs-tools as an admin who wants {@code modules} at boot would:
     * {@code MODULES=list} and the modules in /etc/initramfs-tools/modules. update-initramfs, which
     * the -modules packages' trigger runs, then copies those modules and what they need, and takes
     * seconds; with Debian's {@code MODULES=most} it copies most of the kernel's modules and takes
     * minutes on a busy 2-core machine.
     */
    void initramfsOfModules(String... modules) {
        Cmd.Result r = run("echo MODULES=list > /etc/initramfs-tools/conf.d/boot-drivers && printf '%s\\n' \"$@\" >> /etc/initramfs-tools/modules",
                modules);
        if (r.exit() != 0) {
            throw new AssertionError("cannot configure initramfs-tools in the isolated root:\n" + r);
        }
    }

    /** The text of file {@code path} in the root. */
    String read(String path) {
        return ok("cat", "--", path).out();
    }

    /**
     * The machine itself holds none of {@code packages} (dpkg-query knows none of them) and none of
     * {@code paths}: call before and after the test's installs.
     */
    static void assertMachineHasNone(List<String> packages, List<Path> paths) {
        for (String pkg : packages) {
            Cmd.Result q = Cmd.run("dpkg-query", "-W", "-f=${db:Status-Abbrev}", pkg);
            assertThat(q.exit() != 0 || q.out().isBlank() || q.out().startsWith("un"))
                    .as("this machine's dpkg database knows " + pkg + ": " + q).isTrue();
        }
        for (Path p : paths) {
            assertThat(Files.exists(p) || Files.isSymbolicLink(p)).as("on this machine: " + p).isFalse();
        }
    }
}

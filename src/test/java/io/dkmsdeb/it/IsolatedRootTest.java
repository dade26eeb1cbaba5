package io.dkmsdeb.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The isolated root the install tests use: what it changes stays in it, and it leaves no mount or process behind. */
@Tag("root")
class IsolatedRootTest {
    @TempDir
    Path tmp;

    String probe;

    @BeforeEach
    void root() {
        assumeTrue(Cmd.isRoot(), "mounts in a private namespace: needs root");
        probe = "isolated-root-probe-" + UUID.randomUUID();
    }

    @Test
    void writesStayInTheRootAndTheNextRunOfTheSameRootSeesThem() throws IOException {
        IsolatedRoot root = IsolatedRoot.in(tmp.resolve("a"));
        List<String> paths = List.of("/usr/src/" + probe, "/lib/modules/" + probe, "/var/lib/dpkg/" + probe, "/etc/dkms/" + probe,
                "/boot/" + probe);
        List<Path> onMachine = paths.stream().map(Path::of).toList();
        IsolatedRoot.assertMachineHasNone(List.of(), onMachine);

        Cmd.Result w = root.run("for p in \"$@\"; do echo written > \"$p\"; done", paths.toArray(String[]::new));
        assertThat(w.exit()).as(w.toString()).isZero();

        for (String p : paths) {
            assertThat(root.exists(p)).as(p + " in the root, next run").isTrue();
            assertThat(root.read(p)).isEqualTo("written\n");
        }
        assertThat(root.upper().resolve("usr/src/" + probe)).as("kept in the upper layer").exists();
        assertThat(root.upper().resolve("boot/" + probe)).as("kept in the upper layer").exists();
        IsolatedRoot other = IsolatedRoot.in(tmp.resolve("b"));
        for (String p : paths) {
            assertThat(other.exists(p)).as(p + " in another root").isFalse();
        }
        IsolatedRoot.assertMachineHasNone(List.of(), onMachine);
    }

    @Test
    void everyOverlaidDirectoryIsAnOverlayInTheRootOnly() throws IOException {
        IsolatedRoot root = IsolatedRoot.in(tmp);
        for (String dir : IsolatedRoot.OVERLAID) {
            assertThat(root.ok("findmnt", "-n", "-o", "FSTYPE", "--mountpoint", dir).out().strip()).as(dir).isEqualTo("overlay");
        }
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(root.upper().getParent().toString());
    }

    /** What update-initramfs does to /boot (replace an image, touch it) happens in the root; the machine's /boot stays as it was. */
    @Test
    void bootIsIsolated() throws IOException {
        List<String> before = bootListing();
        IsolatedRoot root = IsolatedRoot.in(tmp);
        Cmd.Result w = root.run("for f in /boot/*; do [ -f \"$f\" ] && touch -d @0 \"$f\" && echo \"$f\"; done; "
                + "echo new > /boot/initrd.img-\"$1\"", probe);
        assertThat(w.exit()).as(w.toString()).isZero();
        assertThat(root.read("/boot/initrd.img-" + probe)).isEqualTo("new\n");
        for (String f : w.out().lines().toList()) {
            assertThat(root.ok("stat", "-c", "%Y", f).out().strip()).as(f + " in the root").isEqualTo("0");
        }
        assertThat(root.upper().resolve("boot/initrd.img-" + probe)).exists();
        assertThat(bootListing()).as("this machine's /boot").isEqualTo(before);
    }

    /** Name, size and modification time of each file in this machine's /boot. */
    private static List<String> bootListing() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/boot"))) {
            List<String> l = new ArrayList<>();
            for (Path p : s.sorted().toList()) {
                l.add(p.getFileName() + " " + Files.size(p) + " " + Files.getLastModifiedTime(p));
            }
            return l;
        }
    }

    @Test
    void argumentsReachTheScriptAsValuesNotAsShellText() throws IOException {
        IsolatedRoot root = IsolatedRoot.in(tmp);
        Path touched = tmp.resolve("touched");
        String[] args = {"$(touch " + touched + ")", "a b;c", "'\"`x`", "-n"};
        Cmd.Result r = root.run("printf '%s\\n' \"$@\"", args);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo(String.join("\n", args) + "\n");
        assertThat(touched).doesNotExist();
    }

    /** The test's process killed while the script and a child of it run: the mounts and both processes go. */
    @Test
    void killedLeavesNoMountAndNoProcess() throws IOException, InterruptedException {
        IsolatedRoot root = IsolatedRoot.in(tmp);
        Path ready = tmp.resolve("ready");
        Process p = new ProcessBuilder(root.command("sh -c 'sleep 600' \"$2\" & touch \"$1\"; sleep 600", List.of(ready.toString(), probe)))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("log").toFile()).start();
        try {
            for (int i = 0; i < 300 && !Files.exists(ready); i++) {
                Thread.sleep(100);
            }
            assertThat(ready).as("the script started").exists();
            String state = root.upper().getParent().toString();
            assertThat(processesMounting(state)).as("the namespace's processes, seen from here").isNotEmpty();
            assertThat(processesNamed(probe)).as("the script's child").isNotEmpty();
        } finally {
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        String state = root.upper().getParent().toString();
        List<String> left = List.of();
        for (int i = 0; i < 100; i++) {
            left = new ArrayList<>(processesMounting(state));
            left.addAll(processesNamed(probe));
            if (left.isEmpty()) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(left).as("processes with the root's mounts or the script's child, after the kill").isEmpty();
    }

    /** Pids whose mount table holds a mount from {@code state}. */
    private static List<String> processesMounting(String state) throws IOException {
        return scanProc("mountinfo", state);
    }

    /** Pids whose command line holds {@code word}. */
    private static List<String> processesNamed(String word) throws IOException {
        return scanProc("cmdline", word);
    }

    private static List<String> scanProc(String file, String needle) throws IOException {
        List<String> pids = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path dir : s.filter(d -> d.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    String text = new String(Files.readAllBytes(dir.resolve(file)), StandardCharsets.UTF_8);
                    if (text.contains(needle) && !dir.getFileName().toString().equals(String.valueOf(ProcessHandle.current().pid()))) {
                        pids.add(dir.getFileName().toString());
                    }
                } catch (IOException gone) {
                    // the process ended while we looked
                }
            }
        }
        return pids;
    }
}

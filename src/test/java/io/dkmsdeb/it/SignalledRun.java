package io.dkmsdeb.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * dkms-deb as a process of its own that a test stops with a signal, and what such a run may leave: the processes
 * it started and the temporary names it made.
 */
final class SignalledRun {
    private final Process process;
    private final Path output;
    /** Every process seen below dkms-deb while it ran ({@link #watch}). */
    private final Set<Long> seen = new TreeSet<>();

    private SignalledRun(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /**
     * Starts dkms-deb with {@code args}, {@code tmp} as its TMPDIR (the environment only, as a user sets it), {@code env} added to the
     * environment, its output into {@code output}. Through perl, which gives SIGINT its default action back: a
     * process started in the background inherits it ignored, and dkms-deb keeps a signal ignored that it was
     * started with ignored.
     */
    static SignalledRun start(Path tmp, Map<String, String> env, Path output, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\"",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "io.dkmsdeb.cli.Main"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("TMPDIR", tmp.toString());
        pb.environment().putAll(env);
        return new SignalledRun(pb.start(), output);
    }

    long pid() {
        return process.pid();
    }

    String output() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    /**
     * Polls (every 20 ms, {@code seconds} at most) until {@code point} holds, noting the processes below dkms-deb on
     * the way; fails when dkms-deb ended first or the time ran out.
     */
    void awaitPoint(String what, int seconds, BooleanSupplier point) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!point.getAsBoolean()) {
            watch();
            assertThat(process.isAlive()).as("dkms-deb still running, waiting for " + what + ":\n" + output()).isTrue();
            assertThat(System.nanoTime()).as("reached within " + seconds + " s: " + what + "\n" + output()).isLessThan(until);
            Thread.sleep(20);
        }
        watch();
    }

    /** Notes the processes below dkms-deb now. */
    void watch() {
        process.descendants().forEach(h -> seen.add(h.pid()));
    }

    /** Sends {@code signal} (INT, TERM, KILL) to dkms-deb and waits for it to end; returns its exit code. */
    int signalAndWait(String signal) throws Exception {
        watch();
        Cmd.ok("kill", "-" + signal, Long.toString(process.pid()));
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("dkms-deb ended after SIG" + signal).isTrue();
        return process.exitValue();
    }

    /** The processes seen below dkms-deb that still run, as "PID cmdline". */
    List<String> survivors() {
        return seen.stream().filter(SignalledRun::alive).map(SignalledRun::describe).toList();
    }

    /**
     * The processes of this machine (but this JVM) whose command line names a path under one of {@code dirs} or
     * whose working directory is under one of them, as "PID cmdline".
     */
    static List<String> processesNaming(List<Path> dirs) {
        List<String> found = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (pid == ProcessHandle.current().pid() || !alive(pid)) {
                    continue;
                }
                String cmdline = cmdline(pid);
                String cwd;
                try {
                    cwd = Files.readSymbolicLink(p.resolve("cwd")).toString();
                } catch (IOException | RuntimeException e) {
                    cwd = "";
                }
                for (Path d : dirs) {
                    if (cmdline.contains(d.toString()) || cwd.startsWith(d.toString())) {
                        found.add(describe(pid) + " (cwd " + cwd + ")");
                        break;
                    }
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc: " + e.getMessage(), e);
        }
        return found;
    }

    /** Waits up to {@code seconds} for no process to name {@code dirs} (as {@link #processesNaming}). */
    static List<String> awaitNoProcessNaming(List<Path> dirs, int seconds) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<String> found = processesNaming(dirs);
        while (!found.isEmpty() && System.nanoTime() < until) {
            Thread.sleep(100);
            found = processesNaming(dirs);
        }
        return found;
    }

    /** Alive: in /proc and not a zombie (a zombie is dead, only not reaped yet). */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    private static String describe(long pid) {
        String c = cmdline(pid);
        return pid + " " + (c.length() > 300 ? c.substring(0, 300) + "..." : c);
    }

    /**
     * The temporary names of this run in the temporary directory Java uses when TMPDIR is not set (this JVM's
     * java.io.tmpdir): none, since dkms-deb puts them in its TMPDIR.
     */
    List<String> leftInDefaultTmp() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("dkms-deb-[a-z]+-" + process.pid() + "-.*")).toList();
        }
    }

    /** The names in {@code dir} (none when it does not exist) that a run makes as temporary ones. */
    static List<String> temporaryNames(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("dkms-deb-") || n.contains("dkms-deb-tmp") || n.startsWith(".tmp-") || n.startsWith(".share-"))
                    .sorted().collect(Collectors.toList());
        }
    }
}

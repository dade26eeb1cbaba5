package io.dkmsdeb.process;

import io.dkmsdeb.support.Daemons;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The one way dkms-deb runs a child process. A command is an argument list (never a shell
 * string); it runs in a new session and process group ({@code setsid}) with standard input from
 * {@code /dev/null}. Its output is either appended to a log file ({@link #run}) or captured in
 * memory, both pipes read at once on their own threads ({@link #capture}), so that a child that
 * writes much to both never blocks; a filter ({@link #filter}) reads and writes files. When the
 * time limit passes, the whole process group is
 * killed, the background processes it started included; when the child ends, what it left
 * running in its group is killed too, so that nothing holds a pipe open or outlives dkms-deb.
 */
public final class ProcessRunner {
    /** Each captured stream keeps at most this many bytes; the rest is read and dropped. */
    static final int CAPTURE_LIMIT = 16 << 20;
    private static final Path PROC = Path.of("/proc");

    private ProcessRunner() {
    }

    /** How a run with its output in a log file ended: the exit status, or -1 when the time limit killed it. */
    public record Outcome(int exit, boolean timedOut) {
    }

    /** How a captured run ended, with its standard output and standard error. */
    public record Captured(int exit, boolean timedOut, byte[] stdout, byte[] stderr) {
        public String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        public String stderrText() {
            return new String(stderr, StandardCharsets.UTF_8);
        }

        /** The last non-blank line of standard error, else of standard output: what a message should quote. */
        public String lastLine() {
            String line = lastLine(stderrText());
            return line.isEmpty() ? lastLine(stdoutText()) : line;
        }

        private static String lastLine(String text) {
            String[] lines = text.strip().split("\n");
            return lines[lines.length - 1].strip();
        }
    }

    /**
     * Runs {@code command} in {@code dir} with exactly the environment {@code env}, its standard
     * output and standard error appended to {@code log}.
     *
     * @throws IOException when the program cannot be started (the message names it)
     */
    public static Outcome run(List<String> command, Path dir, Map<String, String> env, Path log, long timeoutSeconds) throws IOException {
        ProcessBuilder pb = builder(command, dir, env).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = start(pb, command);
        boolean finished = await(p, Duration.ofSeconds(timeoutSeconds), command);
        return new Outcome(finished ? p.exitValue() : -1, !finished);
    }

    /**
     * Runs {@code command} in {@code dir} (null: the current directory) and captures what it
     * prints. {@code env} is the child's whole environment; null gives it dkms-deb's own.
     *
     * @throws IOException when the program cannot be started (the message names it)
     */
    public static Captured capture(List<String> command, Path dir, Map<String, String> env, Duration timeout) throws IOException {
        Process p = start(builder(command, dir, env), command);
        p.getOutputStream().close();
        Drain out = new Drain(p.getInputStream(), command.get(0) + " stdout");
        Drain err = new Drain(p.getErrorStream(), command.get(0) + " stderr");
        boolean finished = await(p, timeout, command);
        // the group is gone: every writer of the pipes is dead, so the readers end promptly
        byte[] stdout = out.result(command);
        byte[] stderr = err.result(command);
        return new Captured(finished ? p.exitValue() : -1, !finished, stdout, stderr);
    }

    /**
     * Runs {@code command} as a filter: standard input read from the file {@code in}, standard
     * output written to the file {@code out} (both redirected by the system, so no pipe can fill
     * up), standard error captured. {@code env} is the child's whole environment; null gives it
     * dkms-deb's own. The returned standard output is empty.
     *
     * @throws IOException when the program cannot be started (the message names it)
     */
    public static Captured filter(List<String> command, Map<String, String> env, Path in, Path out, Duration timeout) throws IOException {
        ProcessBuilder pb = builder(command, null, env)
                .redirectInput(ProcessBuilder.Redirect.from(in.toFile()))
                .redirectOutput(ProcessBuilder.Redirect.to(out.toFile()));
        Process p = start(pb, command);
        Drain err = new Drain(p.getErrorStream(), command.get(0) + " stderr");
        boolean finished = await(p, timeout, command);
        byte[] stderr = err.result(command);
        return new Captured(finished ? p.exitValue() : -1, !finished, new byte[0], stderr);
    }

    private static ProcessBuilder builder(List<String> command, Path dir, Map<String, String> env) {
        List<String> cmd = new ArrayList<>(command.size() + 1);
        cmd.add("setsid"); // a new session and process group, so that a timeout can kill every descendant
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        if (env != null) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        return pb;
    }

    /** The children running now: what {@link #stopAll} ends. */
    private static final java.util.Set<Process> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Set once the process is being stopped (SIGINT, SIGTERM): no child starts after it. */
    private static volatile boolean stopping;

    private static Process start(ProcessBuilder pb, List<String> command) throws IOException {
        if (stopping) {
            throw new InterruptedIOException("not starting " + command.get(0) + ": dkms-deb is stopping");
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        LIVE.add(p);
        if (stopping) {      // stopAll ran between the check and the start
            killGroup(p);
        }
        return p;
    }

    /**
     * Ends every child this process started that still runs, each with its whole process group (a
     * sandbox's with its PID namespace), and starts no other: for SIGINT and SIGTERM. Returns how many
     * were running.
     */
    public static int stopAll() {
        stopping = true;
        List<Process> running = List.copyOf(LIVE);
        // every group is sent SIGKILL at once, without waiting for one before the next: the run ends now
        for (Process p : running) {
            List<ProcessHandle> descendants = p.descendants().toList();
            p.toHandle().destroyForcibly();
            descendants.forEach(ProcessHandle::destroyForcibly);
        }
        java.util.Set<Long> groups = new java.util.HashSet<>();
        running.forEach(p -> groups.add(p.pid()));
        List<ProcessHandle> members = ProcessHandle.allProcesses().filter(h -> groups.contains(processGroup(h.pid()))).toList();
        members.forEach(ProcessHandle::destroyForcibly);
        // gone before their files are removed: a process that still writes would leave a file behind
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (ProcessHandle h : java.util.stream.Stream.concat(running.stream().map(Process::toHandle), members.stream()).toList()) {
            try {
                h.onExit().get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return running.size();
    }

    /** Waits for the child; true when it ended in time. Either way its process group is killed after. */
    private static boolean await(Process p, Duration timeout, List<String> command) throws InterruptedIOException {
        try {
            return p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw (InterruptedIOException) new InterruptedIOException("interrupted while running " + command.get(0)).initCause(e);
        } finally {
            killGroup(p);
            LIVE.remove(p);
        }
    }

    /**
     * Kills every process of the child's group: {@code setsid} made the child the leader of a
     * group whose id is its pid. Processes that left the child's tree (a double fork) are found
     * in {@code /proc} by their group id; a process forked during the kill is caught by the next pass.
     */
    static void killGroup(Process p) {
        long group = p.pid();
        List<ProcessHandle> descendants = p.descendants().toList();
        // the leader first: a shell that outlived its children would report each one ("Killed") into the log.
        // The handle, not Process.destroyForcibly(): that one also closes the pipes the readers still drain
        p.toHandle().destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        for (int pass = 0; pass < 10; pass++) {
            List<ProcessHandle> members = ProcessHandle.allProcesses().filter(h -> processGroup(h.pid()) == group).toList();
            if (members.isEmpty()) {
                break;
            }
            members.forEach(ProcessHandle::destroyForcibly);
        }
        try {
            p.waitFor(10, TimeUnit.SECONDS); // reap the child, so that its exit status is known
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The process group of {@code pid} from {@code /proc/PID/stat}, or -1 when it is gone. */
    private static long processGroup(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
            // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so count from the last ')'
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return after[0].equals("Z") ? -1 : Long.parseLong(after[2]); // a zombie is dead already
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Reads one stream to its end on its own thread, keeping the first {@link #CAPTURE_LIMIT} bytes. */
    private static final class Drain {
        private final Thread thread;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private volatile IOException failure;

        Drain(InputStream in, String name) {
            thread = Daemons.start("dkms-deb " + name, () -> {
                byte[] buffer = new byte[1 << 16];
                try (in) {
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        int keep = Math.min(n, CAPTURE_LIMIT - kept.size());
                        if (keep > 0) {
                            kept.write(buffer, 0, keep);
                        }
                    }
                } catch (IOException e) {
                    failure = e;
                }
            });
        }

        byte[] result(List<String> command) throws IOException {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw (InterruptedIOException) new InterruptedIOException("interrupted while reading the output of " + command.get(0)).initCause(e);
            }
            if (thread.isAlive()) {
                throw new IOException("the output of " + command.get(0) + " stayed open after it ended and its process group was "
                        + "killed (a process it started left the group); its output is incomplete");
            }
            if (failure != null) {
                throw new IOException("cannot read the output of " + command.get(0) + ": " + failure.getMessage(), failure);
            }
            return kept.toByteArray();
        }
    }
}

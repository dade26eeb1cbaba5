package io.dkmsdeb.kernel;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one build step as an argument list (no shell string), in its own process group, with
 * its output appended to a log file and a time limit after which the whole group is killed.
 */
final class ProcessRunner {
    /** How a step ended. */
    record Outcome(int exit, boolean timedOut) {
    }

    private ProcessRunner() {
    }

    static Outcome run(List<String> command, Path dir, Map<String, String> env, Path log, long timeoutSeconds) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("setsid"); // a new session and process group, so that a timeout can kill every descendant
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            if (p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                return new Outcome(p.exitValue(), false);
            }
            killGroup(p);
            return new Outcome(-1, true);
        } catch (InterruptedException e) {
            killGroup(p);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running " + command.get(0));
        }
    }

    private static void killGroup(Process p) {
        long pid = p.pid();
        try {
            new ProcessBuilder("kill", "-KILL", "--", "-" + pid).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            // fall through to the per-process kill below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }
}

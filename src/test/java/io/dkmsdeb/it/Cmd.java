package io.dkmsdeb.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs real programs for the tests: argument lists, no shell, output captured, a time limit. */
public final class Cmd {
    /** Exit code and output of one run. */
    public record Result(int exit, String out, String err) {
        public String all() {
            return out + err;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private Cmd() {
    }

    public static Result run(Path dir, Map<String, String> env, List<String> args) {
        ProcessBuilder pb = new ProcessBuilder(args);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        if (env != null) {
            pb.environment().putAll(env);
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            Process p = pb.start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            String out = read(p.getInputStream());
            if (!p.waitFor(20, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + args);
            }
            return new Result(p.exitValue(), out, err.join());
        } catch (IOException e) {
            throw new AssertionError("cannot run " + args + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + args, e);
        }
    }

    public static Result run(String... args) {
        return run(null, null, Arrays.asList(args));
    }

    /** Runs and fails the test unless the exit code is 0. */
    public static Result ok(String... args) {
        Result r = run(args);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", args) + " failed:\n" + r);
        }
        return r;
    }

    /** dkms-deb itself, as a separate JVM on the test class path (real exit codes, its own environment). */
    public static Result dkmsDeb(Path dir, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.dkmsdeb.cli.Main"));
        cmd.addAll(Arrays.asList(args));
        return run(dir, env, cmd);
    }

    public static Result dkmsDeb(String... args) {
        return dkmsDeb(null, Map.of(), args);
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<unreadable: " + e.getMessage() + ">";
        }
    }

    /** The repository checkout (surefire runs tests there). */
    public static Path repo() {
        return Path.of(System.getProperty("user.dir")).toAbsolutePath();
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}

package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGINT and SIGTERM during the make of two kernels end the run at once: no process of the build
 * left, no temporary file left, exit 130 or 143 with one line; after SIGKILL, the next run removes
 * what the killed one left.
 */
@Tag("kernel")
@Tag("tools")
class InterruptTest {
    @TempDir
    Path work;

    /** A module whose make first sleeps {@code seconds}: a build that is surely running when the signal comes. */
    private Path slowTree(String marker) throws IOException {
        Path tree = Files.createDirectories(work.resolve("slow-" + marker));
        Files.copy(Path.of(HelloModules.example(), "hello.c"), tree.resolve("hello.c"));
        Files.writeString(tree.resolve("Kbuild"), "obj-m := hello.o\n");
        Files.writeString(tree.resolve("dkms.conf"), "PACKAGE_NAME=hello\nPACKAGE_VERSION=1.0\nBUILT_MODULE_NAME[0]=hello\n"
                + "DEST_MODULE_LOCATION[0]=/updates/dkms\n"
                + "MAKE[0]=\"sleep " + marker + "; make -C ${kernel_source_dir} M=${dkms_tree}/${module}/${module_version}/build\"\n");
        return tree;
    }

    private Process start(Path tree, Path tmp, Path out) throws IOException {
        // through perl, which gives SIGINT its default action back: a process started in the background inherits it
        // ignored (a shell's '&'), and dkms-deb, as every program, keeps a signal ignored that it was started with ignored
        List<String> cmd = new ArrayList<>(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\"",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"), "io.dkmsdeb.cli.Main",
                "bmdeb", tree.toString(), "-k", Kernels.newest61(), "-k", Kernels.newest612(), "-o", out.toString(), "--no-sign",
                "--maintainer", "T <t@example.org>", "--log-dir", work.resolve("logs").toString(), "-j", "2"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("run-" + out.getFileName() + ".txt")
                .toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("TMPDIR", tmp.toString());
        return pb.start();
    }

    private static long sleepers(String marker) {
        return ProcessHandle.allProcesses().filter(p -> p.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false)).count();
    }

    private static void awaitSleepers(String marker, long n) throws InterruptedException {
        for (int i = 0; i < 600 && sleepers(marker) < n; i++) {
            Thread.sleep(100);
        }
        assertThat(sleepers(marker)).as("builds running").isGreaterThanOrEqualTo(n);
    }

    private static List<String> left(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            // the per-kernel lock files of the output directory stay by design (BmdebLock): they are no temporary files
            return s.map(p -> p.getFileName().toString()).filter(n -> n.contains("dkms-deb") && !n.endsWith(".lock")).toList();
        }
    }

    @Test
    void sigintAndSigtermEndEverythingAndLeaveNothing() throws Exception {
        for (String signal : List.of("INT", "TERM")) {
            String marker = signal.equals("INT") ? "2718" : "3141";
            Path tmp = Files.createDirectories(work.resolve("tmp-" + signal));
            Path out = work.resolve("out-" + signal);
            Process p = start(slowTree(marker), tmp, out);
            awaitSleepers(marker, 2);
            Cmd.ok("kill", "-" + signal, Long.toString(p.pid()));
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("dkms-deb ended").isTrue();
            String said = Files.readString(work.resolve("run-" + out.getFileName() + ".txt"), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(said).isEqualTo(signal.equals("INT") ? 130 : 143);
            assertThat(said).contains("dkms-deb: stopped by SIG" + signal + ":").contains("running processes ended");
            assertThat(sleepers(marker)).as("processes of the build left").isZero();
            assertThat(left(tmp)).as("temporary files left in " + tmp).isEmpty();
            if (Files.exists(out)) {
                assertThat(left(out)).as("temporary files left in the output directory").isEmpty();
            }
        }
    }

    @Test
    void afterSigkillTheNextRunRemovesWhatTheKilledOneLeft() throws Exception {
        String marker = "1618";
        Path tmp = Files.createDirectories(work.resolve("tmp-kill"));
        Path out = work.resolve("out-kill");
        Process p = start(slowTree(marker), tmp, out);
        awaitSleepers(marker, 2);
        Cmd.ok("kill", "-KILL", Long.toString(p.pid()));
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 50 && sleepers(marker) > 0; i++) {
            Thread.sleep(100);
        }
        assertThat(sleepers(marker)).as("the sandbox ended with its parent").isZero();
        assertThat(left(tmp)).as("what a killed run leaves").isNotEmpty();

        Cmd.Result next = Cmd.run(null, java.util.Map.of("TMPDIR", tmp.toString()), List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Djava.io.tmpdir=" + tmp, "-cp",
                System.getProperty("java.class.path"), "io.dkmsdeb.cli.Main", "bmdeb", HelloModules.example(), "-k", Kernels.newest61(),
                "-o", out.toString(), "--no-sign", "--log-dir", work.resolve("logs2").toString()));
        assertThat(next.exit()).as(next.toString()).isZero();
        assertThat(left(tmp)).as("left in " + tmp + " after the next run").isEmpty();
    }
}

package io.dkmsdeb.process;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The one process runner: both pipes drained, the whole process group killed at the time limit and after the child ends. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@Tag("unit")
class ProcessRunnerTest {
    @TempDir
    Path dir;

    @AfterEach
    void noSleepLeft() {
        ProcessHandle.allProcesses().filter(ProcessRunnerTest::isOurSleep).forEach(ProcessHandle::destroyForcibly);
    }

    private static boolean isOurSleep(ProcessHandle p) {
        return p.info().commandLine().orElse("").matches(".*sleep 426[0-9].*");
    }

    private static List<ProcessHandle> left() {
        return ProcessHandle.allProcesses().filter(ProcessRunnerTest::isOurSleep).toList();
    }

    private static List<String> sh(String script) {
        return List.of("sh", "-c", script);
    }

    @Test
    void muchOutputOnBothStreamsDoesNotDeadlock() throws IOException {
        // 4 MB on each stream, interleaved: far more than a pipe holds, so a runner that reads one stream first would block
        ProcessRunner.Captured c = ProcessRunner.capture(sh("for i in 1 2 3 4; do head -c 1048576 /dev/zero | tr '\\0' e >&2;"
                + " head -c 1048576 /dev/zero | tr '\\0' o; done"), dir, null, Duration.ofSeconds(30));
        assertThat(c.timedOut()).isFalse();
        assertThat(c.exit()).isZero();
        assertThat(c.stdout()).hasSize(4 << 20).containsOnly((byte) 'o');
        assertThat(c.stderr()).hasSize(4 << 20).containsOnly((byte) 'e');
    }

    @Test
    void childThatHangsWhileItsChildHoldsThePipeIsKilledAtTheTimeout() throws IOException {
        long start = System.nanoTime();
        ProcessRunner.Captured c = ProcessRunner.capture(sh("echo started; sleep 4260 & sleep 4261"), dir, null, Duration.ofSeconds(1));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(c.timedOut()).isTrue();
        assertThat(c.exit()).isEqualTo(-1);
        assertThat(c.stdoutText()).as("all it printed before the kill (nothing, on a machine too busy to start it)").isIn("started\n", "");
        assertThat(left()).as("processes left").isEmpty();
    }

    @Test
    void processThatLeftTheChildsTreeIsKilledWithItsGroup() throws IOException {
        // the subshell exits at once: its sleep is re-parented and no longer a descendant of the child
        ProcessRunner.Captured c = ProcessRunner.capture(sh("(sleep 4262 &); sleep 4263"), dir, null, Duration.ofSeconds(1));
        assertThat(c.timedOut()).isTrue();
        assertThat(left()).as("processes left").isEmpty();
    }

    @Test
    void whatTheChildLeavesRunningIsKilledWhenItEnds() throws IOException {
        long start = System.nanoTime();
        ProcessRunner.Captured c = ProcessRunner.capture(sh("echo done; sleep 4264 &"), dir, null, Duration.ofSeconds(30));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(c.timedOut()).isFalse();
        assertThat(c.exit()).isZero();
        assertThat(c.stdoutText()).isEqualTo("done\n");
        assertThat(left()).as("processes left").isEmpty();
    }

    @Test
    void exitStatusDirectoryAndEnvironment() throws IOException {
        ProcessRunner.Captured c = ProcessRunner.capture(sh("pwd; echo \"$ONLY\"; echo \"${HOME:-unset}\"; echo oops >&2; exit 3"), dir,
                Map.of("ONLY", "this", "PATH", "/usr/bin:/bin"), Duration.ofSeconds(30));
        assertThat(c.exit()).isEqualTo(3);
        assertThat(c.stdoutText()).isEqualTo(dir.toRealPath() + "\nthis\nunset\n");
        assertThat(c.lastLine()).isEqualTo("oops");
    }

    @Test
    void standardInputIsEmpty() throws IOException {
        ProcessRunner.Captured c = ProcessRunner.capture(List.of("cat"), dir, null, Duration.ofSeconds(30));
        assertThat(c.exit()).isZero();
        assertThat(c.stdout()).isEmpty();
    }

    @Test
    void missingProgramIsNamed() throws IOException {
        ProcessRunner.Captured c = ProcessRunner.capture(List.of("dkms-deb-no-such-program"), dir, null, Duration.ofSeconds(30));
        assertThat(c.exit()).isNotZero();
        assertThat(c.lastLine()).contains("dkms-deb-no-such-program");
    }

    @Test
    void logFileGetsBothStreamsAndTheTimeoutKillsTheGroup() throws IOException {
        Path log = dir.resolve("build.log");
        Files.writeString(log, "header\n");
        ProcessRunner.Outcome ok = ProcessRunner.run(sh("echo out; echo err >&2"), dir, Map.of("PATH", "/usr/bin:/bin"), log, 30);
        assertThat(ok).isEqualTo(new ProcessRunner.Outcome(0, false));
        long start = System.nanoTime();
        ProcessRunner.Outcome hung = ProcessRunner.run(sh("echo started; sleep 4265 & sleep 4266"), dir, Map.of("PATH", "/usr/bin:/bin"),
                log, 1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(hung).isEqualTo(new ProcessRunner.Outcome(-1, true));
        // on a busy machine the shell may not have printed "started" within the second; nothing else may be there
        // (no "Killed" or "Terminated" from a shell that saw its children die first)
        assertThat(Files.readString(log, StandardCharsets.UTF_8)).isIn("header\nout\nerr\nstarted\n", "header\nout\nerr\n");
        assertThat(left()).as("processes left").isEmpty();
    }
}

package io.dkmsdeb.dkmsconf;

import io.dkmsdeb.model.dkms.DkmsConf;
import io.dkmsdeb.model.ModuleSourceException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bash that sources a dkms.conf as a child process: a time limit, its background processes, its output. */
@Tag("unit")
class DkmsConfReaderProcessTest {
    private static final DkmsConfReader.Context K61 = ReadContexts.of("m", "1.0");
    private static final String MINIMAL = "PACKAGE_NAME=m\nPACKAGE_VERSION=1.0\nBUILT_MODULE_NAME[0]=m\nDEST_MODULE_LOCATION[0]=/updates/dkms\n";

    @TempDir
    Path dir;

    @AfterEach
    void noSleepLeft() {
        ProcessHandle.allProcesses().filter(DkmsConfReaderProcessTest::isOurSleep).forEach(ProcessHandle::destroyForcibly);
    }

    private static boolean isOurSleep(ProcessHandle p) {
        return p.info().commandLine().orElse("").matches(".*sleep 425[3-6].*");
    }

    private DkmsConf read(String text, Duration timeout) throws Exception {
        Path conf = dir.resolve("dkms.conf");
        Files.writeString(conf, text, StandardCharsets.UTF_8);
        return new DkmsConfReader(timeout).read(conf, K61);
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void backgroundProcessThatKeepsStderrOpenDoesNotBlockTheRead() throws Exception {
        // bash ends at once, but the orphaned sleep still holds its standard error
        long start = System.nanoTime();
        DkmsConf c = read(MINIMAL + "(sleep 4253 &)\n", Duration.ofSeconds(20));
        assertThat(c.packageName()).isEqualTo("m");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(ProcessHandle.allProcesses().filter(DkmsConfReaderProcessTest::isOurSleep).toList()).as("processes left").isEmpty();
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void dkmsConfThatHangsIsStoppedAtTheTimeout() {
        assertThatThrownBy(() -> read(MINIMAL + "(sleep 4254 &)\nsleep 4255\n", Duration.ofSeconds(1)))
                .isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("did not finish within 1 s; dkms.conf must only set variables");
        assertThat(ProcessHandle.allProcesses().filter(DkmsConfReaderProcessTest::isOurSleep).toList()).as("processes left").isEmpty();
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void muchOutputOnBothStreamsIsDrained() throws Exception {
        String noisy = "head -c 3000000 /dev/zero | tr '\\0' e >&2\nhead -c 3000000 /dev/zero | tr '\\0' o\n";
        DkmsConf c = read(MINIMAL + noisy, Duration.ofSeconds(30));
        assertThat(c.packageVersion()).isEqualTo("1.0");
    }
}

package io.dkmsdeb.kernel;

import io.dkmsdeb.model.KernelHeadersException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fetcher without the network: how it reads a headers package's Depends, and how it stops a download that hangs. */
@Tag("unit")
class HeadersFetcherTest {
    @TempDir
    Path dir;

    @AfterEach
    void noSleepLeft() {
        // a failed run must not leave the test's processes behind
        ProcessHandle.allProcesses().filter(HeadersFetcherTest::isOurSleep).forEach(ProcessHandle::destroyForcibly);
    }

    private static boolean isOurSleep(ProcessHandle p) {
        return p.info().commandLine().orElse("").matches(".*sleep 425[12].*");
    }

    @Test
    void foldedDependsAreAllFollowed() throws Exception {
        String control = """
                Package: linux-headers-6.1.0-99-amd64
                Version: 6.1.999-1
                Architecture: amd64
                Maintainer: Debian Kernel Team <debian-kernel@lists.debian.org>
                Installed-Size: 3000
                Pre-Depends: linux-headers-ignored-pre
                Depends: linux-headers-6.1.0-99-common (= 6.1.999-1),
                 linux-kbuild-6.1 (>= 6.1.999-1),
                 linux-compiler-gcc-12-x86
                Description: Header files for Linux 6.1.0-99-amd64
                 This package provides the architecture-specific kernel header files
                 Depends: linux-headers-not-a-field
                """;
        assertThat(HeadersFetcher.dependencies(control))
                .containsExactly("linux-headers-6.1.0-99-common=6.1.999-1", "linux-kbuild-6.1");
    }

    @Test
    void controlWithoutDependsNeedsNothingElse() throws Exception {
        assertThat(HeadersFetcher.dependencies("Package: linux-headers-x\nVersion: 1\n")).isEmpty();
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void downloadThatHangsIsKilledAtTheTimeout() {
        // the child hangs, and its background child keeps the output pipe open
        List<String> hanging = List.of("sh", "-c", "echo Get:1 something; sleep 4251 & sleep 4252");
        long start = System.nanoTime();
        assertThatThrownBy(() -> HeadersFetcher.download(hanging, "linux-headers-x", dir, "x", Set.of("linux-headers-x"),
                Duration.ofSeconds(1)))
                .isInstanceOf(KernelHeadersException.class)
                .hasMessageContaining("apt-get download linux-headers-x did not finish within 1 s and was killed");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(ProcessHandle.allProcesses().filter(HeadersFetcherTest::isOurSleep).toList()).as("processes left").isEmpty();
    }
}

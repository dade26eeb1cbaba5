package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.model.DkmsDebException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The per-kernel lock of an output directory: one holder, a bounded wait with a message, released for the next. */
@Tag("unit")
class BmdebLockTest {
    private static final String KERNEL = "6.1.0-99-amd64";

    @TempDir
    Path work;

    @Test
    void oneHolderPerKernelAndABoundedWait() throws Exception {
        Path out = work.resolve("out");
        try (BmdebLock held = BmdebLock.tryAcquire(out, KERNEL).orElseThrow()) {
            assertThat(BmdebLock.file(out, KERNEL)).isRegularFile().hasContent("pid " + ProcessHandle.current().pid());
            assertThat(BmdebLock.tryAcquire(out, KERNEL)).isEmpty();
            // another kernel is another lock
            try (BmdebLock other = BmdebLock.tryAcquire(out, "6.12.99+deb13-amd64").orElseThrow()) {
                assertThat(other).isNotNull();
            }
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> BmdebLock.acquire(out, KERNEL, Duration.ofSeconds(1))).isInstanceOf(DkmsDebException.class)
                    .hasMessageContaining("another bmdeb (this process) has held " + BmdebLock.file(out, KERNEL))
                    .hasMessageContaining("--lock-timeout SECONDS");
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(900));
        }
        assertThat(out).as("released: the lock file is removed").isEmptyDirectory();
        try (BmdebLock again = BmdebLock.tryAcquire(out, KERNEL).orElseThrow()) {
            assertThat(again).isNotNull();
        }
    }

    @Test
    void aWaiterGetsTheLockOnceItIsReleased() throws Exception {
        Path out = Files.createDirectories(work.resolve("out"));
        BmdebLock held = BmdebLock.tryAcquire(out, KERNEL).orElseThrow();
        CompletableFuture<Optional<BmdebLock>> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return Optional.of(BmdebLock.acquire(out, KERNEL, Duration.ofSeconds(30)));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Thread.sleep(600);
        assertThat(waiter).isNotDone();
        held.close();
        // the holder removed the file it locked; the waiter holds the lock of the path's new file
        try (BmdebLock got = waiter.get(10, TimeUnit.SECONDS).orElseThrow()) {
            assertThat(BmdebLock.file(out, KERNEL)).isRegularFile();
            assertThat(BmdebLock.tryAcquire(out, KERNEL)).isEmpty();
        }
    }
}

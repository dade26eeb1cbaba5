package io.dkmsdeb.deb;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A worker thread's failure reaches the caller as it was thrown, or as an IOException that says what failed. */
@Tag("unit")
class FuturesTest {
    private static <T> CompletableFuture<T> failed(Throwable t) {
        return CompletableFuture.failedFuture(t);
    }

    @Test
    void aResultIsReturned() throws IOException {
        assertThat(Futures.get(CompletableFuture.completedFuture("tar"), "compressing")).isEqualTo("tar");
    }

    @Test
    void anIoExceptionARuntimeExceptionOrAnErrorIsThrownAsItWas() {
        IOException io = new IOException("disk full");
        IllegalStateException state = new IllegalStateException("bad state");
        OutOfMemoryError oom = new OutOfMemoryError("heap");
        assertThatThrownBy(() -> Futures.get(failed(io), "compressing")).isSameAs(io);
        assertThatThrownBy(() -> Futures.get(failed(state), "compressing")).isSameAs(state);
        assertThatThrownBy(() -> Futures.get(failed(oom), "compressing")).isSameAs(oom);
    }

    @Test
    void anotherCheckedExceptionBecomesAnIoExceptionNamingTheWork() {
        Exception other = new Exception("odd");
        assertThatThrownBy(() -> Futures.get(failed(other), "compressing the control tar"))
                .isInstanceOf(IOException.class)
                .hasMessage("compressing the control tar failed: java.lang.Exception: odd")
                .hasCause(other);
    }

    @Test
    void anInterruptedWaitKeepsTheThreadsInterruptFlag() {
        FutureTask<String> never = new FutureTask<>(() -> "never run");
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> Futures.get(never, "compressing an xz block"))
                    .isInstanceOf(InterruptedIOException.class)
                    .hasMessage("interrupted while compressing an xz block");
            assertThat(Thread.interrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}

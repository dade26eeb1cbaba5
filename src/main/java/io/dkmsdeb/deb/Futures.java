package io.dkmsdeb.deb;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waits for the work this package hands to other threads, and reports its failure as the caller's own. */
final class Futures {
    private Futures() {
    }

    /**
     * The result of {@code task}. Its IOException, RuntimeException or Error is thrown as it was; another
     * failure becomes an IOException that says what failed ({@code what}, e.g. "compressing the control tar").
     */
    static <T> T get(Future<T> task, String what) throws IOException {
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw (InterruptedIOException) new InterruptedIOException("interrupted while " + what).initCause(e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(what + " failed: " + cause, cause);
        }
    }
}

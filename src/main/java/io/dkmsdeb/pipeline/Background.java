package io.dkmsdeb.pipeline;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Work this package starts on another thread while the caller goes on. */
public final class Background {
    private Background() {
    }

    /** The result of {@code work}; its own RuntimeException (a template's, a tree's) as thrown there, not wrapped. */
    public static <T> T join(CompletableFuture<T> work) {
        try {
            return work.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }
}

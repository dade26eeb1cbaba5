package io.dkmsdeb.support;

/** Threads that work beside the main one and never keep the JVM alive once the command is done. */
public final class Daemons {
    private Daemons() {
    }

    /** Starts {@code task} on a new daemon thread called {@code name}, and returns that thread. */
    public static Thread start(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}

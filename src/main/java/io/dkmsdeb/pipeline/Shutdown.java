package io.dkmsdeb.pipeline;

import io.dkmsdeb.process.ProcessRunner;
import io.dkmsdeb.support.TempFiles;

/** What stopping dkms-deb at once (SIGINT, SIGTERM) does before the process ends: no child left, no temporary file left. */
public final class Shutdown {
    /** Set when a stop began: what fails from then on fails because of it. */
    private static volatile boolean begun;

    private Shutdown() {
    }

    /** Marks the stop as begun, before anything is ended: the command's own failures are then no news. */
    public static void begin() {
        begun = true;
    }

    /** True once a stop began ({@link #begin}). */
    public static boolean begun() {
        return begun;
    }

    /**
     * When a stop began, never returns: the thread that ended the command (it failed because its xz or make was
     * killed) waits for the stop to end the process with 130 or 143, instead of reporting that failure and exiting 1.
     */
    public static void awaitHaltIfStopping() {
        while (begun) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // the process is halted by the stop; nothing else ends this wait
            }
        }
    }

    /**
     * Ends every process the run started (each with its process group, a sandbox with its PID
     * namespace), starts no other, and removes the run's temporary files and directories; says what it did.
     */
    public static String stopEverything() {
        begin();
        int processes = ProcessRunner.stopAll();
        int temps = TempFiles.removeAll();
        return processes + " running process" + (processes == 1 ? "" : "es") + " ended, " + temps + " temporary file"
                + (temps == 1 ? "" : "s") + " removed";
    }
}

package io.dkmsdeb.pipeline;

import io.dkmsdeb.process.ProcessRunner;
import io.dkmsdeb.support.TempFiles;

/** What stopping dkms-deb at once (SIGINT, SIGTERM) does before the process ends: no child left, no temporary file left. */
public final class Shutdown {
    private Shutdown() {
    }

    /**
     * Ends every process the run started (each with its process group, a sandbox with its PID
     * namespace), starts no other, and removes the run's temporary files and directories; says what it did.
     */
    public static String stopEverything() {
        int processes = ProcessRunner.stopAll();
        int temps = TempFiles.removeAll();
        return processes + " running process" + (processes == 1 ? "" : "es") + " ended, " + temps + " temporary file"
                + (temps == 1 ? "" : "s") + " removed";
    }
}

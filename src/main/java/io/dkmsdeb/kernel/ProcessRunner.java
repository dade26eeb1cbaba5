package io.dkmsdeb.kernel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The build's name for {@link io.dkmsdeb.process.ProcessRunner#run}, which runs every child
 * process of dkms-deb; it goes once the build imports that class directly.
 */
final class ProcessRunner {
    /** How a step ended. */
    record Outcome(int exit, boolean timedOut) {
    }

    private ProcessRunner() {
    }

    static Outcome run(List<String> command, Path dir, Map<String, String> env, Path log, long timeoutSeconds) throws IOException {
        io.dkmsdeb.process.ProcessRunner.Outcome o = io.dkmsdeb.process.ProcessRunner.run(command, dir, env, log, timeoutSeconds);
        return new Outcome(o.exit(), o.timedOut());
    }
}

package io.dkmsdeb.cli;

import io.dkmsdeb.pipeline.Encoders;
import io.dkmsdeb.model.kernel.Host;

/**
 * The one place that reads the process environment: once, into the {@link Host} value that every
 * command hands down. Nothing below the command line calls {@code System.getenv}.
 */
final class HostEnvironment {
    private static Host host;

    private HostEnvironment() {
    }

    /** This machine, with the environment of this process (read on the first call). */
    static synchronized Host get() {
        if (host == null) {
            host = Host.of(System.getenv());
            Encoders.useEnvironment(host);
        }
        return host;
    }
}

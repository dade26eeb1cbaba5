package io.dkmsdeb.pipeline;

import io.dkmsdeb.deb.XzEncoder;
import io.dkmsdeb.model.kernel.Host;

/** What compresses the members of the packages this process writes, for the {@code --json} summaries. */
public final class Encoders {
    private Encoders() {
    }

    /** Chooses the encoders from the environment of {@code host} (DKMS_DEB_XZ, PATH), before any package is written. */
    public static void useEnvironment(Host host) {
        XzEncoder.useEnvironment(host.env());
    }

    /** The encoder of the .xz members: "xz-utils 5.4.1" (the system's xz) or "xz-java". */
    public static String xz() {
        return XzEncoder.selected().name();
    }
}

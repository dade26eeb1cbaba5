package io.dkmsdeb.pipeline;

import io.dkmsdeb.deb.XzEncoder;

/** What compresses the members of the packages this process writes, for the {@code --json} summaries. */
public final class Encoders {
    private Encoders() {
    }

    /** The encoder of the .xz members: "xz-utils 5.4.1" (the system's xz) or "xz-java". */
    public static String xz() {
        return XzEncoder.selected().name();
    }
}

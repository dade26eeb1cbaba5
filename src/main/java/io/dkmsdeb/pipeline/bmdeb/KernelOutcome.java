package io.dkmsdeb.pipeline.bmdeb;

import java.util.Locale;

/** What became of one kernel of a bmdeb run. */
public enum KernelOutcome {
    /** Its package was written. */
    BUILT,
    /** A package built earlier from the same inputs is there (output directory or --reuse-from): nothing was built. */
    UP_TO_DATE,
    /** The module's BUILD_EXCLUSIVE_* rules exclude it (exit 77), as dkms skips it. */
    SKIPPED,
    /** Something went wrong for it; its exit code says what. */
    FAILED;

    /** The word of the table and of {@code --json}: built, up-to-date, skipped, failed. */
    public String word() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}

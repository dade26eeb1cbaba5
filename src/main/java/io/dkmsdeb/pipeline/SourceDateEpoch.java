package io.dkmsdeb.pipeline;

import io.dkmsdeb.model.UsageException;

import java.util.Map;

/** The time stamped on everything a run writes: SOURCE_DATE_EPOCH, else a fixed date. */
public final class SourceDateEpoch {
    /** 2000-01-01T00:00:00Z: after 1975, as dpkg and tar formats want, and never "now". */
    public static final long DEFAULT = 946_684_800L;

    private SourceDateEpoch() {
    }

    public static long from(Map<String, String> env) {
        String value = env.get("SOURCE_DATE_EPOCH");
        if (value == null || value.isBlank()) {
            return DEFAULT;
        }
        try {
            long seconds = Long.parseLong(value.strip());
            if (seconds < 0 || seconds > 8_589_934_591L) {
                throw new NumberFormatException();
            }
            return seconds;
        } catch (NumberFormatException e) {
            throw new UsageException("SOURCE_DATE_EPOCH='" + value + "' is not a number of seconds since 1970 "
                    + "(0 to 8589934591); set it to e.g. $(git log -1 --format=%ct) or unset it", e);
        }
    }
}

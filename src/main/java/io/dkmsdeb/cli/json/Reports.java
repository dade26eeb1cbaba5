package io.dkmsdeb.cli.json;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the reports share: the check of their {@code command} key, and rounding of times. */
final class Reports {
    private Reports() {
    }

    /** {@code command}, when it is {@code expected}; the key says which command printed the report. */
    static String command(String command, String expected) {
        if (!expected.equals(command)) {
            throw new IllegalArgumentException("command must be \"" + expected + "\" in its report, got " + command);
        }
        return command;
    }

    /** Seconds rounded to hundredths (0.1234 to 0.12). */
    static double hundredths(double seconds) {
        return Math.round(seconds * 100) / 100.0;
    }

    /** Seconds rounded to thousandths (0.1234 to 0.123). */
    static double thousandths(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }

    /** An unmodifiable copy of {@code map} in its order, or null. */
    static <V> Map<String, V> copy(Map<String, V> map) {
        return map == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}

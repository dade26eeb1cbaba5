package io.dkmsdeb.support;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The wall time of the named phases of one piece of work (one kernel's build: prepare, copy, make,
 * modules, package), in the order they first ran; a phase that runs twice adds up. Shared between the
 * threads of that work.
 */
public final class Phases {
    private final Map<String, Long> nanos = new LinkedHashMap<>();

    /** Adds the time from {@code startNanos} (a {@link System#nanoTime()}) to now to the phase {@code name}. */
    public synchronized void since(String name, long startNanos) {
        nanos.merge(name, System.nanoTime() - startNanos, Long::sum);
    }

    /** Each phase in seconds, rounded to hundredths, in the order the phases first ran. */
    public synchronized Map<String, Double> seconds() {
        Map<String, Double> out = new LinkedHashMap<>();
        nanos.forEach((k, v) -> out.put(k, Math.round(v / 1e7) / 100.0));
        return out;
    }

    /** "prepare 0.31 s, make 8.12 s, ...", or "" when nothing was timed. */
    public String describe() {
        return seconds().entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.2f s", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }
}

package io.dkmsdeb.debiandir;

import io.dkmsdeb.model.NamePatterns;
import io.dkmsdeb.model.ModuleSourceException;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code debian/changelog}: the source name and version of its newest entry, and the text
 * {@code dh_installchangelogs} installs (entries since the cut-off date of debhelper 13.11, at
 * least four of them, with debhelper's note when older ones were left out).
 *
 * @param source  the source package name
 * @param version the full Debian version, epoch included
 * @param text    the whole file
 */
public record Changelog(String source, String version, String text) {
    private static final Pattern HEADER = Pattern.compile("^(\\S+) \\(([^()\\s]+)\\)(?: [^;]+)?;.*$");
    private static final Pattern TRAILER = Pattern.compile("^\\s*--\\s+.*?\\s+<[^>]*>\\s+(.*)$");
    private static final java.time.Instant CUTOFF = LocalDate.of(2019, 7, 6).atStartOfDay(ZoneOffset.UTC).toInstant();
    private static final int MIN_ENTRIES = 4;
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("d MMM yyyy HH:mm:ss Z", Locale.ROOT);

    /** Reads the first entry's header; {@code where} names the file in errors. */
    public static Changelog parse(String text, String where) {
        String first = text.lines().filter(l -> !l.isBlank()).findFirst().orElse("");
        Matcher m = HEADER.matcher(first);
        if (!m.matches()) {
            throw new ModuleSourceException(where + ": the first line must read 'SOURCE (VERSION) DISTRIBUTION; urgency=...', "
                    + "found '" + first + "'; fix it with dch or by hand");
        }
        if (!NamePatterns.matches(NamePatterns.DEBIAN_VERSION, m.group(2))) {
            throw new ModuleSourceException(where + ": version '" + m.group(2) + "' is not a valid Debian version "
                    + "(policy 5.6.12: [epoch:]upstream[-revision], upstream starting with a digit)");
        }
        return new Changelog(m.group(1), m.group(2), text);
    }

    /**
     * The date of the newest entry in seconds since 1970, as dpkg-buildpackage sets
     * SOURCE_DATE_EPOCH from it; empty when its trailer line has no readable date.
     */
    public java.util.OptionalLong date() {
        for (String line : text.split("\n")) {
            Matcher t = TRAILER.matcher(line);
            if (t.matches()) {
                return trailerDate(t.group(1)).map(d -> java.util.OptionalLong.of(d.toEpochSecond())).orElse(java.util.OptionalLong.empty());
            }
        }
        return java.util.OptionalLong.empty();
    }

    /** The date of a trailer line ("Mon, 03 Nov 2025 10:00:00 +0100"), as debhelper reads it; empty when unreadable. */
    private static Optional<OffsetDateTime> trailerDate(String text) {
        try {
            return Optional.of(OffsetDateTime.parse(text.replaceFirst("^[A-Za-z]+, +", "").strip(), DATE));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** The version without its epoch, as in .deb file names. */
    public String versionWithoutEpoch() {
        int colon = version.indexOf(':');
        return colon < 0 ? version : version.substring(colon + 1);
    }

    /** The upstream part: no epoch, no Debian revision (dpkg's DEB_VERSION_UPSTREAM). */
    public String upstream() {
        String v = versionWithoutEpoch();
        int dash = v.lastIndexOf('-');
        return dash < 0 ? v : v.substring(0, dash);
    }

    /** The Debian revision, or empty for a native version. */
    public String revision() {
        String v = versionWithoutEpoch();
        int dash = v.lastIndexOf('-');
        return dash < 0 ? "" : v.substring(dash + 1);
    }

    public boolean isNative() {
        return revision().isEmpty();
    }

    /**
     * The changelog as {@code dh_installchangelogs} installs it: whole entries, each ending with
     * its trailer line, stopping at the first entry older than the cut-off once four are kept.
     * Text after the last trailer is not part of any entry and is dropped, as debhelper does. An
     * unparsable date makes debhelper install the whole file; so does this.
     */
    public String installedText(String packageName) {
        StringBuilder kept = new StringBuilder();
        StringBuilder entry = new StringBuilder();
        int entries = 0;
        String[] lines = text.split("(?<=\n)");
        int i = 0;
        for (; i < lines.length; i++) {
            entry.append(lines[i]);
            Matcher t = TRAILER.matcher(lines[i].replaceAll("\n$", ""));
            if (!t.matches()) {
                continue;
            }
            Optional<OffsetDateTime> when = trailerDate(t.group(1));
            if (when.isEmpty()) {
                return text;
            }
            if (when.get().toInstant().isBefore(CUTOFF) && entries >= MIN_ENTRIES) {
                break;
            }
            kept.append(entry);
            entry.setLength(0);
            entries++;
        }
        if (i < lines.length) {
            kept.append("\n# Older entries have been removed from this changelog.\n"
                    + "# To read the complete changelog use `apt changelog " + packageName + "`.\n");
        }
        return kept.toString();
    }
}

package io.dkmsdeb.model.dkms;

import io.dkmsdeb.model.UsageException;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which dkms release's rules dkms-deb reads and builds a dkms.conf by: a release from 3.0.10
 * (Debian 12's) to {@link #NEWEST}, or a Debian release naming the dkms it ships ({@code bookworm}:
 * 3.0.10, {@code trixie}: 3.2.2). The rules that differ are {@link DkmsRule}s.
 *
 * @param release the dkms release, e.g. {@code 3.0.10}
 */
public record DkmsLevel(String release) {
    private static final Pattern RELEASE = Pattern.compile("[0-9]+\\.[0-9]+\\.[0-9]+");
    /** Debian 12 bookworm's dkms: the default level. */
    public static final DkmsLevel BOOKWORM = new DkmsLevel("3.0.10");
    /** Debian 13 trixie's dkms. */
    public static final DkmsLevel TRIXIE = new DkmsLevel("3.2.2");
    /** The newest dkms release whose rules dkms-deb knows. */
    public static final DkmsLevel NEWEST = new DkmsLevel("3.4.3");
    /** The names --dkms-level takes besides release numbers. */
    public static final List<String> NAMES = List.of("bookworm", "trixie", "newest");

    public DkmsLevel {
        if (release == null || !RELEASE.matcher(release).matches()) {
            throw new UsageException("dkms level '" + release + "' is not a dkms release (like 3.0.10)");
        }
    }

    /** A release number (3.0.10 ... 3.4.3), a Debian release name (bookworm, trixie) or {@code newest}. */
    public static DkmsLevel parse(String value) {
        String v = value == null ? "" : value.strip().toLowerCase(java.util.Locale.ROOT);
        DkmsLevel level = switch (v) {
            case "bookworm" -> BOOKWORM;
            case "trixie" -> TRIXIE;
            case "newest" -> NEWEST;
            default -> {
                if (!RELEASE.matcher(v).matches()) {
                    throw new UsageException("--dkms-level " + value + " is neither a dkms release nor a known name; give a release from "
                            + BOOKWORM.release + " to " + NEWEST.release + " or one of " + String.join(", ", NAMES));
                }
                yield new DkmsLevel(v);
            }
        };
        if (compare(level.release, BOOKWORM.release) < 0 || compare(level.release, NEWEST.release) > 0) {
            throw new UsageException("--dkms-level " + value + " is outside the dkms releases dkms-deb knows; give a release from "
                    + BOOKWORM.release + " to " + NEWEST.release + " or one of " + String.join(", ", NAMES));
        }
        return level;
    }

    /** True when this level's dkms applies {@code rule}. */
    public boolean applies(DkmsRule rule) {
        return compare(release, rule.since()) >= 0;
    }

    /** The level as users name it: the release, with the Debian release that ships it. */
    public String describe() {
        return release.equals(BOOKWORM.release) ? release + " (Debian 12 bookworm)"
                : release.equals(TRIXIE.release) ? release + " (Debian 13 trixie)" : release;
    }

    private static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < 3; i++) {
            int c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    @Override
    public String toString() {
        return release;
    }
}

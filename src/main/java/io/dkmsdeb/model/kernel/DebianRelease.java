package io.dkmsdeb.model.kernel;

import io.dkmsdeb.model.UsageException;
import io.dkmsdeb.model.dkms.DkmsLevel;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Debian release by its codename ({@code bookworm}, {@code trixie}), as {@code VERSION_CODENAME} of
 * {@code /etc/os-release} and the archive's suites name it, and the release a kernel belongs to.
 *
 * @param codename lower-case letters, e.g. {@code trixie}
 */
public record DebianRelease(String codename) {
    private static final Pattern CODENAME = Pattern.compile("[a-z]+");
    /** {@code +debN} in a kernel release: the Debian version it was built for (6.12.43+deb13-amd64). */
    private static final Pattern DEB_SUFFIX = Pattern.compile("\\+deb([0-9]+)");
    /** The releases by number, from Debian 8 on; index 0 is Debian {@value #FIRST}. */
    private static final int FIRST = 8;
    private static final List<String> BY_NUMBER = List.of("jessie", "stretch", "buster", "bullseye", "bookworm", "trixie", "forky", "duke");
    /** Kernel ABIs Debian ships without a {@code +debN} suffix, and the release that ships them. */
    private static final List<String[]> PLAIN_ABIS = List.of(new String[] {"6.1.0-", "bookworm"}, new String[] {"5.10.0-", "bullseye"},
            new String[] {"4.19.0-", "buster"});

    public static final DebianRelease BOOKWORM = new DebianRelease("bookworm");
    public static final DebianRelease TRIXIE = new DebianRelease("trixie");

    public DebianRelease {
        if (codename == null || !CODENAME.matcher(codename).matches()) {
            throw new UsageException("Debian release '" + codename + "' is not a codename (lower-case letters, like trixie)");
        }
    }

    /** {@code value} as a release: a codename ({@code trixie}) or a Debian version number ({@code 13}). */
    public static DebianRelease parse(String value) {
        String v = value == null ? "" : value.strip().toLowerCase(java.util.Locale.ROOT);
        if (v.matches("[0-9]+")) {
            return ofNumber(Integer.parseInt(v)).orElseThrow(() -> new UsageException("Debian " + value + " is not a release dkms-deb knows; "
                    + "give its codename (" + String.join(", ", BY_NUMBER) + ")"));
        }
        return new DebianRelease(v);
    }

    /**
     * The release a Debian kernel was built for, from its release string: {@code +deb13} is trixie,
     * {@code +deb12} bookworm; the ABIs Debian ships without the suffix ({@code 6.1.0-N} of bookworm,
     * {@code 5.10.0-N} of bullseye) by their series. Empty for a kernel that says neither.
     */
    public static Optional<DebianRelease> ofKernel(String kernelRelease) {
        Matcher m = DEB_SUFFIX.matcher(kernelRelease);
        if (m.find()) {
            return ofNumber(Integer.parseInt(m.group(1)));
        }
        return PLAIN_ABIS.stream().filter(p -> kernelRelease.startsWith(p[0])).findFirst().map(p -> new DebianRelease(p[1]));
    }

    /**
     * The release a kernel's release string names itself ({@code +debN}); empty for one without the
     * suffix, whose release is only inferred from its series ({@link #ofKernel}).
     */
    public static Optional<DebianRelease> namedBy(String kernelRelease) {
        Matcher m = DEB_SUFFIX.matcher(kernelRelease);
        return m.find() ? ofNumber(Integer.parseInt(m.group(1))) : Optional.empty();
    }

    private static Optional<DebianRelease> ofNumber(int number) {
        int i = number - FIRST;
        return i >= 0 && i < BY_NUMBER.size() ? Optional.of(new DebianRelease(BY_NUMBER.get(i))) : Optional.empty();
    }

    /**
     * The dkms level of this release's dkms: bookworm's 3.0.10, trixie's 3.2.2; older releases the oldest level
     * dkms-deb knows (bookworm's), newer ones (and {@code sid}, or a codename not known here) the newest.
     */
    public DkmsLevel dkmsLevel() {
        int i = BY_NUMBER.indexOf(codename);
        if (i < 0 || i > BY_NUMBER.indexOf(TRIXIE.codename)) {
            return DkmsLevel.NEWEST;
        }
        return codename.equals(TRIXIE.codename) ? DkmsLevel.TRIXIE : DkmsLevel.BOOKWORM;
    }

    @Override
    public String toString() {
        return codename;
    }
}

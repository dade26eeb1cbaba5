package io.dkmsdeb.model;

import java.util.regex.Pattern;

/**
 * The one definition of each name and version rule: what dkms accepts in dkms.conf, what Debian
 * policy accepts in a package, what a kernel release may hold. Every check in dkms-deb uses
 * these (or builds a larger pattern from their {@link Pattern#pattern() text}).
 */
public final class NamePatterns {
    /** dkms's PACKAGE_NAME (and BUILD_DEPENDS entries). */
    public static final Pattern MODULE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]*");
    /** dkms's PACKAGE_VERSION. */
    public static final Pattern MODULE_VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+~:-]*");
    /** A module's file name without {@code .ko} (BUILT_MODULE_NAME, DEST_MODULE_NAME, an obj-m object). */
    public static final Pattern KO_NAME = Pattern.compile("[A-Za-z0-9_-]+");
    /** A Debian package name (policy 5.6.7). */
    public static final Pattern PACKAGE = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
    /** A Debian upstream version (policy 5.6.12), without epoch. */
    public static final Pattern UPSTREAM_VERSION = Pattern.compile("[0-9][A-Za-z0-9.+~-]*");
    /** A Debian revision (policy 5.6.12). */
    public static final Pattern REVISION = Pattern.compile("[A-Za-z0-9.+~]+");
    /** A whole Debian version, epoch allowed, as debian/changelog holds it. */
    public static final Pattern DEBIAN_VERSION = Pattern.compile("(?:[0-9]+:)?[0-9][A-Za-z0-9.+~:-]*");
    /** A kernel release as {@code uname -r} prints it. */
    public static final Pattern KERNEL_RELEASE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+~-]*");
    /** A debhelper substitution variable, {@code ${name}}; group 1 is the name. */
    public static final Pattern SUBSTVAR = Pattern.compile("\\$\\{([A-Za-z0-9][-_:0-9A-Za-z]*)\\}");

    private NamePatterns() {
    }

    /** Whether {@code value} matches {@code rule} as a whole. */
    public static boolean matches(Pattern rule, String value) {
        return rule.matcher(value).matches();
    }
}

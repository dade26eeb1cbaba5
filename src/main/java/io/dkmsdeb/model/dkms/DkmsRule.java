package io.dkmsdeb.model.dkms;

/**
 * A rule of dkms.conf that changed between dkms 3.0.10 (Debian 12) and the newest dkms release
 * dkms-deb knows ({@link DkmsLevel#NEWEST}): dkms from {@link #since} on applies it, older dkms
 * does not. docs/DKMS-LEVELS.md tables them with what dkms-deb does at each level.
 */
public enum DkmsRule {
    /** BUILD_EXCLUSIVE_KERNEL_MIN and _MAX exclude kernels; dkms 3.0.10 ignores them and builds. */
    KERNEL_MIN_MAX("3.0.11", "BUILD_EXCLUSIVE_KERNEL_MIN/_MAX exclude kernels outside the range"),
    /**
     * A dkms.conf that names no module: dkms 3.0.10 refuses it (no DEST_MODULE_LOCATION), later dkms accepts it with
     * a warning and builds nothing. dkms-deb refuses it at every level, there being nothing to package, and says which.
     */
    NO_MODULE_ACCEPTED("3.0.11", "a dkms.conf that names no module is accepted with a warning, and nothing is built"),
    /** BUILD_DEPENDS: a build stops (dkms exit 13) while a module it names is not installed for the kernel. */
    BUILD_DEPENDS("3.1.4", "BUILD_DEPENDS stops the build while a module it names is not installed for the kernel"),
    /** CRLF line endings are dropped from each value; dkms 3.0.10 keeps the CR in the values, and its build fails. */
    CRLF("3.1.5", "carriage returns at the ends of dkms.conf's lines are dropped from the values"),
    /** AUTOINSTALL must be yes or no; before, any non-empty value meant yes (even "no"). */
    AUTOINSTALL_YES_NO("3.1.7", "AUTOINSTALL must be yes or no (before: any non-empty value meant yes)"),
    /** A PRE_BUILD or POST_BUILD script that fails stops the build; before, its status was ignored. */
    BUILD_SCRIPTS_FATAL("3.1.7", "a failing PRE_BUILD or POST_BUILD script fails the build"),
    /** Two module records with the same built file or the same destination name are refused. */
    DUPLICATE_MODULES("3.1.7", "two module records with one built file or one destination name are refused"),
    /** OBSOLETE_BY, when BUILD_EXCLUSIVE_KERNEL_MAX is unset, excludes the kernels newer than it. */
    OBSOLETE_BY_EXCLUDES("3.2.2", "OBSOLETE_BY excludes the kernels newer than it from the build"),
    /**
     * BUILD_EXCLUSIVE_KERNEL[i], _KERNEL_MIN[i], _KERNEL_MAX[i], _ARCH[i] and _CONFIG[i] of a record i other than 0
     * exclude that record's module only; before, only element 0 was read (bash's {@code $VAR}), for the whole package.
     * Element 0 still decides for every module.
     */
    PER_MODULE_EXCLUSIVE("3.3.0", "BUILD_EXCLUSIVE_*[i] of record i > 0 excludes that record's module only");

    private final String since;
    private final String summary;

    DkmsRule(String since, String summary) {
        this.since = since;
        this.summary = summary;
    }

    /** The first dkms release that applies the rule. */
    public String since() {
        return since;
    }

    public String summary() {
        return summary;
    }

    /**
     * A rule a dkms.conf relies on or runs into, as read at one level.
     *
     * @param rule    the rule
     * @param applied whether the level's dkms applies it
     * @param detail  what in the file meets the rule, and what the level's dkms does with it
     */
    public record Note(DkmsRule rule, boolean applied, String detail) {
    }
}

package io.dkmsdeb.pipeline;

import io.dkmsdeb.model.NamePatterns;
import io.dkmsdeb.model.ModuleSourceException;
import io.dkmsdeb.model.UsageException;


/** Package names and versions as Debian policy 5.6.7 and 5.6.12 allow them. */
public final class DebianNames {

    private DebianNames() {
    }

    /**
     * The -dkms package name for a dkms module: lower case, '_' to '-', "-dkms" appended unless
     * present. Upper case is refused rather than silently changed; the message points to
     * {@code --name}, which takes the base name (NAME of NAME-dkms), as bmdeb's does.
     */
    public static String dkmsPackage(String moduleName) {
        String base = withoutDkms(lowerCase(moduleName));
        String wayOut = "give the base name with --name " + base + " (for " + base + "-dkms)";
        return withSuffix(base(moduleName, wayOut), "-dkms");
    }

    /**
     * The -dkms package that {@code --name NAME} names: NAME-dkms. NAME is the base name, the same
     * as bmdeb's {@code --name} (NAME-modules-KVER); a NAME that already ends in -dkms is taken as
     * the package name itself.
     */
    public static String dkmsPackageNamed(String name) {
        requirePackageName(name, "--name");
        return requirePackageName(name.endsWith("-dkms") ? name : name + "-dkms", "--name");
    }

    /**
     * The -modules-KVER package name: base name, "-modules-", the kernel release in policy characters.
     * Upper case is refused; the message points to the {@code bmdeb} command's {@code --name}, which
     * takes the base name (NAME of NAME-modules-KVER).
     */
    public static String modulesPackage(String moduleName, String kernelRelease) {
        String base = withoutDkms(base(moduleName, modulesWayOut(moduleName)));
        return requirePackageName(base + modulesSuffix(kernelRelease), "the module name and kernel release");
    }

    /** A kernel release as the -modules package names hold it: lower case, '_' to '-', other characters outside policy 5.6.1 to '-'. */
    public static String kernelPart(String kernelRelease) {
        return kernelRelease.toLowerCase(java.util.Locale.ROOT).replace('_', '-').replaceAll("[^a-z0-9+.-]", "-");
    }

    /**
     * The name behind {@code NAME-modules} in Provides: the package base without -dkms. Upper case
     * is refused as in {@link #modulesPackage}.
     */
    public static String providesBase(String moduleName) {
        return withoutDkms(base(moduleName, modulesWayOut(moduleName)));
    }

    /** The end of the Source field of every package bmdeb and repo make: {@code NAME-dkms-bin}, as dkms mkbmdeb named it. */
    private static final String DKMS_BIN = "-dkms-bin";

    /** The Source field of the packages built from module NAME ({@link #providesBase}): {@code NAME-dkms-bin}. */
    public static String dkmsBinSource(String providesBase) {
        return providesBase + DKMS_BIN;
    }

    /**
     * The module NAME of a Source field {@code NAME-dkms-bin} (a version in parentheses after it allowed),
     * or empty when the package is not one of bmdeb's or repo's.
     */
    public static java.util.Optional<String> moduleOfSource(String sourceField) {
        String source = sourceField == null ? "" : sourceField.replaceFirst("\\s*\\(.*\\)$", "");
        return source.endsWith(DKMS_BIN) && source.length() > DKMS_BIN.length()
                ? java.util.Optional.of(source.substring(0, source.length() - DKMS_BIN.length())) : java.util.Optional.empty();
    }

    /** The part of a -modules-KVER package name after NAME: {@code -modules-KVER}, the release as {@link #kernelPart} has it. */
    public static String modulesSuffix(String kernelRelease) {
        return "-modules-" + kernelPart(kernelRelease);
    }

    /** The meta-package of module NAME for a kernel flavour: {@code NAME-modules-FLAVOUR} (amd64, cloud-amd64, rt-amd64). */
    public static String modulesMetaPackage(String module, String flavour) {
        return requirePackageName(module + "-modules-" + flavour, "the module name and kernel flavour");
    }

    /** The package of the modules' signing certificate: {@code NAME-modules-cert}, NAME as in {@link #providesBase}. */
    public static String modulesCertPackage(String moduleName) {
        return requirePackageName(providesBase(moduleName) + "-modules-cert", "the module name");
    }

    private static String modulesWayOut(String moduleName) {
        String base = withoutDkms(lowerCase(moduleName));
        return "give the base name of the packages with --name " + base + " (for " + base + "-modules-KVER)";
    }

    private static String lowerCase(String moduleName) {
        return moduleName.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    private static String withoutDkms(String name) {
        return name.endsWith("-dkms") ? name.substring(0, name.length() - "-dkms".length()) : name;
    }

    /** PACKAGE_NAME with '_' as '-'; upper case refused, with {@code wayOut} as the advice. */
    private static String base(String moduleName, String wayOut) {
        if (!moduleName.equals(moduleName.toLowerCase())) {
            throw new ModuleSourceException("PACKAGE_NAME '" + moduleName + "' has upper-case letters, which a Debian "
                    + "package name cannot have; rename the module in dkms.conf, or " + wayOut);
        }
        return moduleName.replace('_', '-');
    }

    private static String withSuffix(String base, String suffix) {
        String name = base.endsWith(suffix) ? base : base + suffix;
        return requirePackageName(name, "PACKAGE_NAME");
    }

    /** Checks a package name given by the user or derived from {@code origin}. */
    public static String requirePackageName(String name, String origin) {
        if (!NamePatterns.matches(NamePatterns.PACKAGE, name)) {
            throw new ModuleSourceException("package name '" + name + "' (from " + origin + ") is not a valid Debian package name: "
                    + "it must be at least two characters of a-z, 0-9, '+', '-' and '.', starting with a letter or digit (policy 5.6.7)");
        }
        return name;
    }

    /** {@code upstream-revision}, both checked against policy 5.6.12. */
    public static String debianVersion(String upstream, String revision) {
        if (!NamePatterns.matches(NamePatterns.UPSTREAM_VERSION, upstream)) {
            throw new ModuleSourceException("version '" + upstream + "' is not a valid Debian upstream version: it must start "
                    + "with a digit and hold only A-Z a-z 0-9 . + ~ - (policy 5.6.12); fix PACKAGE_VERSION in dkms.conf, or the version given with -V");
        }
        if (!NamePatterns.matches(NamePatterns.REVISION, revision)) {
            throw new UsageException("revision '" + revision + "' is not a valid Debian revision: use A-Z a-z 0-9 . + ~ only, e.g. 1");
        }
        return upstream + "-" + revision;
    }

    /** Checks an upstream version used without a revision (the -modules packages). */
    public static String requireUpstreamVersion(String version) {
        if (!NamePatterns.matches(NamePatterns.UPSTREAM_VERSION, version) || version.contains("-")
                && !NamePatterns.matches(NamePatterns.REVISION, version.substring(version.lastIndexOf('-') + 1))) {
            throw new ModuleSourceException("version '" + version + "' is not a valid Debian version: it must start with a "
                    + "digit and hold only A-Z a-z 0-9 . + ~ - (policy 5.6.12)");
        }
        return version;
    }
}

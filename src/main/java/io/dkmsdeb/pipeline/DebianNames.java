package io.dkmsdeb.pipeline;

import io.dkmsdeb.model.ModuleSourceException;
import io.dkmsdeb.model.UsageException;

import java.util.regex.Pattern;

/** Package names and versions as Debian policy 5.6.7 and 5.6.12 allow them. */
public final class DebianNames {
    private static final Pattern PACKAGE = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
    private static final Pattern UPSTREAM = Pattern.compile("[0-9][A-Za-z0-9.+~-]*");
    private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9.+~]+");

    private DebianNames() {
    }

    /**
     * The -dkms package name for a dkms module: lower case, '_' to '-', "-dkms" appended unless
     * present. Upper case is refused rather than silently changed.
     */
    public static String dkmsPackage(String moduleName) {
        return withSuffix(base(moduleName), "-dkms");
    }

    /** The -modules-KVER package name: base name, "-modules-", the kernel release in policy characters. */
    public static String modulesPackage(String moduleName, String kernelRelease) {
        String base = base(moduleName);
        if (base.endsWith("-dkms")) {
            base = base.substring(0, base.length() - "-dkms".length());
        }
        String kver = kernelRelease.toLowerCase().replace('_', '-').replaceAll("[^a-z0-9+.-]", "-");
        return requirePackageName(base + "-modules-" + kver, "the module name and kernel release");
    }

    /** The name behind {@code NAME-modules} in Provides: the package base without -dkms. */
    public static String providesBase(String moduleName) {
        String base = base(moduleName);
        return base.endsWith("-dkms") ? base.substring(0, base.length() - 5) : base;
    }

    private static String base(String moduleName) {
        if (!moduleName.equals(moduleName.toLowerCase())) {
            throw new ModuleSourceException("PACKAGE_NAME '" + moduleName + "' has upper-case letters, which a Debian "
                    + "package name cannot have; rename the module in dkms.conf, or give the package name with --name "
                    + moduleName.toLowerCase().replace('_', '-') + "-dkms");
        }
        return moduleName.replace('_', '-');
    }

    private static String withSuffix(String base, String suffix) {
        String name = base.endsWith(suffix) ? base : base + suffix;
        return requirePackageName(name, "PACKAGE_NAME");
    }

    /** Checks a package name given by the user or derived from {@code origin}. */
    public static String requirePackageName(String name, String origin) {
        if (!PACKAGE.matcher(name).matches()) {
            throw new ModuleSourceException("package name '" + name + "' (from " + origin + ") is not a valid Debian package name: "
                    + "it must be at least two characters of a-z, 0-9, '+', '-' and '.', starting with a letter or digit (policy 5.6.7)");
        }
        return name;
    }

    /** {@code upstream-revision}, both checked against policy 5.6.12. */
    public static String debianVersion(String upstream, String revision) {
        if (!UPSTREAM.matcher(upstream).matches()) {
            throw new ModuleSourceException("version '" + upstream + "' is not a valid Debian upstream version: it must start "
                    + "with a digit and hold only A-Z a-z 0-9 . + ~ - (policy 5.6.12); fix PACKAGE_VERSION or pass -V");
        }
        if (!REVISION.matcher(revision).matches()) {
            throw new UsageException("revision '" + revision + "' is not a valid Debian revision: use A-Z a-z 0-9 . + ~ only, e.g. 1");
        }
        return upstream + "-" + revision;
    }

    /** Checks an upstream version used without a revision (the -modules packages). */
    public static String requireUpstreamVersion(String version) {
        if (!UPSTREAM.matcher(version).matches() || version.contains("-") && !version.matches(".*-[A-Za-z0-9.+~]+")) {
            throw new ModuleSourceException("version '" + version + "' is not a valid Debian version: it must start with a "
                    + "digit and hold only A-Z a-z 0-9 . + ~ - (policy 5.6.12)");
        }
        return version;
    }
}

package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.debiandir.DebianVersion;
import io.dkmsdeb.model.NamePatterns;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Version of a package bmdeb writes, so that a package name and version never stand for two
 * different contents. A rebuild whose inputs differ from those of a package already there with the
 * same name and version (in {@code -o}, a {@code --reuse-from} directory or its repository) gets
 * Debian's binNMU version: {@code VERSION+bN}, N one above the highest {@code +bN} of that VERSION
 * found. dpkg sorts {@code 1.0 < 1.0+b1 < 1.0+b2 < 1.1} and {@code 1.0-1 < 1.0-1+b1 < 1.0-2}, so
 * apt upgrades to the rebuild, and a new upstream version or revision still upgrades from it; it is
 * what Debian's own archive gives a binary package rebuilt without a change of its source.
 *
 * <p>The choice depends only on the packages found and the inputs digest, so the same state of
 * those directories and the same inputs give the same version, and the same bytes.
 */
final class ModulesVersion {
    /** {@code +bN}, as Debian's binNMUs, N from 1. */
    private static final Pattern BIN_NMU = Pattern.compile("\\+b([1-9][0-9]{0,8})");

    private ModulesVersion() {
    }

    /**
     * The version chosen.
     *
     * @param version  the Version to write
     * @param previous the package of the same name and base version with other inputs that the new one follows
     *                 (the highest of that base version), or null when there is none
     * @param same     a package of the same name with the same inputs (a --rebuild, or one that an index lists without its
     *                 file), whose version is kept, or null
     * @param higher   a package of the same name whose version sorts above {@code version}, or null: apt will not upgrade to it
     */
    record Choice(String version, BmdebPackages.Known previous, BmdebPackages.Known same, BmdebPackages.Known higher) {
    }

    /**
     * The version of the package {@code packageName} built from {@code inputs}, given the packages
     * {@code known} (of any name; those of another name are ignored).
     *
     * @param base   the version the package would have without any earlier build: PACKAGE_VERSION[-REVISION]
     * @param inputs its {@value BuildInputs#FIELD}; null matches no package (a new version is chosen in any case)
     */
    static Choice choose(String base, String packageName, String inputs, List<BmdebPackages.Known> known) {
        List<BmdebPackages.Known> named = known.stream().filter(k -> k.packageName().equals(packageName)).toList();
        Comparator<BmdebPackages.Known> byVersion = (a, b) -> DebianVersion.compare(a.version(), b.version());
        Optional<BmdebPackages.Known> same = named.stream().filter(k -> inputs != null && inputs.equals(k.inputs())
                && sameLine(base, k.version())).max(byVersion);
        String version;
        BmdebPackages.Known previous = null;
        if (same.isPresent()) {
            version = same.get().version();
        } else {
            previous = named.stream().filter(k -> sameLine(base, k.version())).max(byVersion).orElse(null);
            int n = named.stream().mapToInt(k -> binNmu(base, k.version())).max().orElse(-1);
            version = n < 0 ? base : base + "+b" + (n + 1);
        }
        BmdebPackages.Known higher = named.stream().filter(k -> DebianVersion.compare(k.version(), version) > 0).max(byVersion).orElse(null);
        return new Choice(version, previous, same.orElse(null), higher);
    }

    /** True when {@code version} is {@code base} or {@code base+bN}. */
    private static boolean sameLine(String base, String version) {
        return binNmu(base, version) >= 0;
    }

    /** N of {@code base+bN}, 0 for {@code base} itself, -1 for any other version. */
    static int binNmu(String base, String version) {
        if (version.equals(base)) {
            return 0;
        }
        if (!version.startsWith(base)) {
            return -1;
        }
        Matcher m = BIN_NMU.matcher(version.substring(base.length()));
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /**
     * The Debian revision that the modules' version follows: that of the {@code -dkms} package the
     * source came from, when its Version (epoch left out) is {@code PACKAGE_VERSION-REVISION}
     * ({@code acpi-call-dkms 1.2.2-2.1} with PACKAGE_VERSION 1.2.2: {@code 2.1}). Empty when there is
     * no such package, when its Version has no revision, or when its upstream part is not
     * PACKAGE_VERSION (a revision of another upstream version would not order the modules' versions).
     */
    static Optional<String> dkmsRevision(String dkmsPackageVersion, String packageVersion) {
        if (dkmsPackageVersion == null || packageVersion == null) {
            return Optional.empty();
        }
        String v = dkmsPackageVersion.substring(dkmsPackageVersion.indexOf(':') + 1);
        int dash = v.lastIndexOf('-');
        if (dash < 0 || !v.substring(0, dash).equals(packageVersion)) {
            return Optional.empty();
        }
        String revision = v.substring(dash + 1);
        return NamePatterns.matches(NamePatterns.REVISION, revision) ? Optional.of(revision) : Optional.empty();
    }
}

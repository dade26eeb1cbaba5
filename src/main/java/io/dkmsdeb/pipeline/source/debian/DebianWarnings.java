package io.dkmsdeb.pipeline.source.debian;

import io.dkmsdeb.model.NamePatterns;
import io.dkmsdeb.debiandir.DebianDir;
import io.dkmsdeb.support.Log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Says which parts of a debian/ directory dkms-deb does not honour, so that nobody believes
 * they were applied: debian/rules targets it does not run, patches it does not apply, other
 * binary packages, and packaging files it does not read. Also works out the version that
 * {@code dh_dkms -V} would put into dkms.conf.
 */
final class DebianWarnings {
    /** Files of debian/ that are read, or that only matter to steps dkms-deb has no part in. */
    private static final Set<String> KNOWN = Set.of("changelog", "control", "rules", "copyright", "compat", "source",
            "watch", "gbp.conf", "upstream", "tests", "salsa-ci.yml", "gitlab-ci.yml", "clean", "patches",
            "files", "debhelper-build-stamp", ".debhelper", "tmp");
    /** Package-specific files that are read (debian/PACKAGE.x, or debian/x for the first package). */
    private static final List<String> READ = List.of("dkms", "install", "modprobe", "docs", "lintian-overrides", "copyright",
            "README.Debian", "udev", "triggers", "preinst", "postinst", "prerm", "postrm", "maintscript", "links", "dirs", "examples",
            "manpages");
    private static final Set<String> NO_OP_WHEN_EMPTY = Set.of("override_dh_auto_configure", "override_dh_auto_build",
            "override_dh_auto_test", "override_dh_auto_install", "override_dh_auto_clean");
    private static final Pattern UPSTREAM_VARIABLE = Pattern.compile("\\$[({]DEB_VERSION_UPSTREAM[)}]");

    private DebianWarnings() {
    }

    static void report(DebianDir d, List<String> pkgs) {
        for (String other : d.binaries().stream().map(DebianRoute::name).filter(n -> !pkgs.contains(n)).toList()) {
            Log.warn(d.debian().resolve("control") + " also describes package " + other + ", which dkms-deb does not build; "
                    + "it writes " + String.join(" and ", pkgs) + " only");
        }
        rules(d);
        Path series = d.debian().resolve("patches/series");
        if (Files.isRegularFile(series) && series.toFile().length() > 0) {
            Log.warn(series + " lists patches, which dkms-deb does not apply (dpkg-source would); apply them to the tree first, "
                    + "or ship them as dkms PATCH[#] entries");
        }
        try (Stream<Path> files = Files.list(d.debian())) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (!KNOWN.contains(name) && pkgs.stream().noneMatch(pkg -> isRead(d, pkg, name)) && !isBuildOutput(d, name)) {
                    Log.warn(f + " is not read by dkms-deb" + hint(name) + "; what it would add is not in the package");
                }
            }
        } catch (IOException e) {
            Log.warn("cannot list " + d.debian() + ": " + e.getMessage());
        }
    }

    private static void rules(DebianDir d) {
        Path rules = d.debian().resolve("rules");
        for (String target : d.rules().targets().keySet()) {
            if (NO_OP_WHEN_EMPTY.contains(target) && d.rules().isEmpty(target)) {
                continue;
            }
            if (target.equals("override_dh_dkms") && d.rules().targets().get(target).stream().allMatch(l -> l.startsWith("dh_dkms"))) {
                continue;
            }
            if (target.equals("override_dh_install") && d.rules().plainDhInstallCalls().isPresent()) {
                continue;    // plain dh_install calls, installed as dh_install would
            }
            String instead = switch (target) {
                case "override_dh_install" -> ": dkms-deb honours only plain 'dh_install [-pPACKAGE] FILE... DEST' lines "
                        + "(no variables or shell syntax); it reads debian/PACKAGE.install and otherwise installs the directory "
                        + "with the obj-m Makefile under /usr/src/NAME-VERSION/";
                case "override_dh_dkms" -> ": dkms-deb runs the equivalent of dh_dkms -V";
                default -> target.startsWith("override_dh_auto_") ? ": dkms-deb builds nothing (dkms builds on the target)" : "";
            };
            Log.warn(rules + ": target " + target + " is not run" + instead);
        }
    }

    private static boolean isRead(DebianDir d, String pkg, String name) {
        return READ.stream().anyMatch(r -> name.equals(pkg + "." + r) || name.equals(r) && pkg.equals(d.mainPackage()));
    }

    /** What dh leaves in debian/ after a build: package build directories, substvars, logs. */
    private static boolean isBuildOutput(DebianDir d, String name) {
        return d.binaries().stream().map(DebianRoute::name).anyMatch(p -> name.equals(p) || name.startsWith(p + ".")
                && (name.endsWith(".substvars") || name.endsWith(".debhelper") || name.endsWith(".debhelper.log")))
                || name.endsWith(".dkms.debhelper");
    }

    private static String hint(String name) {
        if (name.matches(".*\\b(preinst|postinst|prerm|postrm|maintscript|triggers|udev|links|dirs)$")) {
            return " (only the -dkms packages' own files are read; this one belongs to no package dkms-deb writes)";
        }
        return "";
    }

    /**
     * The module version dh_dkms -V puts for #MODULE_VERSION#: the value given to -V in
     * override_dh_dkms when it is a literal version, else the changelog's upstream version.
     */
    static String dhDkmsVersion(DebianDir d, String pkg) {
        String upstream = d.changelog().upstream();
        var flag = d.rules().dhDkmsVersionFlag();
        if (flag.isEmpty() || flag.get().isEmpty() || UPSTREAM_VARIABLE.matcher(flag.get()).matches()) {
            return upstream;
        }
        if (NamePatterns.matches(NamePatterns.UPSTREAM_VERSION, flag.get())) {
            return flag.get();
        }
        Log.warn(d.debian().resolve("rules") + ": dh_dkms -V " + flag.get() + " cannot be worked out without make; dkms-deb uses "
                + "the changelog's upstream version " + upstream + " (pass -V to choose another)");
        return upstream;
    }
}

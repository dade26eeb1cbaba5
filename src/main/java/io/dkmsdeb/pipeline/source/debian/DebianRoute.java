package io.dkmsdeb.pipeline.source.debian;

import io.dkmsdeb.pipeline.ModuleSourceLoader;
import io.dkmsdeb.deb.Deb822;
import io.dkmsdeb.debiandir.DebianDir;
import io.dkmsdeb.debiandir.DebianRules;
import io.dkmsdeb.debiandir.DhInstall;
import io.dkmsdeb.dkmsconf.DkmsConfReader;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.model.dkms.ModuleSource;
import io.dkmsdeb.model.ModuleSourceException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The module side of a tree with a debian/ directory, read as dh_dkms reads it: which binary
 * package dh_dkms acts on, and its dkms.conf ({@code debian/PACKAGE.dkms} or {@code debian/dkms},
 * either the file itself or the path of one) with {@code #MODULE_VERSION#} replaced as
 * {@code dh_dkms -V} does.
 */
final class DebianRoute {
    /** dh_dkms takes a .dkms file for a dkms.conf when it has a quoted PACKAGE_NAME. */
    private static final Pattern SNIPPET = Pattern.compile("PACKAGE_NAME=([\"'])(.*)\\1");
    private static final String PLACEHOLDER = ModuleSourceLoader.VERSION_PLACEHOLDER;

    private DebianRoute() {
    }

    /**
     * The binary packages dh_dkms acts on: the one named by {@code --name}, else every one with a
     * {@code .dkms} file, else the only {@code -dkms} package, else the only package.
     */
    static List<Deb822.Paragraph> chooseBinaries(DebianDir d, String nameOption) {
        if (nameOption == null) {
            List<Deb822.Paragraph> withDkms = d.binaries().stream().filter(p -> d.pkgfile(name(p), "dkms").isPresent()).toList();
            if (withDkms.size() > 1) {
                return withDkms;
            }
        }
        return List.of(chooseBinary(d, nameOption));
    }

    /**
     * The Architecture a package is built with here, as dpkg-buildpackage -b decides: {@code all},
     * or this machine's architecture when the field names it ({@code any}, {@code linux-any},
     * {@code ARCH}, {@code any-ARCH}, {@code linux-ARCH}); empty when the package is not built here.
     */
    static Optional<String> architecture(Deb822.Paragraph binary, String hostArch) {
        List<String> words = List.of(binary.get("Architecture").orElse("").strip().split("\\s+"));
        if (words.contains("all")) {
            return Optional.of("all");
        }
        boolean matches = words.stream().anyMatch(w -> w.equals(hostArch) || w.equals("any") || w.equals("linux-any")
                || w.equals("any-" + hostArch) || w.equals("linux-" + hostArch));
        return matches ? Optional.of(hostArch) : Optional.empty();
    }

    /**
     * What dh_install installs into {@code pkg}: its .install file, or, when override_dh_install
     * is only plain dh_install calls, what those calls install (the .install file of each package
     * a call acts on, and the call's files for the first of them). {@code built} are the packages
     * dpkg-buildpackage builds here, in control-file order.
     */
    static List<DhInstall.Item> installItems(DebianDir d, String pkg, List<String> built, java.util.Map<String, String> env) {
        Optional<List<DebianRules.DhInstallCall>> calls = d.rules().plainDhInstallCalls();
        List<DhInstall.Item> items = new java.util.ArrayList<>();
        if (calls.isEmpty()) {
            d.pkgfile(pkg, "install").ifPresent(f -> items.addAll(DhInstall.read(d.root(), f, env, d.compat())));
            return items;
        }
        for (DebianRules.DhInstallCall call : calls.get()) {
            List<String> actsOn = built.stream().filter(b -> call.packages().isEmpty() || call.packages().contains(b)).toList();
            if (!actsOn.contains(pkg)) {
                continue;
            }
            d.pkgfile(pkg, "install").ifPresent(f -> items.addAll(DhInstall.read(d.root(), f, env, d.compat())));
            if (!call.args().isEmpty() && actsOn.get(0).equals(pkg)) {
                items.addAll(DhInstall.items(d.root(), call.args(), d.debian().resolve("rules") + " (override_dh_install: dh_install "
                        + String.join(" ", call.args()) + ")"));
            }
        }
        return items;
    }

    /**
     * The mtime of the dkms.conf dh_dkms installs: its source's ({@code install -p}) when dh_dkms
     * copies it unchanged, else the build time (dh_dkms -V writes a new file with sed).
     */
    static long dkmsConfMtime(DebianDir d, String pkg, boolean versionOption) {
        Optional<Path> dkmsFile = d.pkgfile(pkg, "dkms");
        if (dkmsFile.isEmpty() || versionOption || d.rules().dhDkmsVersionFlag().isPresent()) {
            return io.dkmsdeb.model.deb.DebEntry.BUILD_TIME;
        }
        Path conf = confFile(d, dkmsFile.get());
        if (DebianDir.readText(conf).contains(PLACEHOLDER)) {
            return io.dkmsdeb.model.deb.DebEntry.BUILD_TIME;
        }
        try {
            return Files.getLastModifiedTime(conf).to(java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.io.IOException e) {
            throw new ModuleSourceException("cannot read the time of " + conf + ": " + e.getMessage() + "; make it readable", e);
        }
    }

    /**
     * The binary package dh_dkms acts on: the one named by {@code --name}, else the one with a
     * {@code .dkms} file, else the only {@code -dkms} package, else the only package.
     */
    static Deb822.Paragraph chooseBinary(DebianDir d, String nameOption) {
        Path control = d.debian().resolve("control");
        if (nameOption != null) {
            // --name is the base name, as bmdeb's: NAME-dkms if debian/control has it, else the package NAME itself
            return d.binary(nameOption + "-dkms").or(() -> d.binary(nameOption)).orElseThrow(() -> new ModuleSourceException(control + " has no package " + nameOption
                    + "; its packages are " + packageNames(d) + ": pass one of them with --name"));
        }
        List<Deb822.Paragraph> withDkms = d.binaries().stream().filter(p -> d.pkgfile(name(p), "dkms").isPresent()).toList();
        List<Deb822.Paragraph> dkmsNamed = d.binaries().stream().filter(p -> name(p).endsWith("-dkms")).toList();
        for (List<Deb822.Paragraph> candidates : List.of(withDkms, dkmsNamed, d.binaries())) {
            if (candidates.size() == 1) {
                return candidates.get(0);
            }
            if (candidates.size() > 1) {
                throw new ModuleSourceException(control + " describes several packages that could hold the module ("
                        + String.join(", ", candidates.stream().map(DebianRoute::name).toList())
                        + "); dkms-deb writes one: choose it with --name");
            }
        }
        throw new ModuleSourceException(control + " has no binary package");
    }

    static String name(Deb822.Paragraph p) {
        return p.get("Package").orElseThrow();
    }

    private static List<String> packageNames(DebianDir d) {
        return d.binaries().stream().map(DebianRoute::name).toList();
    }

    /**
     * The module source: dkms.conf from debian/ (placeholder filled with {@code version}) read
     * as dkms does, the tree being {@code moduleDir}; without a .dkms file, the module
     * directory's own dkms.conf, or one generated from its obj-m lines.
     */
    static ModuleSource load(DebianDir d, String pkg, Path moduleDir, String version, boolean versionOption,
                             ModuleSourceLoader loader, DkmsConfReader.Context context) {
        Optional<Path> dkmsFile = d.pkgfile(pkg, "dkms");
        if (dkmsFile.isEmpty()) {
            Log.warn(d.debian() + " has no " + pkg + ".dkms (nor dkms), so dh_dkms would leave " + pkg
                    + " without dkms.conf; dkms-deb uses the module's own, from " + moduleDir);
            return loader.load(moduleDir, null, null, context);
        }
        Path confFile = confFile(d, dkmsFile.get());
        String text = DebianDir.readText(confFile);
        if (text.contains(PLACEHOLDER)) {
            if (!versionOption && d.rules().dhDkmsVersionFlag().isEmpty()) {
                Log.warn(confFile + " has " + PLACEHOLDER + ", but debian/rules does not call dh_dkms -V, so dh would leave it "
                        + "unreplaced; dkms-deb fills in " + version + " as dh_dkms -V does (add 'override_dh_dkms: dh_dkms -V' to debian/rules)");
            }
            text = text.replace(PLACEHOLDER, version);
        }
        return loader.fromText(moduleDir, text.getBytes(StandardCharsets.UTF_8), confFile, context, false);
    }

    /** A .dkms file is the dkms.conf itself when it sets a quoted PACKAGE_NAME; else it names one file. */
    private static Path confFile(DebianDir d, Path dkmsFile) {
        String text = DebianDir.readText(dkmsFile);
        if (SNIPPET.matcher(text).find()) {
            return dkmsFile;
        }
        List<String> words = text.lines().filter(l -> !l.strip().startsWith("#"))
                .flatMap(l -> List.of(l.strip().split("\\s+")).stream()).filter(w -> !w.isEmpty()).toList();
        if (words.size() != 1) {
            throw new ModuleSourceException(dkmsFile + " is neither a dkms.conf (no quoted PACKAGE_NAME=\"...\") nor the path of one"
                    + (words.isEmpty() ? "" : " (it lists " + words.size() + " words)")
                    + "; put the dkms.conf itself there, or one path relative to " + d.root());
        }
        String rel = words.get(0);
        Path conf = d.root().resolve(rel).normalize();
        if (rel.startsWith("/") || !conf.startsWith(d.root().normalize()) || !Files.isRegularFile(conf)) {
            throw new ModuleSourceException(dkmsFile + " names " + rel + ", which is not a file below " + d.root()
                    + "; give the dkms.conf's path relative to the directory that holds debian/");
        }
        return conf;
    }
}

package io.dkmsdeb.debiandir;

import io.dkmsdeb.deb.Deb822;
import io.dkmsdeb.model.ModuleSourceException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A packaging directory as dh reads it: {@code debian/} in the module tree or its parent, with
 * {@code changelog}, {@code control} (the source stanza and the binary stanzas) and
 * {@code rules}. Package-specific files are found as debhelper's {@code pkgfile} finds them:
 * {@code debian/PACKAGE.NAME}, else {@code debian/NAME} for the first package of the control
 * file.
 *
 * @param root      the directory holding debian/ (dh runs there; install globs are relative to it)
 * @param changelog the newest changelog entry
 * @param source    the control file's source stanza
 * @param binaries  its binary stanzas, in file order
 * @param rules     override targets of debian/rules
 * @param compat    the debhelper compat level: {@code debian/compat}, or {@code debhelper-compat (= N)} in Build-Depends
 */
public record DebianDir(Path root, Changelog changelog, Deb822.Paragraph source, List<Deb822.Paragraph> binaries,
                        DebianRules rules, int compat) {
    /** The compat levels whose behaviours dkms-deb follows (debhelper 13's supported range from 10 on). */
    public static final int MIN_COMPAT = 10;
    public static final int MAX_COMPAT = 13;
    private static final java.util.regex.Pattern COMPAT_RELATION =
            java.util.regex.Pattern.compile("(?:^|,)\\s*debhelper-compat\\s*\\(\\s*=\\s*([0-9]+)\\s*\\)");

    public DebianDir {
        binaries = List.copyOf(binaries);
    }

    /** The debian/ directory for a module tree: in {@code dir} itself, else in its parent; none when neither has changelog and control. */
    public static Optional<DebianDir> find(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        for (Path root : abs.getParent() == null ? List.of(abs) : List.of(abs, abs.getParent())) {
            Path debian = root.resolve("debian");
            if (Files.isRegularFile(debian.resolve("control")) && Files.isRegularFile(debian.resolve("changelog"))) {
                return Optional.of(read(root));
            }
        }
        return Optional.empty();
    }

    /** Reads {@code root/debian}. */
    public static DebianDir read(Path root) {
        Path debian = root.resolve("debian");
        Changelog changelog = Changelog.parse(readText(debian.resolve("changelog")), debian.resolve("changelog").toString());
        List<Deb822.Paragraph> stanzas;
        try {
            stanzas = Deb822.parse(readText(debian.resolve("control")));
        } catch (Deb822.SyntaxException e) {
            throw new ModuleSourceException(debian.resolve("control") + ": " + e.getMessage() + "; fix the control file", e);
        }
        if (stanzas.size() < 2 || stanzas.get(0).get("Source").isEmpty()) {
            throw new ModuleSourceException(debian.resolve("control") + " must start with a Source stanza followed by at least one "
                    + "Package stanza; add the binary package (e.g. Package: NAME-dkms, Architecture: all)");
        }
        for (Deb822.Paragraph p : stanzas.subList(1, stanzas.size())) {
            if (p.get("Package").isEmpty()) {
                throw new ModuleSourceException(debian.resolve("control") + ": the stanza at line " + p.firstLine()
                        + " has no Package field; every stanza after the first describes a binary package");
            }
        }
        Path rulesFile = debian.resolve("rules");
        DebianRules rules = Files.isRegularFile(rulesFile) ? DebianRules.parse(readText(rulesFile)) : DebianRules.parse("");
        return new DebianDir(root, changelog, stanzas.get(0), stanzas.subList(1, stanzas.size()), rules,
                compat(debian, stanzas.get(0)));
    }

    /** debhelper's compat level: debian/compat or the debhelper-compat build dependency (not both), as dh reads it. */
    static int compat(Path debian, Deb822.Paragraph source) {
        Path file = debian.resolve("compat");
        String buildDepends = source.folded("Build-Depends").orElse("").replace('\n', ' ');
        java.util.regex.Matcher m = COMPAT_RELATION.matcher(buildDepends);
        Integer fromControl = m.find() ? Integer.valueOf(m.group(1)) : null;
        Integer fromFile = null;
        if (Files.isRegularFile(file)) {
            String first = readText(file).strip().lines().findFirst().orElse("").strip();
            if (!first.matches("[0-9]{1,3}")) {
                throw new ModuleSourceException(file + " must hold the compat level, a number, found '" + first + "'; write e.g. 13");
            }
            fromFile = Integer.valueOf(first);
        }
        if (fromFile != null && fromControl != null) {
            throw new ModuleSourceException(debian + " sets the debhelper compat level twice (debian/compat and debhelper-compat in "
                    + "Build-Depends), which dh refuses; remove debian/compat");
        }
        Integer level = fromFile != null ? fromFile : fromControl;
        if (level == null) {
            io.dkmsdeb.support.Log.warn(debian + " sets no debhelper compat level (dh would stop); dkms-deb follows compat "
                    + MAX_COMPAT + ": add 'debhelper-compat (= 13)' to Build-Depends");
            return MAX_COMPAT;
        }
        if (level < MIN_COMPAT || level > MAX_COMPAT) {
            throw new ModuleSourceException(debian + " asks for debhelper compat level " + level + "; dkms-deb follows levels "
                    + MIN_COMPAT + " to " + MAX_COMPAT + " (those of debhelper 13 that are not deprecated or experimental): use one of them");
        }
        return level;
    }

    public Path debian() {
        return root.resolve("debian");
    }

    /** The first binary package of the control file (debhelper's main package). */
    public String mainPackage() {
        return binaries.get(0).get("Package").orElseThrow();
    }

    /** debhelper's pkgfile: {@code debian/PACKAGE.name}, else {@code debian/name} for the main package. */
    public Optional<Path> pkgfile(String packageName, String name) {
        Path specific = debian().resolve(packageName + "." + name);
        if (Files.isRegularFile(specific)) {
            return Optional.of(specific);
        }
        Path general = debian().resolve(name);
        return packageName.equals(mainPackage()) && Files.isRegularFile(general, LinkOption.NOFOLLOW_LINKS)
                ? Optional.of(general) : Optional.empty();
    }

    /** The binary stanza of a package. */
    public Optional<Deb822.Paragraph> binary(String packageName) {
        return binaries.stream().filter(p -> p.get("Package").orElse("").equals(packageName)).findFirst();
    }

    /** A packaging file as UTF-8 text; errors name the file and what to do. */
    public static String readText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new ModuleSourceException(file + " is not UTF-8 text; Debian packaging files are UTF-8: convert it (iconv)", e);
        } catch (IOException e) {
            throw new ModuleSourceException("cannot read " + file + ": " + e.getMessage() + "; make it readable", e);
        }
    }
}

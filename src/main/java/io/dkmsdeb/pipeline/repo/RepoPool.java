package io.dkmsdeb.pipeline.repo;

import io.dkmsdeb.deb.AptIndex;
import io.dkmsdeb.deb.Deb822;
import io.dkmsdeb.deb.DebReader;
import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.model.NamePatterns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The pool of an apt repository, laid out as reprepro lays it out:
 * {@code pool/COMPONENT/PREFIX/SOURCE/PACKAGE_VERSION_ARCH.deb}, where SOURCE is the package's
 * Source without a version (its Package when it has none) and PREFIX is SOURCE's first letter, or
 * {@code lib} and the next letter for {@code lib*} sources. Files in the pool are never rewritten.
 */
final class RepoPool {
    /** Debian architecture names ({@code amd64}, {@code all}, {@code linux-any} is no architecture of a binary package). */
    private static final Pattern ARCH = Pattern.compile("[a-z0-9][a-z0-9-]*");

    private RepoPool() {
    }

    /**
     * A package file of the repository.
     *
     * @param filename its path below the repository root ({@code pool/main/h/hello-dkms/hello-dkms_1.0-1_all.deb})
     * @param sums     size and checksums of the file
     * @param fields   its control fields, in their order, continuation lines kept
     */
    record Entry(String filename, AptIndex.Checksums sums, Map<String, String> fields) {
        Entry {
            fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        }

        String pkg() {
            return fields.get("Package");
        }

        String version() {
            return fields.get("Version");
        }

        String arch() {
            return fields.get("Architecture");
        }

        /** {@code PACKAGE VERSION ARCH}: what may be in a repository only once. */
        String key() {
            return pkg() + " " + version() + " " + arch();
        }

        /** The control paragraph as a Packages stanza starts, without the pool fields. */
        String control() {
            StringBuilder sb = new StringBuilder();
            fields.forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
            return sb.toString();
        }

        String stanza() {
            return AptIndex.stanza(control(), filename, sums);
        }
    }

    /** The directory of a package in the pool, relative to the repository root. */
    static String directory(String component, Map<String, String> fields) {
        String source = fields.getOrDefault("Source", fields.get("Package")).replaceFirst("\\s*\\(.*\\)$", "");
        String prefix = source.startsWith("lib") && source.length() > 3 ? source.substring(0, 4) : source.substring(0, 1);
        return "pool/" + component + "/" + prefix + "/" + source;
    }

    /** {@code PACKAGE_VERSION_ARCH.deb}, the epoch left out as dpkg-deb does. */
    static String fileName(Map<String, String> fields) {
        String v = fields.get("Version");
        return fields.get("Package") + "_" + v.substring(v.indexOf(':') + 1) + "_" + fields.get("Architecture") + ".deb";
    }

    /**
     * Reads and checks a package file in full (ar members, control, data, with {@link DebReader}'s
     * limits) and returns its control fields.
     *
     * @throws DkmsDebException naming the file and what is wrong with it
     */
    static Map<String, String> readControl(Path deb) {
        DebReader.Control control;
        try {
            control = DebReader.read(deb, DebReader.Limits.DEFAULT, entry -> { });
        } catch (IOException e) {
            throw new DkmsDebException("cannot add " + deb + " to the repository: " + e.getMessage()
                    + "; give a package that dpkg-deb --info reads", e);
        }
        return checkControl(control.text("control"), deb.toString());
    }

    /** The fields of one control paragraph, checked for what an index needs: Package, Version and Architecture, valid. */
    static Map<String, String> checkControl(String text, String where) {
        List<Deb822.Paragraph> paragraphs;
        try {
            paragraphs = Deb822.parse(text);
        } catch (Deb822.SyntaxException e) {
            throw bad(where, "its control file is not deb822: " + e.getMessage());
        }
        if (paragraphs.size() != 1) {
            throw bad(where, "its control file has " + paragraphs.size() + " paragraphs, not one");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (var f : paragraphs.get(0).fields().entrySet()) {
            if (!AptIndex.POOL_FIELDS.contains(f.getKey())) {
                fields.put(f.getKey(), f.getValue());
            }
        }
        require(fields, "Package", NamePatterns.PACKAGE, where);
        require(fields, "Version", NamePatterns.DEBIAN_VERSION, where);
        require(fields, "Architecture", ARCH, where);
        String source = fields.get("Source");
        if (source != null && !NamePatterns.matches(NamePatterns.PACKAGE, source.replaceFirst("\\s*\\(.*\\)$", ""))) {
            throw bad(where, "its Source field '" + source + "' does not name a Debian source package");
        }
        return fields;
    }

    private static void require(Map<String, String> fields, String name, Pattern rule, String where) {
        String value = fields.get(name);
        if (value == null) {
            throw bad(where, "its control file has no " + name + " field");
        }
        if (!NamePatterns.matches(rule, value)) {
            throw bad(where, "its " + name + " '" + value + "' does not match " + rule.pattern());
        }
    }

    private static DkmsDebException bad(String where, String what) {
        return new DkmsDebException("cannot add " + where + " to the repository: " + what + "; give a package built by dkms-deb or dpkg-deb");
    }

    /**
     * Every package of {@code pool/COMPONENT} below {@code repo}, in file name order. A package
     * listed in {@code known} (Filename to stanza fields, from the suite's current Packages files)
     * with the same size and SHA256 is taken from there; any other is read and checked. The files in
     * {@code retired} (taken out by retention, kept for older clients) are left out.
     */
    static List<Entry> scan(Path repo, String component, Map<String, Map<String, String>> known, java.util.Set<String> retired) {
        Path pool = repo.resolve("pool").resolve(component);
        if (!Files.isDirectory(pool)) {
            return List.of();
        }
        List<Path> debs;
        try (Stream<Path> s = Files.walk(pool)) {
            debs = s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".deb")).sorted().toList();
        } catch (IOException e) {
            throw new DkmsDebException("cannot list " + pool + ": " + e.getMessage() + "; check its permissions", e);
        }
        List<Entry> entries = new ArrayList<>();
        for (Path deb : debs) {
            String filename = repo.relativize(deb).toString();
            if (retired.contains(filename)) {
                continue;
            }
            AptIndex.Checksums sums = checksums(deb);
            Map<String, String> stanza = known.get(filename);
            Map<String, String> fields = stanza != null && stanza.getOrDefault("Size", "").equals(Long.toString(sums.size()))
                    && stanza.getOrDefault("SHA256", "").equals(sums.sha256())
                    ? checkControl(render(stanza), filename) : readControl(deb);
            entries.add(new Entry(filename, sums, fields));
        }
        return entries;
    }

    /** The stanzas of a Packages file, by Filename; none when there is no such file. */
    static Map<String, Map<String, String>> stanzas(Path packages) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(packages)) {
            return out;
        }
        try {
            for (Deb822.Paragraph p : Deb822.parse(Files.readString(packages, StandardCharsets.UTF_8))) {
                p.get("Filename").ifPresent(f -> out.put(f, p.fields()));
            }
        } catch (IOException | Deb822.SyntaxException e) {
            // an unreadable index is rebuilt from the pool's packages themselves
            out.clear();
        }
        return out;
    }

    static AptIndex.Checksums checksums(Path file) {
        try {
            return AptIndex.Checksums.of(file);
        } catch (IOException e) {
            throw new DkmsDebException("cannot read " + file + ": " + e.getMessage() + "; check its permissions", e);
        }
    }

    private static String render(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder();
        fields.forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
        return sb.toString();
    }
}

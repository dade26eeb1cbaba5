package io.dkmsdeb.dkmsconf;

import io.dkmsdeb.model.ModuleSourceException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds what a dkms.conf needs in a tree that has none: the modules from the {@code obj-m} lines
 * of its Kbuild and Makefile (top level), and the version from {@code MODULE_VERSION("...")} in
 * its C sources.
 */
public final class DkmsConfGenerator {
    private static final Pattern OBJ_M = Pattern.compile("^\\s*obj-m\\s*[:+?]?=(.*)$", Pattern.MULTILINE);
    private static final Pattern OBJECT = Pattern.compile("([A-Za-z0-9_-]+)\\.o");
    private static final Pattern MODULE_VERSION = Pattern.compile("MODULE_VERSION\\s*\\(\\s*\"([^\"]+)\"\\s*\\)");

    private DkmsConfGenerator() {
    }

    /** Module names from obj-m lines, in order of appearance, without duplicates. */
    public static List<String> objM(Path dir) {
        Set<String> modules = new LinkedHashSet<>();
        for (String file : List.of("Kbuild", "Makefile", "makefile", "GNUmakefile")) {
            Path p = dir.resolve(file);
            if (!Files.isRegularFile(p)) {
                continue;
            }
            String text;
            try {
                text = Files.readString(p, StandardCharsets.ISO_8859_1).replace("\\\n", " ");
            } catch (IOException e) {
                throw new ModuleSourceException("cannot read " + p + ": " + e.getMessage());
            }
            Matcher m = OBJ_M.matcher(text);
            while (m.find()) {
                Matcher o = OBJECT.matcher(m.group(1).replaceAll("#.*", ""));
                while (o.find()) {
                    modules.add(o.group(1));
                }
            }
        }
        return new ArrayList<>(modules);
    }

    /** The one version named by MODULE_VERSION in the tree's .c files; empty when none. */
    public static Optional<String> moduleVersion(Path dir) {
        Set<String> versions = new TreeSet<>();
        try (Stream<Path> files = Files.walk(dir, 4)) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".c") && Files.isRegularFile(f))::iterator) {
                Matcher m = MODULE_VERSION.matcher(Files.readString(p, StandardCharsets.ISO_8859_1));
                while (m.find()) {
                    versions.add(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new ModuleSourceException("cannot read the C sources in " + dir + ": " + e.getMessage());
        }
        if (versions.size() > 1) {
            throw new ModuleSourceException("the sources in " + dir + " name several versions in MODULE_VERSION "
                    + versions + "; pass the package version with -V");
        }
        return versions.stream().findFirst();
    }
}

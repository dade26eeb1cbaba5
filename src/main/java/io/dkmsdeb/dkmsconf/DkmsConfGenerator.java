package io.dkmsdeb.dkmsconf;

import io.dkmsdeb.support.IoErrors;
import io.dkmsdeb.model.ModuleSourceException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds what a dkms.conf needs in a tree that has none: the directory that holds the module, the
 * modules kbuild always builds there (the {@code obj-m} lines of its Kbuild and Makefile outside
 * make conditionals, see {@link ObjMScanner}), the version from {@code MODULE_VERSION(...)} in its
 * C sources (see {@link CVersionMacros}), and a name for the package.
 */
public final class DkmsConfGenerator {
    private static final List<String> MAKEFILES = List.of("Kbuild", "Makefile", "makefile", "GNUmakefile");

    private DkmsConfGenerator() {
    }

    /**
     * The obj-m modules of a directory.
     *
     * @param required the modules kbuild always builds, in order of appearance, without duplicates
     * @param leftOut  the first conditional obj-m entry of each other module, in order
     */
    public record Modules(List<String> required, List<ObjMScanner.ObjM> leftOut) {
        public Modules {
            required = List.copyOf(required);
            leftOut = List.copyOf(leftOut);
        }
    }

    /** The modules kbuild always builds in {@code dir}, in order of appearance, without duplicates. */
    public static List<String> objM(Path dir) {
        return modules(dir).required();
    }

    /** The obj-m modules of the Kbuild and Makefile of {@code dir} (top level), split into required and left out. */
    public static Modules modules(Path dir) {
        List<ObjMScanner.ObjM> all = scan(dir);
        Set<String> required = new LinkedHashSet<>();
        all.stream().filter(ObjMScanner.ObjM::required).forEach(o -> required.add(o.module()));
        Map<String, ObjMScanner.ObjM> leftOut = new LinkedHashMap<>();
        all.stream().filter(o -> !required.contains(o.module())).forEach(o -> leftOut.putIfAbsent(o.module(), o));
        return new Modules(new ArrayList<>(required), new ArrayList<>(leftOut.values()));
    }

    private static List<ObjMScanner.ObjM> scan(Path dir) {
        List<ObjMScanner.ObjM> all = new ArrayList<>();
        for (String file : MAKEFILES) {
            Path p = dir.resolve(file);
            if (Files.isRegularFile(p)) {
                try {
                    all.addAll(ObjMScanner.scan(Files.readString(p, StandardCharsets.ISO_8859_1), file));
                } catch (IOException e) {
                    throw new ModuleSourceException("cannot read " + p + ": " + IoErrors.reason(e) + "; make it readable", e);
                }
            }
        }
        return all;
    }

    /**
     * The directory that holds the module: {@code dir} itself when its Kbuild or Makefile has an
     * obj-m line (conditional or not); else its one immediate subdirectory (vendor tarballs use
     * {@code src/}) whose Kbuild or Makefile has one; else empty (none, or several such
     * subdirectories). Symbolic links to directories are not followed.
     */
    public static Optional<Path> moduleDir(Path dir) {
        if (!scan(dir).isEmpty()) {
            return Optional.of(dir);
        }
        List<Path> candidates;
        try (Stream<Path> children = Files.list(dir)) {
            candidates = children.filter(c -> Files.isDirectory(c, LinkOption.NOFOLLOW_LINKS) && !scan(c).isEmpty()).sorted().toList();
        } catch (IOException e) {
            throw new ModuleSourceException("cannot list " + IoErrors.file(e, dir) + ": " + IoErrors.reason(e) + "; make it readable", e);
        } catch (UncheckedIOException e) {
            throw new ModuleSourceException("cannot list " + IoErrors.file(e.getCause(), dir) + ": " + IoErrors.reason(e) + "; make it readable", e);
        }
        return candidates.size() == 1 ? Optional.of(candidates.get(0)) : Optional.empty();
    }

    /**
     * The one version named by MODULE_VERSION in the tree's .c files, macros resolved; empty when
     * there is none. Several different versions, or a macro that cannot be resolved, are an error.
     */
    public static Optional<String> moduleVersion(Path dir) {
        Set<String> versions = CVersionMacros.read(dir).versions();
        if (versions.size() > 1) {
            throw new ModuleSourceException("the sources in " + dir + " name several versions in MODULE_VERSION "
                    + versions + "; pass the package version with -V");
        }
        return versions.stream().findFirst();
    }
}

package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.pipeline.DebianNames;
import io.dkmsdeb.deb.Deb822;
import io.dkmsdeb.deb.DebReader;
import io.dkmsdeb.deb.DebWriter;
import io.dkmsdeb.model.deb.Compression;
import io.dkmsdeb.model.deb.DebPackage;
import io.dkmsdeb.support.Log;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The packages bmdeb built before, where it looks for them: the {@code .deb} files of the output
 * directory, and those of each {@code --reuse-from} directory to a depth of 8 (a repository's
 * pool) with the entries of its Packages indices ({@code Packages}, else {@code Packages.xz}, else
 * {@code Packages.gz}, in each folder). Each is known by its Package, Version and
 * {@value BuildInputs#FIELD}; what cannot be read is left out (and a package that is not read
 * cannot be up to date).
 */
final class BmdebPackages {
    private static final int DEPTH = 8;
    private static final List<String> INDICES = List.of("Packages", "Packages.xz", "Packages.gz");

    private BmdebPackages() {
    }

    /**
     * One package found.
     *
     * @param inputs its {@value BuildInputs#FIELD}, or null when it records none
     * @param file   the package file (for an index entry, its Filename under the directory searched; it may be missing)
     */
    record Known(String packageName, String version, String inputs, Path file) {
    }

    /** The packages named {@code NAME-modules-KVER} for the kernel {@code release}: in {@code outDir}, then in {@code more}. */
    static List<Known> forKernel(Path outDir, List<Path> more, String release) {
        String suffix = DebianNames.modulesSuffix(release);
        return find(outDir, more, suffix + "_", name -> name.endsWith(suffix));
    }

    /** The packages named {@code packageName} (the certificate package, say). */
    static List<Known> named(Path outDir, List<Path> more, String packageName) {
        return find(outDir, more, packageName + "_", packageName::equals);
    }

    /** The kernel release as package names hold it ({@link DebianNames#kernelPart}). */
    static String policyKernel(String release) {
        return DebianNames.kernelPart(release);
    }

    /**
     * @param fileMarker what the file name of a candidate holds (cheap, so that only those are read)
     * @param name       which Package fields count
     */
    private static List<Known> find(Path outDir, List<Path> more, String fileMarker, Predicate<String> name) {
        Set<Path> seen = new LinkedHashSet<>();
        List<Known> found = new ArrayList<>(files(outDir, 1, fileMarker, name, seen));
        for (Path dir : more) {
            // the indices first: a package they list is known without unpacking its file
            for (Known k : indices(dir, name)) {
                if (seen.add(k.file().toAbsolutePath().normalize())) {
                    found.add(k);
                }
            }
            found.addAll(files(dir, DEPTH, fileMarker, name, seen));
        }
        return List.copyOf(found);
    }

    /** The packages under {@code dir} whose files are not in {@code seen} (which they join). */
    private static List<Known> files(Path dir, int depth, String fileMarker, Predicate<String> name, Set<Path> seen) {
        List<Known> found = new ArrayList<>();
        for (Path p : walk(dir, depth, n -> n.endsWith(".deb") && n.contains(fileMarker))) {
            if (!seen.add(p.toAbsolutePath().normalize())) {
                continue;
            }
            control(p).filter(c -> c.get("Package").filter(name).isPresent() && c.get("Version").isPresent())
                    .ifPresent(c -> found.add(new Known(c.get("Package").get(), c.get("Version").get(),
                            c.get(BuildInputs.FIELD).orElse(null), p)));
        }
        return found;
    }

    /** The entries of the Packages indices under {@code root}: one index per folder, the plain one first. */
    private static List<Known> indices(Path root, Predicate<String> name) {
        List<Known> found = new ArrayList<>();
        Set<Path> folders = new LinkedHashSet<>();
        for (Path index : walk(root, DEPTH, INDICES::contains)) {
            Path folder = index.getParent();
            if (!folders.add(folder)) {
                continue;
            }
            Path chosen = INDICES.stream().map(folder::resolve).filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .findFirst().orElse(index);
            try {
                for (Deb822.Paragraph p : Deb822.parse(read(chosen))) {
                    Optional<String> pkg = p.get("Package").filter(name);
                    Optional<String> file = p.get("Filename");
                    if (pkg.isPresent() && p.get("Version").isPresent() && file.isPresent() && !file.get().contains("..") && !file.get().startsWith("/")) {
                        found.add(new Known(pkg.get(), p.get("Version").get(), p.get(BuildInputs.FIELD).orElse(null),
                                root.resolve(file.get())));
                    }
                }
            } catch (IOException | Deb822.SyntaxException e) {
                Log.info("cannot read the index " + chosen + " for packages built before (" + e.getMessage() + "); left out");
            }
        }
        return found;
    }

    private static String read(Path index) throws IOException {
        try (InputStream raw = Files.newInputStream(index);
             InputStream in = index.toString().endsWith(".gz") ? new GZIPInputStream(raw)
                     : index.toString().endsWith(".xz") ? new org.tukaani.xz.XZInputStream(raw) : raw) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The regular files under {@code dir} (to {@code depth}) whose names {@code wanted} accepts, sorted. */
    private static List<Path> walk(Path dir, int depth, Predicate<String> wanted) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir, depth)) {
            return s.filter(p -> wanted.test(p.getFileName().toString()) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            Log.info("cannot search " + dir + " for packages built before: " + e.getMessage());
            return List.of();
        }
    }

    /** The control paragraph of a package, if it is a readable package. */
    private static Optional<Deb822.Paragraph> control(Path deb) {
        try {
            String control = DebReader.read(deb, DebReader.Limits.DEFAULT, e -> { }).text("control");
            List<Deb822.Paragraph> ps = Deb822.parse(control == null ? "" : control);
            return ps.isEmpty() ? Optional.empty() : Optional.of(ps.get(0));
        } catch (IOException | Deb822.SyntaxException e) {
            return Optional.empty();
        }
    }

    /** The first of the packages {@code known} built from the inputs {@code digest} whose file is there. */
    static Optional<Path> withInputs(List<Known> known, String digest) {
        return known.stream().filter(k -> digest != null && digest.equals(k.inputs()) && Files.isRegularFile(k.file(), LinkOption.NOFOLLOW_LINKS))
                .map(Known::file).findFirst();
    }

    /** The bytes of a package as bmdeb writes its packages (the -modules and the certificate package). */
    static byte[] bytesOf(DebPackage pkg, long epoch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new DebWriter(Compression.XZ, epoch, 1).write(pkg, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot assemble " + pkg.conventionalFileName() + " in memory", e);
        }
        return out.toByteArray();
    }
}

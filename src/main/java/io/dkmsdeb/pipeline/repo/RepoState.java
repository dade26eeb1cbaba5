package io.dkmsdeb.pipeline.repo;

import io.dkmsdeb.deb.AtomicOutput;
import io.dkmsdeb.deb.Deb822;
import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.support.Log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The publisher's own files in a repository, all below {@code REPO/.dkms-deb/}, none of which a
 * client reads:
 * <ul>
 *   <li>{@code lock}: held by the one publisher at work ({@link RepoLock});</li>
 *   <li>{@code staging/}: what a publish writes before it serves it, laid out as the repository,
 *       with {@code staging/pool-files} listing the pool files it moves in;</li>
 *   <li>{@code history/SUITE/NNNNNNNN.Release}: the Release files served, newest last, which say
 *       which by-hash files and pool files clients may still ask for;</li>
 *   <li>{@code retired}: pool files that retention took out of the indices, deleted once no kept
 *       Release generation names them.</li>
 * </ul>
 */
final class RepoState {
    private final Path repo;
    private final Path dir;

    RepoState(Path repo) {
        this.repo = repo;
        this.dir = repo.resolve(".dkms-deb");
    }

    Path repo() {
        return repo;
    }

    Path lockFile() {
        return dir.resolve("lock");
    }

    Path staging() {
        return dir.resolve("staging");
    }

    Path manifest() {
        return staging().resolve("pool-files");
    }

    Path history(String suite) {
        return dir.resolve("history").resolve(suite);
    }

    /** The suites with a history. */
    List<String> suites() {
        Path h = dir.resolve("history");
        if (!Files.isDirectory(h)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(h)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw failure("list", h, e);
        }
    }

    /** The pool files retention took out of the indices and that some kept generation may still name. */
    Set<String> retired() {
        Path f = dir.resolve("retired");
        try {
            return Files.isRegularFile(f) ? new TreeSet<>(Files.readAllLines(f, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList())
                    : new TreeSet<>();
        } catch (IOException e) {
            throw failure("read", f, e);
        }
    }

    void writeRetired(Set<String> files) {
        Path f = dir.resolve("retired");
        write(f, String.join("", files.stream().map(l -> l + "\n").toList()).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Cleans what a publisher that died left: the pool files it moved in that no served index names
     * (a file it added under a new name, never one that was there before), then its staging area.
     * Called under the lock, so no living publisher owns the staging area.
     */
    void recover() {
        Path staging = staging();
        if (!Files.exists(staging, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Set<String> served = servedPoolFiles();
        int removed = 0;
        try {
            if (Files.isRegularFile(manifest())) {
                for (String f : Files.readAllLines(manifest(), StandardCharsets.UTF_8)) {
                    if (!f.isBlank() && !served.contains(f) && safePoolPath(f) && Files.deleteIfExists(repo.resolve(f))) {
                        removed++;
                    }
                }
            }
        } catch (IOException e) {
            throw failure("clean up after an earlier publish in", staging, e);
        }
        deleteTree(staging);
        Log.info("cleaned up after an earlier publish that did not finish (" + removed + " unserved pool file(s) removed)");
    }

    /** The pool files that some served Packages file of any suite and component names. */
    Set<String> servedPoolFiles() {
        Set<String> out = new LinkedHashSet<>();
        Path dists = repo.resolve("dists");
        if (!Files.isDirectory(dists)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(dists, 4)) {
            for (Path p : s.filter(p -> p.getFileName().toString().equals("Packages") && Files.isRegularFile(p)
                    && p.getParent().getFileName().toString().startsWith("binary-")).toList()) {
                out.addAll(filenames(p));
            }
        } catch (IOException e) {
            throw failure("list", dists, e);
        }
        return out;
    }

    /** The Filename fields of a Packages file (none when it is unreadable). */
    static List<String> filenames(Path packages) {
        List<String> out = new ArrayList<>();
        try {
            for (Deb822.Paragraph p : Deb822.parse(Files.readString(packages, StandardCharsets.UTF_8))) {
                p.get("Filename").ifPresent(out::add);
            }
        } catch (IOException | Deb822.SyntaxException e) {
            // an index that cannot be read names nothing
        }
        return out;
    }

    static boolean safePoolPath(String f) {
        return f.startsWith("pool/") && !List.of(f.split("/")).contains("..") && f.endsWith(".deb");
    }

    void write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            AtomicOutput.write(file, out -> out.write(bytes));
        } catch (IOException e) {
            throw failure("write", file, e);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw failure("remove", root, e);
        }
    }

    /** Makes the renames in {@code dir} durable (a power loss after it keeps them); best effort. */
    static void syncDirectory(Path dir) {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        } catch (IOException e) {
            // not every file system syncs a directory; the renames are atomic either way
        }
    }

    static DkmsDebException failure(String what, Path where, IOException e) {
        return new DkmsDebException("cannot " + what + " " + where + ": " + e.getMessage()
                + "; check free space and permissions of the repository, then run again", e);
    }
}

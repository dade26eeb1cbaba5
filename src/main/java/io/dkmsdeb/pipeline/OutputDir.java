package io.dkmsdeb.pipeline;

import io.dkmsdeb.model.UsageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The {@code -o} directory of {@code source} and {@code bmdeb}. A missing one is created with its
 * parents, as build tools do; one that cannot be created (a file in the way, no permission) is a
 * usage error that names the obstacle. {@link #check} only looks, so a job calls it before its
 * real work and {@link #prepare} just before it writes: a run that fails earlier leaves no new
 * empty directory behind.
 */
public final class OutputDir {
    private OutputDir() {
    }

    /** Fails unless {@code dir} is a writable directory or could be created; changes nothing. */
    public static void check(Path dir) {
        Path abs = dir.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            if (!Files.isWritable(abs)) {
                throw new UsageException("output directory " + dir + " is not writable; pass a writable directory with -o");
            }
            return;
        }
        if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
            throw cannotCreate(dir, abs, obstacle(abs));
        }
        Path existing = abs.getParent();
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        if (!Files.isDirectory(existing)) {
            throw cannotCreate(dir, existing, obstacle(existing));
        }
        if (!Files.isWritable(existing)) {
            throw cannotCreate(dir, existing, " is a directory in which this user may not create entries");
        }
    }

    /** {@link #check}, then creates {@code dir} and its missing parents; returns {@code dir}. */
    public static Path prepare(Path dir) {
        check(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UsageException("cannot create output directory " + dir + ": " + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + "; pass another directory with -o", e);
        }
        return dir;
    }

    /** The outermost of {@code dir} and its parents that does not exist yet, or null when {@code dir} exists. */
    public static Path missing(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path top = null;
        for (Path p = abs; p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            top = p;
        }
        return top;
    }

    /**
     * Removes {@code dir}, then its parents up to {@code top}, as long as each is empty: the directories a call
     * created (see {@link #missing}) and wrote nothing into. Best effort: what is not empty, or cannot go, stays.
     */
    public static void removeEmpty(Path dir, Path top) {
        Path end = top.toAbsolutePath().normalize();
        for (Path p = dir.toAbsolutePath().normalize(); p != null && p.startsWith(end); p = p.getParent()) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                return;     // not empty (a package, another call's lock), or not ours to remove
            }
        }
    }

    /** What {@link #writeNew} did. */
    public enum Written {
        /** The file was written (it was not there). */
        WRITTEN,
        /** A file of that name with the same bytes was there: left as it was. */
        UNCHANGED,
        /** A file of that name with other bytes was there: left as it was, nothing written; the package needs another name. */
        TAKEN
    }

    /**
     * Writes a package file atomically unless a file of that name is there: a name in the output directory never
     * changes its bytes (a repository that has taken the file refuses other bytes under its name).
     */
    public static Written writeNew(Path target, byte[] bytes) throws IOException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) == bytes.length
                    && java.util.Arrays.equals(Files.readAllBytes(target), bytes) ? Written.UNCHANGED : Written.TAKEN;
        }
        io.dkmsdeb.deb.AtomicOutput.write(target, out -> out.write(bytes));
        return Written.WRITTEN;
    }

    private static String obstacle(Path p) {
        if (Files.isSymbolicLink(p)) {
            return Files.exists(p) ? " is a symbolic link to something that is not a directory" : " is a broken symbolic link";
        }
        return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? " is a file" : " is not a directory";
    }

    private static UsageException cannotCreate(Path dir, Path where, String what) {
        String subject = where.equals(dir.toAbsolutePath()) ? dir.toString() : where.toString();
        return new UsageException("cannot create output directory " + dir + ": " + subject + what + "; pass another directory with -o");
    }
}

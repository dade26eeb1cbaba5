package io.dkmsdeb.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The temporary files and directories of this process: named {@code dkms-deb-KIND-PID-...} so that a
 * later run can tell a dead run's leftovers ({@link #removeLeftovers}: its PID is gone) from a live
 * run's, and held in a list that {@link #removeAll} empties when the process is stopped (SIGINT,
 * SIGTERM). A file moved to its place or removed by its user is {@link #forget forgotten}.
 */
public final class TempFiles {
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();
    /** Set by {@link #removeAll}: the process is stopping, and what is made after is removed at once. */
    private static volatile boolean closed;
    /** {@code dkms-deb-KIND-PID-}: the start of every name made here. */
    private static final Pattern NAME = Pattern.compile("dkms-deb-[a-z]+-(\\d{1,10})-.*");

    private TempFiles() {
    }

    private static String prefix(String kind) {
        return "dkms-deb-" + kind + "-" + ProcessHandle.current().pid() + "-";
    }

    private static void requireOpen(String kind) throws IOException {
        if (closed) {
            throw new java.io.InterruptedIOException("not making a " + kind + " temporary file: dkms-deb is stopping");
        }
    }

    /** Removes {@code made} when the process began stopping while it was being made. */
    private static void requireStillOpen(Path made, String kind) throws IOException {
        if (closed) {
            delete(made);
            requireOpen(kind);
        }
    }

    /**
     * The system's temporary directory as java.io.tmpdir says now: Files.createTempFile without a directory keeps
     * the value the JVM started with, and dkms-deb sets it from TMPDIR after that; {@link #removeLeftovers} looks here.
     */
    private static Path systemDirectory() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** A new private directory (0700) in {@code parent}, or in the system's temporary directory when null. */
    public static Path directory(Path parent, String kind) throws IOException {
        requireOpen(kind);
        var mode = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
        Path dir = Files.createTempDirectory(parent == null ? systemDirectory() : parent, prefix(kind), mode);
        LIVE.add(dir);
        requireStillOpen(dir, kind);
        return dir;
    }

    /** A new private file (0600) in {@code parent}, or in the system's temporary directory when null. */
    public static Path file(Path parent, String kind, String suffix) throws IOException {
        requireOpen(kind);
        var mode = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
        Path file = Files.createTempFile(parent == null ? systemDirectory() : parent, prefix(kind), suffix, mode);
        LIVE.add(file);
        requireStillOpen(file, kind);
        return file;
    }

    /** Counts {@code path}, made elsewhere, among this process's temporary files. */
    public static Path track(Path path) {
        LIVE.add(path);
        if (closed) {
            delete(path);
        }
        return path;
    }

    /** Removes {@code path} (a tree) and forgets it; null is nothing. */
    public static void delete(Path path) {
        if (path != null) {
            Trees.deleteQuietly(path);
            LIVE.remove(path);
        }
    }

    /** Forgets {@code path}: it was moved to its place, or removed. */
    public static void forget(Path path) {
        if (path != null) {
            LIVE.remove(path);
        }
    }

    /**
     * Throws once the process is stopping: a long writer into a temporary tree (an unpack, a copy) calls it
     * between files, so that it stops writing into a tree that {@link #removeAll} removes.
     */
    public static void requireRunning(String what) throws java.io.InterruptedIOException {
        if (closed) {
            throw new java.io.InterruptedIOException("stopped " + what + ": dkms-deb is stopping");
        }
    }

    /**
     * Removes every temporary file of this process that is still there; returns how many. A tree that a thread
     * was still writing into when the process began stopping (its writer stops at its next file, see
     * {@link #requireRunning}) may not go at the first pass: passes are made until each is gone, 2 s at most.
     */
    public static int removeAll() {
        closed = true;
        int removed = 0;
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
        while (!LIVE.isEmpty()) {
            for (Path p : List.copyOf(LIVE)) {
                Trees.deleteQuietly(p);
                if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    LIVE.remove(p);
                    removed++;
                }
            }
            if (LIVE.isEmpty() || System.nanoTime() > until) {
                break;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return removed;
    }

    /**
     * Removes from {@code dir} (the system's temporary directory when null) what runs that were killed
     * (SIGKILL, a power cut) left there: names made here whose PID is no running process.
     */
    public static void removeLeftovers(Path dir) {
        Path where = dir != null ? dir : systemDirectory();
        if (!Files.isDirectory(where)) {
            return;
        }
        try (var entries = Files.newDirectoryStream(where, "dkms-deb-*")) {
            for (Path p : entries) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()
                        && Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    Trees.deleteQuietly(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            // what cannot be listed stays; nothing of a live run is touched
        }
    }
}

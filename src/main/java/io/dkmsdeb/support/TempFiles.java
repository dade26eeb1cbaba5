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
 * The temporary files and directories of this process: named {@code dkms-deb-KIND-PID-TOKEN-...} so that a
 * later run can tell a dead run's leftovers ({@link #removeLeftovers}) from a live run's, and held in a list that
 * {@link #removeAll} empties when the process is stopped (SIGINT, SIGTERM). A file moved to its place or removed by
 * its user is {@link #forget forgotten}.
 *
 * <p>Whether a run is alive is not told by its PID: runs in other PID namespaces (containers, sandboxes) that share a
 * temporary directory have PIDs this one cannot see, and a PID is reused. Before its first temporary name in a
 * directory, a run takes a lock (fcntl, which the kernel drops when the process dies, whatever its namespace) on
 * {@code dkms-deb-lock-PID-TOKEN-held} there, and removes that file when its last temporary name there is gone (or
 * when it exits); a leftover is a name whose run's lock file can be locked, or is gone.
 */
public final class TempFiles {
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();
    /** Set by {@link #removeAll}: the process is stopping, and what is made after is removed at once. */
    private static volatile boolean closed;
    /** {@code dkms-deb-KIND-PID-}: the start of every name made here. */
    private static final Pattern NAME = Pattern.compile("dkms-deb-[a-z]+-(\\d{1,10})-.*");
    /** {@code dkms-deb-KIND-PID-TOKEN-}: a name made by a run that holds a lock on its lock file. */
    private static final Pattern LOCKED_NAME = Pattern.compile("dkms-deb-[a-z]+-(\\d{1,10}-[0-9a-f]{8})-.*");
    /** This process among all that may share a directory: its PID and a random token. */
    private static final String RUN = ProcessHandle.current().pid() + "-"
            + String.format("%08x", new java.security.SecureRandom().nextInt());
    /** The lock files this process holds, by directory. */
    private static final java.util.Map<Path, java.nio.channels.FileChannel> LOCKS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TempFiles::releaseLocks, "dkms-deb-temp-locks"));
    }

    private TempFiles() {
    }

    private static String prefix(String kind) {
        return "dkms-deb-" + kind + "-" + RUN + "-";
    }

    private static String lockName(String run) {
        return "dkms-deb-lock-" + run + "-held";
    }

    /** Takes this run's lock in {@code dir} before its first temporary name there; the caller holds {@code LOCKS}. */
    private static void holdLock(Path dir) throws IOException {
        Path d = dir.toAbsolutePath().normalize();
        if (LOCKS.containsKey(d)) {
            return;
        }
        var ch = java.nio.channels.FileChannel.open(d.resolve(lockName(RUN)), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        try {
            ch.lock();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        LOCKS.put(d, ch);
    }

    /** At exit: this run's lock files go (the locks go with the process). */
    private static void releaseLocks() {
        for (var e : LOCKS.entrySet()) {
            try {
                Files.deleteIfExists(e.getKey().resolve(lockName(RUN)));
                e.getValue().close();
            } catch (IOException ignored) {
                // the next run removes it: its lock is free once this process is gone
            }
        }
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
        Path where = parent == null ? systemDirectory() : parent;
        Path dir;
        synchronized (LOCKS) {
            holdLock(where);
            dir = Files.createTempDirectory(where, prefix(kind), mode);
            LIVE.add(dir);
        }
        requireStillOpen(dir, kind);
        return dir;
    }

    /** A new private file (0600) in {@code parent}, or in the system's temporary directory when null. */
    public static Path file(Path parent, String kind, String suffix) throws IOException {
        requireOpen(kind);
        var mode = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
        Path where = parent == null ? systemDirectory() : parent;
        Path file;
        synchronized (LOCKS) {
            holdLock(where);
            file = Files.createTempFile(where, prefix(kind), suffix, mode);
            LIVE.add(file);
        }
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
            releaseIfUnused(path);
        }
    }

    /** Forgets {@code path}: it was moved to its place, or removed. */
    public static void forget(Path path) {
        if (path != null) {
            LIVE.remove(path);
            releaseIfUnused(path);
        }
    }

    /** Gives up this run's lock in the directory of {@code path} once none of its temporary names is left there. */
    private static void releaseIfUnused(Path path) {
        Path dir = path.toAbsolutePath().normalize().getParent();
        if (dir == null) {
            return;
        }
        synchronized (LOCKS) {
            if (!LOCKS.containsKey(dir) || LIVE.stream().anyMatch(p -> dir.equals(p.toAbsolutePath().normalize().getParent()))) {
                return;
            }
            var ch = LOCKS.remove(dir);
            try {
                Files.deleteIfExists(dir.resolve(lockName(RUN)));
                ch.close();
            } catch (IOException ignored) {
                // the next run removes it: its lock is free once this process is gone
            }
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
        releaseLocks();    // the stop halts the process: no shutdown hook runs
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
     * (SIGKILL, a power cut) left there: names made by a run whose lock in {@code dir} is free or gone (names of
     * older releases, without a token: whose PID is no running process).
     */
    public static void removeLeftovers(Path dir) {
        Path where = dir != null ? dir : systemDirectory();
        if (!Files.isDirectory(where)) {
            return;
        }
        java.util.Map<String, Boolean> dead = new java.util.HashMap<>();
        List<Path> locks = new java.util.ArrayList<>();
        try (var entries = Files.newDirectoryStream(where, "dkms-deb-*")) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                Matcher locked = LOCKED_NAME.matcher(name);
                boolean remove;
                if (locked.matches()) {
                    String run = locked.group(1);
                    if (name.equals(lockName(run))) {
                        locks.add(p);
                        continue;
                    }
                    remove = !run.equals(RUN) && dead.computeIfAbsent(run, r -> lockIsFree(where.resolve(lockName(r))));
                } else {
                    Matcher m = NAME.matcher(name);
                    remove = m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty();
                }
                if (remove && Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    Trees.deleteQuietly(p);
                }
            }
            for (Path lock : locks) {
                Matcher m = LOCKED_NAME.matcher(lock.getFileName().toString());
                if (m.matches() && !m.group(1).equals(RUN) && dead.computeIfAbsent(m.group(1), r -> lockIsFree(lock))) {
                    Files.deleteIfExists(lock);
                }
            }
        } catch (IOException | RuntimeException e) {
            // what cannot be listed stays; nothing of a live run is touched
        }
    }

    /** Whether no process holds the lock on {@code lock} (or it is gone): its run is over. */
    private static boolean lockIsFree(Path lock) {
        if (!Files.exists(lock, LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        try (var ch = java.nio.channels.FileChannel.open(lock, java.nio.file.StandardOpenOption.WRITE)) {
            var l = ch.tryLock();
            if (l == null) {
                return false;
            }
            l.release();
            return true;
        } catch (IOException | RuntimeException e) {
            return false;   // cannot tell (another user's file, an overlapping lock): leave it
        }
    }
}

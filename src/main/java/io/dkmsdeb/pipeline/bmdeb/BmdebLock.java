package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.pipeline.OutputDir;
import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.support.Log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The lock one bmdeb call holds on one kernel of an output directory, from the look for an
 * up-to-date package to the package written, so that two calls writing to one {@code -o} for the
 * same kernel never both build it: the second waits, then finds the first one's package up to date.
 * It is an fcntl lock on {@code OUTDIR/.dkms-deb-bmdeb-KVER.lock} (FileChannel.tryLock, polled), which
 * the system releases when its holder dies, so a killed call never leaves a stale lock (only its file,
 * which the next call takes). The file holds the holder's process id, for the message of a call that
 * waits. The holder removes it before it lets go, so that the output directory holds only packages;
 * a call that then gets the lock of the removed file sees so in /proc/self/fd and locks the path's new
 * file instead, so that two calls never hold one kernel's lock at once.
 */
final class BmdebLock implements AutoCloseable {
    /** How often a waiting call tries again. */
    private static final long POLL_MILLIS = 250;

    /**
     * The lock files this process holds. Another descriptor of one of them is never opened: closing it would
     * drop the process's fcntl lock on the file (POSIX), whichever descriptor took it.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();
    /** This process's open files, as Linux shows them. */
    private static final Path PROC_FDS = Path.of("/proc/self/fd");

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private BmdebLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock file of {@code key} (a kernel release) in {@code outDir}. */
    static Path file(Path outDir, String key) {
        return outDir.resolve(".dkms-deb-bmdeb-" + BmdebPackages.policyKernel(key) + ".lock");
    }

    /** The lock, if no other process (or other run of this one) holds it; never waits. */
    static Optional<BmdebLock> tryAcquire(Path outDir, String key) throws IOException {
        for (int attempt = 1; ; attempt++) {
            Path file = file(OutputDir.prepare(outDir), key).toAbsolutePath().normalize();
            if (!HELD.add(file)) {
                return Optional.empty();
            }
            FileChannel channel;
            try {
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (NoSuchFileException e) {
                HELD.remove(file);
                if (attempt < 5) {
                    continue;   // the directory was removed as empty by a call that just ended: made again
                }
                throw e;
            } catch (IOException | RuntimeException e) {
                HELD.remove(file);
                throw e;
            }
            try {
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    close(file, channel);
                    return Optional.empty();
                }
                if (!linked(file)) {
                    // its holder removed the file while it held it: the lock of a file nobody will look at again
                    lock.release();
                    close(file, channel);
                    continue;
                }
                channel.truncate(0);
                channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
                return Optional.of(new BmdebLock(file, channel, lock));
            } catch (IOException | RuntimeException e) {
                close(file, channel);
                throw e;
            }
        }
    }

    /**
     * True when the lock file this process has open (it opens at most one descriptor of it, see {@link #HELD}) is
     * still the one at its path: Linux names an open file that was removed "PATH (deleted)" in /proc/self/fd.
     */
    private static boolean linked(Path file) throws IOException {
        if (!Files.isDirectory(PROC_FDS)) {
            return Files.exists(file, LinkOption.NOFOLLOW_LINKS);     // no /proc: the next best check
        }
        Path real;
        try {
            real = file.getParent().toRealPath().resolve(file.getFileName());
        } catch (NoSuchFileException e) {
            return false;
        }
        String deleted = real + " (deleted)";
        boolean found = false;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(PROC_FDS)) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue;   // a descriptor closed meanwhile
                }
                if (target.equals(deleted)) {
                    return false;
                }
                found |= target.equals(real.toString());
            }
        }
        return found;
    }

    /**
     * The lock, waiting for its holder at most {@code timeout}.
     *
     * @throws DkmsDebException when the holder keeps it longer, naming it and the way out
     */
    static BmdebLock acquire(Path outDir, String key, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<BmdebLock> got = tryAcquire(outDir, key);
        if (got.isEmpty()) {
            Log.info("[" + key + "] another bmdeb (" + holder(outDir, key) + ") is building for this kernel in " + outDir
                    + "; waiting for it (at most " + timeout.toSeconds() + " s)");
        }
        while (got.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new DkmsDebException("another bmdeb (" + holder(outDir, key) + ") has held " + file(outDir, key) + " for more than "
                        + timeout.toSeconds() + " s while building for " + key + " in " + outDir + "; wait for it to end, or raise the "
                        + "wait with --lock-timeout SECONDS");
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DkmsDebException("interrupted while waiting for " + file(outDir, key), e);
            }
            got = tryAcquire(outDir, key);
        }
        return got.get();
    }

    /** What the lock file says of its holder ("pid 1234"), for messages. */
    private static String holder(Path outDir, String key) {
        Path file = file(outDir, key).toAbsolutePath().normalize();
        if (HELD.contains(file)) {
            return "this process";
        }
        try {
            String text = Files.readString(file(outDir, key), StandardCharsets.US_ASCII).strip();
            return text.matches("pid [0-9]+") ? text : "process unknown";
        } catch (IOException e) {
            return "process unknown";
        }
    }

    private static void close(Path file, FileChannel channel) throws IOException {
        try {
            channel.close();
        } finally {
            HELD.remove(file);
        }
    }

    /** Removes the lock file, then releases the lock: a call that failed or found its kernel up to date leaves nothing behind. */
    @Override
    public void close() throws IOException {
        try {
            Files.deleteIfExists(file);
        } finally {
            try {
                lock.release();
            } finally {
                close(file, channel);
            }
        }
    }
}

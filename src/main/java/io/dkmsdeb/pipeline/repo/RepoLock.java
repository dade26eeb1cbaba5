package io.dkmsdeb.pipeline.repo;

import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.model.LockTimeoutException;
import io.dkmsdeb.support.Log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * One publisher at a time: an exclusive lock on {@code REPO/.dkms-deb/lock}. The JVM takes it as a
 * POSIX record lock ({@code fcntl(F_SETLK)}), which the kernel drops when the process that holds it
 * dies, however it dies: there is no stale lock to clean. The lock file itself stays (removing it
 * would let a waiter lock a file that the next publisher no longer opens).
 */
final class RepoLock implements AutoCloseable {
    private static final long POLL_MILLIS = 100;

    private final FileChannel channel;
    private final FileLock lock;

    private RepoLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock, waiting up to {@code timeout} for another publisher to finish.
     *
     * @throws LockTimeoutException when the wait ends first (nothing changed)
     */
    static RepoLock acquire(Path file, Duration timeout) {
        try {
            Files.createDirectories(file.getParent());
            return acquire(file, FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE), false, timeout);
        } catch (IOException e) {
            throw new DkmsDebException("cannot lock the repository at " + file + ": " + e.getMessage()
                    + "; check that the directory is writable and on a local file system", e);
        }
    }

    /**
     * A reader's lock: shared with other readers, held off while a publisher holds its lock, so that
     * what is read is one generation. Null when the repository has no lock file or it cannot be read
     * (no publisher of this kind writes there, or the reader may not open it): then reading goes on
     * without one.
     */
    static RepoLock shared(Path file, Duration timeout) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            return null;
        }
        return acquire(file, channel, true, timeout);
    }

    private static RepoLock acquire(Path file, FileChannel opened, boolean shared, Duration timeout) {
        FileChannel channel = opened;
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            boolean said = false;
            while (true) {
                FileLock lock;
                try {
                    lock = channel.tryLock(0, Long.MAX_VALUE, shared);
                } catch (OverlappingFileLockException heldHere) {
                    // another thread of this process holds it: wait as for another process
                    lock = null;
                }
                if (lock != null) {
                    return new RepoLock(channel, lock);
                }
                if (System.nanoTime() - deadline >= 0) {
                    channel.close();
                    throw new LockTimeoutException("another publisher held the lock of the repository (" + file + ") for more than "
                            + timeout.toSeconds() + " s; nothing was changed: run again when it is done, or wait longer with --lock-timeout");
                }
                if (!said) {
                    Log.info("waiting for another publisher to release " + file + " (up to " + timeout.toSeconds() + " s)");
                    said = true;
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (IOException e) {
            closeQuietly(channel);
            throw new DkmsDebException("cannot lock the repository at " + file + ": " + e.getMessage()
                    + "; check that the directory is writable and on a local file system", e);
        } catch (InterruptedException e) {
            closeQuietly(channel);
            Thread.currentThread().interrupt();
            throw new DkmsDebException("interrupted while waiting for the lock " + file + "; nothing was changed", e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel below releases it too
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the kernel drops the lock with the descriptor
            }
        }
    }
}

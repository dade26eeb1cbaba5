package io.dkmsdeb.kernel;

import io.dkmsdeb.model.Trees;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The scratch tree of one build, at a path that depends only on the user, module, version and
 * kernel ({@code $TMPDIR/dkms-deb-USER/build/KVER/NAME-VERSION}), so that paths compiled into a
 * module (and so its build id) are the same in every run. Builds of the same module for the
 * same kernel take turns through a lock file; the tree is removed when the build ends.
 */
final class Scratch implements AutoCloseable {
    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private Scratch(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** The scratch directory of a build; dkms's trees are {@code dkms/} and {@code src/} inside it. */
    static Path location(String module, String version, String kernel) {
        return userDir().resolve("build").resolve(kernel).resolve(module + "-" + version);
    }

    private static Path userDir() {
        String tmp = System.getenv("TMPDIR");
        return Path.of(tmp != null && !tmp.isBlank() ? tmp : System.getProperty("java.io.tmpdir"), "dkms-deb-" + System.getProperty("user.name"));
    }

    static Scratch forBuild(String module, String version, String kernel) throws IOException {
        Path user = userDir();
        if (!Files.exists(user, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(user, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another run created it first
            }
        }
        if (Files.isSymbolicLink(user) || !Files.isDirectory(user, LinkOption.NOFOLLOW_LINKS)
                || !Files.getOwner(user, LinkOption.NOFOLLOW_LINKS).getName().equals(System.getProperty("user.name"))) {
            throw new IOException(user + " is not a directory owned by " + System.getProperty("user.name") + "; remove it or set TMPDIR");
        }
        Path dir = location(module, version, kernel);
        Path parent = Files.createDirectories(dir.getParent());
        FileChannel channel = FileChannel.open(parent.resolve(module + "-" + version + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.lock();
        Trees.deleteQuietly(dir); // left by a killed run
        Files.createDirectories(dir);
        return new Scratch(dir, channel, lock);
    }

    Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        try {
            Trees.deleteQuietly(dir);
        } finally {
            lock.release();
            lockChannel.close();
        }
    }
}

package io.dkmsdeb.kernel;

import io.dkmsdeb.support.TempFiles;
import io.dkmsdeb.support.Trees;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The scratch tree of one build. In a sandbox, a private directory of this run under the host's
 * temporary directory ({@code dkms-deb-build-PID-*}, 0700, a name nobody can claim first), which the
 * sandbox mounts where its {@link KernelBuild.Layout} says; the next run removes those of runs
 * that were killed. Without a sandbox, where the layout says: builds of the same module for the same
 * kernel take turns through a lock file, and the tree (and the link kbuild sees it through, when there
 * is one) is removed when the build ends.
 */
final class Scratch implements AutoCloseable {
    private final KernelBuild.Layout layout;
    private final Path hostDir;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private Scratch(KernelBuild.Layout layout, Path hostDir, FileChannel lockChannel, FileLock lock) {
        this.layout = layout;
        this.hostDir = hostDir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Where the build's files are on the host: what the steps see at {@link KernelBuild.Layout#kbuildDir()}. */
    Path hostDir() {
        return hostDir;
    }

    /**
     * A private directory under {@code tmp} for a sandboxed build ({@code dkms-deb-build-PID-*}); those that killed runs
     * left are removed first.
     */
    static Scratch privateFor(KernelBuild.Layout layout, Path tmp) throws IOException {
        TempFiles.removeLeftovers(Files.createDirectories(tmp));
        return new Scratch(layout, TempFiles.directory(tmp, "build"), null, null);
    }

    static Scratch forBuild(KernelBuild.Layout layout) throws IOException {
        privateDir(layout.base());
        Path dir = layout.dir();
        Path parent = Files.createDirectories(dir.getParent());
        FileChannel channel = FileChannel.open(parent.resolve(dir.getFileName() + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.lock();
        Scratch scratch = new Scratch(layout, dir, channel, lock);
        try {
            Trees.deleteQuietly(dir); // left by a killed run
            Files.createDirectories(dir);
            if (!layout.kbuildDir().equals(dir)) {
                link(layout);
            }
            return scratch;
        } catch (IOException | RuntimeException e) {
            scratch.close();
            throw e;
        }
    }

    /** The link kbuild builds through: a path without the characters of the scratch directory's that kbuild cannot take. */
    private static void link(KernelBuild.Layout layout) throws IOException {
        Path link = layout.kbuildDir();
        if (!KernelBuild.Layout.kbuildSafe(link.toString())) {
            throw new IOException("kbuild cannot build in " + layout.dir() + " (a space, quote or ':' in the path) and no link "
                    + "without them can be made in " + layout.linkBase() + "; set TMPDIR to a path of letters, digits, '.', '_', '-' and '/'");
        }
        privateDir(layout.linkBase());
        Files.deleteIfExists(link); // left by a killed run; the link is only ever made under this build's lock
        Files.createSymbolicLink(link, layout.dir());
    }

    /** Creates {@code dir} (0700) unless it exists, and makes sure it is a directory of this user, not a link. */
    private static void privateDir(Path dir) throws IOException {
        String user = System.getProperty("user.name");
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another run created it first
            }
        }
        if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                || !Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName().equals(user)) {
            throw new IOException(dir + " is not a directory owned by " + user + "; remove it or set TMPDIR");
        }
    }

    @Override
    public void close() throws IOException {
        if (lock == null) {
            TempFiles.delete(hostDir);
            return;
        }
        try {
            if (!layout.kbuildDir().equals(layout.dir())) {
                Files.deleteIfExists(layout.kbuildDir());
            }
            Trees.deleteQuietly(layout.dir());
        } finally {
            lock.release();
            lockChannel.close();
        }
    }
}

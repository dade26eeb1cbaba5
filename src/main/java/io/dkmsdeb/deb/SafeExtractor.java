package io.dkmsdeb.deb;

import io.dkmsdeb.support.TempFiles;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Unpacks the part of a package's data below one prefix (e.g. {@code usr/src/}) into a private
 * directory, refusing what could write elsewhere or surprise a build: hard links, device nodes
 * and FIFOs, symbolic links that are absolute or lead out of the prefix, and any member whose
 * parent is not a directory that this extraction created (so a link cannot be written through).
 * Modes are reduced to 0755/0644.
 */
public final class SafeExtractor {
    private SafeExtractor() {
    }

    /** Extracts members under {@code prefix} of {@code deb} into {@code into}; returns the control members. */
    public static DebReader.Control extract(Path deb, String prefix, Path into) throws IOException {
        return extract(deb, prefix, into, false);
    }

    /**
     * As {@link #extract(Path, String, Path)}; with {@code rewriteAbsoluteLinks} an absolute link
     * target ({@code /usr/src/x}) is taken as relative to {@code into} and written as a relative
     * link, so that a package's tree works where it was unpacked (kernel headers).
     */
    public static DebReader.Control extract(Path deb, String prefix, Path into, boolean rewriteAbsoluteLinks) throws IOException {
        Path root = into.toAbsolutePath().normalize();
        return DebReader.read(deb, DebReader.Limits.DEFAULT, e -> {
            TempFiles.requireRunning("unpacking " + deb.getFileName());
            if (!(e.path() + "/").startsWith(prefix) && !e.path().startsWith(prefix)) {
                return;
            }
            Path target = root.resolve(e.path()).normalize();
            if (!target.startsWith(root)) {
                throw new DebReader.BadPackageException(deb + ": member " + e.path() + " would be written outside the extraction directory");
            }
            Path parent = target.getParent();
            ensureRealDirectories(root, parent, deb, e.path());
            switch (e.type()) {
                case 'd' -> {
                    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                        throw new DebReader.BadPackageException(deb + ": " + e.path() + " is both a directory and something else");
                    }
                    Files.createDirectories(target);
                }
                case 'f' -> {
                    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                        throw new DebReader.BadPackageException(deb + ": member " + e.path() + " appears twice");
                    }
                    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                        e.content().transferTo(out);
                    }
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString((e.mode() & 0111) != 0 ? "rwxr-xr-x" : "rw-r--r--"));
                }
                case 'l' -> {
                    String link = e.linkTarget();
                    if (rewriteAbsoluteLinks && link.startsWith("/")) {
                        link = parent.relativize(root.resolve(link.substring(1)).normalize()).toString();
                        if (link.isEmpty()) {
                            link = ".";
                        }
                    }
                    Path resolved = parent.resolve(link).normalize();
                    if (link.startsWith("/") || !resolved.startsWith(root.resolve(prefix).normalize())) {
                        if (rewriteAbsoluteLinks) {
                            // a link that leads out of the unpacked tree is left out of kernel headers
                            return;
                        }
                        throw new DebReader.BadPackageException(deb + ": symbolic link " + e.path() + " -> " + link + " points outside " + prefix);
                    }
                    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                        throw new DebReader.BadPackageException(deb + ": member " + e.path() + " appears twice");
                    }
                    Files.createSymbolicLink(target, Path.of(link));
                }
                case 'h' -> throw new DebReader.BadPackageException(deb + ": hard link " + e.path() + " -> " + e.linkTarget()
                        + " refused; a -dkms package has no need for hard links");
                default -> throw new DebReader.BadPackageException(deb + ": " + e.path() + " is a device node, FIFO or other special file; refused");
            }
        });
    }

    private static void ensureRealDirectories(Path root, Path dir, Path deb, String member) throws IOException {
        Path rel = root.relativize(dir);
        Path current = root;
        for (Path segment : rel) {
            if (segment.toString().isEmpty()) {
                continue;
            }
            current = current.resolve(segment);
            if (Files.isSymbolicLink(current)) {
                throw new DebReader.BadPackageException(deb + ": member " + member + " would be written through the symbolic link "
                        + root.relativize(current));
            }
            if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(current);
            } else if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                throw new DebReader.BadPackageException(deb + ": member " + member + " lies below " + root.relativize(current) + ", which is not a directory");
            }
        }
    }
}

package io.dkmsdeb.model.deb;

import io.dkmsdeb.model.ModuleSourceException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One member of a package's data.tar: a directory, a regular file or a symbolic link.
 *
 * <p>{@code path} is relative to the package root, without a leading {@code ./} or a trailing
 * slash ({@code usr/src/hello-1.0/hello.c}). Owner is always root:root; the mode holds only
 * permission bits (no setuid, setgid or sticky bit).
 *
 * @param path      path inside the package
 * @param type      what kind of file system object
 * @param mode      permission bits, 0000-0777
 * @param data      content of a regular file, else {@code null}
 * @param linkTarget target of a symbolic link, else {@code null}
 * @param mtime     modification time in seconds since the epoch, kept when it is older than the
 *                  package time (dpkg-deb clamps newer ones to SOURCE_DATE_EPOCH); {@link #BUILD_TIME}
 *                  for a member made while the package is built, which gets the package time
 */
public record DebEntry(String path, Type type, int mode, Data data, String linkTarget, long mtime) {
    /** The mtime of a member made at build time: later than any package time, so clamped to it. */
    public static final long BUILD_TIME = Long.MAX_VALUE;

    /** Kinds of members a package may carry. */
    public enum Type { DIRECTORY, FILE, SYMLINK }

    public DebEntry {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        if (!isNormalRelative(path)) {
            throw new ModuleSourceException("package path must be relative and normalized (no '.', '..' or empty segments): '" + path + "'");
        }
        if (path.indexOf('\0') >= 0 || path.indexOf('\n') >= 0) {
            throw new ModuleSourceException("package path must not contain NUL or newline: '" + path.replace("\n", "\\n") + "'");
        }
        if (mode < 0 || mode > 0777) {
            throw new ModuleSourceException("mode must be between 0000 and 0777, got " + Integer.toOctalString(mode) + " for " + path);
        }
        if ((type == Type.FILE) != (data != null)) {
            throw new ModuleSourceException("regular files, and only they, carry data: " + path);
        }
        if ((type == Type.SYMLINK) != (linkTarget != null)) {
            throw new ModuleSourceException("symbolic links, and only they, carry a target: " + path);
        }
        if (linkTarget != null && (linkTarget.isEmpty() || linkTarget.indexOf('\0') >= 0)) {
            throw new ModuleSourceException("symbolic link target must be a non-empty string without NUL: " + path);
        }
    }

    /**
     * True when {@code path} is relative and normalized: not empty, and no segment between slashes
     * is empty, "." or "..". (A scan rather than a pattern: a source package checks some 20,000
     * paths, and the pattern took a tenth of a second of a cold JVM's time.)
     */
    static boolean isNormalRelative(String path) {
        int start = 0;
        int n = path.length();
        while (true) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = n;
            }
            int len = end - start;
            if (len == 0 || (len <= 2 && path.charAt(start) == '.' && (len == 1 || path.charAt(start + 1) == '.'))) {
                return false;
            }
            if (end == n) {
                return true;
            }
            start = end + 1;
        }
    }

    /** A member made at build time ({@link #BUILD_TIME}). */
    public DebEntry(String path, Type type, int mode, Data data, String linkTarget) {
        this(path, type, mode, data, linkTarget, BUILD_TIME);
    }

    /** This member with another mtime (seconds since the epoch). */
    public DebEntry withMtime(long seconds) {
        return new DebEntry(path, type, mode, data, linkTarget, seconds);
    }

    /** This member with other permission bits, its mtime kept. */
    public DebEntry withMode(int newMode) {
        return new DebEntry(path, type, newMode, data, linkTarget, mtime);
    }

    /** The mtime written for a package stamped {@code packageTime}: the older of the two, as dpkg-deb's --clamp-mtime. */
    public long clampedMtime(long packageTime) {
        return Math.min(mtime, packageTime);
    }

    public static DebEntry directory(String path) {
        return new DebEntry(path, Type.DIRECTORY, 0755, null, null);
    }

    public static DebEntry file(String path, int mode, Data data) {
        return new DebEntry(path, Type.FILE, mode, data, null);
    }

    public static DebEntry symlink(String path, String target) {
        return new DebEntry(path, Type.SYMLINK, 0777, null, target);
    }

    /** Size in bytes of the content (regular files), of the target string (links), else 0. */
    public long size() {
        return switch (type) {
            case FILE -> data.size();
            case SYMLINK -> linkTarget.getBytes(StandardCharsets.UTF_8).length;
            case DIRECTORY -> 0;
        };
    }

    /** Content of a regular file: bytes held in memory or a file read when the package is written. */
    public interface Data {
        long size();

        InputStream open() throws IOException;

        static Data of(byte[] bytes) {
            byte[] copy = bytes.clone();
            return new Data() {
                @Override
                public long size() {
                    return copy.length;
                }

                @Override
                public InputStream open() {
                    return new ByteArrayInputStream(copy);
                }
            };
        }

        static Data of(String text) {
            return of(text.getBytes(StandardCharsets.UTF_8));
        }

        /** Content read from {@code file} at write time; its size is taken now. */
        static Data of(Path file) throws IOException {
            return of(file, Files.size(file));
        }

        /** Content read from {@code file} at write time, whose size the caller has just read ({@code size}). */
        static Data of(Path file, long size) {
            return new Data() {
                @Override
                public long size() {
                    return size;
                }

                @Override
                public InputStream open() throws IOException {
                    return Files.newInputStream(file);
                }
            };
        }
    }
}

package io.dkmsdeb.kernel;

import io.dkmsdeb.support.Trees;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The header cache of {@link HeadersFetcher} ({@code $XDG_CACHE_HOME/dkms-deb/headers}): one tree per kernel release,
 * as Debian's packages unpack, and the files the trees have in common stored once.
 *
 * <p>Debian ships one {@code linux-headers-ABI-common} tree (about 75 MB unpacked) for all flavours of an ABI
 * ({@code amd64}, {@code cloud-amd64}, {@code arm64}), {@code -common-rt} for the rt ones, and from one ABI to the next
 * most of these files do not change. Unpacked per kernel they are the bulk of the cache. So after a tree is unpacked,
 * each of its regular files is made a hard link to the one copy of its content and mode in {@code .objects/}
 * (named by SHA-256 and mode): the trees stay exactly as Debian's packages make them (paths, links, modes), only the
 * bytes are stored once. Where the file system cannot link (another file system, a link limit), the file stays a copy.
 *
 * <p>{@link #prune} removes the trees of the releases no longer wanted, then every object no tree links to.
 */
public final class HeaderCache {
    static final String OBJECTS = ".objects";
    /** An unfinished fetch older than this is left over by a killed process. */
    private static final Duration STALE = Duration.ofHours(12);

    private HeaderCache() {
    }

    /**
     * Stores the regular files of {@code tree} (inside {@code root}) once each in {@code root/.objects}; returns how many were shared.
     * Empty files are left alone: they take no data block, and a headers tree has thousands of them, which as links to one
     * object would reach the file system's limit of links per file (65000 on ext4) within ten kernels. When an object has
     * reached that limit all the same, the file in hand becomes the object's next copy (the trees linked to the old one
     * keep it). A file that cannot be shared for another reason stays a copy; a file system without hard links ends the sharing.
     */
    static int share(Path root, Path tree) throws IOException {
        Path objects = Files.createDirectories(root.resolve(OBJECTS));
        List<Path> files;
        try (Stream<Path> s = Files.walk(tree)) {
            files = s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList();
        }
        int shared = 0;
        for (Path f : files) {
            io.dkmsdeb.support.TempFiles.requireRunning("storing the fetched headers");
            if (Files.size(f) == 0) {
                continue;
            }
            String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(f, java.nio.file.LinkOption.NOFOLLOW_LINKS));
            String hash = sha256(f);
            Path dir = objects.resolve(hash.substring(0, 2));
            Path object = dir.resolve(hash + "-" + mode);
            Files.createDirectories(dir);
            try {
                if (Files.exists(object)) {
                    Path tmp = f.resolveSibling(".share-" + f.getFileName());
                    Files.deleteIfExists(tmp);
                    try {
                        Files.createLink(tmp, object);
                    } catch (FileSystemException full) {
                        if (!tooManyLinks(full)) {
                            throw full;
                        }
                        Files.delete(object);   // the trees linked to it keep their copy; this file starts the next one
                        Files.createLink(object, f);
                        continue;
                    }
                    Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    shared++;
                } else {
                    try {
                        Files.createLink(object, f);
                    } catch (FileAlreadyExistsException raced) {
                        // another fetch stored the same content a moment ago: the next tree shares it
                    }
                }
            } catch (UnsupportedOperationException e) {
                return shared; // no hard links here: the rest stay copies, as before
            } catch (FileSystemException e) {
                // this file stays a copy (a name too long for the temporary link); a file system that refuses links
                // (EPERM, EACCES) ends the sharing: the rest stay copies
                if (e instanceof java.nio.file.AccessDeniedException || (e.getReason() != null && e.getReason().contains("not permitted"))) {
                    return shared;
                }
            }
        }
        return shared;
    }

    /** The file system's limit of links per file reached (EMLINK). */
    static boolean tooManyLinks(FileSystemException e) {
        return e.getReason() != null && e.getReason().contains("Too many links");
    }

    /**
     * What {@link #prune} removed.
     *
     * @param releases   the kernel releases whose trees were removed
     * @param bytesFreed the size of the files that left the disk (those no other tree links to)
     */
    public record Pruned(List<String> releases, long bytesFreed) {
        public Pruned {
            releases = List.copyOf(releases);
        }
    }

    /**
     * Removes from the cache of {@code env} the tree of every release not in {@code keep} (a release being fetched
     * now is left alone), unfinished fetches left by killed processes, then the stored files no tree uses any more.
     */
    public static Pruned prune(Set<String> keep, Map<String, String> env) throws IOException {
        Path root = HeadersFetcher.cacheRoot(env);
        if (!Files.isDirectory(root)) {
            return new Pruned(List.of(), 0);
        }
        long before = usage(root);
        List<String> removed = new ArrayList<>();
        List<Path> entries;
        try (Stream<Path> s = Files.list(root)) {
            entries = s.sorted().toList();
        }
        for (Path p : entries) {
            String name = p.getFileName().toString();
            if (name.startsWith(".tmp-") && Files.getLastModifiedTime(p).toInstant().isBefore(Instant.now().minus(STALE))) {
                Trees.deleteQuietly(p);
            } else if (!name.startsWith(".") && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !keep.contains(name)) {
                try (FileChannel ch = FileChannel.open(root.resolve(name + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock lock = ch.tryLock()) {
                    if (lock != null) {
                        Trees.delete(p);
                        removed.add(name);
                    }
                }
                Files.deleteIfExists(root.resolve(name + ".lock"));
            }
        }
        Path objects = root.resolve(OBJECTS);
        if (Files.isDirectory(objects)) {
            try (Stream<Path> s = Files.walk(objects)) {
                for (Path o : s.filter(Files::isRegularFile).toList()) {
                    if (((Number) Files.getAttribute(o, "unix:nlink")).intValue() <= 1) {
                        Files.deleteIfExists(o);
                    }
                }
            }
        }
        return new Pruned(removed, Math.max(0, before - usage(root)));
    }

    /** The bytes of the regular files under {@code dir}, each file (inode) counted once however many names it has. */
    public static long usage(Path dir) throws IOException {
        Set<Object> seen = new HashSet<>();
        long total = 0;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList()) {
                Map<String, Object> a = Files.readAttributes(p, "unix:ino,dev,size", java.nio.file.LinkOption.NOFOLLOW_LINKS);
                if (seen.add(a.get("dev") + ":" + a.get("ino"))) {
                    total += ((Number) a.get("size")).longValue();
                }
            }
        }
        return total;
    }

    private static String sha256(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}

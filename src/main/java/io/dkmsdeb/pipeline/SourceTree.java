package io.dkmsdeb.pipeline;

import io.dkmsdeb.support.IoErrors;
import io.dkmsdeb.support.SourceFiles;
import io.dkmsdeb.model.deb.DebEntry;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.model.ModuleSourceException;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The files of a module tree that belong in {@code /usr/src/NAME-VERSION/}: everything except
 * version-control folders, kbuild output and a top-level {@code debian/} folder. Symbolic links
 * are kept as links when they point inside the tree; links that are absolute or lead out of it,
 * device nodes, FIFOs and sockets are left out with a warning. Modes become 0755 (directories
 * and files with an execute bit) or 0644; setuid, setgid and sticky bits are dropped.
 */
public final class SourceTree {
    private SourceTree() {
    }

    /**
     * Entries for every file of {@code root} below {@code prefix}, without {@code skip} (a path
     * relative to the root that the caller supplies itself, e.g. dkms.conf).
     */
    public static List<DebEntry> scan(Path root, String prefix, String skip) {
        return list(root, skip).under(prefix);
    }

    /**
     * The files of a tree, named relative to its top, and what was left out of it (said once the
     * tree is packaged: {@link #under}). A listing can be made before the package's folder is known.
     */
    public static final class Listing {
        private final Path root;
        private final List<DebEntry> entries;
        private final List<String> dropped;
        private final List<String> cleared;

        private Listing(Path root, List<DebEntry> entries, List<String> dropped, List<String> cleared) {
            this.root = root;
            this.entries = entries;
            this.dropped = dropped;
            this.cleared = cleared;
        }

        public Path root() {
            return root;
        }

        /** The entries below {@code prefix}; warns of the files left out and the modes changed. */
        public List<DebEntry> under(String prefix) {
            for (String d : dropped) {
                Log.warn("left out " + d + " in " + root);
            }
            for (String c : cleared) {
                Log.warn("cleared the setuid/setgid/sticky bits of " + c + " in " + root + "; packaged as 0755/0644");
            }
            List<DebEntry> named = new ArrayList<>(entries.size());
            for (DebEntry e : entries) {
                named.add(new DebEntry(prefix + "/" + e.path(), e.type(), e.mode(), e.data(), e.linkTarget(), e.mtime()));
            }
            return named;
        }
    }

    /** Lists {@code root} without {@code skip} (relative to the root); nothing is logged yet. */
    public static Listing list(Path root, String skip) {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new ModuleSourceException(root + " is not a directory" + (Files.isSymbolicLink(root)
                    ? " but a symbolic link; pass the directory it points to" : "; pass the module's source directory"));
        }
        List<DebEntry> entries = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        List<String> cleared = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                /** The relative names of the folders being walked, each with its slash ("" for the top). */
                private final Deque<String> folders = new ArrayDeque<>();

                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (folders.isEmpty()) {
                        folders.push("");
                        return FileVisitResult.CONTINUE;
                    }
                    String name = name(dir);
                    String rel = folders.peek() + name;
                    if (SourceFiles.isVcsDir(name) || name.equals(".tmp_versions") || rel.equals("debian")) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    entries.add(DebEntry.directory(rel));
                    folders.push(rel + "/");
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    folders.pop();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    String name = name(file);
                    String rel = folders.peek() + name;
                    if (rel.equals(skip) || SourceFiles.isBuildOutput(name)) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (attrs.isSymbolicLink()) {
                        String target = Files.readSymbolicLink(file).toString();
                        if (staysInside(rel, target)) {
                            entries.add(DebEntry.symlink(rel, target));
                        } else {
                            dropped.add(rel + " -> " + target + " (link out of the tree)");
                        }
                    } else if (attrs.isRegularFile()) {
                        if (!Files.isReadable(file)) {
                            throw new ModuleSourceException("cannot read " + file + ": permission denied; make it readable or remove it from the tree");
                        }
                        int rawMode = mode(file);
                        if ((rawMode & 07000) != 0) {
                            cleared.add(rel + " (mode " + Integer.toOctalString(rawMode & 07777) + ")");
                        }
                        // the walk's own stat gives the size: no second one per file
                        entries.add(DebEntry.file(rel, executable(rawMode) ? 0755 : 0644, DebEntry.Data.of(file, attrs.size())));
                    } else {
                        dropped.add(rel + " (not a regular file, directory or link)");
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    throw new ModuleSourceException("cannot read " + file + ": " + IoErrors.reason(e) + "; make it readable or remove it from the tree", e);
                }
            });
        } catch (IOException e) {
            throw new ModuleSourceException("cannot read " + IoErrors.file(e, root) + " in the module tree " + root + ": " + IoErrors.reason(e)
                    + "; make it readable or remove it from the tree", e);
        }
        return new Listing(root, entries, dropped, cleared);
    }

    /**
     * The entry for one regular file installed at {@code dest}: 0755 when it has an execute bit,
     * else 0644 (as dh_fixperms leaves it).
     */
    public static DebEntry file(Path file, String dest) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new ModuleSourceException(file + " is not a regular file; packaging files must name plain files");
        }
        try {
            return DebEntry.file(dest, executable(mode(file)) ? 0755 : 0644, DebEntry.Data.of(file));
        } catch (IOException e) {
            throw new ModuleSourceException("cannot read " + file + ": " + IoErrors.reason(e) + "; make it readable", e);
        }
    }

    /**
     * The mode bits of {@code file} itself (not of what a link points to), setuid, setgid and
     * sticky included: one stat gives both the execute bits and the bits to warn about.
     */
    private static int mode(Path file) throws IOException {
        return (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    /** Any execute bit (owner, group or others) makes a file 0755 in the package, as dh_fixperms leaves it. */
    private static boolean executable(int mode) {
        return (mode & 0111) != 0;
    }

    /** True when a relative link at {@code rel} pointing to {@code target} resolves inside the tree. */
    static boolean staysInside(String rel, String target) {
        if (target.startsWith("/") || target.isEmpty()) {
            return false;
        }
        int depth = rel.split("/").length - 1;
        for (String segment : target.split("/")) {
            if (segment.equals("..")) {
                depth--;
                if (depth < 0) {
                    return false;
                }
            } else if (!segment.isEmpty() && !segment.equals(".")) {
                depth++;
            }
        }
        return true;
    }

    /**
     * The name of {@code p} (its last segment) as text; the walk joins the names into the path
     * below the tree's top, each name checked once. A name that does not survive the trip to text
     * and back (not UTF-8, or a locale that cannot show it) is refused: the package would otherwise
     * hold a different name than the tree.
     */
    private static String name(Path p) {
        Path name = p.getFileName();
        String text = name.toString();
        boolean roundTrips;
        try {
            roundTrips = text.indexOf('\uFFFD') < 0 && Path.of(text).equals(name);
        } catch (java.nio.file.InvalidPathException e) {
            roundTrips = false;
        }
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            throw new ModuleSourceException("the file name " + p.toString().replace("\n", "\\n").replace("\r", "\\r")
                    + " has a line break, which a Debian package cannot hold (dpkg's file lists are one name a line); "
                    + "rename it or remove it from the tree");
        }
        if (!roundTrips) {
            throw new ModuleSourceException("the file name " + p.toString().replace('\uFFFD', '?') + " is not valid UTF-8"
                    + (System.getProperty("sun.jnu.encoding", "").equalsIgnoreCase("UTF-8") ? "" : " in this locale (run with LC_ALL=C.UTF-8)")
                    + "; Debian packages use UTF-8 file names: rename it or remove it from the tree");
        }
        return text;
    }
}

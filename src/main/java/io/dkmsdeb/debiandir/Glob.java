package io.dkmsdeb.debiandir;

import io.dkmsdeb.model.ModuleSourceException;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * File-name patterns as debhelper expands them in its config files (csh-style {@code bsd_glob}):
 * {@code * ? [...] {a,b}} per path segment, a leading dot matched only by a pattern that starts
 * with one, matches sorted. Patterns are relative to the package root and may not leave it: an
 * absolute pattern or a {@code ..} segment is refused, since a debian/ directory from a tarball
 * must not pull files of the build host into a package.
 */
final class Glob {
    private Glob() {
    }

    /** The existing paths that {@code pattern} names below {@code root}; empty when none. */
    static List<Path> expand(Path root, String pattern, String where) {
        if (pattern.startsWith("/") || Path.of(pattern).normalize().startsWith("..") || List.of(pattern.split("/")).contains("..")) {
            throw new ModuleSourceException(where + ": '" + pattern + "' points outside the source tree; "
                    + "list files relative to the directory that holds debian/");
        }
        List<Path> current = List.of(root);
        for (String segment : pattern.split("/+")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            List<Path> next = new ArrayList<>();
            for (Path dir : current) {
                next.addAll(matchSegment(dir, segment, where));
            }
            current = next;
        }
        if (current.equals(List.of(root))) {
            return List.of();
        }
        for (Path m : current) {
            requireInside(root, m, pattern, where);
        }
        return current.stream().sorted().toList();
    }

    /** A match reached through a link to a directory outside the tree is refused (the match itself may be a link). */
    private static void requireInside(Path root, Path match, String pattern, String where) {
        try {
            if (!match.getParent().toRealPath().startsWith(root.toRealPath())) {
                throw new ModuleSourceException(where + ": '" + pattern + "' reaches " + match + " through a symbolic link that "
                        + "leaves the source tree; list files inside the tree");
            }
        } catch (IOException e) {
            throw new ModuleSourceException(where + ": cannot resolve " + match + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> matchSegment(Path dir, String segment, String where) {
        if (!hasMagic(segment)) {
            Path p = dir.resolve(segment);
            return Files.exists(p, LinkOption.NOFOLLOW_LINKS) ? List.of(p) : List.of();
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + segment);
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String name = p.getFileName().toString();
                return (!name.startsWith(".") || segment.startsWith(".")) && matcher.matches(Path.of(name));
            }).sorted().toList();
        } catch (IOException e) {
            throw new ModuleSourceException(where + ": cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static boolean hasMagic(String segment) {
        return segment.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }
}

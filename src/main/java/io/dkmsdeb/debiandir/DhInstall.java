package io.dkmsdeb.debiandir;

import io.dkmsdeb.model.NamePatterns;
import io.dkmsdeb.model.ModuleSourceException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code debian/PACKAGE.install} file read as dh_install (compat 13) reads it: one
 * {@code SOURCE... [DEST]} per line, {@code #} comment lines, debhelper's variables
 * ({@code ${Space}}, {@code ${Dollar}}, {@code ${Newline}}, {@code ${Tab}}, {@code ${env:NAME}})
 * filled, sources globbed relative to the package root (then {@code debian/tmp}), a line with a
 * single source installed at the same relative path. Executable install files (dh-exec) are
 * refused: they would need running.
 */
public final class DhInstall {
    private static final Pattern VARIABLE = NamePatterns.SUBSTVAR;
    private static final Map<String, String> BUILT_IN = Map.of("Space", " ", "Dollar", "$", "Newline", "\n", "Tab", "\t");

    private DhInstall() {
    }

    /**
     * One thing to install: a file or directory of the tree, and the path it gets in the
     * package (a directory is copied with its contents, as {@code cp -a}).
     */
    public record Item(Path source, String destination) {
    }

    /** The items of {@code file} at compat level 13; {@code env} is the environment for {@code ${env:NAME}}. */
    public static List<Item> read(Path root, Path file, Map<String, String> env) {
        return read(root, file, env, 13);
    }

    /**
     * The items of {@code file}; {@code env} is the environment for {@code ${env:NAME}}, which
     * (like the other variables) is filled only from compat level 13 on, as debhelper does.
     */
    public static List<Item> read(Path root, Path file, Map<String, String> env, int compat) {
        if (Files.isExecutable(file)) {
            throw new ModuleSourceException(file + " is executable (a dh-exec script), which dkms-deb does not run; "
                    + "list the files literally and make it a plain file (chmod -x)");
        }
        List<Item> items = new ArrayList<>();
        for (Line line : wordsOf(file, env, compat)) {
            items.addAll(items(root, line.words(), line.where()));
        }
        return items;
    }

    /** The items of one line's words (or one dh_install call's arguments): sources, then the destination if more than one word. */
    public static List<Item> items(Path root, List<String> words, String where) {
        List<Item> items = new ArrayList<>();
        List<String> sources = words.size() == 1 ? words : words.subList(0, words.size() - 1);
        String dest = words.size() == 1 ? null : clean(words.get(words.size() - 1), where);
        for (String pattern : sources) {
            Path base = root;
            List<Path> matches = Glob.expand(root, pattern, where);
            if (matches.isEmpty() && Files.isDirectory(root.resolve("debian/tmp"))) {
                base = root.resolve("debian/tmp");
                matches = Glob.expand(base, pattern, where);
            }
            if (matches.isEmpty()) {
                throw new ModuleSourceException(where + ": '" + pattern + "' matches no file below " + root
                        + "; dh_install would fail too: fix the line or add the file");
            }
            for (Path m : matches) {
                String target = dest != null ? dest + "/" + m.getFileName()
                        : clean(base.relativize(m).toString(), where);
                items.add(new Item(m, target));
            }
        }
        return items;
    }

    /**
     * The files a list file names when every word is a source (dh_installexamples,
     * dh_installman): globs relative to the package root, each line's variables filled from
     * compat 13 on; a word that matches nothing is an error, as in debhelper.
     */
    public static List<Path> sources(Path root, Path file, Map<String, String> env, int compat) {
        List<Path> found = new ArrayList<>();
        for (Line line : wordsOf(file, env, compat)) {
            String where = line.where();
            for (String pattern : line.words()) {
                List<Path> matches = Glob.expand(root, pattern, where);
                if (matches.isEmpty()) {
                    throw new ModuleSourceException(where + ": '" + pattern + "' matches no file below " + root
                            + "; debhelper would fail too: fix the line or add the file");
                }
                found.addAll(matches);
            }
        }
        return found;
    }

    /** The words of each line of a list file (dh_link, dh_installdirs, maintscript), comments and blank lines left out. */
    public static List<List<String>> lines(Path file, Map<String, String> env, int compat) {
        return wordsOf(file, env, compat).stream().map(Line::words).toList();
    }

    /** One line of a list file: where it is ({@code FILE line N}), and its words, variables filled from compat 13 on. */
    private record Line(String where, List<String> words) {
    }

    /** The lines of a list file that hold words: comments and blank lines left out. */
    private static List<Line> wordsOf(Path file, Map<String, String> env, int compat) {
        List<Line> out = new ArrayList<>();
        String[] lines = DebianDir.readText(file).split("\n");
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (!line.isEmpty() && !line.startsWith("#")) {
                String where = file + " line " + (n + 1);
                out.add(new Line(where, List.of((compat >= 13 ? substitute(line, env, where) : line).trim().split("[ \\t]+"))));
            }
        }
        return out;
    }

    /** A path inside the package, as {@link #items} accepts destinations; {@code where} names the line. */
    public static String packagePath(String path, String where) {
        return clean(path, where);
    }

    /** debhelper's variable substitution for config files. */
    static String substitute(String text, Map<String, String> env, String where) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = BUILT_IN.get(name);
            if (value == null && name.startsWith("env:")) {
                value = env.get(name.substring(4));
            }
            if (value == null) {
                throw new ModuleSourceException(where + ": cannot expand ${" + name + "}: dkms-deb knows ${Space}, ${Dollar}, "
                        + "${Newline}, ${Tab} and ${env:NAME} of a set variable; write the value literally");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** A destination inside the package: relative, no '..', no doubled or trailing slashes. */
    private static String clean(String path, String where) {
        String p = path.replaceAll("/+", "/").replaceAll("^/|/$", "");
        if (p.isEmpty() || List.of(p.split("/")).contains("..") || p.startsWith("DEBIAN")) {
            throw new ModuleSourceException(where + ": destination '" + path + "' is not a path inside the package; "
                    + "name a directory such as usr/src/NAME-VERSION/");
        }
        return p;
    }
}

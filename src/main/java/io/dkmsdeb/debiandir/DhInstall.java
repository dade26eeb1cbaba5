package io.dkmsdeb.debiandir;

import io.dkmsdeb.model.NamePatterns;
import io.dkmsdeb.model.ModuleSourceException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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

    /** The items of {@code file}; {@code env} is the environment for {@code ${env:NAME}}. */
    public static List<Item> read(Path root, Path file, Map<String, String> env) {
        if (Files.isExecutable(file)) {
            throw new ModuleSourceException(file + " is executable (a dh-exec script), which dkms-deb does not run; "
                    + "list the files literally and make it a plain file (chmod -x)");
        }
        List<Item> items = new ArrayList<>();
        String[] lines = DebianDir.readText(file).split("\n");
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + " line " + (n + 1);
            List<String> words = Arrays.stream(substitute(line, env, where).trim().split("[ \\t]+")).toList();
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
        }
        return items;
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

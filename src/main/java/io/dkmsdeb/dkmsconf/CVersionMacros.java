package io.dkmsdeb.dkmsconf;

import io.dkmsdeb.model.ModuleSourceException;
import io.dkmsdeb.support.IoErrors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The versions named by {@code MODULE_VERSION(...)} in a tree's C sources, with the argument
 * resolved as the preprocessor would for the forms drivers use: string literals and their
 * concatenation, object-like {@code #define}s naming other macros (across the tree's .c and .h
 * files, bodies continued with backslashes, comments ignored), and the kernel's
 * {@code __stringify(X)} (X expanded first) and {@code __stringify_1(X)} (X as written).
 * <p>
 * {@code #if} blocks are not evaluated: every {@code #define} of the tree counts. A macro it needs
 * that has two different bodies, that is not defined, or that takes arguments makes the version
 * unknown: a {@link ModuleSourceException} says which macro, where, and to pass {@code -V}.
 */
public final class CVersionMacros {
    private static final Pattern DEFINE = Pattern.compile("^\\s*#\\s*define\\s+([A-Za-z_]\\w*)(\\()?(.*)$");
    private static final Pattern MODULE_VERSION = Pattern.compile("\\bMODULE_VERSION\\s*\\(");
    private static final Set<String> STRINGIFY = Set.of("__stringify", "__stringify_1");
    private static final int DEPTH = 4;

    /** One #define: its body ({@code null} for a macro that takes arguments) and where it is. */
    private record Define(String body, Path file, int line) {
    }

    /** One {@code MODULE_VERSION(argument)} in the sources. */
    public record Use(String argument, Path file, int line) {
    }

    private final Path root;
    private final Map<String, List<Define>> defines = new HashMap<>();
    private final List<Use> uses = new ArrayList<>();

    private CVersionMacros(Path root) {
        this.root = root;
    }

    /** Reads the #defines of the .c and .h files and the MODULE_VERSION uses of the .c files under {@code dir}. */
    public static CVersionMacros read(Path dir) {
        return read(dir, p -> Files.readString(p, StandardCharsets.ISO_8859_1));
    }

    /** Reads one source file (tests give one that fails). */
    interface SourceReader {
        String read(Path file) throws IOException;
    }

    static CVersionMacros read(Path dir, SourceReader reader) {
        CVersionMacros macros = new CVersionMacros(dir);
        Path current = dir;
        try (Stream<Path> files = Files.walk(dir, DEPTH)) {
            List<Path> sources = files.filter(f -> (f.toString().endsWith(".c") || f.toString().endsWith(".h"))
                    && Files.isRegularFile(f)).sorted().toList();
            for (Path p : sources) {
                current = p;
                macros.add(p, CLines.of(reader.read(p)));
            }
        } catch (IOException e) {
            throw unreadable(dir, current, e);
        } catch (UncheckedIOException e) {
            throw unreadable(dir, current, e.getCause());
        }
        return macros;
    }

    private static ModuleSourceException unreadable(Path dir, Path current, IOException e) {
        return new ModuleSourceException("cannot read " + IoErrors.file(e, current) + " (looking for MODULE_VERSION in the C sources of "
                + dir + "): " + IoErrors.reason(e) + "; make it readable or remove it from the tree, or pass the version with -V", e);
    }

    private void add(Path file, List<CLines.Line> lines) {
        for (CLines.Line l : lines) {
            Matcher d = DEFINE.matcher(l.text());
            if (d.matches()) {
                defines.computeIfAbsent(d.group(1), k -> new ArrayList<>())
                        .add(new Define(d.group(2) != null ? null : d.group(3).strip(), file, l.number()));
            } else if (file.toString().endsWith(".c") && !l.text().strip().startsWith("#")) {
                Matcher m = MODULE_VERSION.matcher(l.text());
                while (m.find()) {
                    uses.add(new Use(balanced(l.text(), m.end()), file, l.number()));
                }
            }
        }
    }

    /** The text from {@code start} to the parenthesis that closes the one before it. */
    private static String balanced(String text, int start) {
        int depth = 1;
        boolean quoted = false;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')' && --depth == 0) {
                return text.substring(start, i).strip();
            }
        }
        return text.substring(start).strip();
    }

    public List<Use> uses() {
        return List.copyOf(uses);
    }

    /** The versions of all uses, in order, without duplicates; each resolved by {@link #resolve(Use)}. */
    public Set<String> versions() {
        Set<String> versions = new LinkedHashSet<>();
        for (Use use : uses) {
            versions.add(resolve(use));
        }
        return versions;
    }

    /** The string a MODULE_VERSION argument stands for. */
    public String resolve(Use use) {
        String where = "MODULE_VERSION(" + use.argument() + ") in " + use.file() + " line " + use.line();
        List<CTokens.Token> tokens = expand(CTokens.of(use.argument()), new HashSet<>(), where);
        StringBuilder value = new StringBuilder();
        for (CTokens.Token t : tokens) {
            if (!t.isString()) {
                throw new ModuleSourceException(where + " does not resolve to a string literal but to '" + CTokens.spell(tokens)
                        + "'; pass the version with -V VERSION");
            }
            value.append(t.value());
        }
        return value.toString();
    }

    /** Replaces macros and __stringify by what they stand for, as the preprocessor does. */
    private List<CTokens.Token> expand(List<CTokens.Token> tokens, Set<String> active, String where) {
        List<CTokens.Token> out = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            CTokens.Token t = tokens.get(i);
            if (STRINGIFY.contains(t.text()) && i + 1 < tokens.size() && tokens.get(i + 1).text().equals("(")) {
                int close = CTokens.closing(tokens, i + 1);
                if (close < 0) {
                    throw new ModuleSourceException(where + ": " + t.text() + "( is not closed; pass the version with -V VERSION");
                }
                List<CTokens.Token> arg = tokens.subList(i + 2, close);
                List<CTokens.Token> spelled = t.text().equals("__stringify") ? expand(arg, active, where) : arg;
                out.add(CTokens.Token.string(CTokens.spell(spelled), t.spaceBefore()));
                i = close;
            } else if (t.isIdentifier()) {
                out.addAll(expandMacro(t, active, where));
            } else {
                out.add(t);
            }
        }
        return out;
    }

    private List<CTokens.Token> expandMacro(CTokens.Token name, Set<String> active, String where) {
        String macro = name.text();
        if (active.contains(macro)) {
            throw new ModuleSourceException(where + ": macro " + macro + " refers to itself; pass the version with -V VERSION");
        }
        Define define = definition(macro, where);
        List<CTokens.Token> body = CTokens.of(define.body());
        if (!body.isEmpty()) {
            body.set(0, body.get(0).withSpaceBefore(name.spaceBefore()));
        }
        Set<String> inner = new HashSet<>(active);
        inner.add(macro);
        return expand(body, inner, where);
    }

    /** The one body of {@code macro}; an error when it has none, several, or takes arguments. */
    private Define definition(String macro, String where) {
        List<Define> all = defines.getOrDefault(macro, List.of());
        if (all.isEmpty()) {
            throw new ModuleSourceException(where + ": macro " + macro + " is not #defined in the .c or .h files of " + root
                    + " (it may come from the kernel or the compiler command line); pass the version with -V VERSION");
        }
        Define first = all.get(0);
        for (Define d : all) {
            if (d.body() == null) {
                throw new ModuleSourceException(where + ": macro " + macro + " takes arguments (" + d.file() + " line "
                        + d.line() + "), which is not resolved here; pass the version with -V VERSION");
            }
            if (!CTokens.spell(CTokens.of(d.body())).equals(CTokens.spell(CTokens.of(first.body())))) {
                throw new ModuleSourceException(where + ": macro " + macro + " is #defined with different values in "
                        + first.file() + " line " + first.line() + " (" + first.body() + ") and " + d.file()
                        + " line " + d.line() + " (" + d.body() + "), so the version depends on the build; pass the version with -V VERSION");
            }
        }
        return first;
    }
}

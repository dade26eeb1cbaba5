package io.dkmsdeb;

import io.dkmsdeb.pipeline.bmdeb.BmdebJob;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every exception thrown from a catch block keeps the one it caught as its cause, so that
 * {@code --stacktrace} shows where a failure began, not only the wrapper. The scanner reads
 * {@code src/main/java}: for each {@code catch (T name) { ... throw new X(...) ... }} one of X's
 * arguments must be {@code name} itself. A failing run names file and line of each offender.
 */
@Tag("unit")
class CausesKeptTest {
    private static final Path MAIN = Path.of("src/main/java");

    /**
     * Intentional throws that do not pass the caught exception: file and the start of the
     * statement to the reason. Kept small; each entry says why.
     */
    static final Map<String, String> ALLOWED = Map.of(
            "io/dkmsdeb/deb/Futures.java: new IOException(what + \" failed: \" + cause, cause)",
            "unwraps an ExecutionException: its cause is the failure, the wrapper only records the thread that waited",
            "io/dkmsdeb/pipeline/bmdeb/BmdebJob.java: new DkmsDebException(\"building a kernel failed: \"",
            "unwraps an ExecutionException: its cause is the failure, the wrapper only records the thread that waited");

    /** One throw that drops what its catch block caught. */
    record Offender(String file, int line, String caught, String statement) {
        @Override
        public String toString() {
            return file + ":" + line + ": catch (" + caught + ") throws " + statement;
        }
    }

    @Test
    void everyThrowInACatchBlockKeepsTheCaughtException() throws IOException {
        List<Offender> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String file = MAIN.relativize(f).toString();
                for (Offender o : scan(file, Files.readString(f, StandardCharsets.UTF_8))) {
                    if (ALLOWED.keySet().stream().noneMatch(k -> (o.file() + ": " + o.statement()).startsWith(k))) {
                        offenders.add(o);
                    }
                }
            }
        }
        assertThat(offenders).as("throws in catch blocks that drop the caught exception (pass it as the cause)").isEmpty();
    }

    @Test
    void theScannerFindsAPlantedOffenderAndPassesAKeptCause() {
        String src = """
                class A {
                    void f() {
                        try {
                            g();
                        } catch (IOException | RuntimeException e) {
                            String s = "catch (X y) { throw new Z(q); }"; // catch (X y) { throw new Z(); }
                            throw new IllegalStateException("cannot g: " + e.getMessage());
                        }
                        try {
                            g();
                        } catch (IOException e) {
                            throw new UncheckedIOException("cannot g", e);
                        } catch (IllegalArgumentException bad) {
                            try {
                                h();
                            } catch (RuntimeException inner) {
                                throw new IllegalStateException(bad.getMessage(),
                                        bad);
                            }
                            if (bad == null) {
                                throw new IllegalStateException(bad.getMessage(), (Throwable) bad);
                            }
                            throw (IllegalStateException) new IllegalStateException(String.format("%s", bad)).initCause(bad);
                        } catch (Exception z) {
                            throw (RuntimeException) new RuntimeException("z").initCause(null);
                        }
                    }
                }
                """;
        assertThat(scan("A.java", src)).extracting(Offender::toString).containsExactly(
                "A.java:7: catch (e) throws new IllegalStateException(\"cannot g: \" + e.getMessage())",
                "A.java:17: catch (inner) throws new IllegalStateException(bad.getMessage(), bad)",
                "A.java:25: catch (z) throws new RuntimeException(\"z\")");
    }

    private static final Pattern CATCH = Pattern.compile("\\bcatch\\s*\\(([^)]*?)\\s(\\w+)\\s*\\)\\s*\\{");
    private static final Pattern THROW_NEW = Pattern.compile("\\bthrow\\s+(?:\\(\\s*[\\w.]+\\s*\\)\\s*)?new\\s+([\\w.]+)\\s*(<[^>]*>)?\\s*\\(");

    /** A catch block: its variable and the offsets of its braces. */
    private record Block(String name, int start, int end) {
    }

    /** The throws of {@code source} in catch blocks that do not pass the innermost block's variable. */
    static List<Offender> scan(String file, String source) {
        String code = blankLiteralsAndComments(source);
        List<Block> blocks = new ArrayList<>();
        Matcher c = CATCH.matcher(code);
        while (c.find()) {
            int open = c.end() - 1;
            blocks.add(new Block(c.group(2), open, matching(code, open, '{', '}')));
        }
        List<Offender> offenders = new ArrayList<>();
        Matcher t = THROW_NEW.matcher(code);
        while (t.find()) {
            Block inner = null;
            for (Block b : blocks) {
                if (b.start() < t.start() && t.start() < b.end() && (inner == null || b.start() > inner.start())) {
                    inner = b;
                }
            }
            if (inner == null) {
                continue;
            }
            int open = t.end() - 1;
            int close = matching(code, open, '(', ')');
            List<String> args = topLevelArguments(code.substring(open + 1, close));
            String name = inner.name();
            boolean kept = args.stream().anyMatch(a -> a.equals(name) || a.matches("\\(\\s*[\\w.]+\\s*\\)\\s*" + name))
                    || code.substring(close + 1).matches("(?s)\\s*\\.\\s*initCause\\s*\\(\\s*" + name + "\\s*\\).*");
            if (!kept) {
                String statement = ("new " + t.group(1) + source.substring(open, close + 1)).replaceAll("\\s*\\n\\s*", " ");
                offenders.add(new Offender(file, lineOf(source, t.start()), name, statement));
            }
        }
        return offenders;
    }

    private static int lineOf(String s, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (s.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /** The offset of the bracket closing the one at {@code open} (or the end of the text). */
    private static int matching(String code, int open, char o, char cl) {
        int depth = 0;
        for (int i = open; i < code.length(); i++) {
            char ch = code.charAt(i);
            if (ch == o) {
                depth++;
            } else if (ch == cl && --depth == 0) {
                return i;
            }
        }
        return code.length() - 1;
    }

    private static List<String> topLevelArguments(String args) {
        List<String> out = new ArrayList<>();
        Deque<Character> nesting = new ArrayDeque<>();
        StringBuilder cur = new StringBuilder();
        for (char ch : args.toCharArray()) {
            if (ch == '(' || ch == '[' || ch == '{') {
                nesting.push(ch);
            } else if ((ch == ')' || ch == ']' || ch == '}') && !nesting.isEmpty()) {
                nesting.pop();
            } else if (ch == ',' && nesting.isEmpty()) {
                out.add(cur.toString().strip());
                cur.setLength(0);
                continue;
            }
            cur.append(ch);
        }
        out.add(cur.toString().strip());
        return out;
    }

    /**
     * The source with the insides of string, text-block and char literals and of comments
     * replaced by spaces (line breaks kept), so that braces and keywords in them do not count.
     */
    static String blankLiteralsAndComments(String s) {
        StringBuilder out = new StringBuilder(s);
        int i = 0;
        while (i < s.length()) {
            char ch = s.charAt(i);
            int end;
            if (s.startsWith("//", i)) {
                end = s.indexOf('\n', i);
                end = end < 0 ? s.length() : end;
                blank(out, i, end);
            } else if (s.startsWith("/*", i)) {
                end = s.indexOf("*/", i + 2);
                end = end < 0 ? s.length() : end + 2;
                blank(out, i, end);
            } else if (s.startsWith("\"\"\"", i)) {
                end = literalEnd(s, i + 3, "\"\"\"");
                blank(out, i + 3, end - 3);
            } else if (ch == '"' || ch == '\'') {
                end = literalEnd(s, i + 1, String.valueOf(ch));
                blank(out, i + 1, end - 1);
            } else {
                end = i + 1;
            }
            i = end;
        }
        return out.toString();
    }

    /** The offset just after the closing {@code quote}, skipping escapes. */
    private static int literalEnd(String s, int from, String quote) {
        int i = from;
        while (i < s.length()) {
            if (s.charAt(i) == '\\') {
                i += 2;
            } else if (s.startsWith(quote, i)) {
                return i + quote.length();
            } else {
                i++;
            }
        }
        return s.length();
    }

    private static void blank(StringBuilder out, int from, int to) {
        for (int i = from; i < to; i++) {
            if (out.charAt(i) != '\n') {
                out.setCharAt(i, ' ');
            }
        }
    }
}

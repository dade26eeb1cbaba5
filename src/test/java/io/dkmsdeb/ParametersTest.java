package io.dkmsdeb;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No record of main, and no constructor, takes more than {@value #MOST} positional parameters: a
 * value with more is made of smaller values, or built by name (a builder), so that a new option
 * is not one more argument at every call site. The reports of {@code cli/json} are left out: each is
 * the {@code --json} wire format of a command, one component per key in the order of the keys, made
 * from a result by its {@code of} factory and held by the goldens of {@code JsonReportGoldensTest}.
 */
@Tag("unit")
class ParametersTest {
    static final int MOST = 8;
    private static final Path MAIN = Path.of("src/main/java/io/dkmsdeb");
    /** A record header, or a constructor: an access modifier or none, the type's name, its parameters. */
    private static final Pattern HEAD = Pattern.compile("\\brecord\\s+(\\w+)\\s*(?:<[^>]*>)?\\s*\\(|(?m)^\\s*(?:public\\s+|protected\\s+|private\\s+)?(\\w+)\\s*\\(");

    /** "Type(n)" for each record or constructor of {@code source} with more than {@link #MOST} parameters. */
    static List<String> tooLong(String source) {
        String code = LayersTest.withoutComments(source);
        List<String> out = new ArrayList<>();
        Matcher m = HEAD.matcher(code);
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            if (m.group(1) == null && !Pattern.compile("\\b(class|record|enum)\\s+" + name + "\\b").matcher(code).find()) {
                continue;    // a method call or declaration, not a constructor
            }
            int depth = 1;
            int commas = 0;
            int i = m.end();
            boolean empty = true;
            for (; i < code.length() && depth > 0; i++) {
                char c = code.charAt(i);
                if (c == '(' || c == '<') {
                    depth++;
                } else if (c == ')' || c == '>') {
                    depth--;
                } else if (c == ',' && depth == 1) {
                    commas++;
                } else if (!Character.isWhitespace(c)) {
                    empty = false;
                }
            }
            int params = empty ? 0 : commas + 1;
            // a constructor declaration is followed by its body or a throws clause; a call by ';' or an operator
            String after = code.substring(i, Math.min(code.length(), i + 40)).strip();
            boolean declaration = m.group(1) != null || after.startsWith("{") || after.startsWith("throws");
            if (declaration && params > MOST) {
                out.add(name + "(" + params + ")");
            }
        }
        return out;
    }

    @Test
    void noRecordOrConstructorOfMainTakesMoreThanEightParameters() throws IOException {
        List<String> wrong = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && !p.startsWith(MAIN.resolve("cli/json"))).sorted().toList()) {
                tooLong(Files.readString(f, StandardCharsets.UTF_8)).forEach(t -> wrong.add(f + ": " + t));
            }
        }
        assertThat(wrong).as("records and constructors with more than " + MOST + " parameters").isEmpty();
    }

    @Test
    void aLongRecordOrConstructorIsFoundAndCallsAreNot() {
        assertThat(tooLong("record R(int a, int b, int c, int d, int e, int f, int g, int h, Map<String, List<Integer>> i) {}"))
                .containsExactly("R(9)");
        assertThat(tooLong("final class C {\n    C(int a, int b, int c, int d, int e, int f, int g, int h, int i) {\n    }\n}"))
                .containsExactly("C(9)");
        assertThat(tooLong("final class C {\n    static C of() {\n        return new C(1, 2, 3, 4, 5, 6, 7, 8, 9);\n    }\n}")).isEmpty();
        assertThat(tooLong("record S(int a, int b, int c, int d, int e, int f, int g, int h) {}")).isEmpty();
    }
}

package io.dkmsdeb.deb;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Debian's control-file syntax (deb822, Debian policy 5.1): paragraphs separated by blank lines,
 * {@code Field: value} lines, continuation lines that start with a space or a tab, and, as
 * {@code debian/control} allows, comment lines starting with {@code #}. Field names are matched
 * without regard to case, as dpkg does; their spelling and order are kept.
 */
public final class Deb822 {
    private Deb822() {
    }

    /** One paragraph: field name to value, in file order. */
    public record Paragraph(Map<String, String> fields, int firstLine) {
        public Paragraph {
            fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        }

        /** The value of a field (name in any case), with continuation lines joined by newlines. */
        public Optional<String> get(String name) {
            for (var e : fields.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return Optional.of(e.getValue());
                }
            }
            return Optional.empty();
        }

        /** The value as one line: continuation lines folded into spaces (for relation fields). */
        public Optional<String> folded(String name) {
            return get(name).map(v -> v.replaceAll("\\s*\\n\\s*", " ").strip());
        }
    }

    /** Thrown for text that is not deb822; the message names the line. */
    public static final class SyntaxException extends Exception {
        public SyntaxException(String message) {
            super(message);
        }
    }

    /**
     * The paragraphs of {@code text}. The first line of a value is stripped; continuation lines
     * keep their leading space (as {@code Description} needs) and lose trailing blanks.
     */
    public static List<Paragraph> parse(String text) throws SyntaxException {
        List<Paragraph> result = new ArrayList<>();
        Map<String, String> fields = new LinkedHashMap<>();
        String last = null;
        int start = 0;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = stripTrailing(lines[i]);
            if (line.startsWith("#")) {
                continue;
            }
            if (line.isBlank()) {
                if (!fields.isEmpty()) {
                    result.add(new Paragraph(fields, start));
                    fields = new LinkedHashMap<>();
                }
                last = null;
                continue;
            }
            if (line.startsWith(" ") || line.startsWith("\t")) {
                if (last == null) {
                    throw new SyntaxException("line " + (i + 1) + " continues a field, but no field precedes it");
                }
                fields.put(last, fields.get(last) + "\n" + line);
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !line.substring(0, colon).matches("[!-9;-~]+")) {
                throw new SyntaxException("line " + (i + 1) + " is not 'Field: value': " + line);
            }
            String name = line.substring(0, colon);
            if (fields.keySet().stream().anyMatch(k -> k.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)))) {
                throw new SyntaxException("line " + (i + 1) + " repeats the field " + name + " in one paragraph");
            }
            if (fields.isEmpty()) {
                start = i + 1;
            }
            fields.put(name, line.substring(colon + 1).strip());
            last = name;
        }
        if (!fields.isEmpty()) {
            result.add(new Paragraph(fields, start));
        }
        return result;
    }

    private static String stripTrailing(String line) {
        return line.replaceAll("[ \\t\\r]+$", "");
    }
}

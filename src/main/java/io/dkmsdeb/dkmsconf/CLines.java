package io.dkmsdeb.dkmsconf;

import java.util.ArrayList;
import java.util.List;

/**
 * C source text as the preprocessor sees its lines: backslash-newline joins lines, comments become
 * one space, string and character literals are kept as written. Each line keeps the number of the
 * physical line it starts on.
 */
final class CLines {
    /** A logical line and the 1-based number of its first physical line. */
    record Line(int number, String text) {
    }

    private CLines() {
    }

    static List<Line> of(String source) {
        String text = source.replace("\r\n", "\n");
        List<Line> lines = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int physical = 1;
        int start = 1;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                physical++;
                i += 2;
            } else if (c == '/' && text.startsWith("/*", i)) {
                int end = text.indexOf("*/", i + 2);
                end = end < 0 ? text.length() : end + 2;
                physical += count(text, i, end);
                current.append(' ');
                i = end;
            } else if (c == '/' && text.startsWith("//", i)) {
                int end = text.indexOf('\n', i);
                i = end < 0 ? text.length() : end;
            } else if (c == '"' || c == '\'') {
                int end = literalEnd(text, i);
                current.append(text, i, end);
                i = end;
            } else if (c == '\n') {
                lines.add(new Line(start, current.toString()));
                current.setLength(0);
                start = ++physical;
                i++;
            } else {
                current.append(c);
                i++;
            }
        }
        lines.add(new Line(start, current.toString()));
        return lines;
    }

    /** The index after the literal that opens at {@code open}; it ends at its quote or at the end of the line. */
    private static int literalEnd(String text, int open) {
        char quote = text.charAt(open);
        for (int i = open + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length() && text.charAt(i + 1) != '\n') {
                i++;
            } else if (c == quote) {
                return i + 1;
            } else if (c == '\n') {
                return i;
            }
        }
        return text.length();
    }

    private static int count(String text, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (text.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }
}

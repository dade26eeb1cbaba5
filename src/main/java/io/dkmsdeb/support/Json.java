package io.dkmsdeb.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Minimal JSON: written for the {@code --json} reports, read for the files dkms-deb writes
 * itself (an archive listing).
 *
 * <p>Written: a record is an object whose keys are its components, in the order they are
 * declared, named as the components are unless {@link Key} names them otherwise; a null
 * component is written as null, or left out when it carries {@link OmitNull}; a record component
 * that carries {@link Inline} has its members written in its place. Maps (insertion
 * order kept; for data whose keys are values, such as phase names), lists, strings, numbers,
 * booleans and null are written as such; anything else as the string of its {@code toString()}.
 * The output is one line, with no spaces.
 */
public final class Json {
    private Json() {
    }

    /** The JSON key of a record component whose name cannot be the key ({@code package} is a Java keyword). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface Key {
        String value();
    }

    /** A record component that is left out of the object when it is null, rather than written as null. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface OmitNull {
    }

    /**
     * A record-valued component whose components are written as members of the enclosing object, in
     * their order (a report groups values by meaning without nesting them in its JSON).
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface Inline {
    }

    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        append(sb, value);
        return sb.toString();
    }

    private static void append(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            quote(sb, s);
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Record r) {
            appendRecord(sb, r);
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (var e : m.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                quote(sb, String.valueOf(e.getKey()));
                sb.append(':');
                append(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                append(sb, l.get(i));
            }
            sb.append(']');
        } else {
            quote(sb, v.toString());
        }
    }

    private static void appendRecord(StringBuilder sb, Record r) {
        sb.append('{');
        appendMembers(sb, r, true);
        sb.append('}');
    }

    /** The members of {@code r}, {@link Inline} components' members in their place; false when any was written. */
    private static boolean appendMembers(StringBuilder sb, Record r, boolean first) {
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Object value = component(r, c);
            if (value == null && c.isAnnotationPresent(OmitNull.class)) {
                continue;
            }
            if (value instanceof Record inner && c.isAnnotationPresent(Inline.class)) {
                first = appendMembers(sb, inner, first);
                continue;
            }
            if (!first) {
                sb.append(',');
            }
            first = false;
            Key key = c.getAnnotation(Key.class);
            quote(sb, key == null ? c.getName() : key.value());
            sb.append(':');
            append(sb, value);
        }
        return first;
    }

    private static Object component(Record r, RecordComponent c) {
        try {
            return c.getAccessor().invoke(r);
        } catch (IllegalAccessException e) {
            throw new IllegalArgumentException("cannot write " + r.getClass().getName() + " as JSON: the record and its accessor "
                    + c.getName() + "() must be public", e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("the accessor " + c.getName() + "() of " + r.getClass().getName() + " failed", e);
        }
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** Thrown for text that is not JSON, with the offset where reading stopped. */
    public static final class SyntaxException extends Exception {
        public SyntaxException(String message) {
            super(message);
        }
    }

    /**
     * The value {@code text} holds: {@link Map} (insertion order), {@link List}, {@link String},
     * {@link Long} or {@link Double}, {@link Boolean}, or null. An object that names a key twice is refused.
     */
    public static Object read(String text) throws SyntaxException {
        Reader r = new Reader(text);
        Object v = r.value(0);
        r.skipSpace();
        if (r.pos != text.length()) {
            throw r.error("text after the value");
        }
        return v;
    }

    private static final class Reader {
        /** Nesting deeper than this is refused: the files read are flat. */
        private static final int MAX_DEPTH = 64;
        private final String s;
        private int pos;

        Reader(String s) {
            this.s = s;
        }

        SyntaxException error(String what) {
            return new SyntaxException(what + " at offset " + pos);
        }

        void skipSpace() {
            while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
        }

        Object value(int depth) throws SyntaxException {
            if (depth > MAX_DEPTH) {
                throw error("nesting too deep");
            }
            skipSpace();
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(pos);
            switch (c) {
                case '{' -> {
                    pos++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    skipSpace();
                    if (peek('}')) {
                        return m;
                    }
                    do {
                        skipSpace();
                        if (pos >= s.length() || s.charAt(pos) != '"') {
                            throw error("expected a string key");
                        }
                        int at = pos;
                        String key = string();
                        if (m.containsKey(key)) {
                            pos = at;
                            throw error("duplicate key \"" + key + "\"");
                        }
                        skipSpace();
                        expect(':');
                        m.put(key, value(depth + 1));
                        skipSpace();
                    } while (peek(','));
                    expect('}');
                    return m;
                }
                case '[' -> {
                    pos++;
                    List<Object> l = new ArrayList<>();
                    skipSpace();
                    if (peek(']')) {
                        return l;
                    }
                    do {
                        l.add(value(depth + 1));
                        skipSpace();
                    } while (peek(','));
                    expect(']');
                    return l;
                }
                case '"' -> {
                    return string();
                }
                default -> {
                    return literal();
                }
            }
        }

        private boolean peek(char c) {
            if (pos < s.length() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        private void expect(char c) throws SyntaxException {
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
        }

        private String string() throws SyntaxException {
            pos++;
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c < 0x20) {
                    throw error("control character in a string");
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (pos >= s.length()) {
                    throw error("unterminated escape");
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw error("short \\u escape");
                        }
                        try {
                            sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw error("bad \\u escape");
                        }
                        pos += 4;
                    }
                    default -> throw error("unknown escape \\" + e);
                }
            }
        }

        private Object literal() throws SyntaxException {
            int start = pos;
            while (pos < s.length() && "{}[],: \t\r\n\"".indexOf(s.charAt(pos)) < 0) {
                pos++;
            }
            String word = s.substring(start, pos);
            switch (word) {
                case "true" -> {
                    return Boolean.TRUE;
                }
                case "false" -> {
                    return Boolean.FALSE;
                }
                case "null" -> {
                    return null;
                }
                default -> {
                    if (!word.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) {
                        pos = start;
                        throw error(word.isEmpty() ? "expected a value" : "not a JSON value: " + word);
                    }
                    if (word.matches("-?[0-9]{1,18}")) {
                        return Long.parseLong(word);
                    }
                    return Double.parseDouble(word);
                }
            }
        }
    }
}

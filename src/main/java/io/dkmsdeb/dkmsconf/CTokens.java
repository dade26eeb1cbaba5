package io.dkmsdeb.dkmsconf;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Preprocessing tokens of a macro body or argument: string literals, identifiers, numbers, punctuators. */
final class CTokens {
    private static final Pattern TOKEN = Pattern.compile(
            "(\\s*)(?:(\"(?:[^\"\\\\]|\\\\.)*\")|([A-Za-z_]\\w*)|(\\.?\\d(?:[eEpP][+-]|[\\w.])*)|(\\S))");

    enum Kind { STRING, IDENTIFIER, NUMBER, PUNCTUATOR }

    /**
     * One token.
     *
     * @param text        its spelling (a string literal with its quotes)
     * @param value       for a string literal, the characters it stands for; else the spelling
     * @param spaceBefore whether white space comes before it (kept by stringification)
     */
    record Token(Kind kind, String text, String value, boolean spaceBefore) {
        static Token string(String value, boolean spaceBefore) {
            return new Token(Kind.STRING, "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"", value, spaceBefore);
        }

        boolean isString() {
            return kind == Kind.STRING;
        }

        boolean isIdentifier() {
            return kind == Kind.IDENTIFIER;
        }

        Token withSpaceBefore(boolean space) {
            return new Token(kind, text, value, space);
        }
    }

    private CTokens() {
    }

    static List<Token> of(String text) {
        List<Token> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        while (m.find()) {
            boolean space = !m.group(1).isEmpty();
            if (m.group(2) != null) {
                tokens.add(new Token(Kind.STRING, m.group(2), unescape(m.group(2)), space));
            } else if (m.group(3) != null) {
                tokens.add(new Token(Kind.IDENTIFIER, m.group(3), m.group(3), space));
            } else if (m.group(4) != null) {
                tokens.add(new Token(Kind.NUMBER, m.group(4), m.group(4), space));
            } else {
                tokens.add(new Token(Kind.PUNCTUATOR, m.group(5), m.group(5), space));
            }
        }
        return tokens;
    }

    /** The tokens as {@code #x} spells them: one space where white space separated two tokens, none at the ends. */
    static String spell(List<Token> tokens) {
        StringBuilder s = new StringBuilder();
        for (Token t : tokens) {
            if (t.spaceBefore() && s.length() > 0) {
                s.append(' ');
            }
            s.append(t.text());
        }
        return s.toString();
    }

    /** The index of the parenthesis that closes the one at {@code open}, or -1. */
    static int closing(List<Token> tokens, int open) {
        int depth = 0;
        for (int i = open; i < tokens.size(); i++) {
            String t = tokens.get(i).text();
            if (t.equals("(")) {
                depth++;
            } else if (t.equals(")") && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static String unescape(String literal) {
        String body = literal.substring(1, literal.length() - 1);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\' && i + 1 < body.length()) {
                char n = body.charAt(++i);
                s.append(switch (n) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    default -> n;
                });
            } else {
                s.append(c);
            }
        }
        return s.toString();
    }
}

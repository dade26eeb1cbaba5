package io.dkmsdeb.debiandir;

import io.dkmsdeb.model.NamePatterns;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.model.ModuleSourceException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Relation fields (Depends, Provides, ...) as dpkg-gencontrol writes them: substitution
 * variables filled, each relation re-written as {@code name (op version)}, empty items dropped,
 * relations implied by others removed (the Depends family, in the order Pre-Depends, Depends,
 * Recommends, Suggests, each also against the stronger ones), and the union fields (Conflicts,
 * Breaks, Replaces, Provides, Enhances) sorted.
 */
public final class Relations {
    private static final Pattern SUBSTVAR = NamePatterns.SUBSTVAR;
    private static final Pattern RELATION = Pattern.compile(
            "(" + NamePatterns.PACKAGE.pattern() + "(?::[a-z0-9-]+)?)\\s*(?:\\(\\s*(<<|<=|>=|>>|=|<|>)\\s*([^()\\s]+)\\s*\\))?");
    /** Fields simplified against each other, strongest first. */
    public static final List<String> NORMAL = List.of("Pre-Depends", "Depends", "Recommends", "Suggests");
    /** Fields whose items are sorted. */
    public static final List<String> UNION = List.of("Enhances", "Conflicts", "Breaks", "Replaces", "Provides", "Built-Using");

    private Relations() {
    }

    /** One alternative: {@code name}, optionally with an operator and version. */
    record Relation(String name, String op, String version) {
        String text() {
            return op == null ? name : name + " (" + op + " " + version + ")";
        }

        /** True when every version that satisfies this relation satisfies {@code other} (dpkg's implies). */
        boolean implies(Relation other) {
            if (!name.equals(other.name)) {
                return false;
            }
            if (other.op == null) {
                return true;
            }
            if (op == null) {
                return false;
            }
            int c = DebianVersion.compare(version, other.version);
            return switch (other.op) {
                case ">=" -> (op.equals(">=") || op.equals(">>") || op.equals("=")) && c >= 0;
                case ">>" -> op.equals(">>") ? c >= 0 : (op.equals(">=") || op.equals("=")) && c > 0;
                case "<=" -> (op.equals("<=") || op.equals("<<") || op.equals("=")) && c <= 0;
                case "<<" -> op.equals("<<") ? c <= 0 : (op.equals("<=") || op.equals("=")) && c < 0;
                default -> op.equals("=") && c == 0;
            };
        }
    }

    /** Fills {@code ${var}} from {@code substvars}; an unknown variable becomes empty with a warning, as dpkg-gencontrol does. */
    public static String substitute(String value, Map<String, String> substvars, String where) {
        Matcher m = SUBSTVAR.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = substvars.get(m.group(1));
            if (v == null) {
                Log.warn(where + ": substitution variable ${" + m.group(1) + "} is not defined; it is left empty, as dpkg-gencontrol does");
                v = "";
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * The relation fields of one package, normalised; {@code fields} maps field name to the
     * substituted value, and the result holds only the fields that are not empty.
     */
    public static Map<String, String> normalize(Map<String, String> fields, String where) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        List<List<Relation>> seen = new ArrayList<>();
        for (String field : NORMAL) {
            if (fields.containsKey(field)) {
                List<List<Relation>> items = simplify(parse(fields.get(field), field, where), seen);
                seen.addAll(items);
                put(out, field, items);
            }
        }
        for (String field : UNION) {
            if (fields.containsKey(field)) {
                List<List<Relation>> items = simplify(parse(fields.get(field), field, where), List.of());
                items.sort((a, b) -> text(a).compareTo(text(b)));
                put(out, field, items);
            }
        }
        return out;
    }

    private static void put(Map<String, String> out, String field, List<List<Relation>> items) {
        if (!items.isEmpty()) {
            out.put(field, String.join(", ", items.stream().map(Relations::text).toList()));
        }
    }

    private static List<List<Relation>> parse(String value, String field, String where) {
        List<List<Relation>> items = new ArrayList<>();
        for (String item : value.split(",")) {
            if (item.isBlank()) {
                continue;
            }
            List<Relation> alternatives = new ArrayList<>();
            for (String alt : item.split("\\|")) {
                Matcher m = RELATION.matcher(alt.strip());
                if (!m.matches()) {
                    throw new ModuleSourceException(where + ": " + field + " has '" + alt.strip() + "', which is not a relation "
                            + "dkms-deb understands (name, optionally '(op version)'; architecture and profile "
                            + "restrictions are not supported for an Architecture: all package); fix the field");
                }
                String op = m.group(2) == null ? null : switch (m.group(2)) {
                    case "<" -> "<=";
                    case ">" -> ">=";
                    default -> m.group(2);
                };
                alternatives.add(new Relation(m.group(1), op, m.group(3)));
            }
            items.add(alternatives);
        }
        return items;
    }

    /** dpkg's simplify_deps: a relation implied by a stronger field's or by another of the same field is dropped. */
    private static List<List<Relation>> simplify(List<List<Relation>> items, List<List<Relation>> stronger) {
        List<List<Relation>> pending = new ArrayList<>(items);
        List<List<Relation>> kept = new ArrayList<>();
        outer:
        while (!pending.isEmpty()) {
            List<Relation> dep = pending.remove(0);
            for (List<Relation> other : concat(stronger, kept)) {
                if (implies(other, dep)) {
                    continue outer;
                }
            }
            for (int i = 0; i < pending.size(); i++) {
                if (implies(pending.get(i), dep)) {
                    pending.add(0, pending.remove(i));
                    continue outer;
                }
            }
            kept.add(dep);
        }
        return kept;
    }

    private static List<List<Relation>> concat(List<List<Relation>> a, List<List<Relation>> b) {
        List<List<Relation>> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** An OR-group implies another when each of its alternatives implies one of the other's. */
    private static boolean implies(List<Relation> a, List<Relation> b) {
        return a.stream().allMatch(x -> b.stream().anyMatch(x::implies));
    }

    private static String text(List<Relation> alternatives) {
        return String.join(" | ", alternatives.stream().map(Relation::text).toList());
    }
}

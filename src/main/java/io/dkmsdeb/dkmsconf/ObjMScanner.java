package io.dkmsdeb.dkmsconf;

import io.dkmsdeb.model.NamePatterns;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code obj-m} lines of a Kbuild file or Makefile and the GNU make conditionals around
 * them ({@code ifeq}, {@code ifneq}, {@code ifdef}, {@code ifndef}, {@code else}, {@code else ifeq ...},
 * {@code endif}, nested). The kbuild split, the branch that kbuild reads because
 * {@code KERNELRELEASE} is set ({@code ifneq ($(KERNELRELEASE),)}, {@code ifdef KERNELRELEASE}, or
 * the else branch of {@code ifeq ($(KERNELRELEASE),)} / {@code ifndef KERNELRELEASE}), counts as
 * unconditional; any other conditional makes its obj-m lines conditional. {@code define ... endef}
 * bodies are skipped: make does not read them as assignments.
 * <p>
 * {@code obj-$(CONFIG_FOO) += foo.o} counts as an obj-m line when the same file sets
 * {@code CONFIG_FOO} to {@code m} before it ({@code CONFIG_FOO ?= m}, {@code :=}, {@code =}), as
 * out-of-tree Makefiles do: the kernel's .config sets CONFIG_ options for its own modules only.
 * Otherwise its modules count as conditional, the condition naming the line and the variable.
 */
public final class ObjMScanner {
    private static final Pattern OBJ_M = Pattern.compile("^\\s*obj-m\\s*[:+?]?=(.*)$");
    private static final Pattern OBJECT = Pattern.compile("(" + NamePatterns.KO_NAME.pattern() + ")\\.o\\b");
    private static final Pattern CONDITIONAL = Pattern.compile("^(ifeq|ifneq|ifdef|ifndef)(?=[\\s(\"'])\\s*(.*)$");
    private static final Pattern KERNELRELEASE = Pattern.compile("\\$[({]KERNELRELEASE[)}]");
    /** {@code obj-$(VAR) += ...}: the module list of whatever VAR is. */
    private static final Pattern OBJ_VAR = Pattern.compile("^\\s*obj-\\$(?:\\((\\w+)\\)|\\{(\\w+)\\})\\s*[:+?]?=(.*)$");
    /** A simple variable assignment: {@code [export|override] VAR ?= value} (also {@code :=}, {@code ::=}, {@code =}). */
    private static final Pattern ASSIGNMENT = Pattern.compile("^\\s*(?:export\\s+|override\\s+)?(\\w+)\\s*(?:\\?|:|::)?=\\s*(.*?)\\s*$");

    /**
     * One module named on an obj-m line.
     *
     * @param module    the module name, without {@code .o}
     * @param file      the file name (Kbuild, Makefile, ...)
     * @param line      the line of the obj-m assignment (1-based)
     * @param condition empty when kbuild always reads the line; else the conditionals around it, as
     *                  {@code 'ifeq (${NEED_AUX_BUS},2)' (Makefile line 42)}, joined by " and "
     */
    public record ObjM(String module, String file, int line, String condition) {
        public boolean required() {
            return condition.isEmpty();
        }
    }

    /** One open conditional: the description of the branch being read (null: unconditional) and of its else branch. */
    private record Frame(String branch, String elseBranch) {
    }

    private ObjMScanner() {
    }

    /** Every module of every obj-m line of {@code text}, in order, with the conditionals around it. */
    public static List<ObjM> scan(String text, String file) {
        List<ObjM> found = new ArrayList<>();
        Deque<Frame> open = new ArrayDeque<>();
        java.util.Map<String, String> variables = new java.util.HashMap<>();
        boolean inDefine = false;
        String[] lines = text.replace("\r\n", "\n").split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int number = i + 1;
            StringBuilder logical = new StringBuilder(lines[i]);
            while (endsWithContinuation(logical) && i + 1 < lines.length) {
                logical.setLength(logical.length() - 1);
                logical.append(' ').append(lines[++i]);
            }
            String line = stripComment(logical.toString());
            String directive = line.strip();
            if (inDefine) {
                inDefine = !directive.equals("endef");
            } else if (directive.matches("(override\\s+)?define\\b.*")) {
                inDefine = true;
            } else if (!conditional(directive, file, number, open)) {
                Matcher m = OBJ_M.matcher(line);
                Matcher v = OBJ_VAR.matcher(line);
                Matcher a = ASSIGNMENT.matcher(line);
                if (m.matches()) {
                    add(found, m.group(1), file, number, describe(open));
                } else if (v.matches()) {
                    String variable = v.group(1) != null ? v.group(1) : v.group(2);
                    if ("m".equals(variables.get(variable))) {
                        add(found, v.group(3), file, number, describe(open));
                    } else {
                        String value = variables.get(variable);
                        String unset = "'obj-$(" + variable + ")' (" + file + " line " + number + ") with " + variable
                                + (value == null ? " unset" : " set to '" + value + "'") + " (to build it, set " + variable
                                + " ?= m before that line)";
                        String around = describe(open);
                        add(found, v.group(3), file, number, around.isEmpty() ? unset : around + " and " + unset);
                    }
                } else if (a.matches() && !a.group(1).startsWith("obj")) {
                    variables.put(a.group(1), a.group(2));
                }
            }
        }
        return found;
    }

    private static void add(List<ObjM> found, String objects, String file, int line, String condition) {
        Matcher o = OBJECT.matcher(objects);
        while (o.find()) {
            found.add(new ObjM(o.group(1), file, line, condition));
        }
    }

    /** Applies a conditional directive to {@code open}; false when the line is none. */
    private static boolean conditional(String directive, String file, int line, Deque<Frame> open) {
        if (directive.equals("endif") || directive.startsWith("endif ")) {
            open.pollFirst();
            return true;
        }
        if (directive.equals("else") || directive.startsWith("else ") || directive.startsWith("else\t")) {
            Frame top = open.pollFirst();
            String rest = directive.substring(4).strip();
            Matcher m = CONDITIONAL.matcher(rest);
            if (m.matches()) {
                String where = "'else " + rest + "' (" + file + " line " + line + ")";
                open.addFirst(new Frame(where, "the else branch of " + where));
            } else {
                open.addFirst(new Frame(top == null ? null : top.elseBranch(), "a second else (" + file + " line " + line + ")"));
            }
            return true;
        }
        Matcher m = CONDITIONAL.matcher(directive);
        if (!m.matches()) {
            return false;
        }
        String where = "'" + directive + "' (" + file + " line " + line + ")";
        Boolean kbuildInIf = kbuildSplit(m.group(1), m.group(2).strip());
        open.addFirst(new Frame(Boolean.TRUE.equals(kbuildInIf) ? null : where,
                Boolean.FALSE.equals(kbuildInIf) ? null : "the else branch of " + where));
        return true;
    }

    /**
     * Whether a conditional is the kbuild split: TRUE when kbuild reads its if branch
     * (KERNELRELEASE set), FALSE when it reads the else branch, null when it is another test.
     */
    static Boolean kbuildSplit(String keyword, String arguments) {
        if (keyword.equals("ifdef") || keyword.equals("ifndef")) {
            return arguments.equals("KERNELRELEASE") ? keyword.equals("ifdef") : null;
        }
        List<String> args = arguments(arguments);
        if (args.size() != 2) {
            return null;
        }
        String a = unquote(args.get(0));
        String b = unquote(args.get(1));
        boolean test = KERNELRELEASE.matcher(a).matches() && b.isEmpty() || KERNELRELEASE.matcher(b).matches() && a.isEmpty();
        return test ? keyword.equals("ifneq") : null;
    }

    /** The two arguments of {@code ifeq (A,B)} or {@code ifeq "A" "B"}, not unquoted. */
    private static List<String> arguments(String text) {
        if (text.startsWith("(") && text.endsWith(")")) {
            String inner = text.substring(1, text.length() - 1);
            int depth = 0;
            for (int i = 0; i < inner.length(); i++) {
                char c = inner.charAt(i);
                if (c == '(' || c == '{') {
                    depth++;
                } else if (c == ')' || c == '}') {
                    depth--;
                } else if (c == ',' && depth == 0) {
                    return List.of(inner.substring(0, i).strip(), inner.substring(i + 1).strip());
                }
            }
            return List.of();
        }
        Matcher q = Pattern.compile("(\"[^\"]*\"|'[^']*')\\s+(\"[^\"]*\"|'[^']*')").matcher(text);
        return q.matches() ? List.of(q.group(1), q.group(2)) : List.of();
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) {
            return s.substring(1, s.length() - 1).strip();
        }
        return s;
    }

    private static String describe(Deque<Frame> open) {
        List<String> conditions = new ArrayList<>();
        open.descendingIterator().forEachRemaining(f -> {
            if (f.branch() != null) {
                conditions.add(f.branch());
            }
        });
        return String.join(" and ", conditions);
    }

    private static boolean endsWithContinuation(CharSequence line) {
        int backslashes = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    /** The line without its make comment ({@code #} not escaped as {@code \#}). */
    private static String stripComment(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '#' && (i == 0 || line.charAt(i - 1) != '\\')) {
                return line.substring(0, i);
            }
        }
        return line;
    }
}

package io.dkmsdeb.model.deb;

import io.dkmsdeb.model.ModuleSourceException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One line of a package's {@code triggers} control file (deb-triggers(5)): a directive and a
 * trigger name, e.g. {@code activate-noawait update-initramfs}. A name is an explicit trigger
 * (printable ASCII, no white space) or a file trigger (an absolute path).
 *
 * @param directive what the package does with the trigger
 * @param name      the trigger
 */
public record Trigger(Directive directive, String name) {
    /** The directives of deb-triggers(5). */
    public enum Directive {
        INTEREST, INTEREST_AWAIT, INTEREST_NOAWAIT, ACTIVATE, ACTIVATE_AWAIT, ACTIVATE_NOAWAIT;

        /** As written in the file: {@code activate-noawait}. */
        public String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Directive of(String word) {
            for (Directive d : values()) {
                if (d.word().equals(word)) {
                    return d;
                }
            }
            return null;
        }
    }

    /** Printable ASCII without white space, as dpkg's trigger name check. */
    private static final Pattern NAME = Pattern.compile("[!-~]+");

    public Trigger {
        Objects.requireNonNull(directive, "directive");
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new ModuleSourceException("trigger name must be printable ASCII without white space: '" + name.replace("\n", "\\n") + "'");
        }
    }

    /** {@code activate-noawait NAME}: the trigger is activated and the package does not wait for it to be processed. */
    public static Trigger activateNoAwait(String name) {
        return new Trigger(Directive.ACTIVATE_NOAWAIT, name);
    }

    /** The line in the triggers file, without its line end. */
    public String line() {
        return directive.word() + " " + name;
    }

    /** The triggers file: one line each. */
    public static String file(List<Trigger> triggers) {
        StringBuilder sb = new StringBuilder();
        triggers.forEach(t -> sb.append(t.line()).append('\n'));
        return sb.toString();
    }

    /**
     * Reads a triggers file as dpkg does: blank lines and lines starting with {@code #} are
     * skipped, white space around the words does not count; each other line must be
     * {@code DIRECTIVE NAME}.
     *
     * @throws ModuleSourceException naming the line and what is wrong with it
     */
    public static List<Trigger> parse(String text) {
        List<Trigger> triggers = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("[ \t]+");
            Directive d = Directive.of(words[0]);
            if (words.length != 2 || d == null) {
                throw new ModuleSourceException("triggers line " + (i + 1) + " '" + line + "' is not 'DIRECTIVE NAME' with DIRECTIVE one of "
                        + Arrays.stream(Directive.values()).map(Directive::word).toList());
            }
            try {
                triggers.add(new Trigger(d, words[1]));
            } catch (ModuleSourceException e) {
                throw new ModuleSourceException("triggers line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return triggers;
    }
}

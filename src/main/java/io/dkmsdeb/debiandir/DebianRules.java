package io.dkmsdeb.debiandir;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What dkms-deb can tell of {@code debian/rules} without running it: the {@code override_dh_*}
 * and {@code execute_before/after_dh_*} targets and their recipe lines. dkms-deb never runs
 * the file; the caller decides which targets it can stand for and warns about the others.
 *
 * @param targets target name to its recipe lines (leading tab and {@code @}/{@code -} removed)
 */
public record DebianRules(Map<String, List<String>> targets) {
    private static final Pattern TARGET = Pattern.compile("^((?:override|execute_before|execute_after)_dh_[A-Za-z0-9_-]+)(?:-(?:arch|indep))?\\s*:(?!=).*$");

    public DebianRules {
        targets = Map.copyOf(targets);
    }

    public static DebianRules parse(String text) {
        Map<String, List<String>> targets = new LinkedHashMap<>();
        List<String> recipe = null;
        for (String raw : text.replace("\\\n", " ").split("\n")) {
            Matcher m = TARGET.matcher(raw);
            if (m.matches()) {
                recipe = targets.computeIfAbsent(m.group(1), k -> new ArrayList<>());
            } else if (raw.startsWith("\t") && recipe != null) {
                String line = raw.strip().replaceFirst("^[@-]+", "").strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    recipe.add(line);
                }
            } else if (!raw.isBlank() && !raw.startsWith("#")) {
                recipe = null;
            }
        }
        return new DebianRules(targets);
    }

    /** True when a target only names no-op work (empty recipe, or ':' / 'true'). */
    public boolean isEmpty(String target) {
        return targets.getOrDefault(target, List.of()).stream().allMatch(l -> l.equals(":") || l.equals("true"));
    }

    /**
     * The argument of {@code -V} in an {@code override_dh_dkms} recipe: empty optional when
     * dh_dkms is not called with -V there; "" for a bare -V (the changelog's upstream version).
     */
    public java.util.Optional<String> dhDkmsVersionFlag() {
        for (String line : targets.getOrDefault("override_dh_dkms", List.of())) {
            Matcher m = Pattern.compile("(?:^|\\s)dh_dkms\\b.*?\\s-V(\\S*)(?:\\s+(?!-)(\\S+))?").matcher(line);
            if (m.find()) {
                return java.util.Optional.of(!m.group(1).isEmpty() ? m.group(1) : m.group(2) == null ? "" : m.group(2));
            }
        }
        return java.util.Optional.empty();
    }
}

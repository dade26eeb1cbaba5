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

    /** Shell or make syntax that makes a recipe line more than a plain call: variables, quoting, redirection, lists. */
    private static final Pattern NOT_PLAIN = Pattern.compile("[$`'\"\\\\;&|<>(){}]");
    private static final Pattern PACKAGE_OPTION = Pattern.compile("(?:-p|--package=)(\\S+)");

    /**
     * One plain {@code dh_install} call of an {@code override_dh_install} recipe.
     *
     * @param packages the packages named with {@code -p}/{@code --package=}; empty for every package
     * @param args     its other words: files or globs, the last one the destination
     */
    public record DhInstallCall(List<String> packages, List<String> args) {
        public DhInstallCall {
            packages = List.copyOf(packages);
            args = List.copyOf(args);
        }
    }

    /**
     * The calls of {@code override_dh_install} when its recipe is only plain {@code dh_install}
     * calls (words, {@code -p PACKAGE} options, no variables, quoting or other shell syntax), which
     * can be honoured without make; empty when there is no such target or it does anything else.
     */
    public java.util.Optional<List<DhInstallCall>> plainDhInstallCalls() {
        List<String> recipe = targets.get("override_dh_install");
        if (recipe == null || recipe.isEmpty()) {
            return java.util.Optional.empty();
        }
        List<DhInstallCall> calls = new ArrayList<>();
        for (String line : recipe) {
            List<String> words = List.of(line.strip().split("\\s+"));
            if (NOT_PLAIN.matcher(line).find() || !words.get(0).equals("dh_install")) {
                return java.util.Optional.empty();
            }
            List<String> packages = new ArrayList<>();
            List<String> args = new ArrayList<>();
            for (int i = 1; i < words.size(); i++) {
                String w = words.get(i);
                Matcher m = PACKAGE_OPTION.matcher(w);
                if (w.equals("-p") && i + 1 < words.size()) {
                    packages.add(words.get(++i));
                } else if (m.matches()) {
                    packages.add(m.group(1));
                } else if (w.startsWith("-")) {
                    return java.util.Optional.empty();
                } else {
                    args.add(w);
                }
            }
            calls.add(new DhInstallCall(packages, args));
        }
        return java.util.Optional.of(calls);
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

package io.dkmsdeb.dkmsconf;

import io.dkmsdeb.model.NamePatterns;
import io.dkmsdeb.model.dkms.DkmsConf;
import io.dkmsdeb.model.dkms.DkmsLevel;
import io.dkmsdeb.model.dkms.DkmsRule;
import io.dkmsdeb.model.dkms.DkmsModule;
import io.dkmsdeb.model.ModuleSourceException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Applies dkms's rules to the variables a dkms.conf set (dkms's {@code read_conf}), those of the
 * given {@link DkmsLevel} where dkms releases differ (each such rule the file meets is noted),
 * plus the rules that keep values safe to use in file names and maintainer scripts. Every error names the
 * file, the line where the field is assigned (when it can be found), the field and the rule.
 */
final class DkmsConfValidator {
    /** dkms module names end up in paths and scripts: no spaces, quotes or shell syntax. */
    private static final Pattern LOCATION = Pattern.compile("[A-Za-z0-9_.+/-]*");
    /** A file under patches/, subdirectories allowed (every dkms release applies them). */
    private static final Pattern PATCH_NAME = Pattern.compile("[A-Za-z0-9_.+-]+(/[A-Za-z0-9_.+-]+)*");

    private final Path file;
    private final String[] lines;
    private final DkmsLevel level;
    private final List<DkmsRule.Note> notes;
    private final List<String> errors = new ArrayList<>();

    /**
     * @param level the dkms release whose rules apply
     * @param notes the level-dependent rules the reader already found the file meets
     */
    DkmsConfValidator(Path file, String text, DkmsLevel level, List<DkmsRule.Note> notes) {
        this.file = file;
        this.lines = text.split("\n", -1);
        this.level = level;
        this.notes = new ArrayList<>(notes);
    }

    DkmsConf validate(DkmsConfVariables v, String kernelver, String arch) {
        String name = v.scalar("PACKAGE_NAME");
        String version = v.scalar("PACKAGE_VERSION");
        if (name.isEmpty()) {
            error("PACKAGE_NAME", "is not set; dkms needs it: add PACKAGE_NAME=\"<module name>\"");
        } else if (!NamePatterns.MODULE_NAME.matcher(name).matches()) {
            error("PACKAGE_NAME", "is '" + printable(name) + "': use letters, digits and . _ + - only, starting with a letter or digit");
        }
        if (version.isEmpty()) {
            error("PACKAGE_VERSION", "is not set; dkms needs it: add PACKAGE_VERSION=\"<version>\"");
        } else if (!NamePatterns.MODULE_VERSION.matcher(version).matches()) {
            error("PACKAGE_VERSION", "is '" + printable(version) + "': use letters, digits and . _ + ~ : - only, starting with a letter or digit");
        }
        List<DkmsModule> modules = modules(v, name);
        String make = chooseIndexed(v, "MAKE", "MAKE_MATCH", kernelver);
        List<String> patches = patches(v, kernelver);
        boolean autoinstall = autoinstall(v.scalar("AUTOINSTALL"));
        DkmsConf.BuildExclusive exclusive = new DkmsConf.BuildExclusive(
                regex(v, "BUILD_EXCLUSIVE_KERNEL"), levelled(v, "BUILD_EXCLUSIVE_KERNEL_MIN"),
                kernelMax(v, modules.size()), regex(v, "BUILD_EXCLUSIVE_ARCH"),
                v.scalar("BUILD_EXCLUSIVE_CONFIG"));
        duplicates(modules);
        for (String script : new String[] {"PRE_BUILD", "POST_BUILD"}) {
            if (!v.scalar(script).isEmpty()) {
                note(DkmsRule.BUILD_SCRIPTS_FATAL, script + " is set: " + (level.applies(DkmsRule.BUILD_SCRIPTS_FATAL)
                        ? "its failure fails the build" : "dkms " + level + " ignores its exit status"));
            }
        }
        List<String> buildDepends = new ArrayList<>();
        for (String dep : v.scalar("BUILD_DEPENDS").trim().split("\\s+")) {
            if (!dep.isEmpty()) {
                if (!NamePatterns.MODULE_NAME.matcher(dep).matches()) {
                    error("BUILD_DEPENDS", "names '" + printable(dep) + "', which is not a dkms module name");
                }
                buildDepends.add(dep);
            }
        }
        if (!buildDepends.isEmpty()) {
            note(DkmsRule.BUILD_DEPENDS, "BUILD_DEPENDS=\"" + String.join(" ", buildDepends) + "\": " + (level.applies(DkmsRule.BUILD_DEPENDS)
                    ? "the build needs them installed for the kernel" : "dkms " + level + " builds without them"));
        }
        if (!errors.isEmpty()) {
            throw new ModuleSourceException(String.join("\n", errors));
        }
        notes.sort(java.util.Comparator.comparing(DkmsRule.Note::rule));
        return new DkmsConf(name, version, modules,
                new DkmsConf.Steps(make, v.scalar("CLEAN"), patches, v.scalar("PRE_BUILD"), v.scalar("POST_BUILD")), buildDepends,
                autoinstall, exclusive, new DkmsConf.Reading(level, notes));
    }

    private void note(DkmsRule rule, String detail) {
        notes.add(new DkmsRule.Note(rule, level.applies(rule), detail));
    }

    /** dkms 3.1.7 and later take yes or no (any case); older dkms autoinstalls on any non-empty value, "no" included. */
    private boolean autoinstall(String value) {
        if (value.isEmpty()) {
            return false;
        }
        boolean yesOrNo = value.equalsIgnoreCase("yes") || value.equalsIgnoreCase("no");
        if (!yesOrNo) {
            if (level.applies(DkmsRule.AUTOINSTALL_YES_NO)) {
                error("AUTOINSTALL", "is '" + printable(value) + "': dkms " + DkmsRule.AUTOINSTALL_YES_NO.since()
                        + " and later (dkms level " + level + ") take yes or no only");
            }
            note(DkmsRule.AUTOINSTALL_YES_NO, "AUTOINSTALL=\"" + printable(value) + "\" is neither yes nor no: dkms "
                    + DkmsRule.AUTOINSTALL_YES_NO.since() + " and later refuse it, older dkms takes it as yes");
        } else if (value.equalsIgnoreCase("no")) {
            note(DkmsRule.AUTOINSTALL_YES_NO, "AUTOINSTALL=\"" + printable(value) + "\": dkms before " + DkmsRule.AUTOINSTALL_YES_NO.since()
                    + " (Debian 12's 3.0.10) autoinstalls on any non-empty value, this one included");
        }
        return level.applies(DkmsRule.AUTOINSTALL_YES_NO) ? value.equalsIgnoreCase("yes") : true;
    }

    /** BUILD_EXCLUSIVE_KERNEL_MIN or _MAX: applied from dkms 3.0.11 on, ignored (empty) before. */
    private String levelled(DkmsConfVariables v, String field) {
        String value = v.scalar(field);
        if (value.isEmpty()) {
            return "";
        }
        note(DkmsRule.KERNEL_MIN_MAX, field + "=\"" + printable(value) + "\": " + (level.applies(DkmsRule.KERNEL_MIN_MAX)
                ? "kernels outside it are excluded" : "dkms " + level + " ignores it and builds for every kernel"));
        return level.applies(DkmsRule.KERNEL_MIN_MAX) ? value : "";
    }

    /**
     * BUILD_EXCLUSIVE_KERNEL_MAX, else (dkms 3.2.2 and later) OBSOLETE_BY; from dkms 3.3.0 on, not OBSOLETE_BY
     * when one of the {@code records} has a BUILD_EXCLUSIVE_KERNEL_MAX of its own.
     */
    private String kernelMax(DkmsConfVariables v, int records) {
        String max = levelled(v, "BUILD_EXCLUSIVE_KERNEL_MAX");
        String obsoleteBy = v.scalar("OBSOLETE_BY");
        if (obsoleteBy.isEmpty() || !v.scalar("BUILD_EXCLUSIVE_KERNEL_MAX").isEmpty()) {
            return max;
        }
        if (level.applies(DkmsRule.PER_MODULE_EXCLUSIVE) && v.array("BUILD_EXCLUSIVE_KERNEL_MAX").keySet().stream().anyMatch(i -> i > 0 && i < records)) {
            // dkms 3.3.0 and later: a record's own KERNEL_MAX keeps OBSOLETE_BY from bounding the package
            note(DkmsRule.OBSOLETE_BY_EXCLUDES, "OBSOLETE_BY=\"" + printable(obsoleteBy) + "\": not applied, as a record has a "
                    + "BUILD_EXCLUSIVE_KERNEL_MAX of its own");
            return max;
        }
        note(DkmsRule.OBSOLETE_BY_EXCLUDES, "OBSOLETE_BY=\"" + printable(obsoleteBy) + "\": " + (level.applies(DkmsRule.OBSOLETE_BY_EXCLUDES)
                ? "newer kernels are excluded" : "dkms " + level + " builds for newer kernels too (only its install skips them)"));
        return level.applies(DkmsRule.OBSOLETE_BY_EXCLUDES) ? obsoleteBy : max;
    }

    /**
     * Two records with one built file, or one destination name: refused by dkms 3.1.7 and later; older
     * dkms builds them and keeps what its copying leaves (see DkmsStyleBuild).
     */
    private void duplicates(List<DkmsModule> modules) {
        java.util.Map<String, Integer> built = new java.util.HashMap<>();
        java.util.Map<String, Integer> dest = new java.util.HashMap<>();
        for (DkmsModule m : modules) {
            Integer first = built.putIfAbsent(m.builtPath(), m.index());
            if (first != null) {
                duplicate("BUILT_MODULE_NAME", m.index(), "builds " + m.builtPath() + ", as record " + first + " does");
            }
            first = dest.putIfAbsent(m.destName(), m.index());
            if (first != null) {
                duplicate("DEST_MODULE_NAME", m.index(), "installs as " + m.destName() + ", as record " + first + " does");
            }
        }
    }

    private void duplicate(String field, int index, String what) {
        if (level.applies(DkmsRule.DUPLICATE_MODULES)) {
            error(field, index, what + ": dkms " + DkmsRule.DUPLICATE_MODULES.since() + " and later (dkms level " + level
                    + ") refuse two records with one module; give each record its own module");
        }
        note(DkmsRule.DUPLICATE_MODULES, field + "[" + index + "] " + what + (level.applies(DkmsRule.DUPLICATE_MODULES) ? ""
                : ": dkms " + level + " builds both and keeps what its copying leaves"));
    }

    private List<DkmsModule> modules(DkmsConfVariables v, String packageName) {
        String[] arrays = {"BUILT_MODULE_NAME", "BUILT_MODULE_LOCATION", "DEST_MODULE_NAME", "DEST_MODULE_LOCATION"};
        int count = 0;
        for (String array : arrays) {
            count = Math.max(count, v.array(array).size());
        }
        // dkms walks indices 0..count-1, count being the largest element count: a record at a
        // higher index (an array with gaps) would be silently ignored by dkms.
        for (String array : new String[] {"BUILT_MODULE_NAME", "BUILT_MODULE_LOCATION", "DEST_MODULE_NAME", "DEST_MODULE_LOCATION", "STRIP"}) {
            SortedMap<Integer, String> a = v.array(array);
            if (!a.isEmpty() && a.lastKey() >= Math.max(count, 1)) {
                error(array, "has the indices " + a.keySet() + ", with gaps; dkms reads the module arrays by element count ("
                        + count + ") and would ignore index " + a.lastKey() + ": number the records 0.." + (count - 1) + " without gaps");
            }
        }
        List<DkmsModule> modules = new ArrayList<>();
        if (count == 0) {
            // dkms 3.0.10 refuses it (no DEST_MODULE_LOCATION, "Bad conf file"); 3.0.11 and later accept it with a
            // warning ("Zero modules specified") and build nothing: a package of it would hold no module.
            error("BUILT_MODULE_NAME", "is not set: the dkms.conf names no module, so there is nothing to package ("
                    + (level.applies(DkmsRule.NO_MODULE_ACCEPTED) ? "dkms " + level + " accepts it with a warning and builds nothing"
                    : "dkms " + level + " refuses it too") + "); add BUILT_MODULE_NAME[0]=\"<name>\" "
                    + "and DEST_MODULE_LOCATION[0]=\"/updates/dkms\"");
            return modules;
        }
        String strip0 = v.array("STRIP").getOrDefault(0, "");
        for (int i = 0; i < count; i++) {
            String built = v.array("BUILT_MODULE_NAME").getOrDefault(i, "");
            if (built.isEmpty() && v.array("DEST_MODULE_LOCATION").size() == 1) {
                built = packageName;
            }
            String dest = v.array("DEST_MODULE_NAME").getOrDefault(i, "");
            dest = dest.isEmpty() ? built : dest;
            String builtLocation = v.array("BUILT_MODULE_LOCATION").getOrDefault(i, "");
            String destLocation = v.array("DEST_MODULE_LOCATION").getOrDefault(i, "");
            checkKoName("BUILT_MODULE_NAME", i, built);
            if (!dest.equals(built)) {
                checkKoName("DEST_MODULE_NAME", i, dest);
            }
            if (!LOCATION.matcher(builtLocation).matches() || builtLocation.startsWith("/") || hasDotDot(builtLocation)) {
                error("BUILT_MODULE_LOCATION", i, "is '" + printable(builtLocation) + "': it must be a relative path inside the build tree, without '..'");
            }
            if (destLocation.isEmpty()) {
                error("DEST_MODULE_LOCATION", i, "is not set; dkms requires it (usually \"/updates/dkms\")");
            } else if (!destLocation.matches("/(kernel|updates|extra).*") || !LOCATION.matcher(destLocation).matches() || hasDotDot(destLocation)) {
                error("DEST_MODULE_LOCATION", i, "is '" + printable(destLocation) + "': it must begin with /kernel, /updates or /extra, without '..'");
            }
            String strip = v.array("STRIP").getOrDefault(i, "");
            requireYesNo("STRIP", i, strip);
            boolean stripIt = strip.isEmpty() ? !strip0.toLowerCase().startsWith("n") : !strip.toLowerCase().startsWith("n");
            if (!builtLocation.isEmpty() && !builtLocation.endsWith("/")) {
                builtLocation += "/";
            }
            modules.add(new DkmsModule(i, built, builtLocation, dest, destLocation, stripIt, ownExclusive(v, i)));
        }
        return modules;
    }

    /** The BUILD_EXCLUSIVE_* variables a record other than 0 can have of its own (dkms 3.3.0's per-module rules). */
    private static final String[] EXCLUSIVE_FIELDS = {"BUILD_EXCLUSIVE_KERNEL", "BUILD_EXCLUSIVE_KERNEL_MIN", "BUILD_EXCLUSIVE_KERNEL_MAX",
        "BUILD_EXCLUSIVE_ARCH", "BUILD_EXCLUSIVE_CONFIG"};

    /**
     * Record {@code i}'s own BUILD_EXCLUSIVE_*[i]. Element 0 is the package's (bash's {@code $VAR} is
     * {@code ${VAR[0]}}, which every dkms release reads for every module), so record 0 has none of its own.
     * dkms 3.3.0 and later exclude the record's module where its rules do not match; older dkms never reads
     * the other elements and builds the module for every kernel the package's rules let through.
     */
    private DkmsConf.BuildExclusive ownExclusive(DkmsConfVariables v, int i) {
        if (i == 0) {
            return DkmsModule.NONE;
        }
        List<String> set = new ArrayList<>();
        for (String field : EXCLUSIVE_FIELDS) {
            String value = v.array(field).getOrDefault(i, "");
            if (!value.isEmpty()) {
                set.add(field + "[" + i + "]=\"" + printable(value) + "\"");
            }
        }
        if (set.isEmpty()) {
            return DkmsModule.NONE;
        }
        boolean applied = level.applies(DkmsRule.PER_MODULE_EXCLUSIVE);
        note(DkmsRule.PER_MODULE_EXCLUSIVE, String.join(" ", set) + ": " + (applied
                ? "the kernels it does not match get the other records' modules only"
                : "dkms " + level + " reads element 0 only and builds record " + i + "'s module for every kernel"));
        if (!applied) {
            return DkmsModule.NONE;
        }
        String kernel = v.array("BUILD_EXCLUSIVE_KERNEL").getOrDefault(i, "");
        String arch = v.array("BUILD_EXCLUSIVE_ARCH").getOrDefault(i, "");
        if (!kernel.isEmpty()) {
            find("BUILD_EXCLUSIVE_KERNEL", i, kernel, "");
        }
        if (!arch.isEmpty()) {
            find("BUILD_EXCLUSIVE_ARCH", i, arch, "");
        }
        return new DkmsConf.BuildExclusive(kernel, v.array("BUILD_EXCLUSIVE_KERNEL_MIN").getOrDefault(i, ""),
                v.array("BUILD_EXCLUSIVE_KERNEL_MAX").getOrDefault(i, ""), arch, v.array("BUILD_EXCLUSIVE_CONFIG").getOrDefault(i, ""));
    }

    private void checkKoName(String field, int i, String value) {
        if (value.isEmpty()) {
            error(field, i, "is not set; dkms needs a module name for every record");
        } else if (value.endsWith(".ko") || value.endsWith(".o")) {
            error(field, i, "is '" + printable(value) + "': give the module name without '.ko' or '.o', as dkms requires");
        } else if (!NamePatterns.KO_NAME.matcher(value).matches()) {
            error(field, i, "is '" + printable(value) + "': a kernel module name has letters, digits, '_' and '-' only");
        }
    }

    private String chooseIndexed(DkmsConfVariables v, String field, String matchField, String kernelver) {
        SortedMap<Integer, String> values = v.array(field);
        SortedMap<Integer, String> matches = v.array(matchField);
        String chosen = matches.getOrDefault(0, "").isEmpty() ? values.getOrDefault(0, "") : "";
        for (var e : values.entrySet()) {
            String match = matches.getOrDefault(e.getKey(), "");
            if (!e.getValue().isEmpty() && !match.isEmpty() && find(matchField, e.getKey(), match, kernelver)) {
                chosen = e.getValue();
            }
        }
        return chosen;
    }

    private List<String> patches(DkmsConfVariables v, String kernelver) {
        List<String> result = new ArrayList<>();
        for (var e : v.array("PATCH").entrySet()) {
            String patch = e.getValue();
            if (patch.isEmpty()) {
                continue;
            }
            if (!PATCH_NAME.matcher(patch).matches() || hasDotOrDotDot(patch)) {
                error("PATCH", e.getKey(), "is '" + printable(patch) + "': name a file in the patches/ directory or a subdirectory of it "
                        + "(a relative path without '.' or '..' components)");
                continue;
            }
            String match = v.array("PATCH_MATCH").getOrDefault(e.getKey(), "");
            if (match.isEmpty() || find("PATCH_MATCH", e.getKey(), match, kernelver)) {
                result.add(patch);
            }
        }
        return result;
    }

    private String regex(DkmsConfVariables v, String field) {
        String value = v.scalar(field);
        if (!value.isEmpty()) {
            find(field, -1, value, "");
        }
        return value;
    }

    /** bash's {@code =~} is an unanchored POSIX ERE match; Java's find() is close for the patterns in use. */
    private boolean find(String field, int index, String regex, String input) {
        try {
            return Pattern.compile(regex).matcher(input).find();
        } catch (PatternSyntaxException e) {
            error(field, index, "is '" + printable(regex) + "', not a valid regular expression: " + e.getDescription());
            return false;
        }
    }

    private void requireYesNo(String field, int index, String value) {
        if (!value.isEmpty() && !value.matches("(?i)y(es)?|no?")) {
            error(field, index, "is '" + printable(value) + "': use yes or no");
        }
    }

    private static boolean hasDotOrDotDot(String path) {
        for (String segment : path.split("/")) {
            if (segment.equals("..") || segment.equals(".")) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasDotDot(String path) {
        for (String segment : path.split("/")) {
            if (segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    private void error(String field, String rule) {
        error(field, -1, rule);
    }

    private void error(String field, int index, String rule) {
        String shown = index >= 0 ? field + "[" + index + "]" : field;
        int line = lineOf(lines, field);
        String where = line > 0 ? file + " line " + line : file.toString();
        errors.add(where + ": " + shown + " " + rule);
    }

    /** First line that assigns {@code field}, 1-based; 0 when the assignment cannot be found. */
    static int lineOf(String[] lines, String field) {
        Pattern assignment = Pattern.compile("^\\s*(export\\s+|declare\\s+(-\\S+\\s+)*)?" + Pattern.quote(field) + "(\\[[^]]*\\])?\\+?=");
        for (int i = 0; i < lines.length; i++) {
            Matcher m = assignment.matcher(lines[i]);
            if (m.find()) {
                return i + 1;
            }
        }
        return 0;
    }

    /** Shows control characters and newlines visibly so that a message stays on its lines. */
    static String printable(String value) {
        StringBuilder sb = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (c == '\n') {
                sb.append("\\n");
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}

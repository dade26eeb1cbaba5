package io.dkmsdeb.pipeline.source.debian;

import io.dkmsdeb.debiandir.DebianDir;
import io.dkmsdeb.debiandir.DhInstall;
import io.dkmsdeb.model.deb.DebEntry;
import io.dkmsdeb.model.ModuleSourceException;
import io.dkmsdeb.model.deb.Trigger;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.templates.ScriptTemplates;
import io.dkmsdeb.templates.TemplateValues;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The maintainer scripts and triggers of a package as dh_installdeb makes them. The snippets are
 * dkms-deb's templates: dh_dkms's (postinst, prerm) and one per script for the lines of
 * {@code debian/PACKAGE.maintscript} (dpkg-maintscript-helper), added in debhelper's order
 * (appended to postinst and preinst, put in front in prerm and postrm). A package's own
 * {@code debian/PACKAGE.postinst} (preinst, prerm, postrm) gets them where it says
 * {@code #DEBHELPER#} and its name for {@code #PACKAGE#}; without an own script, the snippets
 * make the script. {@code debian/PACKAGE.triggers} becomes the triggers control file.
 */
final class DebianScripts {
    private static final List<String> SCRIPTS = List.of("preinst", "postinst", "prerm", "postrm");
    /** The dpkg-maintscript-helper commands dh_installdeb accepts. */
    private static final Set<String> HELPER_COMMANDS = Set.of("rm_conffile", "mv_conffile", "symlink_to_dir", "dir_to_symlink");

    private DebianScripts() {
    }

    /** The scripts by name; {@code dkms} holds the module, package and version for dh_dkms's snippets. */
    static Map<String, String> scripts(DebianDir d, String pkg, ScriptTemplates templates, TemplateValues dkms, Map<String, String> env) {
        Map<String, List<TemplateValues.Rendered>> snippets = new LinkedHashMap<>();
        SCRIPTS.forEach(s -> snippets.put(s, new ArrayList<>()));
        snippets.get("prerm").add(templates.snippet("dkms/prerm-snippet.ftl", dkms));
        snippets.get("postinst").add(templates.snippet("dkms/postinst-snippet.ftl", dkms));
        Optional<Path> maintscript = d.pkgfile(pkg, "maintscript");
        if (maintscript.isPresent()) {
            TemplateValues calls = new TemplateValues().shellTable("calls", maintscriptCalls(maintscript.get(), d, env));
            for (String s : SCRIPTS) {
                TemplateValues.Rendered helper = templates.snippet("debian/maintscript-snippet.ftl", calls);
                if (s.equals("prerm") || s.equals("postrm")) {
                    snippets.get(s).add(0, helper);
                } else {
                    snippets.get(s).add(helper);
                }
            }
        }
        Map<String, String> scripts = new TreeMap<>();
        for (String s : SCRIPTS) {
            Optional<Path> own = d.pkgfile(pkg, s);
            List<TemplateValues.Rendered> parts = snippets.get(s);
            if (own.isPresent()) {
                scripts.put(s, merged(own.get(), pkg, parts));
            } else if (parts.size() == 1 && maintscript.isEmpty()) {
                scripts.put(s, templates.render("dkms/" + s + ".ftl", dkms));   // dh_dkms's snippet alone
            } else if (!parts.isEmpty()) {
                scripts.put(s, templates.render("debian/script.ftl", new TemplateValues().snippets("snippets", parts)));
            }
        }
        return scripts;
    }

    /**
     * The package's own script with the snippets at {@code #DEBHELPER#}, as debhelper_script_subst
     * does: the file is the packager's, its text is kept; only the two tokens are replaced.
     */
    private static String merged(Path own, String pkg, List<TemplateValues.Rendered> parts) {
        String text = DebianDir.readText(own);
        if (!text.contains("#DEBHELPER#") && !parts.isEmpty()) {
            Log.warn(own + " has no #DEBHELPER# line, so (as with dh) the snippets dkms-deb would add there are left out"
                    + (own.getFileName().toString().endsWith("postinst") ? ": dkms is not told of the module" : "")
                    + "; add a line '#DEBHELPER#' after 'set -e'");
        }
        StringBuilder joined = new StringBuilder();
        parts.forEach(p -> joined.append(p.text()));
        return text.replace("#DEBHELPER#", joined.toString()).replace("#PACKAGE#", pkg);
    }

    /** The lines of PACKAGE.maintscript, each a dpkg-maintscript-helper command and its arguments, checked as dh_installdeb does. */
    private static List<List<String>> maintscriptCalls(Path file, DebianDir d, Map<String, String> env) {
        List<List<String>> calls = new ArrayList<>();
        for (List<String> words : DhInstall.lines(file, env, d.compat())) {
            if (!HELPER_COMMANDS.contains(words.get(0))) {
                throw new ModuleSourceException(file + ": unknown dpkg-maintscript-helper command " + words.get(0)
                        + " (dh_installdeb refuses it too); use one of " + new java.util.TreeSet<>(HELPER_COMMANDS));
            }
            if (words.contains("--")) {
                throw new ModuleSourceException(file + ": the line '" + String.join(" ", words) + "' has '--', which dh_installdeb "
                        + "adds itself; remove it");
            }
            if (words.size() < 2 || !words.get(1).startsWith("/")) {
                throw new ModuleSourceException(file + ": " + words.get(0) + " needs an absolute path first, found '"
                        + String.join(" ", words) + "'; fix the line");
            }
            calls.add(words);
        }
        return calls;
    }

    /**
     * debian/PACKAGE.triggers, read as dpkg reads a triggers file, and from compat 12 on
     * dh_installinitramfs's {@code activate-noawait update-initramfs} when the package ships an
     * initramfs-tools hook (once: a trigger listed twice means nothing more to dpkg).
     */
    static List<Trigger> triggers(DebianDir d, String pkg, List<DebEntry> data) {
        List<Trigger> triggers = new ArrayList<>(d.pkgfile(pkg, "triggers").map(f -> {
            try {
                return Trigger.parse(DebianDir.readText(f));
            } catch (ModuleSourceException e) {
                throw new ModuleSourceException(f + ": " + e.getMessage(), e);
            }
        }).orElse(List.of()));
        boolean hooks = data.stream().anyMatch(e -> e.type() != DebEntry.Type.DIRECTORY
                && e.path().startsWith("usr/share/initramfs-tools/hooks/"));
        Trigger initramfs = Trigger.activateNoAwait("update-initramfs");
        if (d.compat() >= 12 && hooks && !triggers.contains(initramfs)) {
            triggers.add(initramfs);
        }
        return triggers.stream().distinct().toList();
    }
}

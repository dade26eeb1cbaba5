package io.dkmsdeb.pipeline.source.debian;

import io.dkmsdeb.pipeline.TargetDkms;
import io.dkmsdeb.pipeline.CopyrightNotices;
import io.dkmsdeb.pipeline.DebianNames;
import io.dkmsdeb.pipeline.DocFiles;
import io.dkmsdeb.pipeline.Maintainer;
import io.dkmsdeb.pipeline.SourceTree;
import io.dkmsdeb.deb.ControlFile;
import io.dkmsdeb.deb.DataLayout;
import io.dkmsdeb.deb.Deb822;
import io.dkmsdeb.deb.InstalledSize;
import io.dkmsdeb.debiandir.Changelog;
import io.dkmsdeb.debiandir.DebianDir;
import io.dkmsdeb.debiandir.Relations;
import io.dkmsdeb.dkmsconf.DkmsConfGenerator;
import io.dkmsdeb.dkmsconf.DkmsConfReader;
import io.dkmsdeb.model.deb.DebEntry;
import io.dkmsdeb.model.deb.DebPackage;
import io.dkmsdeb.model.dkms.DkmsConf;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.model.dkms.ModuleSource;
import io.dkmsdeb.model.ModuleSourceException;
import io.dkmsdeb.model.deb.Trigger;
import io.dkmsdeb.process.Sandbox;
import io.dkmsdeb.pipeline.ModuleSourceLoader;
import io.dkmsdeb.templates.ScriptTemplates;
import io.dkmsdeb.templates.TemplateValues;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Plans the {@code -dkms} package of a tree with a debian/ directory as
 * {@code dpkg-buildpackage -b} with {@code dh $@ --with dkms} makes it: name, version and fields
 * from debian/changelog and debian/control (substitution variables filled and relations
 * normalised as dpkg-gencontrol does), dkms.conf from debian/PACKAGE.dkms, the sources under
 * {@code /usr/src/NAME-VERSION/} from debian/PACKAGE.install or the module directory, and the
 * files of dh_installmodules, dh_installdocs, dh_installchangelogs and dh_lintian.
 */
public final class DebianPackagePlanner {
    /**
     * The options of {@code source} that apply to a debian/ tree (null when not given).
     *
     * @param hostArch the Debian architecture of this machine, for which dpkg-buildpackage -b builds arch-dependent packages
     */
    public record Options(String version, String revision, String name, String maintainer, Map<String, String> env, long epochSeconds,
                          String hostArch) {
    }

    public record Plan(DebPackage pkg, ModuleSource source) {
    }

    private final ScriptTemplates templates;
    private final ModuleSourceLoader loader;

    /** A planner that reads dkms.conf in a sandbox that hides what {@link Sandbox#hiding} always hides. */
    public DebianPackagePlanner(ScriptTemplates templates) {
        this(templates, Sandbox.hiding(List.of()));
    }

    /** A planner that reads dkms.conf (the module's code) in {@code sandbox}. */
    public DebianPackagePlanner(ScriptTemplates templates, Sandbox sandbox) {
        this.templates = templates;
        this.loader = new ModuleSourceLoader(templates, sandbox);
    }

    /**
     * One plan per {@code -dkms} package of debian/control that dpkg-buildpackage -b builds on this
     * machine (or the one {@code --name} chooses), in control-file order.
     */
    public List<Plan> plan(DebianDir d, Options o, DkmsConfReader.Context context) {
        List<Deb822.Paragraph> chosen = DebianRoute.chooseBinaries(d, o.name());
        DebianWarnings.report(d, chosen.stream().map(DebianRoute::name).toList());
        List<String> built = d.binaries().stream().filter(b -> DebianRoute.architecture(b, o.hostArch()).isPresent())
                .map(DebianRoute::name).toList();
        List<Plan> plans = new ArrayList<>();
        for (Deb822.Paragraph binary : chosen) {
            Optional<String> arch = DebianRoute.architecture(binary, o.hostArch());
            if (arch.isEmpty()) {
                Log.warn(d.debian().resolve("control") + ": package " + DebianRoute.name(binary) + " is Architecture: "
                        + binary.get("Architecture").orElse("") + ", which does not take this machine's " + o.hostArch()
                        + "; dpkg-buildpackage -b would not build it here, nor does dkms-deb");
                continue;
            }
            plans.add(planOne(d, binary, arch.get(), built, o, context));
        }
        if (plans.isEmpty()) {
            throw new ModuleSourceException(d.debian().resolve("control") + " has no -dkms package for this machine's architecture "
                    + o.hostArch() + "; add it to the Architecture field (or make it 'all', as sources suit every machine)");
        }
        return plans;
    }

    private Plan planOne(DebianDir d, Deb822.Paragraph binary, String arch, List<String> built, Options o, DkmsConfReader.Context context) {
        String pkg = DebianNames.requirePackageName(DebianRoute.name(binary), d.debian().resolve("control").toString());
        Changelog changelog = d.changelog();
        String version = o.version() != null ? o.version() : DebianWarnings.dhDkmsVersion(d, pkg);
        Optional<Path> objMDir = DkmsConfGenerator.moduleDir(d.root());
        Path moduleDir = objMDir.orElse(d.root());
        ModuleSource source = DebianRoute.load(d, pkg, moduleDir, version, o.version() != null, loader, context);
        DkmsConf conf = source.conf();
        String srcDir = "usr/src/" + conf.packageName() + "-" + conf.packageVersion();

        List<DebEntry> data = new ArrayList<>(DebianFiles.installed(DebianRoute.installItems(d, pkg, built, o.env())));
        if (data.stream().noneMatch(e -> e.path().startsWith(srcDir + "/"))) {
            if (objMDir.isEmpty()) {
                throw new ModuleSourceException("nothing to install under /" + srcDir + ": " + d.root() + " has no Kbuild or Makefile "
                        + "with obj-m (nor a single subdirectory with one) and " + pkg + ".install puts nothing there; add a line "
                        + "such as 'src/* " + srcDir + "/' to debian/" + pkg + ".install");
            }
            Log.info("the module sources in " + moduleDir + " go to /" + srcDir + "/ (no debian/" + pkg + ".install line installs there)");
            data.addAll(DebianFiles.kept(SourceTree.scan(moduleDir, srcDir, null), moduleDir, srcDir));
        }
        data.add(DebEntry.file(srcDir + "/dkms.conf", 0644, DebEntry.Data.of(source.dkmsConfText()))
                .withMtime(DebianRoute.dkmsConfMtime(d, pkg, o.version() != null)));
        data.addAll(DebianFiles.helpers(d, pkg, o.env()));
        data.addAll(DebianFiles.moreHelpers(d, pkg, o.env()));
        if (DebianFiles.copyright(d, pkg).isEmpty()) {
            Log.warn(d.debian() + " has no copyright file: dkms-deb writes a generic one, which dh would not; add debian/copyright");
            data.addAll(DocFiles.entries(templates, new DocFiles.About(pkg, changelog.version(), conf.packageName(),
                    conf.packageVersion(), maintainer(d, o), CopyrightNotices.find(moduleDir), null), o.epochSeconds()).stream()
                    .filter(e -> e.path().endsWith("/copyright")).toList());
        }
        data = DataLayout.normalize(DebianFiles.compressAndFixPerms(lastWins(data), pkg));

        // dh_dkms's snippet: DKMS_PACKAGE_NAME is the module name with -dkms, whatever the binary package is called
        TemplateValues values = new TemplateValues().shell("module", conf.packageName()).shell("package", conf.packageName() + "-dkms")
                .shell("version", conf.packageVersion());
        Map<String, String> scripts = DebianScripts.scripts(d, pkg, templates, values, o.env());
        List<Trigger> triggers = DebianScripts.triggers(d, pkg, data);
        ControlFile control = control(d, binary, pkg, arch, debianVersion(changelog, o.revision()), conf, o);
        List<String> conffiles = DebianFiles.conffiles(data);
        // dpkg-gencontrol counts what DEBIAN/ holds when it runs: the scripts and, from dh_installdeb, conffiles and triggers
        List<String> controlFiles = new ArrayList<>(scripts.values());
        if (!conffiles.isEmpty()) {
            controlFiles.add(String.join("\n", conffiles) + "\n");
        }
        if (!triggers.isEmpty()) {
            controlFiles.add(Trigger.file(triggers));
        }
        control.set("Installed-Size", Long.toString(InstalledSize.kib(data, controlFiles)));
        return new Plan(new DebPackage(control.fields(), scripts, data, conffiles, triggers), source);
    }

    private static String debianVersion(Changelog changelog, String revision) {
        if (revision == null) {
            return changelog.version();
        }
        String epoch = changelog.version().contains(":") ? changelog.version().substring(0, changelog.version().indexOf(':') + 1) : "";
        Log.info("--revision " + revision + " replaces the revision of debian/changelog (" + changelog.version() + ")");
        return epoch + DebianNames.debianVersion(changelog.upstream(), revision);
    }

    /** dpkg-gencontrol's fields for the package: the binary stanza over the source stanza, substvars filled. */
    private static ControlFile control(DebianDir d, Deb822.Paragraph binary, String pkg, String arch, String version, DkmsConf conf, Options o) {
        String where = d.debian().resolve("control") + " (package " + pkg + ")";
        Map<String, String> substvars = new HashMap<>(Map.of(
                "misc:Depends", TargetDkms.depends(conf),
                "misc:Pre-Depends", "", "binary:Version", version, "source:Version", d.changelog().version(),
                "source:Upstream-Version", d.changelog().version().replaceFirst("-[^-]*$", ""),
                "Newline", "\n", "Space", " ", "Tab", "\t", "Arch", o.hostArch()));
        Map<String, String> relations = new LinkedHashMap<>();
        for (String field : concat(Relations.NORMAL, Relations.UNION)) {
            binary.folded(field).ifPresent(v -> relations.put(field, Relations.substitute(v, substvars, where + " " + field)));
        }
        String maintainer = maintainer(d, o);
        // dpkg-gencontrol: Source names the source package, with its version when the binary's differs (--revision)
        String sourceField = d.changelog().source() + (version.equals(d.changelog().version()) ? "" : " (" + d.changelog().version() + ")");
        ControlFile control = new ControlFile().set("Package", pkg)
                .set("Source", sourceField.equals(pkg) ? null : sourceField)
                .set("Version", version).set("Architecture", arch).set("Maintainer", maintainer);
        for (String f : List.of("Essential", "Protected", "Multi-Arch")) {
            binary.get(f).ifPresent(v -> control.set(f, oneLine(v, f, where)));
        }
        Relations.normalize(relations, where).forEach(control::set);
        for (String f : List.of("Section", "Priority", "Homepage")) {
            control.set(f, binary.get(f).or(() -> d.source().get(f)).map(v -> oneLine(v, f, where)).orElse(null));
        }
        control.set("Description", Relations.substitute(binary.get("Description").orElseThrow(() ->
                new ModuleSourceException(where + " has no Description; add one")), substvars, where + " Description"));
        return control;
    }

    private static String oneLine(String value, String field, String where) {
        if (value.contains("\n") || value.isBlank()) {
            throw new ModuleSourceException(where + ": " + field + " must be one non-empty line, found '" + value.replace("\n", "\\n")
                    + "'; fix the field");
        }
        return value;
    }

    /** --maintainer, else the source stanza's Maintainer (dpkg-gencontrol copies it). */
    private static String maintainer(DebianDir d, Options o) {
        if (o.maintainer() != null) {
            return Maintainer.check(o.maintainer(), "--maintainer");
        }
        Path control = d.debian().resolve("control");
        return Maintainer.check(d.source().get("Maintainer").orElseThrow(() -> new ModuleSourceException(
                control + " has no Maintainer in its source stanza; add one or pass --maintainer")), control.toString());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Installing a path twice keeps the later copy, as dh_install's cp does. */
    private static List<DebEntry> lastWins(List<DebEntry> entries) {
        Map<String, DebEntry> byPath = new LinkedHashMap<>();
        for (DebEntry e : entries) {
            DebEntry previous = byPath.get(e.path());
            if (previous == null || e.type() != DebEntry.Type.DIRECTORY) {
                byPath.put(e.path(), e);
            }
        }
        return new ArrayList<>(byPath.values());
    }
}

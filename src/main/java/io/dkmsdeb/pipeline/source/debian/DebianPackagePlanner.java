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
import io.dkmsdeb.debiandir.DhInstall;
import io.dkmsdeb.debiandir.Relations;
import io.dkmsdeb.dkmsconf.DkmsConfGenerator;
import io.dkmsdeb.dkmsconf.DkmsConfReader;
import io.dkmsdeb.model.DebEntry;
import io.dkmsdeb.model.DebPackage;
import io.dkmsdeb.model.DkmsConf;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.model.ModuleSource;
import io.dkmsdeb.model.ModuleSourceException;
import io.dkmsdeb.templates.ScriptTemplates;
import io.dkmsdeb.templates.TemplateValues;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Plans the {@code -dkms} package of a tree with a debian/ directory as
 * {@code dpkg-buildpackage -b} with {@code dh $@ --with dkms} makes it: name, version and fields
 * from debian/changelog and debian/control (substitution variables filled and relations
 * normalised as dpkg-gencontrol does), dkms.conf from debian/PACKAGE.dkms, the sources under
 * {@code /usr/src/NAME-VERSION/} from debian/PACKAGE.install or the module directory, and the
 * files of dh_installmodules, dh_installdocs, dh_installchangelogs and dh_lintian.
 */
public final class DebianPackagePlanner {
    /** The options of {@code source} that apply to a debian/ tree (null when not given). */
    public record Options(String version, String revision, String name, String maintainer, Map<String, String> env, long epochSeconds) {
    }

    public record Plan(DebPackage pkg, ModuleSource source) {
    }

    private final ScriptTemplates templates;

    public DebianPackagePlanner(ScriptTemplates templates) {
        this.templates = templates;
    }

    public Plan plan(DebianDir d, Options o, DkmsConfReader.Context context) {
        Deb822.Paragraph binary = DebianRoute.chooseBinary(d, o.name());
        String pkg = DebianNames.requirePackageName(DebianRoute.name(binary), d.debian().resolve("control").toString());
        DebianWarnings.report(d, pkg);
        Changelog changelog = d.changelog();
        String version = o.version() != null ? o.version() : DebianWarnings.dhDkmsVersion(d, pkg);
        Optional<Path> objMDir = DkmsConfGenerator.moduleDir(d.root());
        Path moduleDir = objMDir.orElse(d.root());
        ModuleSource source = DebianRoute.load(d, pkg, moduleDir, version, o.version() != null, templates, context);
        DkmsConf conf = source.conf();
        String srcDir = "usr/src/" + conf.packageName() + "-" + conf.packageVersion();

        List<DhInstall.Item> items = d.pkgfile(pkg, "install").map(f -> DhInstall.read(d.root(), f, o.env())).orElse(List.of());
        List<DebEntry> data = new ArrayList<>(DebianFiles.installed(items));
        if (data.stream().noneMatch(e -> e.path().startsWith(srcDir + "/"))) {
            if (objMDir.isEmpty()) {
                throw new ModuleSourceException("nothing to install under /" + srcDir + ": " + d.root() + " has no Kbuild or Makefile "
                        + "with obj-m (nor a single subdirectory with one) and " + pkg + ".install puts nothing there; add a line "
                        + "such as 'src/* " + srcDir + "/' to debian/" + pkg + ".install");
            }
            Log.info("the module sources in " + moduleDir + " go to /" + srcDir + "/ (no debian/" + pkg + ".install line installs there)");
            data.addAll(SourceTree.scan(moduleDir, srcDir, null));
        }
        data.add(DebEntry.file(srcDir + "/dkms.conf", 0644, DebEntry.Data.of(source.dkmsConfText())));
        data.addAll(DebianFiles.helpers(d, pkg, o.env()));
        if (d.pkgfile(pkg, "copyright").isEmpty()) {
            Log.warn(d.debian() + " has no copyright file: dkms-deb writes a generic one, which dh would not; add debian/copyright");
            data.addAll(DocFiles.entries(templates, new DocFiles.About(pkg, changelog.version(), conf.packageName(),
                    conf.packageVersion(), maintainer(d, o), CopyrightNotices.find(moduleDir), null), o.epochSeconds()).stream()
                    .filter(e -> e.path().endsWith("/copyright")).toList());
        }
        data = DataLayout.normalize(DebianFiles.compressAndFixPerms(lastWins(data)));

        // dh_dkms's snippet: DKMS_PACKAGE_NAME is the module name with -dkms, whatever the binary package is called
        TemplateValues values = new TemplateValues().shell("module", conf.packageName()).shell("package", conf.packageName() + "-dkms")
                .shell("version", conf.packageVersion());
        Map<String, String> scripts = new TreeMap<>();
        scripts.put("postinst", templates.render("dkms/postinst.ftl", values));
        scripts.put("prerm", templates.render("dkms/prerm.ftl", values));
        ControlFile control = control(d, binary, pkg, debianVersion(changelog, o.revision()), conf, o);
        List<String> conffiles = DebianFiles.conffiles(data);
        // dpkg-gencontrol counts what DEBIAN/ holds when it runs: the scripts and, from dh_installdeb, conffiles
        List<String> controlFiles = new ArrayList<>(scripts.values());
        if (!conffiles.isEmpty()) {
            controlFiles.add(String.join("\n", conffiles) + "\n");
        }
        control.set("Installed-Size", Long.toString(InstalledSize.kib(data, controlFiles)));
        return new Plan(new DebPackage(control.fields(), scripts, data, conffiles), source);
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
    private static ControlFile control(DebianDir d, Deb822.Paragraph binary, String pkg, String version, DkmsConf conf, Options o) {
        String where = d.debian().resolve("control") + " (package " + pkg + ")";
        String arch = binary.get("Architecture").orElse("");
        if (!arch.equals("all")) {
            throw new ModuleSourceException(where + " has Architecture: " + arch + "; a -dkms package holds sources only and must be "
                    + "Architecture: all: change the field");
        }
        Map<String, String> substvars = new HashMap<>(Map.of(
                "misc:Depends", TargetDkms.depends(conf),
                "misc:Pre-Depends", "", "binary:Version", version, "source:Version", d.changelog().version(),
                "source:Upstream-Version", d.changelog().version().replaceFirst("-[^-]*$", ""),
                "Newline", "\n", "Space", " ", "Tab", "\t", "Arch", "all"));
        Map<String, String> relations = new LinkedHashMap<>();
        for (String field : concat(Relations.NORMAL, Relations.UNION)) {
            binary.folded(field).ifPresent(v -> relations.put(field, Relations.substitute(v, substvars, where + " " + field)));
        }
        String maintainer = maintainer(d, o);
        // dpkg-gencontrol: Source names the source package, with its version when the binary's differs (--revision)
        String sourceField = d.changelog().source() + (version.equals(d.changelog().version()) ? "" : " (" + d.changelog().version() + ")");
        ControlFile control = new ControlFile().set("Package", pkg)
                .set("Source", sourceField.equals(pkg) ? null : sourceField)
                .set("Version", version).set("Architecture", "all").set("Maintainer", maintainer);
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

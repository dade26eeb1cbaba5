package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.pipeline.CopyrightNotices;
import io.dkmsdeb.pipeline.DebianNames;
import io.dkmsdeb.pipeline.DocFiles;
import io.dkmsdeb.pipeline.Maintainer;
import io.dkmsdeb.deb.ControlFile;
import io.dkmsdeb.deb.DataLayout;
import io.dkmsdeb.deb.InstalledSize;
import io.dkmsdeb.model.dkms.BuiltModule;
import io.dkmsdeb.model.deb.DebEntry;
import io.dkmsdeb.model.deb.DebPackage;
import io.dkmsdeb.model.dkms.DkmsConf;
import io.dkmsdeb.model.kernel.KernelTarget;
import io.dkmsdeb.templates.ScriptTemplates;
import io.dkmsdeb.templates.TemplateValues;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plans the {@code NAME-modules-KVER} package that {@code dkms mkbmdeb} used to make, with its
 * known bugs fixed: the target kernel's architecture (not the build host's), a versioned
 * Provides (Debian #943484), modules where dkms installs them on Debian
 * ({@code /lib/modules/KVER/updates/dkms/}), depmod guarded as debhelper does, nothing else
 * but the doc files. Its scripts rebuild the initramfs of its own kernel ({@code update-initramfs
 * -u -k KVER}), not the newest kernel's as initramfs-tools' trigger would, so that a boot-time
 * driver reaches an older installed kernel too.
 *
 * <p>It conflicts with the module's {@code NAME-dkms} package: dkms installs the module at the same
 * path without dpkg knowing, and its removal deletes that path, so the two never share a machine.
 * apt removes {@code NAME-dkms} (dkms takes its builds away) before it unpacks the modules.
 */
public final class ModulesPackagePlanner {
    private final ScriptTemplates templates;
    private final boolean signed;
    private final String certVersion;

    /**
     * @param signed whether the modules are signed: the package then suggests the certificate
     *               package ({@link CertPackagePlanner}) of its version
     */
    public ModulesPackagePlanner(ScriptTemplates templates, boolean signed) {
        this(templates, signed, null);
    }

    /**
     * @param certVersion the version of the certificate package that signed modules suggest, when it is not their own
     *                    (the certificate package and the -modules packages are each given a new version only when their
     *                    own bytes change: see {@link ModulesVersion}); null: their own
     */
    ModulesPackagePlanner(ScriptTemplates templates, boolean signed, String certVersion) {
        this.templates = templates;
        this.signed = signed;
        this.certVersion = certVersion;
    }

    /** A planner of packages of unsigned modules. */
    public ModulesPackagePlanner(ScriptTemplates templates) {
        this(templates, false);
    }

    /** The package's name, its Debian version, and the upstream version and base name its Provides uses. */
    public record Names(String packageName, String debianVersion, String upstreamVersion, String providesBase) {
    }

    /** What the package is before its modules are known: names, doc files, scripts. */
    public record Prepared(Names names, List<DebEntry> docs, Map<String, String> scripts) {
    }

    /**
     * The names and versions, checked; cheap (no template is rendered), so a bad version fails before a compile.
     *
     * @param baseName bmdeb's --name (NAME of NAME-modules-KVER), or null to derive it from PACKAGE_NAME
     */
    public static Names names(DkmsConf conf, KernelTarget k, String revision, String baseName) {
        return names(conf.packageName(), conf.packageVersion(), k.release(), revision, baseName);
    }

    /** The same names with another Debian version (a rebuild's, see {@link ModulesVersion}). */
    static Names withVersion(Names n, String debianVersion) {
        return new Names(n.packageName(), debianVersion, n.upstreamVersion(), n.providesBase());
    }

    /** {@link #names(DkmsConf, KernelTarget, String, String)} from PACKAGE_NAME, PACKAGE_VERSION and the kernel release. */
    static Names names(String packageName, String packageVersion, String kernel, String revision, String baseName) {
        String upstream = DebianNames.requireUpstreamVersion(packageVersion);
        String debianVersion = revision == null ? upstream : DebianNames.debianVersion(upstream, revision);
        String name = baseName != null ? DebianNames.requirePackageName(baseName, "--name") : packageName;
        String providesBase = DebianNames.providesBase(name);
        DebianNames.requirePackageName(DebianNames.dkmsBinSource(providesBase), baseName != null ? "--name" : "PACKAGE_NAME");
        return new Names(DebianNames.modulesPackage(name, kernel), debianVersion, upstream, providesBase);
    }

    /**
     * The part that does not depend on the build: the doc files and the maintainer scripts.
     * bmdeb runs it while make runs.
     *
     * @param names      from {@link #names}
     * @param maintainer Maintainer field
     * @param sourceDir  the module tree, for copyright notices
     */
    public Prepared prepare(Names names, DkmsConf conf, KernelTarget k, String maintainer, Path sourceDir, long epochSeconds) {
        List<DebEntry> docs = DocFiles.entries(templates, new DocFiles.About(names.packageName(), names.debianVersion(),
                conf.packageName(), conf.packageVersion(), maintainer, CopyrightNotices.find(sourceDir), k.release()), epochSeconds);
        TemplateValues values = new TemplateValues().shell("kernel", k.release());
        Map<String, String> scripts = new TreeMap<>();
        scripts.put("postinst", templates.render("modules/postinst.ftl", values));
        scripts.put("postrm", templates.render("modules/postrm.ftl", values));
        return new Prepared(names, docs, scripts);
    }

    /**
     * The package from its prepared part and the built modules.
     *
     * @param inputs the digest of what it is built from ({@link BuildInputs}), recorded in its control file; null: none recorded
     */
    public DebPackage complete(DkmsConf conf, KernelTarget k, String maintainer, Prepared p, List<BuiltModule> modules, String inputs) {
        String module = conf.packageName();
        String version = conf.packageVersion();
        List<DebEntry> data = new ArrayList<>();
        String dir = "lib/modules/" + k.release() + "/updates/dkms/";
        for (BuiltModule m : modules) {
            data.add(DebEntry.file(dir + m.installName(), 0644, DebEntry.Data.of(m.content())));
        }
        data.addAll(p.docs());
        data = DataLayout.normalize(data);

        List<String> names = modules.stream().map(m -> m.spec().destName()).toList();
        ControlFile control = new ControlFile()
                .set("Package", p.names().packageName())
                .set("Source", DebianNames.dkmsBinSource(p.names().providesBase()))
                .set("Version", p.names().debianVersion())
                .set("Architecture", k.debArch())
                .set("Maintainer", maintainer)
                .set("Installed-Size", Long.toString(InstalledSize.kib(data, List.copyOf(p.scripts().values()))))
                .set("Depends", "linux-image-" + k.release() + " | linux-image-" + k.release() + "-unsigned")
                .set("Suggests", signed ? DebianNames.modulesCertPackage(p.names().providesBase()) + " (= "
                        + (certVersion != null ? certVersion : p.names().debianVersion()) + ")" : null)
                .set("Conflicts", p.names().providesBase() + "-dkms")
                .set("Provides", p.names().providesBase() + "-modules (= " + p.names().upstreamVersion() + ")")
                .set("Section", "kernel")
                .set("Priority", "optional");
        if (inputs != null) {
            control.set(BuildInputs.FIELD, inputs);
        }
        control.set("Description", ControlFile.description(module + " binary drivers for linux-image-" + k.release(),
                        "This package contains the " + module + " " + version + " kernel module"
                                + (names.size() > 1 ? "s " : " ") + String.join(", ", names) + " built for the " + k.release()
                                + " Linux kernel (" + k.debArch() + "), so that the module can be used without a compiler "
                                + "or DKMS on the target."));
        return new DebPackage(control.fields(), p.scripts(), data, List.of(), List.of());
    }
}

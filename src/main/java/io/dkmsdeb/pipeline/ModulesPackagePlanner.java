package io.dkmsdeb.pipeline;

import io.dkmsdeb.deb.ControlFile;
import io.dkmsdeb.deb.DataLayout;
import io.dkmsdeb.deb.InstalledSize;
import io.dkmsdeb.model.BuiltModule;
import io.dkmsdeb.model.DebEntry;
import io.dkmsdeb.model.DebPackage;
import io.dkmsdeb.model.DkmsConf;
import io.dkmsdeb.model.KernelTarget;
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
 * but the doc files.
 */
public final class ModulesPackagePlanner {
    private final ScriptTemplates templates;

    public ModulesPackagePlanner(ScriptTemplates templates) {
        this.templates = templates;
    }

    /**
     * @param revision   --revision, or null for the plain PACKAGE_VERSION
     * @param maintainer Maintainer field
     * @param sourceDir  the module tree, for copyright notices
     */
    public DebPackage plan(DkmsConf conf, KernelTarget k, List<BuiltModule> modules, String revision, String maintainer,
                           Path sourceDir, long epochSeconds) {
        String module = conf.packageName();
        String version = conf.packageVersion();
        String debianVersion = revision == null ? DebianNames.requireUpstreamVersion(version) : DebianNames.debianVersion(version, revision);
        String pkgName = DebianNames.modulesPackage(module, k.release());
        String providesBase = DebianNames.providesBase(module);

        List<DebEntry> data = new ArrayList<>();
        String dir = "lib/modules/" + k.release() + "/updates/dkms/";
        for (BuiltModule m : modules) {
            data.add(DebEntry.file(dir + m.installName(), 0644, DebEntry.Data.of(m.content())));
        }
        data.addAll(DocFiles.entries(templates, new DocFiles.About(pkgName, debianVersion, module, version, maintainer,
                CopyrightNotices.find(sourceDir), k.release()), epochSeconds));
        data = DataLayout.normalize(data);

        TemplateValues values = new TemplateValues().shell("kernel", k.release());
        Map<String, String> scripts = new TreeMap<>();
        scripts.put("postinst", templates.render("modules/postinst.ftl", values));
        scripts.put("postrm", templates.render("modules/postrm.ftl", values));

        List<String> names = modules.stream().map(m -> m.spec().destName()).toList();
        ControlFile control = new ControlFile()
                .set("Package", pkgName)
                .set("Source", DebianNames.requirePackageName(providesBase + "-dkms-bin", "PACKAGE_NAME"))
                .set("Version", debianVersion)
                .set("Architecture", k.debArch())
                .set("Maintainer", maintainer)
                .set("Installed-Size", Long.toString(InstalledSize.kib(data, scripts.values())))
                .set("Depends", "linux-image-" + k.release() + " | linux-image-" + k.release() + "-unsigned")
                .set("Provides", providesBase + "-modules (= " + DebianNames.requireUpstreamVersion(version) + ")")
                .set("Section", "kernel")
                .set("Priority", "optional")
                .set("Description", ControlFile.description(module + " binary drivers for linux-image-" + k.release(),
                        "This package contains the " + module + " " + version + " kernel module"
                                + (names.size() > 1 ? "s " : " ") + String.join(", ", names) + " built for the " + k.release()
                                + " Linux kernel (" + k.debArch() + "), so that the module can be used without a compiler "
                                + "or DKMS on the target."));
        return new DebPackage(control.fields(), scripts, data);
    }
}

package io.dkmsdeb.pipeline.source;

import io.dkmsdeb.pipeline.TargetDkms;
import io.dkmsdeb.pipeline.CopyrightNotices;
import io.dkmsdeb.pipeline.DebianNames;
import io.dkmsdeb.pipeline.DocFiles;
import io.dkmsdeb.pipeline.Maintainer;
import io.dkmsdeb.pipeline.SourceTree;
import io.dkmsdeb.deb.ControlFile;
import io.dkmsdeb.deb.DataLayout;
import io.dkmsdeb.deb.InstalledSize;
import io.dkmsdeb.model.deb.DebEntry;
import io.dkmsdeb.model.deb.DebPackage;
import io.dkmsdeb.model.dkms.DkmsConf;
import io.dkmsdeb.model.dkms.ModuleSource;
import io.dkmsdeb.templates.ScriptTemplates;
import io.dkmsdeb.templates.TemplateValues;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plans the {@code NAME-dkms} package of a module source, as dh_dkms and dpkg-buildpackage
 * would make it: the tree under {@code /usr/src/NAME-VERSION/} with its dkms.conf, the doc
 * files, and postinst/prerm that hand the module to dkms.
 */
public final class SourcePackagePlanner {
    private final ScriptTemplates templates;

    public SourcePackagePlanner(ScriptTemplates templates) {
        this.templates = templates;
    }

    /** What the package is called and stamped with. */
    public record Identity(String packageName, String revision, String maintainer, long epochSeconds) {
    }

    /** @param listing the module tree's files when they were listed beforehand ({@link SourceTree#list}), else null */
    public DebPackage plan(ModuleSource source, Identity id, SourceTree.Listing listing) {
        DkmsConf conf = source.conf();
        String module = conf.packageName();
        String version = conf.packageVersion();
        String debianVersion = DebianNames.debianVersion(version, id.revision());
        String srcDir = "usr/src/" + module + "-" + version;

        SourceTree.Listing files = listing != null && listing.root().equals(source.dir()) ? listing : SourceTree.list(source.dir(), "dkms.conf");
        List<DebEntry> data = new ArrayList<>(files.under(srcDir));
        data.add(DebEntry.file(srcDir + "/dkms.conf", 0644, DebEntry.Data.of(source.dkmsConfText())));
        data.addAll(DocFiles.entries(templates, new DocFiles.About(id.packageName(), debianVersion, module, version, id.maintainer(),
                CopyrightNotices.find(source.dir()), null), id.epochSeconds()));
        data = DataLayout.normalize(data);

        // dh_dkms's snippet: DKMS_PACKAGE_NAME is the module name with -dkms, whatever the binary package is called
        TemplateValues values = new TemplateValues().shell("module", module).shell("package", module + "-dkms").shell("version", version);
        Map<String, String> scripts = new TreeMap<>();
        scripts.put("postinst", templates.render("dkms/postinst.ftl", values));
        scripts.put("prerm", templates.render("dkms/prerm.ftl", values));

        String providesBase = DebianNames.providesBase(id.packageName());
        ControlFile control = new ControlFile()
                .set("Package", id.packageName())
                .set("Version", debianVersion)
                .set("Architecture", "all")
                .set("Maintainer", id.maintainer())
                .set("Installed-Size", Long.toString(InstalledSize.kib(data, scripts.values())))
                // dh_dkms asks for a dkms that knows BUILD_EXCLUSIVE_CONFIG when the module uses it; KERNEL_MIN/MAX likewise
                .set("Depends", TargetDkms.depends(conf))
                .set("Provides", providesBase + "-modules (= " + version + ")")
                .set("Section", "kernel")
                .set("Priority", "optional")
                .set("Description", ControlFile.description(module + " kernel module source for DKMS",
                        "This package provides the source code of the " + module + " " + version + " Linux kernel module "
                                + "and the dkms.conf with which DKMS builds and installs it for each installed kernel, "
                                + "and rebuilds it when a new kernel is installed."));
        return new DebPackage(control.fields(), scripts, data);
    }
}

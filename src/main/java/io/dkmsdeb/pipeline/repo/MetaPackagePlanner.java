package io.dkmsdeb.pipeline.repo;

import io.dkmsdeb.pipeline.DebianNames;
import io.dkmsdeb.pipeline.Maintainer;
import io.dkmsdeb.deb.ControlFile;
import io.dkmsdeb.deb.DataLayout;
import io.dkmsdeb.deb.Gzip;
import io.dkmsdeb.deb.InstalledSize;
import io.dkmsdeb.debiandir.DebianVersion;
import io.dkmsdeb.model.deb.DebEntry;
import io.dkmsdeb.model.deb.DebPackage;
import io.dkmsdeb.model.kernel.KernelListing;
import io.dkmsdeb.templates.ScriptTemplates;
import io.dkmsdeb.templates.TemplateValues;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plans the per-flavour meta-packages of a repository, as Debian has {@code linux-image-amd64}
 * and Ubuntu {@code linux-modules-nvidia-*-generic}: {@code NAME-modules-FLAVOUR} depends on the
 * {@code NAME-modules-RELEASE} of the kernel ABI that {@code linux-image-FLAVOUR} depends on now,
 * so that a machine that follows {@code linux-image-FLAVOUR} follows it with the module too.
 *
 * <p>Its version is the module's upstream version, {@code +}, the kernel meta-package's version
 * (epoch dropped, {@code -} turned into {@code .}), and the module's Debian revision when it has
 * one: module 1.0 and linux-image-amd64 6.1.192-3 give {@code 1.0+6.1.192.3}. It rises with every
 * new kernel meta version (a new ABI comes with one) and every new module version.
 */
public final class MetaPackagePlanner {
    private static final DateTimeFormatter RFC_2822 = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.ROOT);

    private final ScriptTemplates templates;

    public MetaPackagePlanner(ScriptTemplates templates) {
        this.templates = templates;
    }

    /**
     * A {@code NAME-modules-RELEASE} package of the repository.
     *
     * @param module     NAME (its {@code Source} is {@code NAME-dkms-bin})
     * @param pkg        the package name
     * @param version    its Version
     * @param arch       its Architecture
     * @param maintainer its Maintainer
     */
    public record ModulesPackage(String module, String pkg, String version, String arch, String maintainer) {
    }

    /** What a meta-package stands on: the kernel meta-package it follows and the module package it depends on. */
    public record Plan(KernelListing.Meta kernelMeta, ModulesPackage target, String packageName, String version) {
    }

    /**
     * The module packages among {@code fields} (the control fields of each package of a repository):
     * {@code Source: NAME-dkms-bin} and {@code Package: NAME-modules-RELEASE}, as bmdeb writes them.
     * For a kernel release in {@code listing}, returns the meta-packages to make: one per module and
     * kernel meta-package pointing at a release the repository has a package for, depending on the
     * highest version of it.
     */
    public static List<Plan> plans(Collection<Map<String, String>> fields, KernelListing.Listing listing) {
        Map<String, ModulesPackage> newest = new TreeMap<>();
        for (Map<String, String> f : fields) {
            java.util.Optional<String> built = DebianNames.moduleOfSource(f.get("Source"));
            String pkg = f.get("Package");
            if (built.isEmpty() || pkg == null) {
                continue;
            }
            String module = built.get();
            ModulesPackage m = new ModulesPackage(module, pkg, f.get("Version"), f.get("Architecture"), f.get("Maintainer"));
            newest.merge(pkg + "\0" + m.arch(), m, (a, b) -> DebianVersion.compare(a.version(), b.version()) >= 0 ? a : b);
        }
        List<Plan> plans = new ArrayList<>();
        for (KernelListing.Meta meta : listing.metas()) {
            for (ModulesPackage m : newest.values()) {
                if (m.pkg().equals(DebianNames.modulesPackage(m.module(), meta.release()))) {
                    plans.add(new Plan(meta, m, DebianNames.modulesMetaPackage(m.module(), meta.flavour()), version(m.version(), meta.version())));
                }
            }
        }
        return plans;
    }

    /**
     * The meta-package's version: the module package's upstream version, {@code +}, the kernel
     * meta-package's version without its epoch and with {@code -} as {@code .}, then the module
     * package's revision, if any. The module package's epoch, if any, is kept.
     */
    public static String version(String modulesVersion, String kernelMetaVersion) {
        int colon = modulesVersion.indexOf(':');
        String epoch = colon < 0 ? "" : modulesVersion.substring(0, colon + 1);
        String v = modulesVersion.substring(colon + 1);
        int dash = v.lastIndexOf('-');
        String upstream = dash < 0 ? v : v.substring(0, dash);
        String revision = dash < 0 ? "" : v.substring(dash);
        String kernel = kernelMetaVersion.substring(kernelMetaVersion.indexOf(':') + 1).replace('-', '.');
        return epoch + upstream + "+" + kernel + revision;
    }

    /** The meta-package of {@code plan}, its doc files dated {@code epochSeconds}. */
    public DebPackage plan(Plan plan, long epochSeconds) {
        ModulesPackage t = plan.target();
        String name = DebianNames.requirePackageName(plan.packageName(), "the module name and kernel flavour");
        List<DebEntry> data = DataLayout.normalize(docs(plan, epochSeconds));
        String kernelMeta = plan.kernelMeta().pkg();
        ControlFile control = new ControlFile()
                .set("Package", name)
                .set("Source", DebianNames.dkmsBinSource(t.module()))
                .set("Version", plan.version())
                .set("Architecture", t.arch())
                .set("Maintainer", t.maintainer())
                .set("Installed-Size", Long.toString(InstalledSize.kib(data, List.of())))
                .set("Depends", t.pkg() + " (= " + t.version() + ")")
                .set("Section", "kernel")
                .set("Priority", "optional")
                .set("Description", ControlFile.description(t.module() + " kernel modules for the latest "
                                + kernelMeta.substring("linux-image-".length()) + " kernel",
                        "This package depends on the " + t.module() + " module package for the kernel that " + kernelMeta
                                + " depends on (now " + plan.kernelMeta().release() + "). Install it next to " + kernelMeta
                                + " so that upgrading the kernel brings the module built for it.",
                        "This is a meta-package: it holds no module itself."));
        return new DebPackage(control.fields(), Map.of(), data);
    }

    private List<DebEntry> docs(Plan plan, long epochSeconds) {
        ModulesPackage t = plan.target();
        TemplateValues values = new TemplateValues()
                .shell("package", plan.packageName()).shell("debianVersion", plan.version())
                .shell("module", t.module()).shell("target", t.pkg()).shell("targetVersion", t.version())
                .shell("kernelMeta", plan.kernelMeta().pkg()).shell("kernelMetaVersion", plan.kernelMeta().version())
                .text("maintainer", t.maintainer())
                .text("date", RFC_2822.format(Instant.ofEpochSecond(epochSeconds).atOffset(ZoneOffset.UTC)))
                .text("year", Integer.toString(Instant.ofEpochSecond(epochSeconds).atOffset(ZoneOffset.UTC).getYear()));
        String doc = "usr/share/doc/" + plan.packageName() + "/";
        String changelog = templates.render("doc/meta-changelog.ftl", values);
        // a version without a Debian revision is a native package: its changelog is changelog.gz
        String changelogName = stripEpoch(plan.version()).contains("-") ? "changelog.Debian.gz" : "changelog.gz";
        return List.of(
                DebEntry.file(doc + changelogName, 0644, DebEntry.Data.of(Gzip.compress(changelog.getBytes(StandardCharsets.UTF_8)))),
                DebEntry.file(doc + "copyright", 0644, DebEntry.Data.of(templates.render("doc/meta-copyright.ftl", values))),
                DebEntry.file("usr/share/lintian/overrides/" + plan.packageName(), 0644,
                        DebEntry.Data.of(templates.render("doc/lintian-overrides.ftl", values))));
    }

    private static String stripEpoch(String version) {
        return version.substring(version.indexOf(':') + 1);
    }
}

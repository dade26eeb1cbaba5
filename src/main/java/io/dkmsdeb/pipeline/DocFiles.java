package io.dkmsdeb.pipeline;

import io.dkmsdeb.deb.Gzip;
import io.dkmsdeb.model.deb.DebEntry;
import io.dkmsdeb.templates.ScriptTemplates;
import io.dkmsdeb.templates.TemplateValues;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The files lintian expects of every package: {@code /usr/share/doc/PKG/copyright},
 * {@code changelog.Debian.gz} (as {@code gzip -9n}: no name, no time), and the lintian override
 * for the one tag a package built outside the archive cannot avoid.
 */
public final class DocFiles {
    private static final DateTimeFormatter RFC_2822 = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.ROOT);

    private DocFiles() {
    }

    /**
     * What the doc files say.
     *
     * @param packageName   the binary package
     * @param debianVersion its Version field
     * @param module        dkms module name
     * @param version       module version
     * @param maintainer    Maintainer field
     * @param notices       copyright lines found in the module's sources
     * @param kernel        the kernel a -modules package is built for, or null for a -dkms package
     */
    public record About(String packageName, String debianVersion, String module, String version, String maintainer,
                        List<String> notices, String kernel) {
    }

    /** The changelog's date, as RFC 2822 (the date of a changelog trailer line). */
    public static String date(long epochSeconds) {
        return RFC_2822.format(Instant.ofEpochSecond(epochSeconds).atOffset(ZoneOffset.UTC));
    }

    /** The doc entries, dated {@code epochSeconds} (the changelog's date). */
    public static List<DebEntry> entries(ScriptTemplates templates, About about, long epochSeconds) {
        return entries(templates, "doc", about, epochSeconds);
    }

    /**
     * The doc entries with the changelog and copyright of {@code templateDir} ({@code doc}, or
     * {@code cert} for the certificate package); the lintian override is always doc's.
     */
    public static List<DebEntry> entries(ScriptTemplates templates, String templateDir, About about, long epochSeconds) {
        String date = date(epochSeconds);
        String year = Integer.toString(Instant.ofEpochSecond(epochSeconds).atOffset(ZoneOffset.UTC).getYear());
        TemplateValues values = new TemplateValues()
                .shell("package", about.packageName()).shell("debianVersion", about.debianVersion())
                .shell("module", about.module()).shell("version", about.version())
                .text("maintainer", about.maintainer()).text("date", date).text("year", year)
                .textList("notices", about.notices()).text("copyrightFrom", templateDir);
        if (about.kernel() != null) {
            values.shell("kernel", about.kernel());
        }
        String changelog = templates.render(templateDir + "/changelog.ftl", values);
        String copyright = templates.render(templateDir + "/copyright.ftl", values);
        String overrides = templates.render("doc/lintian-overrides.ftl", values);
        String doc = "usr/share/doc/" + about.packageName() + "/";
        return List.of(
                // a version without a Debian revision is a native package: its changelog is changelog.gz
                DebEntry.file(doc + (about.debianVersion().contains("-") ? "changelog.Debian.gz" : "changelog.gz"), 0644, DebEntry.Data.of(Gzip.compress(changelog.getBytes(StandardCharsets.UTF_8)))),
                DebEntry.file(doc + "copyright", 0644, DebEntry.Data.of(copyright)),
                DebEntry.file("usr/share/lintian/overrides/" + about.packageName(), 0644, DebEntry.Data.of(overrides)));
    }
}

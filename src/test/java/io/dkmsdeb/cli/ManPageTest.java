package io.dkmsdeb.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The man pages as the package build makes them: {@code src/main/packaging/GenerateDocs.java} compiled and run here
 * against the classes under test. Each command has its page with EXAMPLES, and ENVIRONMENT and FILES where the command
 * reads variables or fixed paths; every variable dkms-deb reads is on {@code dkms-deb(1)}.
 */
@Tag("unit")
class ManPageTest {
    @TempDir
    static Path tmp;

    static Path man;

    @BeforeAll
    static void generate() throws Exception {
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        String classPath = String.join(File.pathSeparator, location(Main.class), location(CommandLine.class));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-classpath", classPath, "-d", classes.toString(),
                "src/main/packaging/GenerateDocs.java");
        assertThat(rc).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, ManPageTest.class.getClassLoader())) {
            loader.loadClass("GenerateDocs").getMethod("main", String[].class)
                    .invoke(null, (Object) new String[] {tmp.resolve("out").toString(), "1.0", "2024-01-01"});
        }
        man = tmp.resolve("out/man");
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static String page(String name) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(man.resolve(name + ".1.gz")))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The text of section {@code heading} of a page, empty when the page has none. */
    private static String section(String page, String heading) {
        Matcher m = Pattern.compile("(?ms)^\\.SH \"?" + Pattern.quote(heading) + "\"?\n(.*?)(?=^\\.SH |\\z)").matcher(page);
        return m.find() ? m.group(1) : "";
    }

    /** troff's escaped minus signs back to plain text, for searching. */
    private static String plain(String troff) {
        return troff.replace("\\-", "-").replace("\\e", "\\");
    }

    @Test
    void everyCommandHasAPageWithExamplesAndNoneForHelp() throws IOException {
        List<String> pages = new ArrayList<>();
        try (var s = Files.list(man)) {
            s.forEach(p -> pages.add(p.getFileName().toString()));
        }
        List<String> expected = new ArrayList<>(List.of("dkms-deb.1.gz"));
        Main.commandLine().getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                expected.add("dkms-deb-" + name + ".1.gz");
            }
        });
        assertThat(pages).containsExactlyInAnyOrderElementsOf(expected);
        for (String p : pages) {
            String name = p.replace(".1.gz", "");
            String page = page(name);
            assertThat(section(page, "EXAMPLES")).as(name + " EXAMPLES").contains(".nf\n" + (name.equals("dkms-deb-generate-completion")
                    ? "source <(dkms\\-deb generate\\-completion)" : "dkms\\-deb "));
            // man-pages(7) order: the model's sections, then these, then SEE ALSO
            assertThat(page.indexOf(".SH EXAMPLES")).as(name).isGreaterThan(page.indexOf(".SH OPTIONS")).isLessThan(page.indexOf(".SH \"SEE ALSO\""));
            assertThat(page).as(name).doesNotContain("dkms\\-deb\\-help");
        }
    }

    @Test
    void theTopPageNamesEveryVariableAndFile() throws IOException {
        String top = plain(page("dkms-deb"));
        String env = section(top, "ENVIRONMENT");
        for (String v : List.of("SOURCE_DATE_EPOCH", "DKMS_DEB_MAKE_JOBS", "DKMS_DEB_XZ", "XDG_CACHE_HOME", "TMPDIR", "DEBFULLNAME",
                "DEBEMAIL", "GNUPGHOME", "JAVA_HOME")) {
            assertThat(env).as(v).contains(".TP\n\\fB" + v + "\\fR\n");
        }
        String files = section(top, "FILES");
        for (String f : List.of("/var/lib/dkms/mok.key", "/var/lib/dkms/mok.pub", "$XDG_CACHE_HOME/dkms-deb/logs/",
                "$XDG_CACHE_HOME/dkms-deb/headers/", "REPODIR/.dkms-deb/")) {
            assertThat(files).as(f).contains(".TP\n\\fI" + f);
        }
        assertThat(section(top, "COMMANDS")).contains("\\fBverify-repo\\fR").doesNotContain("\\fBhelp\\fR");
    }

    @Test
    void eachCommandPageHasItsOwnEnvironmentAndFiles() throws IOException {
        String bmdeb = plain(page("dkms-deb-bmdeb"));
        assertThat(section(bmdeb, "ENVIRONMENT")).contains("\\fBDKMS_DEB_MAKE_JOBS\\fR", "\\fBTMPDIR\\fR", "\\fBXDG_CACHE_HOME\\fR",
                "KBUILD_BUILD_TIMESTAMP").doesNotContain("GNUPGHOME");
        assertThat(section(bmdeb, "FILES")).contains("/var/lib/dkms/mok.key", "/var/lib/dkms/mok.pub", "dkms-deb/logs/NAME-VERSION_KVER.log",
                ".dkms-deb-bmdeb-KVER.lock").doesNotContain("REPODIR");

        String source = plain(page("dkms-deb-source"));
        assertThat(section(source, "ENVIRONMENT")).contains("\\fBDEBFULLNAME\\fR", "\\fBDEBEMAIL\\fR", "\\fBSOURCE_DATE_EPOCH\\fR")
                .doesNotContain("DKMS_DEB_MAKE_JOBS");

        String repo = plain(page("dkms-deb-repo"));
        assertThat(section(repo, "ENVIRONMENT")).contains("\\fBGNUPGHOME\\fR", "Release").doesNotContain("TMPDIR");
        assertThat(section(repo, "FILES")).contains("\\fIREPODIR/.dkms-deb/\\fR", "staging/", "\\fIREPODIR/KEY.gpg\\fR");
        assertThat(section(plain(page("dkms-deb-verify-repo")), "FILES")).contains("REPODIR/.dkms-deb/");

        // nothing to say is no section: inspect reads no variable and no fixed path
        String inspect = page("dkms-deb-inspect");
        assertThat(inspect).doesNotContain(".SH ENVIRONMENT").doesNotContain(".SH FILES");
    }
}

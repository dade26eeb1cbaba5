package io.dkmsdeb.templates;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every shell template, rendered with hostile and with edge values: hostile ones are refused, allowed ones stay quoted. */
@Tag("tools")
class ScriptTemplatesTest {
    private static final List<String> SHELL_TEMPLATES = List.of("dkms/postinst.ftl", "dkms/prerm.ftl", "modules/postinst.ftl", "modules/postrm.ftl");
    private final ScriptTemplates templates = new ScriptTemplates(null);

    @TempDir
    Path dir;

    private static TemplateValues values(String v) {
        return new TemplateValues().shell("module", v).shell("package", v).shell("version", v).shell("kernel", v);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a;reboot", "$(id)", "`id`", "a'b", "a\"b", "a b", "a\nb", "", "-rf", "a\\b", "a|b", "a&b", "a>b", "*", "a$b", "~root"})
    void hostileValuesAreRefusedBeforeRendering(String hostile) {
        assertThatThrownBy(() -> values(hostile)).isInstanceOf(io.dkmsdeb.model.ModuleSourceException.class)
                .hasMessageContaining("not allowed in maintainer scripts");
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello", "tp_smapi", "0~20220829+git", "1.9.1-5", "6.12.117+deb12-amd64", "2:1.0", "a.b+c~d-e_f"})
    void allowedValuesRenderToScriptsThatParseAndPassShellcheck(String value) throws Exception {
        for (String name : SHELL_TEMPLATES) {
            String script = templates.render(name, values(value));
            assertThat(script).startsWith("#!/bin/sh\nset -e\n").contains("'" + value + "'");
            Path file = dir.resolve(name.replace('/', '-') + ".sh");
            Files.writeString(file, script);
            assertThat(run("sh", "-n", file.toString())).as(name).isZero();
            assertThat(run("shellcheck", "-s", "sh", file.toString())).as("shellcheck " + name + "\n" + script).isZero();
        }
    }

    @Test
    void shellQuoteEscapesSingleQuotes() throws Exception {
        String quoted = ScriptTemplates.shellQuote("it's $(id) `x`");
        assertThat(quoted).isEqualTo("'it'\\''s $(id) `x`'");
        Process p = new ProcessBuilder("sh", "-c", "printf %s " + quoted).start();
        assertThat(new String(p.getInputStream().readAllBytes())).isEqualTo("it's $(id) `x`");
    }

    @Test
    void aMissingValueIsAnErrorNotAnEmptyString() {
        assertThatThrownBy(() -> templates.render("dkms/postinst.ftl", new TemplateValues().shell("module", "x")))
                .hasMessageContaining("template dkms/postinst.ftl failed");
    }

    @Test
    void aTemplatesDirectoryOverridesTheShippedOnes() throws IOException {
        Path own = Files.createDirectories(dir.resolve("t/dkms"));
        Files.writeString(own.resolve("prerm.ftl"), "#!/bin/sh\nset -e\necho custom [=sh(module)]\n");
        String script = new ScriptTemplates(dir.resolve("t")).render("dkms/prerm.ftl", values("hello"));
        assertThat(script).isEqualTo("#!/bin/sh\nset -e\necho custom 'hello'\n");
        assertThat(new ScriptTemplates(dir.resolve("t")).render("dkms/postinst.ftl", values("hello"))).contains("common.postinst");
    }

    private static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }
}

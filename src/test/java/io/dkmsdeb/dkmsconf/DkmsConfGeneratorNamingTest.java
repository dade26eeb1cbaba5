package io.dkmsdeb.dkmsconf;

import io.dkmsdeb.pipeline.ModuleSourceLoader;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.model.dkms.ModuleSource;
import io.dkmsdeb.model.ModuleSourceException;
import io.dkmsdeb.templates.ScriptTemplates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which directory holds the module, and what the generated dkms.conf calls it. */
@Tag("unit")
class DkmsConfGeneratorNamingTest {
    private static final DkmsConfReader.Context CONTEXT = ReadContexts.of("", "");
    private static final String TWO_MODULES = "obj-m += alpha.o\nobj-m += beta.o\n";

    @TempDir
    Path work;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void captureLog() {
        Log.to(new PrintStream(log, true, StandardCharsets.UTF_8), false);
    }

    @AfterEach
    void restoreLog() {
        Log.to(System.err, false);
    }

    private String log() {
        return log.toString(StandardCharsets.UTF_8);
    }

    private Path tree(String path, String makefile, String c) throws Exception {
        Path dir = Files.createDirectories(work.resolve(path));
        Files.writeString(dir.resolve("Makefile"), makefile);
        Files.writeString(dir.resolve("main.c"), c);
        return dir;
    }

    private static ModuleSource load(Path dir, String version, String name) {
        return new ModuleSourceLoader(new ScriptTemplates(null)).load(dir, version, name, CONTEXT);
    }

    @Test
    void moduleDirIsTheTreeItselfOrItsOneSubdirectoryWithObjM() throws Exception {
        Path top = tree("i40e-2.28.16/src", "ifneq ($(KERNELRELEASE),)\nobj-m += i40e.o\nendif\n", "").getParent();
        Files.createDirectories(top.resolve("scripts"));
        Files.writeString(top.resolve("scripts/Makefile"), "all:\n\ttrue\n");
        Files.writeString(top.resolve("README"), "i40e\n");
        assertThat(DkmsConfGenerator.moduleDir(top)).contains(top.resolve("src"));
        assertThat(DkmsConfGenerator.moduleDir(top.resolve("src"))).contains(top.resolve("src"));
        assertThat(DkmsConfGenerator.moduleDir(top.resolve("scripts"))).isEmpty();

        Files.writeString(top.resolve("scripts/Kbuild"), "obj-m := other.o\n");
        assertThat(DkmsConfGenerator.moduleDir(top)).as("two subdirectories with obj-m").isEmpty();
    }

    @Test
    void singleModuleInSrcIsNamedAfterTheModuleNotTheFolder() throws Exception {
        Path src = tree("driver-tarball/src", "obj-m += i40e.o\nifeq (${NEED_AUX_BUS},2)\nobj-m += intel_auxiliary.o\nendif\n",
                "MODULE_VERSION(\"2.4.6\");\n");
        for (Path dir : List.of(src, src.getParent())) {
            ModuleSource s = load(dir, null, null);
            assertThat(s.conf().packageName()).as(dir.toString()).isEqualTo("i40e");
            assertThat(s.conf().packageVersion()).isEqualTo("2.4.6");
            assertThat(s.dir()).isEqualTo(src);
            assertThat(new String(s.dkmsConfText(), StandardCharsets.UTF_8)).contains("BUILT_MODULE_NAME[0]='i40e'")
                    .doesNotContain("intel_auxiliary").doesNotContain("BUILT_MODULE_NAME[1]");
        }
        assertThat(log()).contains("the module is in " + src)
                .contains("left out intel_auxiliary: its obj-m line is inside 'ifeq (${NEED_AUX_BUS},2)' (Makefile line 2); "
                        + "list it in a dkms.conf if it is always built");
    }

    @Test
    void nameVersionFolderNamesTwoModulesAndGivesTheVersionAsFallback() throws Exception {
        Path src = tree("mydrv-1.2.3/src", TWO_MODULES, "int x;\n");
        ModuleSource s = load(src, null, null);
        assertThat(s.conf().packageName()).isEqualTo("mydrv");
        assertThat(s.conf().packageVersion()).isEqualTo("1.2.3");
        assertThat(s.conf().modules()).hasSize(2);
        assertThat(log()).contains("using version 1.2.3 from the folder name mydrv-1.2.3");
        assertThat(ModuleNaming.FolderHint.of(src.getParent())).contains(new ModuleNaming.FolderHint("mydrv", "1.2.3", src.getParent()));
    }

    @Test
    void moduleVersionWinsOverTheFolderVersion() throws Exception {
        Path dir = tree("mydrv-1.2.3", TWO_MODULES, "MODULE_VERSION(\"1.2.4\");\n");
        assertThat(load(dir, null, null).conf().packageVersion()).isEqualTo("1.2.4");
        assertThat(log()).doesNotContain("from the folder name");
    }

    @Test
    void genericFolderWithTwoModulesAndNoHintIsAnErrorNamingTheCandidates() throws Exception {
        Path src = tree("vendor/src", TWO_MODULES, "MODULE_VERSION(\"1.0\");\n");
        assertThatThrownBy(() -> load(src, null, null)).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("cannot tell the module name of " + src).hasMessageContaining("2 modules (alpha, beta)")
                .hasMessageContaining("add a dkms.conf with PACKAGE_NAME=alpha").hasMessageContaining("--name alpha-dkms");
        assertThat(load(src, null, "alpha").conf().packageName()).as("the name option wins").isEqualTo("alpha");
    }

    @Test
    void genericNamesAreNeverHints() {
        for (String folder : List.of("src", "source", "Sources", "driver", "drivers", "module", "modules", "kernel", "linux")) {
            assertThat(ModuleNaming.FolderHint.of(Path.of("/x", folder))).as(folder).isEmpty();
            assertThat(ModuleNaming.FolderHint.of(Path.of("/x", folder + "-1.0"))).as(folder + "-1.0").isEmpty();
        }
        assertThat(ModuleNaming.FolderHint.of(Path.of("/x/ixgbe-5.19.6/src")).map(ModuleNaming.FolderHint::name)).contains("ixgbe");
        assertThat(ModuleNaming.FolderHint.of(Path.of("/x/my-drv-2.0rc1")).map(ModuleNaming.FolderHint::version)).contains("2.0rc1");
        assertThat(ModuleNaming.FolderHint.of(Path.of("/x/i40e"))).isEmpty();
        assertThat(ModuleNaming.choose(Path.of("/x/src"), List.of("a", "b"), Optional.of(new ModuleNaming.FolderHint("n", "1", Path.of("/x")))))
                .isEqualTo("n");
    }

    @Test
    void allObjMConditionalIsAnError() throws Exception {
        Path dir = tree("cond", "ifdef WANT\nobj-m := cond.o\nendif\n", "MODULE_VERSION(\"1.0\");\n");
        assertThatThrownBy(() -> load(dir, null, null)).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("every obj-m line of " + dir + " is inside a make conditional").hasMessageContaining("add a dkms.conf");
    }

    @Test
    void anUnresolvedConfigVariableIsAnErrorNamingTheLine() throws Exception {
        Path dir = tree("cfg", "obj-$(CONFIG_CFG) += cfg.o\n", "MODULE_VERSION(\"1.0\");\n");
        assertThatThrownBy(() -> load(dir, null, null)).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("no module is always built (cfg, Makefile line 1, is inside 'obj-$(CONFIG_CFG)' (Makefile line 1) "
                        + "with CONFIG_CFG unset (to build it, set CONFIG_CFG ?= m before that line))")
                .hasMessageContaining("add a dkms.conf");
    }

    @Test
    void noVersionAnywhereIsAnErrorAskingForMinusV() throws Exception {
        Path dir = tree("plain", "obj-m := plain.o\n", "int x;\n");
        assertThatThrownBy(() -> load(dir, null, null)).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("no MODULE_VERSION").hasMessageContaining("pass the version with -V");
        assertThat(load(dir, "0.1", null).conf().packageVersion()).isEqualTo("0.1");
    }
}

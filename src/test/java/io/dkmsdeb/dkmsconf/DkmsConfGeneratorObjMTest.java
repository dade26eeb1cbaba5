package io.dkmsdeb.dkmsconf;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** obj-m lines and the make conditionals around them: which modules kbuild always builds. */
@Tag("unit")
class DkmsConfGeneratorObjMTest {
    /** Shaped like the Makefile of Intel's out-of-tree drivers, with nesting and else branches added. */
    static final String INTEL_LIKE = """
            # SPDX-License-Identifier: GPL-2.0-only
            ifneq ($(KERNELRELEASE),)
            # kbuild part of makefile
            obj-m += i40e.o

            i40e-y := i40e_main.o \\
            \ti40e_ethtool.o
            ifeq (${NEED_AUX_BUS},2)
            intel_auxiliary-objs := auxiliary.o
            obj-m += intel_auxiliary.o
            endif

            ifdef CONFIG_I40E_DEBUG
              ifeq ($(DEBUG_LEVEL),2)
            obj-m += i40e_debug.o
              else
            obj-m += i40e_trace.o
              endif
            else ifeq ($(TESTS),1)
            obj-m += i40e_test.o
            else
            obj-m += i40e_nodebug.o
            endif
            obj-m += i40e_extra.o # always, after the nested block
            else\t# ifneq($(KERNELRELEASE),)
            # normal makefile
            DRIVER := i40e
            obj-m += outer.o
            ifneq ($(MAKECMDGOALS),help)
            include common.mk
            endif
            all:
            \t$(MAKE) -C $(KSRC) M=$(CURDIR) modules
            endif
            """;

    @TempDir
    Path dir;

    private static ObjMScanner.ObjM find(List<ObjMScanner.ObjM> all, String module) {
        return all.stream().filter(o -> o.module().equals(module)).findFirst().orElseThrow();
    }

    @Test
    void intelLikeMakefileRequiresOnlyTheUnconditionalModules() throws Exception {
        Files.writeString(dir.resolve("Makefile"), INTEL_LIKE);
        assertThat(DkmsConfGenerator.objM(dir)).containsExactly("i40e", "i40e_extra");
        DkmsConfGenerator.Modules modules = DkmsConfGenerator.modules(dir);
        assertThat(modules.leftOut()).extracting(ObjMScanner.ObjM::module)
                .containsExactly("intel_auxiliary", "i40e_debug", "i40e_trace", "i40e_test", "i40e_nodebug", "outer");
    }

    @Test
    void conditionsAreNamedWithTheirLines() {
        List<ObjMScanner.ObjM> all = ObjMScanner.scan(INTEL_LIKE, "Makefile");
        assertThat(find(all, "i40e")).isEqualTo(new ObjMScanner.ObjM("i40e", "Makefile", 4, ""));
        assertThat(find(all, "intel_auxiliary").condition()).isEqualTo("'ifeq (${NEED_AUX_BUS},2)' (Makefile line 8)");
        assertThat(find(all, "intel_auxiliary").line()).isEqualTo(10);
        assertThat(find(all, "i40e_debug").condition())
                .isEqualTo("'ifdef CONFIG_I40E_DEBUG' (Makefile line 13) and 'ifeq ($(DEBUG_LEVEL),2)' (Makefile line 14)");
        assertThat(find(all, "i40e_trace").condition()).isEqualTo("'ifdef CONFIG_I40E_DEBUG' (Makefile line 13) and "
                + "the else branch of 'ifeq ($(DEBUG_LEVEL),2)' (Makefile line 14)");
        assertThat(find(all, "i40e_test").condition()).isEqualTo("'else ifeq ($(TESTS),1)' (Makefile line 19)");
        assertThat(find(all, "i40e_nodebug").condition()).isEqualTo("the else branch of 'else ifeq ($(TESTS),1)' (Makefile line 19)");
        assertThat(find(all, "i40e_extra").required()).isTrue();
        assertThat(find(all, "outer").condition()).isEqualTo("the else branch of 'ifneq ($(KERNELRELEASE),)' (Makefile line 2)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "ifneq ($(KERNELRELEASE),)|true",
        "ifneq (${KERNELRELEASE},)|true",
        "ifneq ($(KERNELRELEASE),\"\")|true",
        "ifneq (\"$(KERNELRELEASE)\",\"\")|true",
        "ifneq '$(KERNELRELEASE)' ''|true",
        "ifdef KERNELRELEASE|true",
        "ifeq ($(KERNELRELEASE),)|false",
        "ifeq (,$(KERNELRELEASE))|false",
        "ifndef KERNELRELEASE|false",
        "ifeq ($(KERNELRELEASE),6.1)|",
        "ifdef NEED_AUX_BUS|",
    })
    void theKbuildSplitCountsAsUnconditional(String directive, Boolean kbuildInIf) {
        String text = directive + "\nobj-m := first.o\nelse\nobj-m := second.o\nendif\n";
        List<ObjMScanner.ObjM> all = ObjMScanner.scan(text, "Makefile");
        assertThat(find(all, "first").required()).as(directive).isEqualTo(Boolean.TRUE.equals(kbuildInIf));
        assertThat(find(all, "second").required()).as(directive).isEqualTo(Boolean.FALSE.equals(kbuildInIf));
    }

    @Test
    void aModuleBothUnconditionalAndConditionalIsRequired() throws Exception {
        Files.writeString(dir.resolve("Makefile"), "ifeq ($(X),1)\nobj-m += a.o\nendif\nobj-m += a.o b.o\n");
        DkmsConfGenerator.Modules modules = DkmsConfGenerator.modules(dir);
        assertThat(modules.required()).containsExactly("a", "b");
        assertThat(modules.leftOut()).isEmpty();
    }

    @Test
    void continuationsCommentsAndDefineBodies() {
        String text = """
                obj-m := one.o \\
                    two.o # three.o
                # obj-m := commented.o
                define RULES
                obj-m := indefine.o
                endef
                obj-m+=four.o
                """;
        assertThat(ObjMScanner.scan(text, "Kbuild")).extracting(ObjMScanner.ObjM::module).containsExactly("one", "two", "four");
    }

    @Test
    void kbuildAndMakefileAreBothRead() throws Exception {
        Files.writeString(dir.resolve("Kbuild"), "obj-m := hello.o\n");
        Files.writeString(dir.resolve("Makefile"), "ifneq ($(KERNELRELEASE),)\nobj-m := hello.o\nendif\n");
        assertThat(DkmsConfGenerator.objM(dir)).containsExactly("hello");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"CONFIG_FOO ?= m", "CONFIG_FOO := m", "CONFIG_FOO = m", "export CONFIG_FOO=m", "CONFIG_FOO ::= m"})
    void objOfAConfigVariableSetToMInTheFileIsAnObjMLine(String assignment) throws Exception {
        Files.writeString(dir.resolve("Makefile"), assignment + "\nobj-$(CONFIG_FOO) += foo.o\nobj-${CONFIG_FOO} += bar.o\n");
        assertThat(DkmsConfGenerator.objM(dir)).as(assignment).containsExactly("foo", "bar");
    }

    @Test
    void objOfAnUnsetConfigVariableNamesTheLineAndWhatToDo() {
        List<ObjMScanner.ObjM> all = ObjMScanner.scan("# no CONFIG_FOO here\nobj-$(CONFIG_FOO) += foo.o\nCONFIG_BAR ?= y\n"
                + "obj-$(CONFIG_BAR) += bar.o\nCONFIG_LATE ?= m\n", "Kbuild");
        assertThat(find(all, "foo").required()).isFalse();
        assertThat(find(all, "foo").condition()).isEqualTo("'obj-$(CONFIG_FOO)' (Kbuild line 2) with CONFIG_FOO unset "
                + "(to build it, set CONFIG_FOO ?= m before that line)");
        assertThat(find(all, "bar").condition()).startsWith("'obj-$(CONFIG_BAR)' (Kbuild line 4) with CONFIG_BAR set to 'y'");
    }
}

package io.dkmsdeb.dkmsconf;

import io.dkmsdeb.model.ModuleSourceException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** MODULE_VERSION(...) resolved through #define chains, __stringify and string concatenation. */
@Tag("unit")
class DkmsConfGeneratorVersionTest {
    static final String INTEL_STYLE = """
            #define DRV_VERSION_MAJOR 2
            #define DRV_VERSION_MINOR 28
            #define DRV_VERSION_BUILD 16
            #define DRV_VERSION_DESC ""
            #define DRV_VERSION __stringify(DRV_VERSION_MAJOR) "." \\
                    __stringify(DRV_VERSION_MINOR) "." \\
                    __stringify(DRV_VERSION_BUILD) DRV_VERSION_DESC
            MODULE_VERSION(DRV_VERSION);
            """;

    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    @Test
    void intelStyleStringifiedNumbers() throws Exception {
        write("i40e_main.c", INTEL_STYLE);
        assertThat(DkmsConfGenerator.moduleVersion(dir)).contains("2.28.16");
    }

    @Test
    void plainStringMacro() throws Exception {
        write("main.c", "#define DRV_VERSION \"2.4.6\"\nMODULE_VERSION(DRV_VERSION);\n");
        assertThat(DkmsConfGenerator.moduleVersion(dir)).contains("2.4.6");
    }

    @Test
    void literalAsBefore() throws Exception {
        write("hello.c", "MODULE_VERSION(\"1.0\");\n");
        assertThat(DkmsConfGenerator.moduleVersion(dir)).contains("1.0");
    }

    @Test
    void chainAcrossHeadersWithCommentsConcatenationAndEmptyMacros() throws Exception {
        write("include/version.h", """
                /* version of the driver */
                #define VER_MAJOR   3   // major
                #define VER_MINOR   /* minor */ 4
                #ifndef DRV_VERSION_LOCAL
                #define DRV_VERSION_LOCAL
                #endif /* DRV_VERSION_LOCAL */
                #define VER_NUMBERS __stringify(VER_MAJOR) "." __stringify_1(2)
                """);
        write("main.c", """
                #include "include/version.h"
                #define DRV_KERN "-k"
                #  define BASE VER_NUMBERS
                #define DRV_VERSION BASE "." "5" \\
                        DRV_KERN __stringify(DRV_VERSION_LOCAL)
                MODULE_VERSION(DRV_VERSION);
                MODULE_VERSION(DRV_VERSION); /* twice, same value */
                """);
        assertThat(DkmsConfGenerator.moduleVersion(dir)).contains("3.2.5-k");
    }

    @Test
    void stringify1DoesNotExpandItsArgument() throws Exception {
        write("main.c", "#define MAJOR 2\n#define V __stringify_1(MAJOR)\nMODULE_VERSION(V);\n");
        assertThat(DkmsConfGenerator.moduleVersion(dir)).contains("MAJOR");
    }

    @Test
    void defineLinesAndCommentsAreNotUses() throws Exception {
        write("kcompat.h", "#define MODULE_VERSION(version)\n");
        write("main.c", "/* MODULE_VERSION(\"9.9\") */\n// MODULE_VERSION(\"8.8\")\n#define MODULE_VERSION_ALIAS(x) MODULE_VERSION(x)\n");
        assertThat(DkmsConfGenerator.moduleVersion(dir)).isEmpty();
    }

    @Test
    void missingMacroIsAnErrorNamingItAndMinusV() throws Exception {
        write("main.c", "#define DRV_VERSION __stringify(DRV_VERSION_MAJOR) \".0\"\nMODULE_VERSION(DRV_VERSION);\n");
        assertThatThrownBy(() -> DkmsConfGenerator.moduleVersion(dir)).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("macro DRV_VERSION_MAJOR is not #defined").hasMessageContaining("main.c line 2")
                .hasMessageContaining("-V VERSION");
    }

    @Test
    void conflictingDefinitionsAreAnErrorNamingBoth() throws Exception {
        write("main.c", "#ifdef CONFIG_X\n#define DRV_VERSION \"1.0-k\"\n#else\n#define DRV_VERSION \"1.0\"\n#endif\n"
                + "MODULE_VERSION(DRV_VERSION);\n");
        assertThatThrownBy(() -> DkmsConfGenerator.moduleVersion(dir)).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("macro DRV_VERSION is #defined with different values")
                .hasMessageContaining("main.c line 2 (\"1.0-k\")").hasMessageContaining("main.c line 4 (\"1.0\")")
                .hasMessageContaining("-V VERSION");
    }

    @Test
    void sameDefinitionTwiceIsFine() throws Exception {
        write("a.h", "#define DRV_VERSION \"1.2\"\n");
        write("b.h", "#define DRV_VERSION  \"1.2\" /* again */\n");
        write("main.c", "MODULE_VERSION(DRV_VERSION);\n");
        assertThat(DkmsConfGenerator.moduleVersion(dir)).contains("1.2");
    }

    @Test
    void aNumberIsNotAString() throws Exception {
        write("main.c", "#define DRV_VERSION 2\nMODULE_VERSION(DRV_VERSION);\n");
        assertThatThrownBy(() -> DkmsConfGenerator.moduleVersion(dir)).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("does not resolve to a string literal but to '2'");
    }

    @Test
    void selfReferenceIsAnError() throws Exception {
        write("main.c", "#define A B\n#define B A\nMODULE_VERSION(A);\n");
        assertThatThrownBy(() -> DkmsConfGenerator.moduleVersion(dir)).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("macro A refers to itself");
    }

    @Test
    void severalVersionsStillAnError() throws Exception {
        write("a.c", "MODULE_VERSION(\"1.0\");\n");
        write("b.c", "#define V \"2.0\"\nMODULE_VERSION(V);\n");
        assertThatThrownBy(() -> DkmsConfGenerator.moduleVersion(dir)).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("several versions in MODULE_VERSION [1.0, 2.0]").hasMessageContaining("-V");
    }

    @Test
    void anUnreadableSourceIsABadSourceNamingTheFile() throws Exception {
        write("main.c", "MODULE_VERSION(\"1.0\");\n");
        Path bad = write("sub/helper.h", "#define X 1\n");
        assertThatThrownBy(() -> CVersionMacros.read(dir, p -> {
            if (p.equals(bad)) {
                throw new java.nio.file.AccessDeniedException(p.toString());
            }
            return Files.readString(p);
        })).isInstanceOf(ModuleSourceException.class)
                .hasMessageStartingWith("cannot read " + bad + " (looking for MODULE_VERSION")
                .hasMessageContaining(": permission denied; make it readable")
                .hasMessageNotContaining("Exception")
                .hasCauseInstanceOf(java.nio.file.AccessDeniedException.class)
                .satisfies(e -> assertThat(((ModuleSourceException) e).exitCode()).isEqualTo(3));
    }
}

package io.dkmsdeb.kernel;

import io.dkmsdeb.model.dkms.DkmsModule;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The headline of a build whose MAKE exited with 0 but left a module unbuilt: the log's first
 * error when it holds one (a MAKE line like {@code make ...; find ...} hides make's status), else
 * a hint at BUILT_MODULE_NAME.
 */
@Tag("unit")
class ModuleNotBuiltTest {
    private static final DkmsModule HELLO = new DkmsModule(0, "hello", "", "hello", "/updates/dkms", true);

    private static final List<String> FAILED_LOG = List.of(
            "$ make -j2 KERNELRELEASE=6.1.0-1-amd64 -C /lib/modules/6.1.0-1-amd64/build M=/tmp/b; find . -name '*.ko'",
            "make[1]: Entering directory '/usr/src/linux-headers-6.1.0-1-amd64'",
            "  CC [M]  /tmp/b/hello.c",
            "/tmp/b/hello.c:5:12: warning: unused variable 'y' [-Wunused-variable]",
            "/tmp/b/hello.c:7:16: error: 'undeclared_symbol' undeclared (first use in this function)",
            "/tmp/b/hello.c:9:1: error: expected ';' before '}' token",
            "make[2]: *** [scripts/Makefile.build:250: /tmp/b/hello.o] Error 1",
            "make[1]: *** [Makefile:2012: /tmp/b] Error 2",
            "make: *** [Makefile:7: all] Error 2");

    @Test
    void aHiddenMakeFailureIsTheHeadlineWithTheFirstError() {
        String why = DkmsStyleBuild.notBuilt(HELLO, "no .ko file", FAILED_LOG);
        assertThat(why).startsWith("the build failed: /tmp/b/hello.c:7:16: error: 'undeclared_symbol' undeclared (first use in this function)")
                .contains("hello.ko was not built").doesNotContain("make succeeded").doesNotContain("BUILT_MODULE_NAME");
    }

    @Test
    void makesOwnErrorLineWhenNoCompilerErrorIsThere() {
        List<String> log = List.of("$ make -C /k M=/tmp/b; true", "make: *** No rule to make target 'modules'.  Stop.",
                "make[1]: *** [Makefile:2012: /tmp/b] Error 2");
        assertThat(DkmsStyleBuild.firstError(log)).hasValue("make: *** No rule to make target 'modules'.  Stop.");
        assertThat(DkmsStyleBuild.notBuilt(HELLO, "no .ko file", log)).startsWith("the build failed: make: *** No rule to make target 'modules'.");
    }

    @Test
    void aCleanLogBlamesTheModuleName() {
        List<String> log = List.of("$ make -C /k M=/tmp/b", "  CC [M]  /tmp/b/other.o", "cc1: some warnings are not errors: -Werror=foo ignored",
                "  LD [M]  /tmp/b/other.ko");
        assertThat(DkmsStyleBuild.firstError(log)).isEmpty();
        assertThat(DkmsStyleBuild.notBuilt(HELLO, "other.ko", log)).isEqualTo("make succeeded but hello.ko was not built (found: other.ko); "
                + "check BUILT_MODULE_NAME[0] and BUILT_MODULE_LOCATION[0] in dkms.conf");
    }
}

package io.dkmsdeb.dkmsconf;

import io.dkmsdeb.model.dkms.DkmsConf;
import io.dkmsdeb.model.dkms.DkmsModule;
import io.dkmsdeb.model.ModuleSourceException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Tag("unit")
class DkmsConfReaderTest {
    private static final DkmsConfReader.Context K61 = new DkmsConfReader.Context("6.1.0-56-amd64", "x86_64",
            "/lib/modules/6.1.0-56-amd64/build", "/var/lib/dkms", "/usr/src", "m", "1.0");
    private static final DkmsConfReader.Context K612 = new DkmsConfReader.Context("6.12.57+deb13-amd64", "x86_64",
            "/lib/modules/6.12.57+deb13-amd64/build", "/var/lib/dkms", "/usr/src", "m", "1.0");

    @TempDir
    Path dir;

    private DkmsConf read(String text, DkmsConfReader.Context context) throws Exception {
        Path conf = dir.resolve("dkms.conf");
        Files.writeString(conf, text, StandardCharsets.UTF_8);
        return new DkmsConfReader().read(conf, context);
    }

    private DkmsConf read(String text) throws Exception {
        return read(text, K61);
    }

    private static final String MINIMAL = "PACKAGE_NAME=m\nPACKAGE_VERSION=1.0\nBUILT_MODULE_NAME[0]=m\nDEST_MODULE_LOCATION[0]=/updates/dkms\n";

    @Test
    void readsArraysDefaultsAndBashLogic() throws Exception {
        DkmsConf c = read("""
                PACKAGE_NAME="multi"
                PACKAGE_VERSION="2.4.6"
                echo "noise on stdout is discarded, as dkms does"
                BUILT_MODULE_NAME[0]="core"
                BUILT_MODULE_LOCATION[0]="src"
                DEST_MODULE_LOCATION[0]="/updates/dkms"
                BUILT_MODULE_NAME[1]="extra_mod"
                DEST_MODULE_NAME[1]="extra-renamed"
                DEST_MODULE_LOCATION[1]="/extra"
                STRIP[1]=no
                if [ "${kernelver%%.*}" -ge 6 ]; then
                    MAKE[0]="make -C src KVER=${kernelver} ARCH=$arch"
                fi
                AUTOINSTALL=yes
                BUILD_EXCLUSIVE_CONFIG="CONFIG_NET"
                PATCH[0]=fix.patch
                PATCH_MATCH[0]="^6\\.1\\."
                PATCH[1]=always.patch
                """);
        assertThat(c.packageName()).isEqualTo("multi");
        assertThat(c.packageVersion()).isEqualTo("2.4.6");
        assertThat(c.modules()).containsExactly(
                new DkmsModule(0, "core", "src/", "core", "/updates/dkms", true),
                new DkmsModule(1, "extra_mod", "", "extra-renamed", "/extra", false));
        assertThat(c.makeCommand()).isEqualTo("make -C src KVER=6.1.0-56-amd64 ARCH=x86_64");
        assertThat(c.autoinstall()).isTrue();
        assertThat(c.exclusive().config()).isEqualTo("CONFIG_NET");
        assertThat(c.patches()).containsExactly("fix.patch", "always.patch");
    }

    @Test
    void evaluatedPerKernel() throws Exception {
        String text = MINIMAL + "MAKE[0]='make old'\nMAKE_MATCH[0]='^5\\.'\nMAKE[1]='make new'\nMAKE_MATCH[1]='^6\\.12'\n";
        assertThat(read(text, K61).makeCommand()).isEmpty();
        assertThat(read(text, K612).makeCommand()).isEqualTo("make new");
    }

    @Test
    void builtModuleNameDefaultsToPackageNameWithOneLocation() throws Exception {
        DkmsConf c = read("PACKAGE_NAME=solo\nPACKAGE_VERSION=1\nDEST_MODULE_LOCATION[0]=/kernel/drivers\n");
        assertThat(c.modules()).extracting(DkmsModule::builtName).containsExactly("solo");
    }

    @Test
    void crlfLineEndingsAreStripped() throws Exception {
        DkmsConf c = read(MINIMAL.replace("\n", "\r\n"));
        assertThat(c.packageVersion()).isEqualTo("1.0");
        assertThat(c.modules()).extracting(DkmsModule::destLocation).containsExactly("/updates/dkms");
    }

    @Test
    void syntaxErrorNamesTheLineAndHowToCheck() {
        assertThatThrownBy(() -> read("PACKAGE_NAME=m\nif [ x ]; then\nPACKAGE_VERSION=1\n"))
                .isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("bash cannot parse")
                .hasMessageContaining("line 4")
                .hasMessageContaining("bash -n");
    }

    @Test
    void exitInsideDkmsConfIsAnError() {
        assertThatThrownBy(() -> read(MINIMAL + "exit 0\n"))
                .isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("stopped before its end");
    }

    @Test
    void anAssociativeArrayIsABadDkmsConfNamedWithItsLine() {
        assertThatThrownBy(() -> read(MINIMAL + "\ndeclare -A MAKE=([x]=\"make\")\n"))
                .isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("dkms.conf line 6: MAKE has the index 'x'")
                .hasMessageContaining("MAKE[0]=")
                .hasMessageNotContaining("Exception")
                .satisfies(e -> assertThat(((ModuleSourceException) e).exitCode()).isEqualTo(3));
    }

    @Test
    void aFailingLastCommandIsAnError() {
        assertThatThrownBy(() -> read(MINIMAL + "false; exit 1\n")).hasMessageContaining("stopped before its end");
    }

    @Test
    void environmentIsClean() throws Exception {
        DkmsConf c = read("PACKAGE_NAME=m\nPACKAGE_VERSION=\"${HOME:+x}${USER:-u}1\"\nBUILT_MODULE_NAME[0]=m\nDEST_MODULE_LOCATION[0]=/updates\n");
        assertThat(c.packageVersion()).isEqualTo("xu1"); // HOME is /nonexistent, USER is unset
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "missing version|PACKAGE_NAME=m\\nBUILT_MODULE_NAME[0]=m\\nDEST_MODULE_LOCATION[0]=/updates|line 0|PACKAGE_VERSION is not set",
        "missing name|PACKAGE_VERSION=1\\nBUILT_MODULE_NAME[0]=m\\nDEST_MODULE_LOCATION[0]=/updates|x|PACKAGE_NAME is not set",
        "name with semicolon|PACKAGE_NAME='m;reboot'\\nPACKAGE_VERSION=1\\nBUILT_MODULE_NAME[0]=m\\nDEST_MODULE_LOCATION[0]=/updates|line 1|PACKAGE_NAME is 'm;reboot'",
        "name with space|PACKAGE_NAME='m x'\\nPACKAGE_VERSION=1\\nBUILT_MODULE_NAME[0]=m\\nDEST_MODULE_LOCATION[0]=/updates|line 1|PACKAGE_NAME is 'm x'",
        "name with command substitution|PACKAGE_NAME='$(id)'\\nPACKAGE_VERSION=1\\nBUILT_MODULE_NAME[0]=m\\nDEST_MODULE_LOCATION[0]=/updates|line 1|PACKAGE_NAME is '$(id)'",
        "version with backtick|PACKAGE_NAME=m\\nPACKAGE_VERSION='1`id`'\\nBUILT_MODULE_NAME[0]=m\\nDEST_MODULE_LOCATION[0]=/updates|line 2|PACKAGE_VERSION is '1`id`'",
        "version with newline|PACKAGE_NAME=m\\nPACKAGE_VERSION=$'1\\n2'\\nBUILT_MODULE_NAME[0]=m\\nDEST_MODULE_LOCATION[0]=/updates|line 2|PACKAGE_VERSION is '1\\n2'",
        "ko suffix|PACKAGE_NAME=m\\nPACKAGE_VERSION=1\\nBUILT_MODULE_NAME[0]=m.ko\\nDEST_MODULE_LOCATION[0]=/updates|line 3|without '.ko'",
        "bad location|PACKAGE_NAME=m\\nPACKAGE_VERSION=1\\nBUILT_MODULE_NAME[0]=m\\nDEST_MODULE_LOCATION[0]=/lib/evil|line 4|must begin with /kernel, /updates or /extra",
        "dotdot location|PACKAGE_NAME=m\\nPACKAGE_VERSION=1\\nBUILT_MODULE_NAME[0]=m\\nDEST_MODULE_LOCATION[0]=/updates/../../etc|line 4|without '..'",
        "no location|PACKAGE_NAME=m\\nPACKAGE_VERSION=1\\nBUILT_MODULE_NAME[0]=m|x|DEST_MODULE_LOCATION[0] is not set",
        "sparse array|PACKAGE_NAME=m\\nPACKAGE_VERSION=1\\nBUILT_MODULE_NAME[0]=a\\nBUILT_MODULE_NAME[2]=b\\nDEST_MODULE_LOCATION[0]=/updates\\nDEST_MODULE_LOCATION[2]=/updates|line 3|with gaps",
        "no modules|PACKAGE_NAME=m\\nPACKAGE_VERSION=1|x|names no module",
        "strip maybe|PACKAGE_NAME=m\\nPACKAGE_VERSION=1\\nBUILT_MODULE_NAME[0]=m\\nDEST_MODULE_LOCATION[0]=/updates\\nSTRIP[0]=maybe|line 5|STRIP[0] is 'maybe': use yes or no",
        "patch escaping|PACKAGE_NAME=m\\nPACKAGE_VERSION=1\\nBUILT_MODULE_NAME[0]=m\\nDEST_MODULE_LOCATION[0]=/updates\\nPATCH[0]=../../etc/x.patch|line 5|without '.' or '..' components",
        "absolute patch|PACKAGE_NAME=m\\nPACKAGE_VERSION=1\\nBUILT_MODULE_NAME[0]=m\\nDEST_MODULE_LOCATION[0]=/updates\\nPATCH[0]=/tmp/x.patch|line 5|a relative path",
    })
    void badInputIsRefusedWithFieldLineAndRule(String name, String text, String line, String message) {
        String conf = text.replace("\\n", "\n").replace("$'1\n2'", "$'1\\n2'");
        var thrown = assertThatThrownBy(() -> read(conf)).isInstanceOf(ModuleSourceException.class).hasMessageContaining(message);
        if (line.startsWith("line ") && !line.equals("line 0")) {
            thrown.hasMessageContaining("dkms.conf " + line + ":");
        }
    }
}

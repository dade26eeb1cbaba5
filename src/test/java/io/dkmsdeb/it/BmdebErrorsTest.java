package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** bmdeb failures: the exit codes of the design, a message that says what to do, no .deb written. */
@Tag("kernel")
class BmdebErrorsTest {
    static final String K61 = Kernels.newest61();

    @TempDir
    Path work;

    private Path module(String dkmsConfExtra, String cSource) throws IOException {
        return ModuleTrees.write(work.resolve("broken"), "broken", cSource, ModuleTrees.conf("broken", "0.1") + dkmsConfExtra);
    }

    private static final String GOOD_C = ModuleTrees.GOOD_C;

    private Path out() throws IOException {
        return Files.createDirectories(work.resolve("out"));
    }

    private void assertNoDeb(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.toList()).as("files in the output directory").isEmpty();
        }
    }

    @Test
    void compileErrorExits5WithLogPathAndItsLastLines() throws IOException {
        Path tree = module("", GOOD_C + "int broken(void) { return undeclared_symbol; }\n");
        Path out = out();
        Path logs = work.resolve("logs");
        Cmd.Result r = Cmd.dkmsDeb("bmdeb", tree.toString(), "-k", K61, "-o", out.toString(), "--log-dir", logs.toString(),
                "--maintainer", "T <t@example.org>");
        assertThat(r.exit()).as(r.toString()).isEqualTo(5);
        Path log = logs.resolve("broken-0.1_" + K61 + ".log");
        assertThat(r.err()).contains("building broken 0.1 for " + K61 + " failed: make exited with status 2")
                .contains("full log: " + log).contains("last lines of the log:").contains("undeclared_symbol");
        assertThat(Files.readString(log)).contains("error: 'undeclared_symbol' undeclared");
        assertNoDeb(out);
    }

    @Test
    void aBadRevisionIsRefusedBeforeTheCompile() throws IOException {
        Path tree = module("", GOOD_C);
        Path out = out();
        Path logs = work.resolve("logs");
        Cmd.Result r = Cmd.dkmsDeb("bmdeb", tree.toString(), "-k", K61, "-o", out.toString(), "--log-dir", logs.toString(),
                "--revision", "1 2", "--maintainer", "T <t@example.org>");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("revision '1 2' is not a valid Debian revision");
        assertThat(r.err()).as("make never started").doesNotContain("building broken 0.1: make");
        assertThat(logs.resolve("broken-0.1_" + K61 + ".log")).as("no build log: make never started").doesNotExist();
        assertNoDeb(out);
    }

    @Test
    void missingHeadersExit4AndNameThePackage() throws IOException {
        Path out = out();
        Cmd.Result r = Cmd.dkmsDeb("bmdeb", HelloModules.example(), "-k", "5.10.0-99-amd64", "-o", out.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(4);
        assertThat(r.err()).contains("no kernel headers for 5.10.0-99-amd64 at /lib/modules/5.10.0-99-amd64/build")
                .contains("apt-get install linux-headers-5.10.0-99-amd64").contains("--kernel-source-dir");
        assertNoDeb(out);
    }

    @Test
    void excludedKernelExits77() throws IOException {
        Path tree = module("BUILD_EXCLUSIVE_KERNEL=\"^5\\.\"\n", GOOD_C);
        Path out = out();
        Cmd.Result r = Cmd.dkmsDeb("bmdeb", tree.toString(), "-k", K61, "-o", out.toString(), "--maintainer", "T <t@example.org>");
        assertThat(r.exit()).as(r.toString()).isEqualTo(77);
        assertThat(r.err()).contains("broken 0.1 is not built for " + K61 + ": BUILD_EXCLUSIVE_KERNEL=\"^5\\.\" does not match " + K61);
        assertNoDeb(out);
    }

    @Test
    void excludedConfigOptionExits77() throws IOException {
        Path tree = module("BUILD_EXCLUSIVE_CONFIG=\"CONFIG_DOES_NOT_EXIST\"\n", GOOD_C);
        Path out = out();
        Cmd.Result r = Cmd.dkmsDeb("bmdeb", tree.toString(), "-k", K61, "-o", out.toString(), "--maintainer", "T <t@example.org>");
        assertThat(r.exit()).as(r.toString()).isEqualTo(77);
        assertThat(r.err()).contains("BUILD_EXCLUSIVE_CONFIG wants CONFIG_DOES_NOT_EXIST=y or m");
    }

    @Test
    void severalKernelsOneExcludedTheOtherBuilt() throws IOException {
        String k612 = Kernels.newest612();
        Path tree = module("BUILD_EXCLUSIVE_KERNEL_MIN=\"6.6\"\n", GOOD_C);
        Path out = out();
        // KERNEL_MIN is honoured from dkms 3.0.11 on (Debian 12's 3.0.10 ignores it and builds both: DkmsLevelsTest)
        Cmd.Result r = Cmd.dkmsDeb("bmdeb", tree.toString(), "-k", K61, "-k", k612, "-o", out.toString(), "--maintainer", "T <t@example.org>", "--json",
                "--dkms-level", "3.0.11");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("{\"kernel\":\"" + K61 + "\",\"result\":\"skipped\",\"exitCode\":77")
                .contains("{\"kernel\":\"" + k612 + "\",\"result\":\"built\",\"exitCode\":0");
        assertThat(out.resolve("broken-modules-" + k612 + "_0.1_amd64.deb")).exists();
        assertThat(out.resolve("broken-modules-" + K61 + "_0.1_amd64.deb")).doesNotExist();
    }

    @Test
    void aFailingKernelDoesNotStopTheOthers() throws IOException {
        Path out = out();
        Cmd.Result r = Cmd.dkmsDeb("bmdeb", HelloModules.example(), "-k", "5.10.0-99-amd64", "-k", K61, "-o", out.toString(), "--no-sign");
        assertThat(r.exit()).as(r.toString()).isEqualTo(5);
        assertThat(r.out()).containsPattern("5\\.10\\.0-99-amd64\\s+failed").containsPattern(K61.replace(".", "\\.") + "\\s+built");
        assertThat(r.err()).contains("[5.10.0-99-amd64] no kernel headers for 5.10.0-99-amd64");
        assertThat(out.resolve("hello-modules-" + K61 + "_1.0_amd64.deb")).exists();
    }

    @Test
    void moduleNotProducedByMakeExits5() throws IOException {
        Path tree = module("BUILT_MODULE_NAME[1]=missing\nDEST_MODULE_LOCATION[1]=/updates/dkms\n", GOOD_C);
        Path out = out();
        Cmd.Result r = Cmd.dkmsDeb("bmdeb", tree.toString(), "-k", K61, "-o", out.toString(), "--maintainer", "T <t@example.org>");
        assertThat(r.exit()).as(r.toString()).isEqualTo(5);
        assertThat(r.err()).contains("make succeeded but missing.ko was not built (found: broken.ko)").contains("BUILT_MODULE_NAME[1]");
        assertNoDeb(out);
    }

    @Test
    void aCompileErrorHiddenByTheMakeLineIsTheHeadline() throws IOException {
        // make's status is lost: the MAKE line ends with another command, which succeeds
        Path tree = module("MAKE[0]=\"make -C ${kernel_source_dir} M=${dkms_tree}/${module}/${module_version}/build; echo made\"\n",
                GOOD_C + "int broken(void) { return undeclared_symbol; }\n");
        Path out = out();
        Cmd.Result r = Cmd.dkmsDeb("bmdeb", tree.toString(), "-k", K61, "-o", out.toString(), "--log-dir", work.resolve("logs").toString(),
                "--maintainer", "T <t@example.org>");
        assertThat(r.exit()).as(r.toString()).isEqualTo(5);
        assertThat(r.err()).containsPattern("failed: the build failed: \\S*broken\\.c:[0-9]+:[0-9]+: error: 'undeclared_symbol' undeclared")
                .doesNotContain("make succeeded").doesNotContain("check BUILT_MODULE_NAME");
        assertNoDeb(out);
    }

    @Test
    void unknownSourceExits3() throws IOException {
        Path out = out();
        Cmd.Result r = Cmd.dkmsDeb("bmdeb", "nosuchmodule/1.0", "-k", K61, "-o", out.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("module nosuchmodule/1.0 not found in /usr/src/nosuchmodule-1.0 or /var/lib/dkms/nosuchmodule/1.0/source");
        Path notDeb = work.resolve("fake-dkms_1.0_all.deb");
        Files.writeString(notDeb, "this is not an ar archive");
        Cmd.Result r2 = Cmd.dkmsDeb("bmdeb", notDeb.toString(), "-k", K61, "-o", out.toString());
        assertThat(r2.exit()).as(r2.toString()).isEqualTo(3);
        assertThat(r2.err()).contains("is not an ar archive");
        assertNoDeb(out);
    }

    @Test
    void kernelIsRequired() {
        Cmd.Result r = Cmd.dkmsDeb("bmdeb", HelloModules.example());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("dkms-deb: error: Missing required argument").contains("-k=KVER").contains("--all-kernels");
    }
}

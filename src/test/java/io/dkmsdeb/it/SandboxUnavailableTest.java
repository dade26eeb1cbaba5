package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Where the sandbox cannot be made, nothing of the module runs: bmdeb stops with exit 69 and says
 * what to do; with --no-sandbox it builds, and says so in --json and in the build log. The machine
 * without namespaces is simulated as a container is made: dkms-deb runs as root of a user namespace of
 * its own (only root mapped) in which no further user namespace may be created.
 */
@Tag("kernel")
@Tag("root")
@Tag("tools")
class SandboxUnavailableTest {
    @TempDir
    Path work;

    private Cmd.Result inContainer(String... args) {
        List<String> cmd = new ArrayList<>(List.of("unshare", "--user", "--map-root-user", "sh", "-c",
                "echo 0 > /proc/sys/user/max_user_namespaces && exec \"$@\"", "sh",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                "io.dkmsdeb.cli.Main"));
        cmd.addAll(List.of(args));
        return Cmd.run(null, java.util.Map.of("SOURCE_DATE_EPOCH", "1700000000"), cmd);
    }

    @Test
    void noSandboxNoModuleCodeUnlessTheUserOptsOut() throws IOException {
        assumeTrue(Cmd.isRoot(), "needs root to make the user namespace that simulates a container");
        Path marker = work.resolve("dkms.conf-ran");
        Path tree = Files.createDirectories(work.resolve("tree"));
        Files.copy(Path.of(HelloModules.example(), "hello.c"), tree.resolve("hello.c"));
        Files.writeString(tree.resolve("Kbuild"), "obj-m := hello.o\n");
        Files.writeString(tree.resolve("dkms.conf"), "PACKAGE_NAME=hello\nPACKAGE_VERSION=1.0\nBUILT_MODULE_NAME[0]=hello\n"
                + "DEST_MODULE_LOCATION[0]=/updates/dkms\n$(touch " + marker + ")\n");
        Path out = work.resolve("out");
        String k = Kernels.newest61();

        Cmd.Result refused = inContainer("bmdeb", tree.toString(), "-k", k, "-o", out.toString(), "--no-sign", "--maintainer",
                "T <t@example.org>", "--log-dir", work.resolve("logs").toString());
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(69);
        assertThat(refused.err()).contains("cannot run the module's build code in a sandbox").contains("--no-sandbox")
                .doesNotContain("Exception");
        assertThat(marker).as("dkms.conf did not run").doesNotExist();
        assertThat(out).as("no output directory left behind").doesNotExist();

        Cmd.Result source = inContainer("source", tree.toString(), "-o", out.toString(), "--maintainer", "T <t@example.org>");
        assertThat(source.exit()).as(source.toString()).isEqualTo(69);
        assertThat(marker).doesNotExist();

        Cmd.Result built = inContainer("bmdeb", tree.toString(), "-k", k, "-o", out.toString(), "--no-sign", "--maintainer",
                "T <t@example.org>", "--log-dir", work.resolve("logs").toString(), "--no-sandbox", "--json");
        assertThat(built.exit()).as(built.toString()).isZero();
        assertThat(built.out()).contains("\"sandbox\":false");
        assertThat(marker).as("without the sandbox, dkms.conf ran as the user").exists();
        assertThat(Files.readString(work.resolve("logs/hello-1.0_" + k + ".log"))).contains("WITHOUT a sandbox (--no-sandbox)");
    }
}

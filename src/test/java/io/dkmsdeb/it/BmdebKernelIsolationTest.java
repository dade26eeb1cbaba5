package io.dkmsdeb.it;

import io.dkmsdeb.support.Json;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One kernel of a multi-kernel bmdeb never sinks the others, whatever goes wrong for it; and
 * dkms.conf is read for the -k kernels only, never for the build host's own kernel.
 */
@Tag("kernel")
class BmdebKernelIsolationTest {
    static final String K61 = Kernels.newest61();
    static final String MAINTAINER = "T <t@example.org>";

    @TempDir
    Path work;

    private Path module(String dkmsConf, String... modules) throws IOException {
        Path tree = Files.createDirectories(work.resolve("isolated"));
        StringBuilder kbuild = new StringBuilder("obj-m :=");
        for (String m : modules) {
            Files.writeString(tree.resolve(m + ".c"), "#include <linux/module.h>\nMODULE_LICENSE(\"GPL\");\n");
            kbuild.append(' ').append(m).append(".o");
        }
        Files.writeString(tree.resolve("Kbuild"), kbuild + "\n");
        Files.writeString(tree.resolve("dkms.conf"), dkmsConf);
        return tree;
    }

    /**
     * For the 6.12 kernel only, the dkms.conf installs two modules under one name; packaging that
     * kernel fails with an error that is not one of dkms-deb's own exceptions. The 6.1 package is
     * still written, the 6.12 kernel is reported failed, and the call exits 5.
     */
    @Test
    void anUnforeseenErrorOfOneKernelIsThatKernelsFailure() throws Exception {
        String k612 = Kernels.newest612();
        Path tree = module("PACKAGE_NAME=isolated\nPACKAGE_VERSION=0.1\nBUILT_MODULE_NAME[0]=isolated\nDEST_MODULE_LOCATION[0]=/updates/dkms\n"
                + "case \"$kernelver\" in 6.12.*)\n"
                + "  BUILT_MODULE_NAME[1]=other; DEST_MODULE_NAME[1]=isolated; DEST_MODULE_LOCATION[1]=/extra;;\n"
                + "esac\n", "isolated", "other");
        Path out = Files.createDirectories(work.resolve("out"));
        // two records with one destination: refused from dkms 3.1.7 on (3.0.10 keeps the last), here for the 6.12 kernel only
        Cmd.Result r = Cmd.dkmsDeb("bmdeb", tree.toString(), "-k", k612, "-k", K61, "-o", out.toString(), "--maintainer", MAINTAINER,
                "--no-sign", "--log-dir", work.resolve("logs").toString(), "--json", "--dkms-level", "newest");
        assertThat(r.exit()).as(r.toString()).isEqualTo(5);
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = (Map<String, Object>) Json.read(r.out().strip());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> kernels = (List<Map<String, Object>>) summary.get("kernels");
        assertThat(kernels).hasSize(2);
        assertThat(kernels.get(0)).containsEntry("kernel", k612).containsEntry("result", "failed").containsEntry("file", null);
        assertThat((Long) kernels.get(0).get("exitCode")).as("a failure has a non-zero code").isNotZero();
        assertThat((String) kernels.get(0).get("message")).contains("DEST_MODULE_NAME[1]");
        assertThat(kernels.get(1)).containsEntry("kernel", K61).containsEntry("result", "built").containsEntry("exitCode", 0L);
        assertThat(summary).containsEntry("exitCode", 5L).containsEntry("module", "isolated");
        assertThat(out.resolve("isolated-modules-" + K61 + "_0.1_amd64.deb")).exists();
        assertThat(out.resolve("isolated-modules-" + k612 + "_0.1_amd64.deb")).doesNotExist();
        assertThat(r.err()).contains("dkms-deb: error: [" + k612 + "] ");
    }

    /** A kernel of the -k list that is not the build host's own. */
    private static String notTheHostsKernel() {
        String host = System.getProperty("os.version");
        return K61.equals(host) ? Kernels.newest612() : K61;
    }

    @Test
    void aDkmsConfThatFailsForTheHostsKernelBuildsForTheTargetKernel() throws IOException {
        String k = notTheHostsKernel();
        Path tree = module("case \"$kernelver\" in \"$(uname -r)\") exit 1;; esac\n"
                + "PACKAGE_NAME=isolated\nPACKAGE_VERSION=0.1\nBUILT_MODULE_NAME[0]=isolated\nDEST_MODULE_LOCATION[0]=/updates/dkms\n",
                "isolated");
        Path out = Files.createDirectories(work.resolve("out"));
        Cmd.Result r = Cmd.dkmsDeb("bmdeb", tree.toString(), "-k", k, "-o", out.toString(), "--maintainer", MAINTAINER,
                "--no-sign", "--log-dir", work.resolve("logs").toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(out.resolve("isolated-modules-" + k + "_0.1_amd64.deb")).exists();
    }

    @Test
    void theNameAndVersionComeFromTheTargetKernelsRead() throws IOException {
        String k = notTheHostsKernel();
        Path tree = module("if [ \"$kernelver\" = \"" + k + "\" ]; then PACKAGE_NAME=isolated; PACKAGE_VERSION=0.2; fi\n"
                + "BUILT_MODULE_NAME[0]=isolated\nDEST_MODULE_LOCATION[0]=/updates/dkms\n", "isolated");
        Path out = Files.createDirectories(work.resolve("out"));
        Cmd.Result r = Cmd.dkmsDeb("bmdeb", tree.toString(), "-k", k, "-o", out.toString(), "--maintainer", MAINTAINER,
                "--no-sign", "--log-dir", work.resolve("logs").toString(), "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("{\"command\":\"bmdeb\",\"module\":\"isolated\",\"moduleVersion\":\"0.2\"");
        assertThat(out.resolve("isolated-modules-" + k + "_0.2_amd64.deb")).exists();
    }
}

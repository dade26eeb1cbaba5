package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A package built on one agent is byte-identical to the same kernel's package built on another: here two builds of a
 * module whose code holds its source path (WARN_ON and __FILE__ compile it in) with another TMPDIR (so another scratch
 * directory), another header cache, another make -j and kernels at once, from another working directory. Before the
 * build mapped its paths, the scratch directory was in the module, and the bytes differed.
 */
@Tag("kernel")
@Tag("cli")
class FleetSameBytesTest {
    @TempDir
    Path work;

    @Test
    void twoAgentsBuildTheSamePackageByteForByte() throws IOException {
        String k = Kernels.newest61();
        Path module = ModuleTrees.write(work.resolve("src/warnmod"), "warnmod", """
                #include <linux/module.h>
                #include <linux/kernel.h>
                #include <linux/jiffies.h>
                static int __init w_init(void) { WARN_ON(jiffies == 0); pr_info("warnmod from %s\\n", __FILE__); return 0; }
                static void __exit w_exit(void) { }
                module_init(w_init);
                module_exit(w_exit);
                MODULE_LICENSE("GPL");
                """, ModuleTrees.conf("warnmod", "0.1"));
        Path a = Files.createDirectories(work.resolve("agent-a/ws"));
        Path b = Files.createDirectories(work.resolve("agent-b/other/workspace"));
        Map<String, String> common = Map.of("SOURCE_DATE_EPOCH", "1700000000", "DEBFULLNAME", "Fleet CI", "DEBEMAIL", "ci@example.org");
        Map<String, String> envA = new java.util.HashMap<>(common);
        envA.putAll(Map.of("TMPDIR", Files.createDirectories(work.resolve("tmp-a")).toString(), "XDG_CACHE_HOME", work.resolve("cache-a").toString(),
                "DKMS_DEB_MAKE_JOBS", "1"));
        Map<String, String> envB = new java.util.HashMap<>(common);
        envB.putAll(Map.of("TMPDIR", Files.createDirectories(work.resolve("tmp-b/deeper/still")).toString(),
                "XDG_CACHE_HOME", work.resolve("cache-b").toString(), "DKMS_DEB_MAKE_JOBS", "2"));
        Cmd.Result ra = Cmd.dkmsDeb(a, envA, "bmdeb", module.toString(), "-k", k, "-o", "out", "-j", "1", "--no-sign");
        assertThat(ra.exit()).as(ra.toString()).isZero();
        Cmd.Result rb = Cmd.dkmsDeb(b, envB, "bmdeb", module.toString(), "-k", k, "-o", "out", "-j", "3", "--no-sign");
        assertThat(rb.exit()).as(rb.toString()).isZero();
        Path debA = only(a.resolve("out"));
        Path debB = only(b.resolve("out"));
        assertThat(debA.getFileName()).isEqualTo(debB.getFileName());
        assertThat(Files.readAllBytes(debA)).as("the same kernel's package built on two agents").isEqualTo(Files.readAllBytes(debB));
        // the path compiled in is the one dkms's build would have, not a scratch directory
        Path x = work.resolve("x");
        Cmd.ok("dpkg-deb", "-x", debA.toString(), x.toString());
        Path ko = x.resolve("lib/modules/" + k + "/updates/dkms/warnmod.ko");
        String text = new String(Files.readAllBytes(ko), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(text).contains("/var/lib/dkms/warnmod/0.1/build/warnmod.c").doesNotContain(work.toString());
    }

    private static Path only(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> debs = s.filter(p -> p.toString().endsWith(".deb")).toList();
            assertThat(debs).hasSize(1);
            return debs.get(0);
        }
    }
}

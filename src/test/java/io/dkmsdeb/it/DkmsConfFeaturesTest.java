package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dkms.conf directives bmdeb honours, each proven by a build that only succeeds (or only
 * gives the checked result) when the directive is applied: PATCH/PATCH_MATCH, PRE_BUILD,
 * POST_BUILD, MAKE/MAKE_MATCH, BUILT_MODULE_LOCATION, DEST_MODULE_NAME, STRIP.
 */
@Tag("kernel")
@Tag("tools")
class DkmsConfFeaturesTest {
    static final String K61 = Kernels.newest61();

    @TempDir
    Path work;

    private Path tree(String conf) throws IOException {
        Path tree = Files.createDirectories(work.resolve("feat"));
        Path src = Files.createDirectories(tree.resolve("src"));
        Files.writeString(src.resolve("feat.c"), "#include <linux/module.h>\n#include \"generated.h\"\nMODULE_LICENSE(\"GPL\");\n"
                + "MODULE_DESCRIPTION(FEAT_TEXT);\nstatic int __init feat_init(void) { return BROKEN; }\nmodule_init(feat_init);\n");
        for (String extra : new String[] {"extra", "more"}) {
            Files.writeString(src.resolve(extra + ".c"), "#include <linux/module.h>\nMODULE_LICENSE(\"GPL\");\n"
                    + "static int __init " + extra + "_init(void) { return 0; }\nmodule_init(" + extra + "_init);\n");
        }
        Files.writeString(src.resolve("Kbuild"), "obj-m := feat.o extra.o more.o\n");
        Files.writeString(tree.resolve("dkms.conf"), conf);
        Path patches = Files.createDirectories(tree.resolve("patches"));
        Files.writeString(patches.resolve("fix.patch"), """
                --- a/src/feat.c
                +++ b/src/feat.c
                @@ -2,5 +2,5 @@
                 #include "generated.h"
                 MODULE_LICENSE("GPL");
                 MODULE_DESCRIPTION(FEAT_TEXT);
                -static int __init feat_init(void) { return BROKEN; }
                +static int __init feat_init(void) { return 0; }
                 module_init(feat_init);
                """);
        Path gen = tree.resolve("gen.sh");
        Files.writeString(gen, "#!/bin/sh\n# PRE_BUILD: runs in the build dir with its argument\necho \"#define FEAT_TEXT \\\"$1 for $kernelver\\\"\" > src/generated.h\n");
        Cmd.ok("chmod", "755", gen.toString());
        Path post = tree.resolve("post.sh");
        // POST_BUILD runs in the sandbox: what it prints goes to the build log, a file it writes stays inside
        Files.writeString(post, "#!/bin/sh\necho post-build-ran \"$1\"\n");
        Cmd.ok("chmod", "755", post.toString());
        return tree;
    }

    private Cmd.Result bmdeb(Path tree, Path out) {
        return Cmd.dkmsDeb(null, Map.of(), "bmdeb", tree.toString(), "-k", K61, "-o", out.toString(), "--no-sign",
                "--maintainer", "T <t@example.org>", "--log-dir", work.resolve("logs").toString());
    }

    @Test
    void patchPreBuildPostBuildMakeMatchLocationAndDestName() throws IOException {
        String marker = "post-marker";
        Path tree = tree("PACKAGE_NAME=feat\nPACKAGE_VERSION=2.0\n"
                + "BUILT_MODULE_NAME[0]=feat\nBUILT_MODULE_LOCATION[0]=src\nDEST_MODULE_NAME[0]=feat_renamed\nDEST_MODULE_LOCATION[0]=/updates/dkms\n"
                + "STRIP[0]=no\n"
                // (an unset STRIP[n] takes STRIP[0]'s value, as in dkms)
                + "BUILT_MODULE_NAME[1]=extra\nBUILT_MODULE_LOCATION[1]=src\nDEST_MODULE_LOCATION[1]=/updates/dkms\nSTRIP[1]=yes\n"
                + "BUILT_MODULE_NAME[2]=more\nBUILT_MODULE_LOCATION[2]=src\nDEST_MODULE_LOCATION[2]=/updates/dkms\nSTRIP[2]=yes\n"
                + "PATCH[0]=fix.patch\nPATCH_MATCH[0]=\"^6\\.\"\n"
                + "PRE_BUILD=\"gen.sh generated-text\"\nPOST_BUILD=\"post.sh " + marker + "\"\n"
                + "MAKE[0]=\"false\"\nMAKE_MATCH[0]=\"^5\\.\"\n"
                + "MAKE[1]=\"make -C ${kernel_source_dir} M=${dkms_tree}/feat/2.0/build/src modules\"\nMAKE_MATCH[1]=\"^6\\.\"\n");
        Path out = Files.createDirectories(work.resolve("out"));
        Cmd.Result r = bmdeb(tree, out);
        assertThat(r.exit()).as(r.toString()).isZero();
        Path deb = out.resolve("feat-modules-" + K61 + "_2.0_amd64.deb");
        Path x = work.resolve("x");
        Cmd.ok("dpkg-deb", "-x", deb.toString(), x.toString());
        Path ko = x.resolve("lib/modules/" + K61 + "/updates/dkms/feat_renamed.ko");
        assertThat(ko).as("DEST_MODULE_NAME").exists();
        assertThat(Cmd.ok("modinfo", "-F", "description", ko.toString()).out().strip()).as("PRE_BUILD generated the header")
                .isEqualTo("generated-text for " + K61);
        assertThat(Cmd.ok("readelf", "-S", ko.toString()).out()).as("STRIP=no keeps debug info").contains(".debug_info");
        // (compiled with -g, as one module keeps its debug info): the others, stripped in one strip call, lose it
        for (String extra : new String[] {"extra", "more"}) {
            Path other = x.resolve("lib/modules/" + K61 + "/updates/dkms/" + extra + ".ko");
            assertThat(Cmd.ok("readelf", "-S", other.toString()).out()).as(extra + ".ko is stripped").doesNotContain(".debug_info");
        }
        assertThat(Files.readString(work.resolve("logs").resolve("feat-2.0_" + K61 + ".log")))
                .as("one strip call for both stripped modules").containsOnlyOnce("strip -g").contains("/src/extra.ko /", "/src/more.ko");
        assertThat(Files.readString(work.resolve("logs").resolve("feat-2.0_" + K61 + ".log"))).as("POST_BUILD ran")
                .contains("post-build-ran " + marker);
        assertThat(Files.readString(tree.resolve("src/feat.c"))).as("the user's tree is not patched").contains("return BROKEN;");
    }

    @Test
    void withoutThePatchTheBuildFails() throws IOException {
        Path tree = tree("PACKAGE_NAME=feat\nPACKAGE_VERSION=2.0\nBUILT_MODULE_NAME[0]=feat\nBUILT_MODULE_LOCATION[0]=src\n"
                + "DEST_MODULE_LOCATION[0]=/updates/dkms\nPATCH[0]=fix.patch\nPATCH_MATCH[0]=\"^5\\.\"\nPRE_BUILD=\"gen.sh x\"\n"
                + "MAKE[0]=\"make -C ${kernel_source_dir} M=${dkms_tree}/feat/2.0/build/src modules\"\n");
        Path out = Files.createDirectories(work.resolve("out"));
        Cmd.Result r = bmdeb(tree, out);
        assertThat(r.exit()).as("PATCH_MATCH does not match 6.1, so the broken source is built\n" + r).isEqualTo(5);
        assertThat(r.err()).contains("'BROKEN' undeclared");
    }

    @Test
    void aPatchThatDoesNotApplyExits5() throws IOException {
        Path tree = tree("PACKAGE_NAME=feat\nPACKAGE_VERSION=2.0\nBUILT_MODULE_NAME[0]=feat\nBUILT_MODULE_LOCATION[0]=src\n"
                + "DEST_MODULE_LOCATION[0]=/updates/dkms\nPATCH[0]=fix.patch\n");
        Files.writeString(tree.resolve("src/feat.c"), "something else entirely\n");
        Path out = Files.createDirectories(work.resolve("out"));
        Cmd.Result r = bmdeb(tree, out);
        assertThat(r.exit()).as(r.toString()).isEqualTo(5);
        assertThat(r.err()).contains("applying patch fix.patch exited with status 1");
    }
}

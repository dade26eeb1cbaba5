package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A build whose modules are all stripped compiles without debug info (KCFLAGS=-g0), and its modules
 * have the same code, sections and modinfo as a build that compiles with it and strips it
 * (--compile-debug-info, what dkms does). A module that keeps its debug info is compiled with it.
 * Real kernel headers, real compiler, objdump, readelf and modinfo.
 */
@Tag("kernel")
@Tag("tools")
class DebugInfoTest {
    static final String K61 = Kernels.newest61();
    static final String C = """
            #include <linux/module.h>
            #include <linux/kernel.h>
            MODULE_LICENSE("GPL");
            static int count = 3;
            module_param(count, int, 0444);
            static int __init dbg_init(void)
            {
                int i;
                for (i = 0; i < count; i++)
                    pr_info("dbgtest: %d of %d\\n", i, count);
                return 0;
            }
            static void __exit dbg_exit(void)
            {
                pr_info("dbgtest: bye\\n");
            }
            module_init(dbg_init);
            module_exit(dbg_exit);
            """;
    static final String CONF = "PACKAGE_NAME=dbgtest\nPACKAGE_VERSION=1.0\nBUILT_MODULE_NAME[0]=dbgtest\n"
            + "DEST_MODULE_LOCATION[0]=/updates/dkms\n";

    @TempDir
    Path work;

    /** Builds the tree into out/NAME; returns the unpacked .ko and the build log's text. */
    private Built build(Path tree, String name, String... extra) throws IOException {
        Path out = work.resolve("out").resolve(name);
        Path logs = work.resolve("logs").resolve(name);
        List<String> args = new ArrayList<>(List.of("bmdeb", tree.toString(), "-k", K61, "-o", out.toString(),
                "--maintainer", SourceCommandTest.MAINTAINER, "--no-sign", "--log-dir", logs.toString()));
        args.addAll(List.of(extra));
        Cmd.Result r = Cmd.dkmsDeb(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.toString()).isZero();
        Path deb = out.resolve("dbgtest-modules-" + K61 + "_1.0_amd64.deb");
        Path root = Files.createDirectories(work.resolve("x").resolve(name));
        Cmd.ok("dpkg-deb", "-x", deb.toString(), root.toString());
        Path ko = root.resolve("lib/modules/" + K61 + "/updates/dkms/dbgtest.ko");
        assertThat(ko).as("kernel " + K61 + " keeps its modules uncompressed").isRegularFile();
        String log;
        try (Stream<Path> s = Files.list(logs)) {
            log = Files.readString(s.filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow());
        }
        return new Built(ko, log);
    }

    private record Built(Path ko, String log) {
        /** objdump's disassembly with relocations, without the line that names the file. */
        String code() {
            String all = Cmd.ok("objdump", "-d", "-r", ko.toString()).out();
            return all.substring(all.indexOf("file format"));
        }

        /** Section names, types and sizes (readelf -S: name, type, address, offset, size, ...). */
        List<String> sections() {
            return Cmd.ok("readelf", "-S", "-W", ko.toString()).out().lines().filter(l -> l.matches("\\s*\\[\\s*\\d+].*"))
                    .map(l -> l.replaceFirst("^\\s*\\[\\s*\\d+]\\s*", "").split("\\s+"))
                    .map(f -> f.length > 4 ? f[0] + " " + f[1] + " " + f[4] : String.join(" ", f)).toList();
        }

        String modinfo() {
            return Cmd.ok("/sbin/modinfo", ko.toString()).out().lines().filter(l -> !l.startsWith("filename:")).toList().toString();
        }

        boolean hasDebugInfo() {
            return Cmd.ok("readelf", "-S", "-W", ko.toString()).out().contains(".debug_info");
        }
    }

    @Test
    void strippedModulesAreCompiledWithoutDebugInfoAndHaveTheSameCode() throws IOException {
        Path tree = ModuleTrees.write(work.resolve("dbgtest"), "dbgtest", C, CONF);
        Built fast = build(tree, "default");
        Built dkmsLike = build(tree, "compiled", "--compile-debug-info");

        assertThat(fast.log()).contains("compiled without debug info (KCFLAGS=-g0)");
        assertThat(dkmsLike.log()).doesNotContain("KCFLAGS");
        assertThat(fast.hasDebugInfo()).isFalse();
        assertThat(dkmsLike.hasDebugInfo()).isFalse();
        assertThat(fast.code()).contains("<init_module>:").isEqualTo(dkmsLike.code());
        assertThat(fast.sections()).anyMatch(l -> l.startsWith(".modinfo PROGBITS ")).isEqualTo(dkmsLike.sections());
        assertThat(fast.modinfo()).contains("vermagic:").isEqualTo(dkmsLike.modinfo());
        // the build id is made over the whole object, debug info included: it tells the two apart
        assertThat(Cmd.ok("readelf", "-n", fast.ko().toString()).out())
                .isNotEqualTo(Cmd.ok("readelf", "-n", dkmsLike.ko().toString()).out());
    }

    @Test
    void aModuleThatKeepsItsDebugInfoIsCompiledWithIt() throws IOException {
        Path kept = ModuleTrees.write(work.resolve("kept"), "dbgtest", C, CONF + "STRIP[0]=no\n");
        Built noStripConf = build(kept, "strip-no");
        assertThat(noStripConf.log()).doesNotContain("KCFLAGS");
        assertThat(noStripConf.hasDebugInfo()).isTrue();

        Path tree = ModuleTrees.write(work.resolve("dbgtest"), "dbgtest", C, CONF);
        Built noStripOption = build(tree, "no-strip", "--no-strip");
        assertThat(noStripOption.log()).doesNotContain("KCFLAGS");
        assertThat(noStripOption.hasDebugInfo()).isTrue();
    }
}

package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Directories whose names hold a space or a single quote: the scratch tree under TMPDIR, the
 * kernel headers, the output directory and the module source, each built for real against the
 * 6.1 kernel.
 */
@Tag("kernel")
class BmdebPathsTest {
    static final String K61 = Kernels.newest61();
    static final String ODD = "my mod's dir";

    @TempDir
    Path work;

    private Path module(Path parent) throws IOException {
        return ModuleTrees.write(parent.resolve("my mod's src"), "spaced", ModuleTrees.GOOD_C, ModuleTrees.conf("spaced", "0.1"));
    }

    private Cmd.Result bmdeb(Map<String, String> env, Path tree, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("bmdeb", tree.toString(), "-k", K61, "-o", out.toString(),
                "--maintainer", "T <t@example.org>", "--no-sign", "--log-dir", work.resolve("logs").toString()));
        args.addAll(List.of(more));
        return Cmd.dkmsDeb(null, env, args.toArray(String[]::new));
    }

    private static void assertBuilt(Cmd.Result r, Path out) {
        assertThat(r.exit()).as(r.toString()).isZero();
        Path deb = out.resolve("spaced-modules-" + K61 + "_0.1_amd64.deb");
        assertThat(deb).exists();
        assertThat(DebInfo.of(deb).files()).containsKey("./lib/modules/" + K61 + "/updates/dkms/spaced.ko");
    }

    @Test
    void aTmpdirWithASpaceAndAQuote() throws IOException {
        Path tmp = Files.createDirectories(work.resolve(ODD).resolve("tmp"));
        Path out = work.resolve("out");
        // in the sandbox, the scratch tree is a private directory of the run in TMPDIR, removed at the end
        assertBuilt(bmdeb(Map.of("TMPDIR", tmp.toString()), module(work), out), out);
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).as("nothing of the run left in TMPDIR")
                    .noneMatch(n -> n.startsWith("dkms-deb-build-"));
        }
        // without it, the scratch tree is TMPDIR/dkms-deb-USER, reached through a link kbuild can take
        Path outside = work.resolve("out-no-sandbox");
        assertBuilt(bmdeb(Map.of("TMPDIR", tmp.toString()), module(work), outside, "--no-sandbox"), outside);
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).as("the scratch tree went to TMPDIR").contains("dkms-deb-"
                    + System.getProperty("user.name"));
        }
    }

    @Test
    void kernelHeadersInADirectoryWithASpaceAndAQuote() throws IOException {
        Path headers = copyOfHeaders(work.resolve(ODD).resolve("headers " + K61));
        Path out = work.resolve("out");
        assertBuilt(bmdeb(Map.of(), module(work), out, "--kernel-source-dir", headers.toString()), out);
    }

    @Test
    void anOutputDirectoryWithASpaceAndAQuote() throws IOException {
        Path out = work.resolve(ODD).resolve("out put");
        assertBuilt(bmdeb(Map.of(), module(work), out), out);
    }

    @Test
    void aSourceDirectoryWithASpaceAndAQuote() throws IOException {
        Path tree = module(Files.createDirectories(work.resolve(ODD)));
        Path out = work.resolve("out");
        assertBuilt(bmdeb(Map.of(), tree, out), out);
    }

    /**
     * A copy of the kernel's own headers directory (Debian's linux-headers-KVER: a Makefile that
     * includes the -common tree, .config, Module.symvers, ...), its links made absolute so that
     * they still point into the installed kbuild tree.
     */
    private static Path copyOfHeaders(Path target) throws IOException {
        Path installed = Path.of("/lib/modules", K61, "build").toRealPath();
        Files.createDirectories(target);
        try (Stream<Path> s = Files.list(installed)) {
            for (Path p : s.toList()) {
                Path to = target.resolve(p.getFileName().toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createSymbolicLink(to, p.toRealPath());
                } else {
                    Cmd.ok("cp", "-a", p.toString(), to.toString());
                }
            }
        }
        return target;
    }
}

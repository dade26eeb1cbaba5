package io.dkmsdeb.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A -dkms .deb handed to bmdeb is untrusted input: broken or hostile packages are refused with
 * a clear message and exit 3, nothing is written outside a private temp dir, and that temp dir
 * is removed.
 */
@Tag("kernel")
class HostileDebTest {
    static final String K = Kernels.newest61();

    @TempDir
    Path work;
    Path tmp;
    Path out;

    @BeforeEach
    void dirs() throws IOException {
        tmp = Files.createDirectories(work.resolve("tmp"));
        out = Files.createDirectories(work.resolve("out"));
    }

    /** Runs bmdeb with a private java.io.tmpdir so that leftovers can be seen. */
    private Cmd.Result bmdeb(Path deb) {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp, "-Ddkmsdeb.unpack.limit=" + (64L << 20), "-cp", System.getProperty("java.class.path"), "io.dkmsdeb.cli.Main",
                "bmdeb", deb.toString(), "-k", K, "-o", out.toString(), "--log-dir", work.resolve("logs").toString()));
        return Cmd.run(work, Map.of(), cmd);
    }

    private void assertRefused(Cmd.Result r, String message) throws IOException {
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).startsWith("dkms-deb: error: ").contains(message).doesNotContain("\tat ");
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.toList()).as("output dir").isEmpty();
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.filter(p -> p.getFileName().toString().startsWith("dkms-deb-unpack")).toList()).as("temp dirs left").isEmpty();
        }
    }

    static Stream<Object[]> hostileData() {
        return Stream.of(
                new Object[] {"dot-dot", CraftedDeb.moduleTree(CraftedDeb.Entry.file("./usr/src/../../../escaped.txt", "x")), "leads out of the package root"},
                new Object[] {"absolute", CraftedDeb.moduleTree(CraftedDeb.Entry.file("/tmp/absolute-evil.txt", "x")), "has an absolute name"},
                new Object[] {"symlink then write through it", CraftedDeb.moduleTree(
                        CraftedDeb.Entry.symlink("./usr/src/evil-1.0/sub", "../../../../tmp"),
                        CraftedDeb.Entry.file("./usr/src/evil-1.0/sub/through-link.txt", "x")), "points outside usr/src/"},
                new Object[] {"symlink inside then write through it", CraftedDeb.moduleTree(
                        CraftedDeb.Entry.dir("./usr/src/evil-1.0/real/"),
                        CraftedDeb.Entry.symlink("./usr/src/evil-1.0/sub", "real"),
                        CraftedDeb.Entry.file("./usr/src/evil-1.0/sub/x.txt", "x")), "would be written through the symbolic link"},
                new Object[] {"hard link to outside", CraftedDeb.moduleTree(CraftedDeb.Entry.hardlink("./usr/src/evil-1.0/passwd", "/etc/passwd")), "hard link"},
                new Object[] {"device node", CraftedDeb.moduleTree(CraftedDeb.Entry.device("./usr/src/evil-1.0/null")), "device node, FIFO or other special file"},
                new Object[] {"fifo", CraftedDeb.moduleTree(CraftedDeb.Entry.fifo("./usr/src/evil-1.0/pipe")), "device node, FIFO or other special file"},
                new Object[] {"file twice", CraftedDeb.moduleTree(CraftedDeb.Entry.file("./usr/src/evil-1.0/Kbuild", "obj-m := other.o\n")), "appears twice"});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileData")
    void hostileDataTarIsRefused(String name, List<CraftedDeb.Entry> data, String message) throws IOException {
        Path deb = CraftedDeb.dkmsDeb(work, "evil-dkms_1.0-1_all.deb", data);
        assertRefused(bmdeb(deb), message);
        assertThat(Path.of("/tmp/absolute-evil.txt")).doesNotExist();
        assertThat(work.resolve("escaped.txt")).doesNotExist();
    }

    @Test
    void notAnArArchive() throws IOException {
        Path deb = work.resolve("junk-dkms_1.0-1_all.deb");
        Files.writeString(deb, "#!/bin/sh\necho not a package\n");
        assertRefused(bmdeb(deb), "is not an ar archive");
    }

    @Test
    void truncated() throws IOException {
        Path good = CraftedDeb.dkmsDeb(work, "good-dkms_1.0-1_all.deb", CraftedDeb.moduleTree());
        byte[] all = Files.readAllBytes(good);
        Path deb = work.resolve("cut-dkms_1.0-1_all.deb");
        Files.write(deb, java.util.Arrays.copyOf(all, all.length / 2));
        Cmd.Result r = bmdeb(deb);
        assertThat(r.err()).contains("is truncated");
        assertRefused(r, "cut-dkms_1.0-1_all.deb");
    }

    @Test
    void membersInTheWrongOrder() throws IOException {
        Path deb = work.resolve("order-dkms_1.0-1_all.deb");
        CraftedDeb.write(deb, List.of("debian-binary", "data.tar", "control.tar"),
                List.of("2.0\n".getBytes(StandardCharsets.US_ASCII), CraftedDeb.tar(CraftedDeb.moduleTree()), CraftedDeb.controlTar()));
        assertRefused(bmdeb(deb), "data.tar must come once, after control.tar");
        Path noBinary = work.resolve("first-dkms_1.0-1_all.deb");
        CraftedDeb.write(noBinary, List.of("control.tar", "data.tar"), List.of(CraftedDeb.controlTar(), CraftedDeb.tar(CraftedDeb.moduleTree())));
        assertRefused(bmdeb(noBinary), "the first ar member must be debian-binary");
    }

    @Test
    void decompressionBombIsStopped() throws IOException {
        // a data.tar.xz of 200 MiB of zeros (tens of KiB compressed) against a limit lowered to
        // 64 MiB for the test (the default is 4 GiB)
        Path deb = work.resolve("bomb-dkms_1.0-1_all.deb");
        Path tarXz = work.resolve("data.tar.xz");
        Cmd.Result made = Cmd.run(work, Map.of(), List.of("sh", "-c",
                "mkdir -p b/usr/src/bomb-1.0 && head -c 200M /dev/zero > b/usr/src/bomb-1.0/zeros && "
                        + "tar -C b -cf - . | xz -0 -T2 > \"$0\" && rm -rf b", tarXz.toString()));
        assertThat(made.exit()).as(made.toString()).isZero();
        CraftedDeb.write(deb, List.of("debian-binary", "control.tar", "data.tar.xz"),
                List.of("2.0\n".getBytes(StandardCharsets.US_ASCII), CraftedDeb.controlTar(), Files.readAllBytes(tarXz)));
        Files.delete(tarXz);
        Cmd.Result r = bmdeb(deb);
        assertThat(r.err()).contains("unpacks to more than " + (64L << 20) + " bytes");
        assertRefused(r, "bomb-dkms_1.0-1_all.deb");
    }

    @Test
    void sparseEntryIsRefused() throws IOException {
        Path tarFile = work.resolve("sparse.tar");
        Cmd.Result made = Cmd.run(work, Map.of(), List.of("sh", "-c",
                "mkdir -p s/usr/src/evil-1.0 && truncate -s 100M s/usr/src/evil-1.0/holes && tar -C s -cf \"$0\" --sparse . && rm -rf s",
                tarFile.toString()));
        assertThat(made.exit()).as(made.toString()).isZero();
        Path deb = work.resolve("sparse-dkms_1.0-1_all.deb");
        CraftedDeb.write(deb, List.of("debian-binary", "control.tar", "data.tar"),
                List.of("2.0\n".getBytes(StandardCharsets.US_ASCII), CraftedDeb.controlTar(), Files.readAllBytes(tarFile)));
        assertRefused(bmdeb(deb), "is a sparse file");
    }

    @Test
    void noModuleTreeInThePackage() throws IOException {
        Path deb = CraftedDeb.dkmsDeb(work, "empty-dkms_1.0-1_all.deb", List.of(CraftedDeb.Entry.dir("./"), CraftedDeb.Entry.dir("./usr/")));
        assertRefused(bmdeb(deb), "has no module trees with a dkms.conf under /usr/src");
    }
}

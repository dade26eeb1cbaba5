package io.dkmsdeb.deb;

import io.dkmsdeb.model.deb.ControlField;
import io.dkmsdeb.model.deb.DebEntry;
import io.dkmsdeb.model.deb.Compression;
import io.dkmsdeb.model.deb.DebPackage;
import io.dkmsdeb.model.deb.Trigger;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tukaani.xz.XZInputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Tag("tools")
class DebWriterTest {
    private static final long TIME = 1_700_000_000L;
    private static final String LONG_DIR = "usr/src/" + "a-very-long-directory-name-".repeat(5) + "1.0";

    static List<DebEntry> entries() {
        return List.of(
                DebEntry.file("usr/src/m-1.0/m.c", 0644, DebEntry.Data.of("int x;\n")),
                DebEntry.file("usr/src/m-1.0/tools/gen.sh", 0755, DebEntry.Data.of("#!/bin/sh\necho hi\n")),
                DebEntry.symlink("usr/src/m-1.0/Kbuild", "tools/../Makefile"),
                DebEntry.file("usr/src/m-1.0/Makefile", 0644, DebEntry.Data.of("obj-m := m.o\n")),
                DebEntry.file(LONG_DIR + "/" + "long-file-name-".repeat(8) + ".c", 0644, DebEntry.Data.of("/* long */\n")));
    }

    static DebPackage pkg(List<DebEntry> data) {
        List<ControlField> control = new ControlFile().set("Package", "m-dkms").set("Version", "1.0-1")
                .set("Architecture", "all").set("Maintainer", "A B <a@example.org>").set("Description", "test\n body").fields();
        return new DebPackage(control, Map.of("postinst", "#!/bin/sh\nset -e\n"), data);
    }

    static byte[] write(DebPackage p, Compression c) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new DebWriter(c, TIME, 2).write(p, out);
        return out.toByteArray();
    }

    static Map<String, byte[]> arMembers(byte[] deb) throws Exception {
        Map<String, byte[]> members = new LinkedHashMap<>();
        try (ArArchiveInputStream ar = new ArArchiveInputStream(new ByteArrayInputStream(deb))) {
            for (ArArchiveEntry e; (e = ar.getNextEntry()) != null; ) {
                assertThat(e.getUserId()).isZero();
                assertThat(e.getGroupId()).isZero();
                assertThat(e.getLastModified()).isEqualTo(TIME);
                members.put(e.getName(), ar.readAllBytes());
            }
        }
        return members;
    }

    static List<TarArchiveEntry> tarEntries(byte[] tarXz, Map<String, byte[]> contents) throws Exception {
        List<TarArchiveEntry> list = new ArrayList<>();
        try (InputStream in = new XZInputStream(new ByteArrayInputStream(tarXz));
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                list.add(e);
                if (e.isFile() && !e.isSymbolicLink()) {
                    contents.put(e.getName(), tar.readAllBytes());
                }
            }
        }
        return list;
    }

    @Test
    void membersInDpkgOrderAndTarsNormalized() throws Exception {
        byte[] deb = write(pkg(entries()), Compression.XZ);
        Map<String, byte[]> members = arMembers(deb);
        assertThat(members.keySet()).containsExactly("debian-binary", "control.tar.xz", "data.tar.xz");
        assertThat(new String(members.get("debian-binary"), StandardCharsets.US_ASCII)).isEqualTo("2.0\n");

        Map<String, byte[]> data = new LinkedHashMap<>();
        List<TarArchiveEntry> entries = tarEntries(members.get("data.tar.xz"), data);
        List<String> names = entries.stream().map(TarArchiveEntry::getName).toList();
        assertThat(names).first().isEqualTo("./");
        assertThat(names).allMatch(n -> n.startsWith("./"));
        assertThat(names).contains("./usr/", "./usr/src/", "./usr/src/m-1.0/", "./usr/src/m-1.0/tools/", "./" + LONG_DIR + "/");
        List<String> sorted = new ArrayList<>(names);
        Collections.sort(sorted);
        assertThat(names).isEqualTo(sorted);
        for (TarArchiveEntry e : entries) {
            assertThat(e.getLongUserId()).isZero();
            assertThat(e.getLongGroupId()).isZero();
            assertThat(e.getUserName()).isEqualTo("root");
            assertThat(e.getGroupName()).isEqualTo("root");
            assertThat(e.getLastModifiedTime().toMillis()).isEqualTo(TIME * 1000);
        }
        TarArchiveEntry script = entries.stream().filter(e -> e.getName().endsWith("gen.sh")).findFirst().orElseThrow();
        assertThat(script.getMode() & 07777).isEqualTo(0755);
        TarArchiveEntry link = entries.stream().filter(e -> e.getName().endsWith("Kbuild")).findFirst().orElseThrow();
        assertThat(link.isSymbolicLink()).isTrue();
        assertThat(link.getLinkName()).isEqualTo("tools/../Makefile");
        assertThat(entries.stream().filter(TarArchiveEntry::isDirectory)).allMatch(e -> (e.getMode() & 07777) == 0755);

        Map<String, byte[]> control = new LinkedHashMap<>();
        List<TarArchiveEntry> controlEntries = tarEntries(members.get("control.tar.xz"), control);
        assertThat(controlEntries.stream().map(TarArchiveEntry::getName)).containsExactly("./", "./control", "./md5sums", "./postinst");
        assertThat(controlEntries.get(3).getMode() & 07777).isEqualTo(0755);
        assertThat(controlEntries.get(1).getMode() & 07777).isEqualTo(0644);

        // md5sums: one line per regular file, recomputed from data.tar
        String md5sums = new String(control.get("./md5sums"), StandardCharsets.UTF_8);
        List<String> expected = new ArrayList<>();
        for (var e : data.entrySet()) {
            String hex = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(e.getValue()));
            expected.add(hex + "  " + e.getKey().substring(2));
        }
        assertThat(md5sums.lines().toList()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(md5sums).doesNotContain("Kbuild");
    }

    @Test
    void triggersAre0644AndNotInMd5sums() throws Exception {
        DebPackage p = pkg(entries());
        DebPackage withTrigger = new DebPackage(p.control(), p.scripts(), p.data(), List.of(), List.of(Trigger.activateNoAwait("update-initramfs")));
        Map<String, byte[]> control = new LinkedHashMap<>();
        List<TarArchiveEntry> entries = tarEntries(arMembers(write(withTrigger, Compression.XZ)).get("control.tar.xz"), control);
        assertThat(entries.stream().map(TarArchiveEntry::getName)).containsExactly("./", "./control", "./md5sums", "./postinst", "./triggers");
        assertThat(entries.get(4).getMode() & 07777).isEqualTo(0644);
        assertThat(new String(control.get("./triggers"), StandardCharsets.UTF_8)).isEqualTo("activate-noawait update-initramfs\n");
        assertThat(new String(control.get("./md5sums"), StandardCharsets.UTF_8)).doesNotContain("triggers");
    }

    @Test
    void sameBytesWhateverTheInputOrder() throws Exception {
        List<DebEntry> shuffled = new ArrayList<>(entries());
        Collections.reverse(shuffled);
        assertThat(write(pkg(shuffled), Compression.XZ)).isEqualTo(write(pkg(entries()), Compression.XZ));
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void aWarmedUpWriterWritesTheSameBytes(Compression c) throws Exception {
        byte[] cold = write(pkg(entries()), c);
        DebWriter warm = new DebWriter(c, TIME, 2);
        warm.warmUp();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        warm.write(pkg(entries()), out);
        assertThat(out.toByteArray()).isEqualTo(cold);
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void everyCompressionIsReproducibleAndDpkgReadsIt(Compression c) throws Exception {
        byte[] first = write(pkg(entries()), c);
        Thread.sleep(1100); // a clock that leaks into any header would now differ
        assertThat(write(pkg(entries()), c)).isEqualTo(first);
        java.nio.file.Path file = java.nio.file.Files.createTempFile("dkms-deb-test", ".deb");
        try {
            java.nio.file.Files.write(file, first);
            Process p = new ProcessBuilder("dpkg-deb", "--contents", file.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
            assertThat(out).contains("./usr/src/m-1.0/Kbuild -> tools/../Makefile").contains("long-file-name-");
        } finally {
            java.nio.file.Files.delete(file);
        }
    }

    @TempDir
    Path tmp;

    /** A package whose data tar is larger than an xz dictionary (8 MiB), so that it is compressed while it is written. */
    private static List<DebEntry> bigEntries(DebEntry.Data big) {
        List<DebEntry> list = new ArrayList<>(entries());
        list.add(DebEntry.file("usr/src/m-1.0/firmware.bin", 0644, big));
        return list;
    }

    private static byte[] bigContent() {
        return XzEncoderTest.source(9 << 20);
    }

    @Test
    void theStreamedDataTarIsTheFinishedTarCompressedByTheSameEncoder() throws Exception {
        byte[] big = bigContent();
        for (XzEncoder e : new XzEncoder[] {XzEncoder.JAVA, XzEncoder.select(null, "/usr/bin:/bin")}) {
            ByteArrayOutputStream deb = new ByteArrayOutputStream();
            new DebWriter(Compression.XZ, TIME, 2, e, tmp).write(pkg(bigEntries(DebEntry.Data.of(big))), deb);
            byte[] member = arMembers(deb.toByteArray()).get("data.tar.xz");
            Path tar = tmp.resolve("data.tar");
            try (InputStream in = new XZInputStream(new ByteArrayInputStream(member))) {
                Files.write(tar, in.readAllBytes());
            }
            assertThat(Files.size(tar)).isGreaterThan(9 << 20);
            Path again = tmp.resolve("data.tar.xz");
            e.compress(tar, again, 1);
            assertThat(member).as(e.name()).isEqualTo(Files.readAllBytes(again));
            Files.delete(tar);
            Files.delete(again);
            assertThat(listing(tmp)).as("temporary files of " + e.name()).isEmpty();
        }
    }

    @Test
    void aSourceFileFailingWhileItIsCompressedLeavesNoPackageAndNothingBehind() throws Exception {
        byte[] big = bigContent();
        DebEntry.Data failing = new DebEntry.Data() {
            @Override
            public long size() {
                return big.length;
            }

            @Override
            public InputStream open() {
                return new FilterInputStream(new ByteArrayInputStream(big)) {
                    private long read;

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        if (read > (8 << 20) + 100_000) { // the compressor is running by now
                            throw new IOException("Input/output error reading firmware.bin");
                        }
                        int n = super.read(b, off, len);
                        read += Math.max(0, n);
                        return n;
                    }
                };
            }
        };
        for (XzEncoder e : new XzEncoder[] {XzEncoder.JAVA, XzEncoder.select(null, "/usr/bin:/bin")}) {
            for (Compression c : new Compression[] {Compression.XZ, Compression.GZIP}) {
                ByteArrayOutputStream deb = new ByteArrayOutputStream();
                assertThatThrownBy(() -> new DebWriter(c, TIME, 2, e, tmp).write(pkg(bigEntries(failing)), deb))
                        .as(e.name() + ", " + c).isInstanceOf(IOException.class).hasMessage("Input/output error reading firmware.bin");
                assertThat(deb.size()).as("bytes of a package written").isZero();
                assertThat(listing(tmp)).as("temporary files").isEmpty();
                XzEncoderTest.assertNoCompressorRunning();
            }
        }
    }

    @Test
    void aFailingXzLeavesNoPackageAndNothingBehind() throws Exception {
        Path fake = Files.createDirectories(tmp.resolve("bin")).resolve("xz");
        Files.writeString(fake, "#!/bin/sh\nhead -c 4096 >/dev/null\necho 'xz: Cannot allocate memory' >&2\nexit 1\n");
        fake.toFile().setExecutable(true);
        Path work = Files.createDirectories(tmp.resolve("work"));
        for (List<DebEntry> data : List.of(entries(), bigEntries(DebEntry.Data.of(bigContent())))) {
            ByteArrayOutputStream deb = new ByteArrayOutputStream();
            assertThatThrownBy(() -> new DebWriter(Compression.XZ, TIME, 2, new XzEncoder(fake, "xz-utils 5.4.1"), work)
                    .write(pkg(data), deb)).isInstanceOf(IOException.class).hasMessageContaining("xz failed (exit 1)")
                    .hasMessageContaining("Cannot allocate memory");
            assertThat(deb.size()).isZero();
            assertThat(listing(work)).isEmpty();
            XzEncoderTest.assertNoCompressorRunning();
        }
    }

    private static List<Path> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void duplicatePathsAreRefused() {
        List<DebEntry> twice = new ArrayList<>(entries());
        twice.add(DebEntry.file("usr/src/m-1.0/m.c", 0644, DebEntry.Data.of("other")));
        assertThatThrownBy(() -> write(pkg(twice), Compression.NONE)).hasMessageContaining("two package members have the path usr/src/m-1.0/m.c");
    }

    @Test
    void entriesRejectUnsafePaths() {
        assertThatThrownBy(() -> DebEntry.file("../etc/passwd", 0644, DebEntry.Data.of("x"))).hasMessageContaining("normalized");
        assertThatThrownBy(() -> DebEntry.file("/etc/passwd", 0644, DebEntry.Data.of("x"))).hasMessageContaining("relative");
        assertThatThrownBy(() -> DebEntry.file("usr/./x", 0644, DebEntry.Data.of("x"))).hasMessageContaining("normalized");
        assertThatThrownBy(() -> DebEntry.file("usr/x", 04755, DebEntry.Data.of("x"))).hasMessageContaining("0000 and 0777");
    }

    @Test
    void theDataTarsSizeIsKnownBeforeItIsWritten() throws Exception {
        List<DebEntry> data = new ArrayList<>(entries());
        // names and link targets around the 100 bytes a tar header holds ("./" and a directory's "/" count), some in UTF-8
        String base = "usr/src/m-1.0/";
        for (int length = 95; length <= 102; length++) {
            String name = base + "n".repeat(length - base.length() - 2);
            data.add(DebEntry.file(name + ".c", 0644, DebEntry.Data.of("x".repeat(length * 7))));
            data.add(DebEntry.directory(base + "d".repeat(length - base.length() - 3)));
            data.add(DebEntry.symlink(base + "l" + length, "t".repeat(length)));
        }
        data.add(DebEntry.file(base + "ü".repeat(45) + ".h", 0644, DebEntry.Data.of("")));
        data.add(DebEntry.symlink(base + "to-utf8", "é".repeat(50)));
        for (int size : new int[] {0, 1, 511, 512, 513, 1024, 4097}) {
            data.add(DebEntry.file(base + "size-" + size, 0644, DebEntry.Data.of(new byte[size])));
        }
        byte[] tar = arMembers(write(pkg(data), Compression.NONE)).get("data.tar");
        assertThat(DebWriter.dataTarSize(DataLayout.normalize(data))).isEqualTo(tar.length);
        assertThat(DebWriter.dataTarSize(DataLayout.normalize(List.of()))).isEqualTo(3 * 512);
    }
}

package io.dkmsdeb.deb;

import io.dkmsdeb.model.ControlField;
import io.dkmsdeb.model.DebEntry;
import io.dkmsdeb.model.Compression;
import io.dkmsdeb.model.DebPackage;
import io.dkmsdeb.model.Trigger;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tukaani.xz.XZInputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
}

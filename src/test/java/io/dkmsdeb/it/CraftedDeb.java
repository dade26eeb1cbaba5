package io.dkmsdeb.it;

import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builds hostile or broken .deb files for the tests: any member order, any tar entry. */
final class CraftedDeb {
    /** One tar entry: type is one of TarConstants.LF_*. */
    record Entry(String name, byte type, byte[] content, String link, long declaredSize) {
        static Entry dir(String name) {
            return new Entry(name, TarConstants.LF_DIR, new byte[0], null, 0);
        }

        static Entry file(String name, String content) {
            byte[] b = content.getBytes(StandardCharsets.UTF_8);
            return new Entry(name, TarConstants.LF_NORMAL, b, null, b.length);
        }

        static Entry symlink(String name, String target) {
            return new Entry(name, TarConstants.LF_SYMLINK, new byte[0], target, 0);
        }

        static Entry hardlink(String name, String target) {
            return new Entry(name, TarConstants.LF_LINK, new byte[0], target, 0);
        }

        static Entry device(String name) {
            return new Entry(name, TarConstants.LF_CHR, new byte[0], null, 0);
        }

        static Entry fifo(String name) {
            return new Entry(name, TarConstants.LF_FIFO, new byte[0], null, 0);
        }
    }

    private CraftedDeb() {
    }

    static byte[] tar(List<Entry> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            for (Entry e : entries) {
                TarArchiveEntry t = new TarArchiveEntry(e.name(), e.type(), true);
                if (e.link() != null) {
                    t.setLinkName(e.link());
                }
                t.setSize(e.type() == TarConstants.LF_NORMAL ? e.content().length : 0);
                t.setMode(e.type() == TarConstants.LF_DIR ? 040755 : e.type() == TarConstants.LF_SYMLINK ? 0120777 : 0100644);
                tar.putArchiveEntry(t);
                tar.write(e.content());
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    /** A control.tar with a minimal control file. */
    static byte[] controlTar() throws IOException {
        return tar(List.of(Entry.file("./control", "Package: evil-dkms\nVersion: 1.0-1\nArchitecture: all\nMaintainer: E <e@example.org>\n"
                + "Description: evil\n")));
    }

    /** An ar archive with the given members in the given order. */
    static void write(Path deb, List<String> names, List<byte[]> contents) throws IOException {
        try (OutputStream file = Files.newOutputStream(deb); ArArchiveOutputStream ar = new ArArchiveOutputStream(file)) {
            for (int i = 0; i < names.size(); i++) {
                ar.putArchiveEntry(new ArArchiveEntry(names.get(i), contents.get(i).length, 0, 0, 0100644, 0));
                ar.write(contents.get(i));
                ar.closeArchiveEntry();
            }
        }
    }

    /** A well-formed package (uncompressed members) whose data.tar holds {@code data}. */
    static Path dkmsDeb(Path dir, String fileName, List<Entry> data) throws IOException {
        Path deb = dir.resolve(fileName);
        write(deb, List.of("debian-binary", "control.tar", "data.tar"),
                List.of("2.0\n".getBytes(StandardCharsets.US_ASCII), controlTar(), tar(data)));
        return deb;
    }

    /** The entries of a valid module tree at usr/src/evil-1.0, plus {@code extra}. */
    static List<Entry> moduleTree(Entry... extra) {
        List<Entry> e = new ArrayList<>(List.of(Entry.dir("./"), Entry.dir("./usr/"), Entry.dir("./usr/src/"), Entry.dir("./usr/src/evil-1.0/"),
                Entry.file("./usr/src/evil-1.0/dkms.conf", "PACKAGE_NAME=evil\nPACKAGE_VERSION=1.0\nBUILT_MODULE_NAME[0]=evil\n"
                        + "DEST_MODULE_LOCATION[0]=/updates/dkms\n"),
                Entry.file("./usr/src/evil-1.0/Kbuild", "obj-m := evil.o\n"),
                Entry.file("./usr/src/evil-1.0/evil.c", "#include <linux/module.h>\nMODULE_LICENSE(\"GPL\");\n")));
        e.addAll(List.of(extra));
        return e;
    }
}

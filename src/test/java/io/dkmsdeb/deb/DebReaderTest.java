package io.dkmsdeb.deb;

import io.dkmsdeb.model.deb.Compression;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A package that is cut short or damaged is refused with where it breaks off, never a bare "null". */
@Tag("unit")
class DebReaderTest {
    @TempDir
    Path work;

    /** Offset and length of the data of member {@code name}. */
    private static long[] member(byte[] deb, String name) throws Exception {
        try (ArArchiveInputStream ar = new ArArchiveInputStream(new ByteArrayInputStream(deb))) {
            for (ArArchiveEntry e; (e = ar.getNextEntry()) != null; ) {
                if (e.getName().equals(name)) {
                    return new long[] {ar.getBytesRead(), e.getLength()};
                }
            }
        }
        throw new AssertionError("no member " + name);
    }

    private Path write(String name, byte[] bytes) throws Exception {
        Path p = work.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static byte[] good() throws Exception {
        return DebWriterTest.write(DebWriterTest.pkg(DebWriterTest.entries()), Compression.XZ);
    }

    @Test
    void aPackageCutInsideDataTarSaysWhereItEnds() throws Exception {
        byte[] deb = good();
        long[] data = member(deb, "data.tar.xz");
        int cut = (int) (data[0] + data[1] / 2);
        Path p = write("cut.deb", Arrays.copyOf(deb, cut));
        assertThatThrownBy(() -> DebReader.read(p, DebReader.Limits.DEFAULT, e -> { }))
                .isInstanceOf(DebReader.BadPackageException.class)
                .hasMessage(p + " is truncated: it ends at byte " + cut + ", inside member data.tar.xz (bytes " + data[0] + " to "
                        + (data[0] + data[1]) + "); download or copy it again");
    }

    @Test
    void aPackageCutInsideControlTarSaysWhereItEnds() throws Exception {
        byte[] deb = good();
        long[] control = member(deb, "control.tar.xz");
        int cut = (int) (control[0] + 20);
        Path p = write("cut.deb", Arrays.copyOf(deb, cut));
        assertThatThrownBy(() -> DebReader.read(p, DebReader.Limits.DEFAULT, e -> { }))
                .hasMessageStartingWith(p + " is truncated: it ends at byte " + cut + ", inside member control.tar.xz")
                .hasMessageNotContaining("null");
    }

    @Test
    void aDamagedMemberIsNamedWithWhatIsWrong() throws Exception {
        byte[] deb = good();
        long[] data = member(deb, "data.tar.xz");
        byte[] bad = deb.clone();
        for (int i = 0; i < 16; i++) {
            bad[(int) (data[0] + data[1] / 2) + i] ^= (byte) 0x5a;
        }
        Path p = write("bad.deb", bad);
        assertThatThrownBy(() -> DebReader.read(p, DebReader.Limits.DEFAULT, e -> { }))
                .hasMessageStartingWith(p + " is damaged: member data.tar.xz (bytes " + data[0] + " to " + (data[0] + data[1]) + ") cannot be read: ")
                .hasMessageNotContaining("null").hasMessageEndingWith("; download or copy it again");
    }
}

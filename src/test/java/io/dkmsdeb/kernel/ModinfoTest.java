package io.dkmsdeb.kernel;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The .modinfo reader on ELF files made here: what a module holds, and hostile section tables refused with IOException. */
@Tag("unit")
class ModinfoTest {
    static final byte[] MODINFO = "version=1.0\0license=GPL\0alias=a\0alias=b\0vermagic=6.1.0-99-amd64 SMP mod_unload \0"
            .getBytes(StandardCharsets.UTF_8);
    static final byte[] NAMES = "\0.modinfo\0.shstrtab\0".getBytes(StandardCharsets.UTF_8);

    /**
     * A little-endian ELF64 file: header, .modinfo, .shstrtab, then three section headers (null, .modinfo, .shstrtab).
     * {@code modinfoOffset} and {@code shoff} let a test point them elsewhere; -1 keeps the true value.
     */
    static byte[] elf(long modinfoOffset, long shoff, int nameOffset) {
        int dataAt = 64;
        int namesAt = dataAt + MODINFO.length;
        int tableAt = namesAt + NAMES.length;
        ByteBuffer b = ByteBuffer.allocate(tableAt + 3 * 64).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0x464c457f);
        b.put(4, (byte) 2).put(5, (byte) 1).put(6, (byte) 1);
        b.putShort(0x10, (short) 1).putShort(0x12, (short) 62);
        b.putLong(0x28, shoff < 0 ? tableAt : shoff);
        b.putShort(0x34, (short) 64).putShort(0x3A, (short) 64).putShort(0x3C, (short) 3).putShort(0x3E, (short) 2);
        b.put(dataAt, MODINFO).put(namesAt, NAMES);
        int s1 = tableAt + 64;
        b.putInt(s1, nameOffset).putInt(s1 + 4, 1).putLong(s1 + 0x18, modinfoOffset < 0 ? dataAt : modinfoOffset).putLong(s1 + 0x20, MODINFO.length);
        int s2 = tableAt + 128;
        b.putInt(s2, 10).putInt(s2 + 4, 3).putLong(s2 + 0x18, namesAt).putLong(s2 + 0x20, NAMES.length);
        return b.array();
    }

    static byte[] elf() {
        return elf(-1, -1, 1);
    }

    @Test
    void readsTheKeysAndJoinsRepeatedOnes() throws IOException {
        assertThat(Modinfo.read(elf())).containsEntry("version", "1.0").containsEntry("license", "GPL").containsEntry("alias", "a, b")
                .containsEntry("vermagic", "6.1.0-99-amd64 SMP mod_unload ");
    }

    @Test
    void readsAnXzCompressedModule() throws IOException {
        ByteArrayOutputStream xz = new ByteArrayOutputStream();
        try (XZOutputStream out = new XZOutputStream(xz, new LZMA2Options())) {
            out.write(elf());
        }
        assertThat(Modinfo.read(xz.toByteArray())).containsEntry("version", "1.0");
    }

    @Test
    void aSectionWhoseOffsetPointsPastTheEndOfTheFileIsRefused() {
        byte[] hostile = elf(1L << 20, -1, 1);
        assertThatThrownBy(() -> Modinfo.read(hostile)).isInstanceOf(IOException.class).hasMessageContaining("ELF section 1 out of bounds");
    }

    @Test
    void aSectionTablePastTheEndOfTheFileIsRefused() {
        byte[] hostile = elf(-1, 1L << 20, 1);
        assertThatThrownBy(() -> Modinfo.read(hostile)).isInstanceOf(IOException.class).hasMessageContaining("section table out of bounds");
    }

    /** Offsets whose sums overflow a long, and a section name past the end, are refused as out of bounds. */
    @Test
    void overflowingOffsetsAndANamePastTheEndAreRefused() {
        byte[] offset = elf(Long.MAX_VALUE - 4, -1, 1);
        assertThatThrownBy(() -> Modinfo.read(offset)).isInstanceOf(IOException.class).hasMessageContaining("out of bounds");
        byte[] table = elf(-1, Long.MAX_VALUE - 100, 1);
        assertThatThrownBy(() -> Modinfo.read(table)).isInstanceOf(IOException.class).hasMessageContaining("out of bounds");
        byte[] name = elf(-1, -1, 1 << 20);
        assertThatThrownBy(() -> Modinfo.read(name)).isInstanceOf(IOException.class);
    }

    @Test
    void notElfAndNoModinfoAreSaidSo() {
        assertThatThrownBy(() -> Modinfo.read(new byte[100])).isInstanceOf(IOException.class).hasMessage("not an ELF file");
        byte[] noModinfo = elf(-1, -1, 11);
        assertThatThrownBy(() -> Modinfo.read(noModinfo)).isInstanceOf(IOException.class).hasMessageContaining("no .modinfo section");
    }

    @Test
    void elfMachineIsReadFromThePlainAndTheCompressedModule() throws IOException {
        byte[] arm = elf();
        ByteBuffer.wrap(arm).order(ByteOrder.LITTLE_ENDIAN).putShort(0x12, (short) 183);
        assertThat(Modinfo.elfMachine(elf())).isEqualTo(62);
        assertThat(Modinfo.elfMachine(arm)).isEqualTo(183);
        assertThat(Modinfo.elfMachine(ModuleCompressor.compress(arm, io.dkmsdeb.model.deb.Compression.XZ))).isEqualTo(183);
        assertThat(Modinfo.elfMachineOf("arm64")).isEqualTo(183);
        assertThat(Modinfo.elfMachineOf("amd64")).isEqualTo(62);
        assertThat(Modinfo.elfMachineOf("all")).isEqualTo(-1);
        assertThat(Modinfo.machineName(183)).isEqualTo("AArch64 (183)");
        assertThatThrownBy(() -> Modinfo.elfMachine("not an elf file at all".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class).hasMessageContaining("not an ELF file");
    }
}

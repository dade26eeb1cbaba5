package io.dkmsdeb.kernel;

import com.github.luben.zstd.ZstdInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.tukaani.xz.XZInputStream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a kernel module's {@code .modinfo} section (what {@code modinfo} shows) in Java, from a
 * plain, xz, zstd or gzip compressed module: an ELF file whose .modinfo holds NUL-separated
 * {@code key=value} strings ({@code vermagic}, {@code name}, {@code version}, ...).
 */
public final class Modinfo {
    private static final long MAX_MODULE = 256L << 20;
    /** ELF e_machine of the kernel modules of each Debian architecture, and its name as readelf shows it. */
    private static final Map<String, Integer> MACHINE_OF_ARCH = Map.ofEntries(
            Map.entry("amd64", 62), Map.entry("i386", 3), Map.entry("arm64", 183), Map.entry("armhf", 40), Map.entry("armel", 40),
            Map.entry("ppc64el", 21), Map.entry("ppc64", 21), Map.entry("s390x", 22), Map.entry("riscv64", 243),
            Map.entry("loong64", 258), Map.entry("mips64el", 8), Map.entry("mipsel", 8));
    private static final Map<Integer, String> MACHINE_NAMES = Map.of(62, "x86-64", 3, "Intel 80386", 183, "AArch64", 40, "ARM",
            21, "PowerPC64", 22, "IBM S/390", 243, "RISC-V", 258, "LoongArch", 8, "MIPS");

    private Modinfo() {
    }

    /** All key=value pairs; a key that repeats (alias, depends) keeps its values joined by ", ". */
    public static Map<String, String> read(byte[] file) throws IOException {
        byte[] elf = decompress(file);
        ByteBuffer b = ByteBuffer.wrap(elf);
        if (elf.length < 64 || b.getInt(0) != 0x7f454c46) {
            throw new IOException("not an ELF file");
        }
        boolean is64 = elf[4] == 2;
        b.order(elf[5] == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        long shoff = is64 ? b.getLong(0x28) : Integer.toUnsignedLong(b.getInt(0x20));
        int shentsize = Short.toUnsignedInt(b.getShort(is64 ? 0x3A : 0x2E));
        int shnum = Short.toUnsignedInt(b.getShort(is64 ? 0x3C : 0x30));
        int shstrndx = Short.toUnsignedInt(b.getShort(is64 ? 0x3E : 0x32));
        // every bound is checked without an addition that could overflow: the offsets come from the file
        if (shoff <= 0 || shnum == 0 || shstrndx >= shnum || shentsize < (is64 ? 0x28 : 0x18)
                || shoff > elf.length || (long) shnum * shentsize > elf.length - shoff) {
            throw new IOException("ELF section table out of bounds");
        }
        long[] strtab = section(b, is64, shoff, shentsize, shstrndx);
        for (int i = 0; i < shnum; i++) {
            long[] s = section(b, is64, shoff, shentsize, i);
            String name = cString(elf, strtab[1] + s[0]);
            if (name.equals(".modinfo")) {
                return parse(elf, s[1], s[2]);
            }
        }
        throw new IOException("no .modinfo section: not a kernel module");
    }

    /** The ELF header's e_machine of a module (plain or compressed): 62 for x86-64, 183 for AArch64, ... */
    public static int elfMachine(byte[] file) throws IOException {
        byte[] elf = decompress(file);
        if (elf.length < 20 || ByteBuffer.wrap(elf).getInt(0) != 0x7f454c46) {
            throw new IOException("not an ELF file");
        }
        return Short.toUnsignedInt(ByteBuffer.wrap(elf).order(elf[5] == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN).getShort(18));
    }

    /** The e_machine of the kernel modules of a Debian architecture, or -1 when dkms-deb does not know it. */
    public static int elfMachineOf(String debArch) {
        return MACHINE_OF_ARCH.getOrDefault(debArch, -1);
    }

    /** An e_machine as readelf names it ({@code AArch64}), with its number. */
    public static String machineName(int machine) {
        return MACHINE_NAMES.getOrDefault(machine, "machine") + " (" + machine + ")";
    }

    /** Section i: {name offset, file offset, size}. */
    private static long[] section(ByteBuffer b, boolean is64, long shoff, int shentsize, int i) throws IOException {
        int base = Math.toIntExact(shoff + (long) i * shentsize);
        long name = Integer.toUnsignedLong(b.getInt(base));
        long offset = is64 ? b.getLong(base + 0x18) : Integer.toUnsignedLong(b.getInt(base + 0x10));
        long size = is64 ? b.getLong(base + 0x20) : Integer.toUnsignedLong(b.getInt(base + 0x14));
        if (offset < 0 || size < 0 || offset > b.capacity() || size > b.capacity() - offset) {
            throw new IOException("ELF section " + i + " out of bounds");
        }
        return new long[] {name, offset, size};
    }

    private static Map<String, String> parse(byte[] elf, long offset, long size) {
        Map<String, String> info = new LinkedHashMap<>();
        List<String> entries = new ArrayList<>();
        int start = (int) offset;
        int end = (int) (offset + size);
        for (int i = start; i < end; i++) {
            if (elf[i] == 0) {
                if (i > start) {
                    entries.add(new String(elf, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        for (String e : entries) {
            int eq = e.indexOf('=');
            if (eq > 0) {
                info.merge(e.substring(0, eq), e.substring(eq + 1), (a, v) -> a + ", " + v);
            }
        }
        return info;
    }

    private static String cString(byte[] b, long at) throws IOException {
        if (at < 0 || at >= b.length) {
            throw new IOException("ELF section name out of bounds");
        }
        int i = (int) at;
        int s = i;
        while (i < b.length && b[i] != 0) {
            i++;
        }
        return new String(b, s, i - s, StandardCharsets.UTF_8);
    }

    /** The module's ELF bytes, decompressed by magic number. */
    public static byte[] decompress(byte[] file) throws IOException {
        InputStream in;
        if (file.length > 6 && (file[0] & 0xff) == 0xFD && file[1] == '7' && file[2] == 'z' && file[3] == 'X') {
            in = new XZInputStream(new ByteArrayInputStream(file));
        } else if (file.length > 4 && (file[0] & 0xff) == 0x28 && (file[1] & 0xff) == 0xB5 && (file[2] & 0xff) == 0x2F && (file[3] & 0xff) == 0xFD) {
            in = new ZstdInputStream(new ByteArrayInputStream(file));
        } else if (file.length > 2 && (file[0] & 0xff) == 0x1f && (file[1] & 0xff) == 0x8b) {
            in = new GzipCompressorInputStream(new ByteArrayInputStream(file));
        } else {
            return file;
        }
        try (in) {
            byte[] out = in.readNBytes((int) MAX_MODULE + 1);
            if (out.length > MAX_MODULE) {
                throw new IOException("module decompresses to more than " + MAX_MODULE + " bytes");
            }
            return out;
        }
    }
}

package io.dkmsdeb.kernel;

import com.github.luben.zstd.Zstd;
import io.dkmsdeb.deb.Gzip;
import io.dkmsdeb.model.deb.Compression;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZ;
import org.tukaani.xz.XZOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Compresses a module file the way the kernel's own {@code modules_install} does, so that kmod
 * and the kernel's in-kernel decompressor read it: xz with a CRC32 check and a 1 MiB dictionary
 * ({@code xz --check=crc32 --lzma2=dict=1MiB}), zstd at level 19 (the kernel's default), gzip -9
 * without name or time.
 */
public final class ModuleCompressor {
    private ModuleCompressor() {
    }

    public static byte[] compress(byte[] module, Compression compression) {
        try {
            return switch (compression) {
                case NONE -> module.clone();
                case XZ -> xz(module);
                case ZSTD -> Zstd.compress(module, 19);
                case GZIP -> Gzip.compress(module);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] xz(byte[] module) throws IOException {
        LZMA2Options options = new LZMA2Options(6);
        options.setDictSize(1 << 20);
        ByteArrayOutputStream out = new ByteArrayOutputStream(module.length / 3);
        try (XZOutputStream xz = new XZOutputStream(out, options, XZ.CHECK_CRC32)) {
            xz.write(module);
        }
        return out.toByteArray();
    }
}

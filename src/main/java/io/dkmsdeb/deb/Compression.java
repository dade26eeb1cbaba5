package io.dkmsdeb.deb;

import com.github.luben.zstd.ZstdOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.zip.Deflater;

/**
 * Compression of the control.tar and data.tar members, as dpkg-deb's {@code -Z}. Every variant
 * writes no name and no time of its own (gzip's header time is the package time), so equal input
 * gives equal bytes.
 */
public enum Compression {
    XZ(".xz"), GZIP(".gz"), ZSTD(".zst"), NONE("");

    private final String suffix;

    Compression(String suffix) {
        this.suffix = suffix;
    }

    /** The ar member name for {@code base} ("data.tar" gives "data.tar.xz"). */
    public String memberName(String base) {
        return base + suffix;
    }

    public static Compression parse(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        return switch (t) {
            case "xz" -> XZ;
            case "gzip", "gz" -> GZIP;
            case "zstd", "zst" -> ZSTD;
            case "none" -> NONE;
            default -> throw new IllegalArgumentException("unknown compression '" + text + "', expected xz, gzip, zstd or none");
        };
    }

    /**
     * Wraps {@code out}. xz uses preset 6 with a CRC64 check, split in blocks compressed on
     * {@code threads} threads; gzip level 9; zstd level 3 (dpkg-deb's defaults for each).
     */
    public OutputStream wrap(OutputStream out, long mtimeSeconds, int threads) throws IOException {
        return wrap(out, mtimeSeconds, threads, -1);
    }

    /** As {@link #wrap(OutputStream, long, int)}, knowing the input size (-1 when unknown). */
    public OutputStream wrap(OutputStream out, long mtimeSeconds, int threads, long inputSize) throws IOException {
        return switch (this) {
            case XZ -> new ParallelXzOutputStream(out, 6, threads, 0, inputSize);
            case GZIP -> {
                GzipParameters p = new GzipParameters();
                p.setCompressionLevel(Deflater.BEST_COMPRESSION);
                p.setModificationTime(0); // as dpkg-deb and gzip -n: the tar inside carries the times
                p.setOperatingSystem(3);
                yield new GzipCompressorOutputStream(out, p);
            }
            case ZSTD -> {
                ZstdOutputStream z = new ZstdOutputStream(out, 3);
                z.setChecksum(true);
                yield z;
            }
            case NONE -> new NonClosingOutputStream(out, true);
        };
    }

    /** Passes writes through; {@code close()} only flushes (used for "none"). */
    static final class NonClosingOutputStream extends java.io.FilterOutputStream {
        private final boolean closeUnderlying;

        NonClosingOutputStream(OutputStream out, boolean closeUnderlying) {
            super(out);
            this.closeUnderlying = closeUnderlying;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            if (closeUnderlying) {
                out.close();
            } else {
                out.flush();
            }
        }
    }
}

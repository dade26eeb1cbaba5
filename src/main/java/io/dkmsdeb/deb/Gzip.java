package io.dkmsdeb.deb;

import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.zip.Deflater;

/**
 * gzip as {@code gzip -9n} writes it: level 9, no file name, a zero time stamp, Unix as the
 * operating system, so that equal input gives equal bytes (lintian:
 * package-contains-timestamped-gzip). The one gzip writer of dkms-deb: package members, doc
 * files, kernel modules and man pages.
 */
public final class Gzip {
    private Gzip() {
    }

    /** A gzip stream over {@code out}; closing it closes {@code out}. */
    public static OutputStream stream(OutputStream out) throws IOException {
        GzipParameters p = new GzipParameters();
        p.setCompressionLevel(Deflater.BEST_COMPRESSION);
        p.setModificationTime(0); // the content (a tar, a changelog) carries its own times
        p.setOperatingSystem(3);
        return new GzipCompressorOutputStream(out, p);
    }

    /** {@code data} gzipped. */
    public static byte[] compress(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, data.length / 3));
        try (OutputStream gz = stream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

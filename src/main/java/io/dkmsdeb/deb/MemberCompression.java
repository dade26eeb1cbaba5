package io.dkmsdeb.deb;

import com.github.luben.zstd.ZstdOutputStream;
import io.dkmsdeb.model.deb.Compression;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Compression of the control.tar and data.tar members, as dpkg-deb's {@code -Z}. Every variant
 * writes no name and no time of its own, so equal input gives equal bytes.
 */
final class MemberCompression {
    private MemberCompression() {
    }

    /**
     * Wraps {@code out}; closing the result closes {@code out}. xz uses preset 6 with a CRC64
     * check, split in blocks compressed on {@code threads} threads; gzip level 9; zstd level 3
     * (dpkg-deb's defaults for each).
     *
     * @param inputSize the size of what will be written, -1 when unknown
     */
    static OutputStream wrap(Compression c, OutputStream out, int threads, long inputSize) throws IOException {
        return switch (c) {
            case XZ -> new ParallelXzOutputStream(out, 6, threads, 0, inputSize);
            case GZIP -> Gzip.stream(out);
            case ZSTD -> {
                ZstdOutputStream z = new ZstdOutputStream(out, 3);
                z.setChecksum(true);
                yield z;
            }
            case NONE -> out;
        };
    }
}

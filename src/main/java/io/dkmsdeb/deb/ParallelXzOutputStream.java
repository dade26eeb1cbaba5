package io.dkmsdeb.deb;

import org.tukaani.xz.FinishableOutputStream;
import org.tukaani.xz.FinishableWrapperOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.UnsupportedOptionsException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;

/**
 * An .xz stream whose input is cut into fixed-size blocks that are LZMA2-compressed on several
 * threads, as {@code xz -T} does. The block size does not depend on the number of threads, so the
 * bytes written are the same whatever the thread count. One block per dictionary size (8 MiB at
 * preset 6: smaller blocks than xz's 3 x dictionary keep two threads busy on packages of a few
 * dozen MiB, for a ratio within a few per mille), CRC64 check, block headers carrying both sizes.
 */
final class ParallelXzOutputStream extends OutputStream {
    private static final byte[] MAGIC = {(byte) 0xFD, '7', 'z', 'X', 'Z', 0};
    private static final int CHECK_CRC64 = 0x04;
    private static final int SLICE = 256 << 10;

    private final OutputStream out;
    private final LZMA2Options options;
    private final int blockSize;
    private final int maxPending;
    private final ExecutorService pool;
    private final Deque<Future<Block>> pending = new ArrayDeque<>();
    private final ByteArrayOutputStream index = new ByteArrayOutputStream();
    private long records;
    private byte[] buffer;
    private int filled;
    private boolean closed;

    ParallelXzOutputStream(OutputStream out, int preset, int threads) throws IOException {
        this(out, preset, threads, 0, -1);
    }

    /**
     * @param blockSizeOverride block size, 0 for the dictionary size
     * @param totalSize         the number of bytes that will be written when known, else -1:
     *                          the dictionary is then no larger than the input (rounded up to a
     *                          power of two, at least 64 KiB), which saves the encoder most of its
     *                          memory on small packages and does not change the ratio
     */
    ParallelXzOutputStream(OutputStream out, int preset, int threads, int blockSizeOverride, long totalSize) throws IOException {
        this.out = out;
        try {
            this.options = new LZMA2Options(preset);
        } catch (UnsupportedOptionsException e) {
            throw new IllegalArgumentException("xz preset must be 0-9: " + preset, e);
        }
        if (totalSize >= 0 && totalSize < options.getDictSize()) {
            options.setDictSize((int) Math.max(64 << 10, Long.highestOneBit(Math.max(1, totalSize - 1)) << 1));
        }
        this.blockSize = blockSizeOverride > 0 ? blockSizeOverride : options.getDictSize();
        int n = Math.max(1, threads);
        this.maxPending = n + 1;
        this.pool = n == 1 ? null : Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "xz-block");
            t.setDaemon(true);
            return t;
        });
        out.write(MAGIC);
        byte[] flags = {0, CHECK_CRC64};
        out.write(flags);
        writeInt32(out, crc32(flags, 0, 2));
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (buffer == null) {
                buffer = new byte[blockSize];
                filled = 0;
            }
            int n = Math.min(len, blockSize - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == blockSize) {
                submit();
            }
        }
    }

    private void submit() throws IOException {
        byte[] data = buffer;
        int size = filled;
        buffer = null;
        filled = 0;
        if (pool == null) {
            writeBlock(compress(data, size));
            return;
        }
        pending.add(pool.submit(() -> compress(data, size)));
        while (pending.size() >= maxPending) {
            writeBlock(await(pending.removeFirst()));
        }
    }

    private Block compress(byte[] data, int size) throws IOException {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream(size / 3 + 64);
        FinishableOutputStream lzma2 = options.getOutputStream(new FinishableWrapperOutputStream(compressed));
        // in slices, so that abort() stops a pool thread within one slice (the bytes do not depend on the slicing)
        for (int off = 0; off < size; off += SLICE) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("xz compression aborted");
            }
            lzma2.write(data, off, Math.min(SLICE, size - off));
        }
        lzma2.finish();
        return new Block(compressed.toByteArray(), size, Crc64.of(data, 0, size));
    }

    private void writeBlock(Block block) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.write(0); // size placeholder
        header.write(0xC0); // one filter, compressed and uncompressed sizes present
        writeVarint(header, block.compressed.length);
        writeVarint(header, block.uncompressedSize);
        writeVarint(header, 0x21); // LZMA2
        writeVarint(header, 1);
        header.write(dictSizeProperty(options.getDictSize()));
        while ((header.size() + 4) % 4 != 0) {
            header.write(0);
        }
        byte[] h = header.toByteArray();
        h[0] = (byte) ((h.length + 4) / 4 - 1);
        out.write(h);
        writeInt32(out, crc32(h, 0, h.length));
        out.write(block.compressed);
        int padding = (4 - block.compressed.length % 4) % 4;
        out.write(new byte[padding]);
        writeInt64(out, block.crc64);
        long unpadded = h.length + 4L + block.compressed.length + 8;
        writeVarint(index, unpadded);
        writeVarint(index, block.uncompressedSize);
        records++;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (filled > 0) {
                submit();
            }
            while (!pending.isEmpty()) {
                writeBlock(await(pending.removeFirst()));
            }
            writeIndexAndFooter();
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
            out.close();
        }
    }

    /**
     * Gives up: the blocks being compressed are dropped, their threads stopped, the index and footer
     * never written (what was written so far is not an .xz stream), and the underlying stream closed.
     */
    void abort() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        pending.forEach(f -> f.cancel(true));
        pending.clear();
        if (pool != null) {
            pool.shutdownNow();
        }
        out.close();
    }

    private void writeIndexAndFooter() throws IOException {
        ByteArrayOutputStream idx = new ByteArrayOutputStream();
        idx.write(0);
        writeVarint(idx, records);
        index.writeTo(idx);
        while (idx.size() % 4 != 0) {
            idx.write(0);
        }
        byte[] indexBytes = idx.toByteArray();
        out.write(indexBytes);
        writeInt32(out, crc32(indexBytes, 0, indexBytes.length));
        byte[] footer = new byte[6];
        long backward = (indexBytes.length + 4) / 4 - 1;
        for (int i = 0; i < 4; i++) {
            footer[i] = (byte) (backward >>> (8 * i));
        }
        footer[4] = 0;
        footer[5] = CHECK_CRC64;
        writeInt32(out, crc32(footer, 0, 6));
        out.write(footer);
        out.write('Y');
        out.write('Z');
    }

    private static Block await(Future<Block> future) throws IOException {
        return Futures.get(future, "compressing an xz block");
    }

    /** The LZMA2 filter property byte: the smallest encoded dictionary size not below {@code dictSize}. */
    static int dictSizeProperty(int dictSize) {
        for (int p = 0; p < 40; p++) {
            long size = (2L | (p & 1)) << (p / 2 + 11);
            if (size >= dictSize) {
                return p;
            }
        }
        return 40;
    }

    private static long crc32(byte[] b, int off, int len) {
        CRC32 crc = new CRC32();
        crc.update(b, off, len);
        return crc.getValue();
    }

    private static void writeVarint(OutputStream o, long value) throws IOException {
        while (value >= 0x80) {
            o.write((int) (value | 0x80));
            value >>>= 7;
        }
        o.write((int) value);
    }

    private static void writeInt32(OutputStream o, long v) throws IOException {
        for (int i = 0; i < 4; i++) {
            o.write((int) (v >>> (8 * i)));
        }
    }

    private static void writeInt64(OutputStream o, long v) throws IOException {
        for (int i = 0; i < 8; i++) {
            o.write((int) (v >>> (8 * i)));
        }
    }

    private record Block(byte[] compressed, long uncompressedSize, long crc64) {
    }

    /** CRC-64 as xz uses it (ECMA-182 polynomial, reflected). */
    static final class Crc64 {
        private static final long[] TABLE = new long[256];

        static {
            for (int i = 0; i < 256; i++) {
                long r = i;
                for (int j = 0; j < 8; j++) {
                    r = (r & 1) != 0 ? (r >>> 1) ^ 0xC96C5795D7870F42L : r >>> 1;
                }
                TABLE[i] = r;
            }
        }

        static long of(byte[] b, int off, int len) {
            long crc = -1L;
            for (int i = off; i < off + len; i++) {
                crc = TABLE[(int) ((crc ^ b[i]) & 0xFF)] ^ (crc >>> 8);
            }
            return ~crc;
        }
    }
}

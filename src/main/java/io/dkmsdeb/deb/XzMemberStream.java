package io.dkmsdeb.deb;

import io.dkmsdeb.support.TempFiles;
import io.dkmsdeb.process.ProcessRunner;
import io.dkmsdeb.support.Daemons;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.FutureTask;

/**
 * An .xz member compressed while it is written: the stream an {@link XzEncoder.Producer} writes into.
 *
 * <p>The first dictionary's worth of bytes (8 MiB, preset 6) is held in memory, since the encoder's
 * dictionary depends on whether the member is smaller, unless the member's size given beforehand
 * says it is not (the encoder then starts with the first byte). A smaller member is compressed from a
 * temporary file when it is complete, as {@link XzEncoder#compress(Path, Path, int)} would. A larger
 * one starts the encoder as soon as the dictionary is full, and the rest flows straight on: to xz
 * through a named pipe in a temporary directory beside {@code out} (xz run by {@link ProcessRunner}
 * on a thread of its own, reading the pipe as its standard input), or to xz-java. xz's blocks are
 * cut by the member's size given beforehand ({@link XzEncoder#blockSize(long)}), since xz is started
 * before the member is complete. Either way the compressed bytes equal those of the same input
 * compressed from a file when that size is right.
 *
 * <p>{@link #finish()} ends a complete member, {@link #abort()} a failed one; both leave no
 * process, thread, pipe or held file behind. {@link #close()} and {@link #flush()} do nothing: a tar
 * writer calls them, and neither may end the member or cut the stream in pieces.
 */
final class XzMemberStream extends OutputStream {
    private static final int HEAD = 8 << 20;
    private static final Duration MKFIFO_TIMEOUT = Duration.ofSeconds(30);
    private final XzEncoder encoder;
    private final Path out;
    private final int threads;
    private final int blockSize;
    private final long size;
    private byte[] head = new byte[64 << 10];
    private int held;
    private OutputStream sink;
    private Path pipeDir;
    private Path pipe;
    private FutureTask<ProcessRunner.Captured> xz;

    /**
     * @param blockSize the block size, 0 for the one {@code size} picks (xz-java: its own)
     * @param size      the number of bytes the member will have, -1 when not known
     */
    XzMemberStream(XzEncoder encoder, Path out, int threads, int blockSize, long size) {
        this.encoder = encoder;
        this.out = out;
        this.threads = threads;
        this.blockSize = blockSize;
        this.size = size;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (sink == null && size >= HEAD && len > 0) {
            start(-1); // a member known to fill the dictionary needs no bytes held to choose it
        }
        if (sink == null) {
            int n = Math.min(len, HEAD - held);
            if (held + n > head.length) {
                head = Arrays.copyOf(head, (int) Math.min(HEAD, Math.max(2L * head.length, held + n)));
            }
            System.arraycopy(b, off, head, held, n);
            held += n;
            off += n;
            len -= n;
            if (held < HEAD) {
                return;
            }
            start(-1);
        }
        if (len > 0) {
            toSink(b, off, len);
        }
    }

    @Override
    public void flush() {
        // what is buffered goes to the encoder when the buffer is full or the member finished
    }

    @Override
    public void close() {
        // a producer's close (a tar closing what it wraps) does not end the member: finish() does
    }

    /** Starts the encoder for {@code complete} bytes (-1: at least a dictionary) and hands it the bytes held. */
    private void start(long complete) throws IOException {
        long dictFor = complete < 0 ? HEAD : complete;
        if (encoder.isNative()) {
            pipeDir = TempFiles.directory(out.toAbsolutePath().getParent(), "xz");
            Path pipe = pipeDir.resolve("in");
            this.pipe = pipe;
            // (no named pipe in Java's API; mkfifo is in coreutils, which every Debian system has)
            ProcessRunner.Captured made = ProcessRunner.capture(List.of("mkfifo", "-m", "600", pipe.toString()), null, null,
                    MKFIFO_TIMEOUT);
            if (made.exit() != 0) {
                throw new IOException("cannot make a pipe for xz in " + pipeDir + ": " + made.lastLine());
            }
            List<String> cmd = encoder.command(threads, blockSize, dictFor, size);
            xz = new FutureTask<>(() -> {
                try {
                    return ProcessRunner.filter(cmd, XzEncoder.environment(), pipe, out, XzEncoder.COMPRESS_TIMEOUT);
                } finally {
                    // when xz never opened the pipe, this open lets the writer's open below return (and fail on writing)
                    new RandomAccessFile(pipe.toFile(), "rw").close();
                }
            });
            Daemons.start("dkms-deb xz", xz);
            sink = new BufferedOutputStream(new FileOutputStream(pipe.toFile()), 1 << 16);
        } else {
            sink = encoder.javaStream(out, threads, blockSize, dictFor);
        }
        byte[] bytes = head;
        head = null;
        toSink(bytes, 0, held);
    }

    private void toSink(byte[] b, int off, int len) throws IOException {
        try {
            sink.write(b, off, len);
        } catch (IOException e) {
            throw xzFailure(e); // a closed pipe: xz ended early, say why
        }
    }

    /** The member is complete: the encoder is given its end and waited for. */
    void finish() throws IOException {
        if (sink == null && encoder.isNative()) {
            compressHeld();
            return;
        }
        if (sink == null) {
            start(held);
        }
        OutputStream s = sink;
        sink = null;
        try {
            s.close();
        } catch (IOException e) {
            throw xzFailure(e);
        }
        if (xz != null) {
            XzEncoder.check(await());
        }
        removePipe();
    }

    /** A member smaller than a dictionary, held whole: xz reads it from a file (no pipe, no thread). */
    private void compressHeld() throws IOException {
        Path file = TempFiles.file(out.toAbsolutePath().getParent(), "member", ".tar");
        try {
            try (OutputStream o = Files.newOutputStream(file)) {
                o.write(head, 0, held);
            }
            XzEncoder.check(ProcessRunner.filter(encoder.command(threads, blockSize, held, held), XzEncoder.environment(), file, out,
                    XzEncoder.COMPRESS_TIMEOUT));
        } finally {
            TempFiles.delete(file);
        }
    }

    /** The producer failed: the encoder is stopped and waited for, its pipe removed; {@code out} is the caller's to delete. */
    void abort() throws IOException {
        OutputStream s = sink;
        sink = null;
        try {
            if (s instanceof ParallelXzOutputStream p) {
                p.abort();
            } else if (s != null) {
                s.close(); // xz reads the end and exits; what it wrote is deleted with out
            }
        } catch (IOException e) {
            // xz ended already: await() below reports nothing more useful than the producer's failure
        } finally {
            if (xz != null) {
                try {
                    if (Files.exists(pipe)) {
                        new RandomAccessFile(pipe.toFile(), "rw").close(); // xz may still wait for a writer to open the pipe
                    }
                    await();
                } catch (IOException e) {
                    // the producer's failure is the one to report
                }
            }
            removePipe();
        }
    }

    /** {@code writeFailure} with xz's own report in front when xz failed, once xz has ended. */
    private IOException xzFailure(IOException writeFailure) throws IOException {
        if (xz == null) {
            return writeFailure;
        }
        try {
            XzEncoder.check(await());
        } catch (IOException e) {
            e.addSuppressed(writeFailure);
            return e;
        }
        return writeFailure;
    }

    private ProcessRunner.Captured await() throws IOException {
        return Futures.get(xz, "running xz for a package member");
    }

    private void removePipe() throws IOException {
        if (pipeDir != null) {
            TempFiles.delete(pipeDir);
            pipeDir = null;
        }
    }
}

package io.dkmsdeb.deb;

import io.dkmsdeb.process.ProcessRunner;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The encoder of the {@code .xz} members: xz-utils' {@code xz} program (liblzma, as dpkg-deb
 * uses) when it is on {@code PATH} and is 5.4 or later, else xz-java ({@link ParallelXzOutputStream}).
 * {@code DKMS_DEB_XZ=java} forces xz-java.
 *
 * <p>{@code xz} always runs its multi-threaded encoder ({@code -T+1} for one thread) with a fixed
 * block size, preset 6 and a CRC64 check; its options come only from here ({@code XZ_OPT} and
 * {@code XZ_DEFAULTS} are removed from its environment). The multi-threaded encoder cuts the input
 * at the same places whatever the thread count, so its bytes depend on the input and on the
 * xz-utils version only, not on the machine's cores.
 *
 * <p>A member can also be compressed while it is written ({@link #compress(Producer, Path, int)}):
 * its bytes then flow to {@code xz} through a named pipe, and the result equals that of the same
 * bytes compressed from a file.
 */
public record XzEncoder(Path program, String name) {
    /** The environment variable that picks the encoder: {@code java} forces xz-java. */
    public static final String ENV = "DKMS_DEB_XZ";
    /** xz-java: no program. */
    public static final XzEncoder JAVA = new XzEncoder(null, "xz-java");
    static final int PRESET = 6;
    /**
     * The block size: three times preset 6's dictionary, xz's own default and so dpkg-deb's. Blocks of
     * one dictionary (8 MiB) made a 50 MB tree of kernel headers 4 % bigger than dpkg-deb's package.
     */
    static final int BLOCK_SIZE = 24 << 20;
    private static final Pattern VERSION = Pattern.compile("xz \\(XZ Utils\\) (\\d+)\\.(\\d+)\\.(\\d+)");
    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration COMPRESS_TIMEOUT = Duration.ofHours(12);
    private static volatile XzEncoder selected;

    /** The encoder of this process, chosen once from {@code DKMS_DEB_XZ} and {@code PATH}. */
    public static XzEncoder selected() {
        XzEncoder e = selected;
        if (e == null) {
            synchronized (XzEncoder.class) {
                if (selected == null) {
                    selected = select(System.getenv(ENV), System.getenv("PATH"));
                }
                e = selected;
            }
        }
        return e;
    }

    /** xz-java when {@code force} is "java" or no usable {@code xz} is in {@code path}, else that {@code xz}. */
    static XzEncoder select(String force, String path) {
        if ("java".equals(force)) {
            return JAVA;
        }
        Path xz = onPath("xz", path);
        if (xz == null) {
            return JAVA;
        }
        String version = version(xz);
        return version == null ? JAVA : new XzEncoder(xz, "xz-utils " + version);
    }

    public boolean isNative() {
        return program != null;
    }

    private static Path onPath(String program, String path) {
        if (path == null) {
            return null;
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, program);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** "5.4.1" from {@code xz --version}, or null when it does not run or is older than 5.4 (no {@code -T+1}). */
    private static String version(Path xz) {
        try {
            ProcessRunner.Captured c = ProcessRunner.capture(List.of(xz.toString(), "--version"), null, null, VERSION_TIMEOUT);
            Matcher m = VERSION.matcher(c.stdoutText());
            if (c.exit() != 0 || !m.find()) {
                return null;
            }
            int major = Integer.parseInt(m.group(1));
            int minor = Integer.parseInt(m.group(2));
            return major > 5 || (major == 5 && minor >= 4) ? m.group(1) + "." + m.group(2) + "." + m.group(3) : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /**
     * Compresses the file {@code in} into the file {@code out} on {@code threads} threads.
     *
     * @throws IOException when xz fails (the message quotes it)
     */
    void compress(Path in, Path out, int threads) throws IOException {
        compress(in, out, threads, BLOCK_SIZE);
    }

    void compress(Path in, Path out, int threads, int blockSize) throws IOException {
        long size = Files.size(in);
        if (!isNative()) {
            try (OutputStream z = javaStream(out, threads, blockSize, size)) {
                Files.copy(in, z);
            }
            return;
        }
        check(ProcessRunner.filter(command(threads, blockSize, size), environment(), in, out, COMPRESS_TIMEOUT));
    }

    /** Writes a member's uncompressed bytes. It may close the stream it is given; that only flushes it. */
    @FunctionalInterface
    public interface Producer {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Compresses what {@code producer} writes into the file {@code out} on {@code threads} threads,
     * while it writes: the first dictionary's worth (8 MiB) is held in memory until it is known
     * whether the member is smaller (then its dictionary is cut to its size, as
     * {@link #compress(Path, Path, int)} does, and xz reads it from a file); the rest is not kept. The bytes equal those of that method for the
     * same input. When the producer or xz fails, xz and the threads started here have ended before
     * this returns and nothing of them is left but {@code out}, which the caller deletes.
     *
     * @throws IOException what the producer threw, or the failure of xz (the message quotes it)
     */
    void compress(Producer producer, Path out, int threads) throws IOException {
        compress(producer, out, threads, BLOCK_SIZE);
    }

    void compress(Producer producer, Path out, int threads, int blockSize) throws IOException {
        StreamingMember member = new StreamingMember(out, threads, blockSize);
        boolean finished = false;
        try {
            producer.writeTo(member);
            member.finish();
            finished = true;
        } finally {
            if (!finished) {
                member.abort();
            }
        }
    }

    private OutputStream javaStream(Path out, int threads, int blockSize, long size) throws IOException {
        return new ParallelXzOutputStream(new BufferedOutputStream(Files.newOutputStream(out), 1 << 16),
                PRESET, threads, blockSize == BLOCK_SIZE ? 0 : blockSize, size);
    }

    /** The xz command line for {@code size} bytes of input ({@code size} at least the dictionary: preset 6's dictionary). */
    private List<String> command(int threads, int blockSize, long size) {
        return new ArrayList<>(List.of(program.toString(), "--compress", "--stdout", "--format=xz", "--check=crc64",
                "--lzma2=preset=" + PRESET + ",dict=" + dictSize(size), "--block-size=" + blockSize,
                "--threads=" + (threads <= 1 ? "+1" : Integer.toString(threads)), "--no-adjust", "--quiet"));
    }

    private static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("XZ_OPT");
        env.remove("XZ_DEFAULTS");
        return env;
    }

    private static void check(ProcessRunner.Captured c) throws IOException {
        if (c.exit() != 0) {
            throw new IOException("xz failed (exit " + c.exit() + ") compressing a package member: "
                    + (c.timedOut() ? "it ran longer than " + COMPRESS_TIMEOUT.toHours() + " hours" : c.lastLine())
                    + "; set " + ENV + "=java to use the built-in encoder");
        }
    }

    /** Preset 6's 8 MiB dictionary, or the input's size rounded up to a power of two (at least 64 KiB) when smaller, as xz-java. */
    static int dictSize(long size) {
        int preset = 8 << 20;
        return size < preset ? (int) Math.max(64 << 10, Long.highestOneBit(Math.max(1, size - 1)) << 1) : preset;
    }

    /**
     * The stream a {@link Producer} writes into. It holds the first dictionary's worth of bytes;
     * once that is full, or the producer is done, the encoder starts (xz reading a named pipe in a
     * temporary directory beside {@code out}, run by {@link ProcessRunner} on a thread of its own, or xz-java)
     * and everything goes on to it.
     */
    private final class StreamingMember extends OutputStream {
        private static final int HEAD = 8 << 20;
        private final Path out;
        private final int threads;
        private final int blockSize;
        private byte[] head = new byte[64 << 10];
        private int held;
        private OutputStream sink;
        private Path pipeDir;
        private Path pipe;
        private FutureTask<ProcessRunner.Captured> xz;

        StreamingMember(Path out, int threads, int blockSize) {
            this.out = out;
            this.threads = threads;
            this.blockSize = blockSize;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
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
            // the pipe is flushed when the member is finished; a tar's flush must not cost a system call each
        }

        @Override
        public void close() {
            // a producer's close (a tar closing what it wraps) does not end the member: finish() does
        }

        /** Starts the encoder for {@code size} bytes (-1: at least a dictionary) and hands it the bytes held. */
        private void start(long size) throws IOException {
            long dictFor = size < 0 ? HEAD : size;
            if (isNative()) {
                pipeDir = Files.createTempDirectory(out.toAbsolutePath().getParent(), "dkms-deb-xz");
                Path pipe = pipeDir.resolve("in");
                this.pipe = pipe;
                ProcessRunner.Captured made = ProcessRunner.capture(List.of("mkfifo", "-m", "600", pipe.toString()), null, null,
                        VERSION_TIMEOUT);
                if (made.exit() != 0) {
                    throw new IOException("cannot make a pipe for xz in " + pipeDir + ": " + made.lastLine());
                }
                List<String> cmd = command(threads, blockSize, dictFor);
                xz = new FutureTask<>(() -> {
                    try {
                        return ProcessRunner.filter(cmd, environment(), pipe, out, COMPRESS_TIMEOUT);
                    } finally {
                        // when xz never opened the pipe, this open lets the writer's open below return (and fail on writing)
                        new RandomAccessFile(pipe.toFile(), "rw").close();
                    }
                });
                Thread t = new Thread(xz, "dkms-deb xz");
                t.setDaemon(true);
                t.start();
                sink = new BufferedOutputStream(new FileOutputStream(pipe.toFile()), 1 << 16);
            } else {
                sink = javaStream(out, threads, blockSize, size < 0 ? HEAD : size);
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
            if (sink == null && isNative()) {
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
                check(await());
            }
            removePipe();
        }

        /** A member smaller than a dictionary, held whole: xz reads it from a file (no pipe, no thread). */
        private void compressHeld() throws IOException {
            Path file = Files.createTempFile(out.toAbsolutePath().getParent(), "dkms-deb-member", ".tar");
            try {
                try (OutputStream o = Files.newOutputStream(file)) {
                    o.write(head, 0, held);
                }
                check(ProcessRunner.filter(command(threads, blockSize, held), environment(), file, out, COMPRESS_TIMEOUT));
            } finally {
                Files.deleteIfExists(file);
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
                check(await());
            } catch (IOException e) {
                e.addSuppressed(writeFailure);
                return e;
            }
            return writeFailure;
        }

        private ProcessRunner.Captured await() throws IOException {
            try {
                return xz.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while xz compressed a package member");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IOException("xz could not be run: " + e.getCause(), e.getCause());
            }
        }

        private void removePipe() throws IOException {
            if (pipeDir != null) {
                Files.deleteIfExists(pipeDir.resolve("in"));
                Files.deleteIfExists(pipeDir);
                pipeDir = null;
            }
        }
    }
}

package io.dkmsdeb.deb;

import io.dkmsdeb.process.ProcessRunner;
import io.dkmsdeb.support.Daemons;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The encoder of the {@code .xz} members: xz-utils' {@code xz} program (liblzma, as dpkg-deb
 * uses) when it is on {@code PATH} and is 5.4 or later, else xz-java ({@link ParallelXzOutputStream}).
 * {@code DKMS_DEB_XZ=java} forces xz-java.
 *
 * <p>{@code xz} always runs its multi-threaded encoder ({@code -T+1} for one thread) with a block
 * size chosen from the member's size alone ({@link #blockSize(long)}), preset 6 and a CRC64 check;
 * its options come only from here ({@code XZ_OPT} and {@code XZ_DEFAULTS} are removed from its
 * environment). The multi-threaded encoder cuts the input at the same places whatever the thread
 * count, so its bytes depend on the input and on the xz-utils version only, not on the machine's
 * cores.
 *
 * <p>A member can also be compressed while it is written ({@link #compress(Producer, long, Path, int)}):
 * its bytes then flow to {@code xz} through a named pipe, and the result equals that of the same
 * bytes compressed from a file when the size given beforehand is the member's.
 */
public record XzEncoder(Path program, String name) {
    /** The environment variable that picks the encoder: {@code java} forces xz-java. */
    public static final String ENV = "DKMS_DEB_XZ";
    /** xz-java: no program. */
    public static final XzEncoder JAVA = new XzEncoder(null, "xz-java");
    static final int PRESET = 6;
    /**
     * The largest block: three times preset 6's dictionary, xz's own default and so dpkg-deb's. Blocks
     * of one dictionary (8 MiB) made a 50 MB tree of kernel headers 4 % bigger than dpkg-deb's package.
     */
    static final int BLOCK_SIZE = 24 << 20;
    /** Blocks are cut at multiples of this. */
    private static final int BLOCK_ALIGN = 4 << 10;
    private static final Pattern VERSION = Pattern.compile("xz \\(XZ Utils\\) (\\d+)\\.(\\d+)\\.(\\d+)");
    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(30);
    static final Duration COMPRESS_TIMEOUT = Duration.ofHours(12);
    private static volatile XzEncoder selected;
    /** The environment the encoder is chosen from and xz runs in ({@link #useEnvironment}). */
    private static volatile Map<String, String> environment = Map.of("PATH", "/usr/local/bin:/usr/bin:/bin");

    /**
     * The environment of this process, given once by the command line before any package is written:
     * {@value #ENV} and {@code PATH} choose the encoder, and xz runs in it (without XZ_OPT and XZ_DEFAULTS).
     */
    public static synchronized void useEnvironment(Map<String, String> env) {
        environment = Map.copyOf(env);
        selected = null;
    }

    /** Chooses the encoder on a thread of its own (it runs {@code xz --version}), so that {@link #selected()} finds it made. */
    public static void selectInBackground() {
        if (selected == null) {
            Daemons.start("xz-select", XzEncoder::selected);
        }
    }

    /** The encoder of this process, chosen once from {@code DKMS_DEB_XZ} and {@code PATH}. */
    public static XzEncoder selected() {
        XzEncoder e = selected;
        if (e == null) {
            synchronized (XzEncoder.class) {
                if (selected == null) {
                    selected = select(environment.get(ENV), environment.get("PATH"));
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
     * The block size of {@code xz} for a member of {@code size} bytes (-1: not known): {@link #BLOCK_SIZE}
     * when it fits in one such block or its size is not known, else the member cut into an even
     * number of blocks of about the same size, each at most {@link #BLOCK_SIZE} (rounded up to 4 KiB).
     * With blocks of 24 MiB, the 59 MB data tar of a tree of kernel headers was three blocks (24, 24
     * and 11 MiB): on two threads one of them idled through the last third. As four blocks of 14 MiB
     * both threads work to the end, for a package 0.6 % bigger than dpkg-deb's. Only the size
     * decides, never the thread count, so the bytes stay the same on any machine.
     */
    static int blockSize(long size) {
        if (size <= BLOCK_SIZE) {
            return BLOCK_SIZE;
        }
        long blocks = (size + BLOCK_SIZE - 1) / BLOCK_SIZE;
        blocks += blocks % 2;
        long block = (size + blocks - 1) / blocks;
        return (int) ((block + BLOCK_ALIGN - 1) / BLOCK_ALIGN * BLOCK_ALIGN);
    }

    /**
     * Compresses the file {@code in} into the file {@code out} on {@code threads} threads.
     *
     * @throws IOException when xz fails (the message quotes it)
     */
    void compress(Path in, Path out, int threads) throws IOException {
        compress(in, out, threads, 0);
    }

    /** @param blockSize the block size, 0 for the one the member's size picks ({@link #blockSize(long)}; xz-java: its own) */
    void compress(Path in, Path out, int threads, int blockSize) throws IOException {
        long size = Files.size(in);
        if (!isNative()) {
            try (OutputStream z = javaStream(out, threads, blockSize, size)) {
                Files.copy(in, z);
            }
            return;
        }
        check(ProcessRunner.filter(command(threads, blockSize, size, size), environment(), in, out, COMPRESS_TIMEOUT));
    }

    /** Writes a member's uncompressed bytes. It may close the stream it is given: that does not end the member. */
    @FunctionalInterface
    public interface Producer {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Compresses what {@code producer} writes into the file {@code out} on {@code threads} threads,
     * while it writes ({@link XzMemberStream}). {@code size}, the number of bytes the producer will
     * write (-1: not known), picks the block size before the first byte is compressed; when it is
     * right, the bytes equal those of {@link #compress(Path, Path, int)} for the same input (when it
     * is not, the member is as valid, its blocks only cut elsewhere). When the producer or xz fails,
     * xz and the threads started here have ended before this returns, and nothing of them is left
     * but {@code out}, which the caller deletes.
     *
     * @throws IOException what the producer threw, or the failure of xz (the message quotes it)
     */
    void compress(Producer producer, long size, Path out, int threads) throws IOException {
        compress(producer, out, threads, 0, size);
    }

    /** {@link #compress(Producer, long, Path, int)} for a member whose size is not known beforehand. */
    void compress(Producer producer, Path out, int threads) throws IOException {
        compress(producer, out, threads, 0, -1);
    }

    /** @param blockSize the block size, 0 for the one {@code size} picks ({@link #blockSize(long)}; xz-java: its own) */
    void compress(Producer producer, Path out, int threads, int blockSize, long size) throws IOException {
        XzMemberStream member = new XzMemberStream(this, out, threads, blockSize, size);
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

    /** xz-java's stream; {@code blockSize} 0 keeps its own blocks of one dictionary, whatever the size. */
    OutputStream javaStream(Path out, int threads, int blockSize, long size) throws IOException {
        return new ParallelXzOutputStream(new BufferedOutputStream(Files.newOutputStream(out), 1 << 16),
                PRESET, threads, blockSize, size);
    }

    /**
     * The xz command line for a member of {@code dictFor} bytes (they pick the dictionary: {@link #dictSize}),
     * in blocks of {@code blockSize} bytes, 0 for those a member of {@code size} bytes (-1: not known) gets.
     */
    List<String> command(int threads, int blockSize, long dictFor, long size) {
        int block = blockSize > 0 ? blockSize : blockSize(size);
        return new ArrayList<>(List.of(program.toString(), "--compress", "--stdout", "--format=xz", "--check=crc64",
                "--lzma2=preset=" + PRESET + ",dict=" + dictSize(dictFor), "--block-size=" + block,
                "--threads=" + (threads <= 1 ? "+1" : Integer.toString(threads)), "--no-adjust", "--quiet"));
    }

    static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>(environment);
        env.remove("XZ_OPT");
        env.remove("XZ_DEFAULTS");
        return env;
    }

    static void check(ProcessRunner.Captured c) throws IOException {
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
}

package io.dkmsdeb.deb;

import io.dkmsdeb.model.deb.Compression;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.XZInputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The two encoders of .xz members: the system's xz (xz-utils) and xz-java, and how one is chosen. */
@Tag("tools")
class XzEncoderTest {
    private static final long TIME = 1_700_000_000L;

    @TempDir
    Path dir;

    @Test
    void javaIsForcedByTheEnvironmentVariable() {
        assertThat(XzEncoder.select("java", System.getenv("PATH"))).isEqualTo(XzEncoder.JAVA);
    }

    @Test
    void javaIsUsedWhenNoXzIsOnPath() throws Exception {
        Files.createDirectories(dir.resolve("bin"));
        assertThat(XzEncoder.select(null, dir.resolve("bin") + ":" + dir.resolve("missing"))).isEqualTo(XzEncoder.JAVA);
        assertThat(XzEncoder.select(null, null)).isEqualTo(XzEncoder.JAVA);
    }

    @Test
    void theSystemsXzIsUsedWhenOnPathAndNamedWithItsVersion() {
        XzEncoder e = XzEncoder.select(null, "/usr/bin:/bin");
        assertThat(e.isNative()).isTrue();
        assertThat(e.name()).matches("xz-utils 5\\.\\d+\\.\\d+");
    }

    @Test
    void nativeOutputIsTheSameForAnyThreadCountAndDecodes() throws Exception {
        XzEncoder xz = XzEncoder.select(null, "/usr/bin:/bin");
        Path in = dir.resolve("in");
        Files.write(in, sample(3 << 20));
        int block = 256 << 10; // twelve blocks: every thread count cuts the same places
        byte[] first = null;
        for (int threads : new int[] {1, 2, 3, 4}) {
            Path out = dir.resolve("out" + threads);
            xz.compress(in, out, threads, block);
            byte[] bytes = Files.readAllBytes(out);
            if (first == null) {
                first = bytes;
                assertThat(decode(bytes)).isEqualTo(Files.readAllBytes(in));
            } else {
                assertThat(bytes).as("threads " + threads).isEqualTo(first);
            }
        }
    }

    @Test
    void bothEncodersWritePackagesDpkgDebAccepts() throws Exception {
        for (XzEncoder e : new XzEncoder[] {XzEncoder.JAVA, XzEncoder.select(null, "/usr/bin:/bin")}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new DebWriter(Compression.XZ, TIME, 2, e).write(DebWriterTest.pkg(DebWriterTest.entries()), out);
            Path deb = dir.resolve(e.isNative() ? "native.deb" : "java.deb");
            Files.write(deb, out.toByteArray());
            for (String action : new String[] {"--contents", "--info"}) {
                Process p = new ProcessBuilder("dpkg-deb", action, deb.toString()).redirectErrorStream(true).start();
                String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor()).as(e.name() + " " + action + ": " + text).isZero();
            }
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            new DebWriter(Compression.XZ, TIME, 1, e).write(DebWriterTest.pkg(DebWriterTest.entries()), again);
            assertThat(again.toByteArray()).as(e.name() + ": one thread or two").isEqualTo(out.toByteArray());
        }
    }

    @Test
    void streamingGivesTheBytesOfTheSameInputCompressedFromAFile() throws Exception {
        int block = 1 << 20;
        // smaller than a dictionary (held whole, dictionary cut to its size), exactly one, and larger (streamed)
        for (int size : new int[] {100_000, 8 << 20, (8 << 20) + 300_001}) {
            byte[] input = size < 1 << 20 ? sample(size) : source(size);
            Path in = dir.resolve("in" + size);
            Files.write(in, input);
            for (XzEncoder e : new XzEncoder[] {XzEncoder.JAVA, XzEncoder.select(null, "/usr/bin:/bin")}) {
                Path fromFile = dir.resolve("file-" + e.isNative() + size);
                Path streamed = dir.resolve("stream-" + e.isNative() + size);
                e.compress(in, fromFile, 2, block);
                e.compress(out -> writeInOddChunks(input, out), streamed, 2, block, size);
                assertThat(Files.readAllBytes(streamed)).as(e.name() + ", " + size + " bytes").isEqualTo(Files.readAllBytes(fromFile));
                if (size > 8 << 20) { // the size not known beforehand: the first dictionary is held before the encoder starts
                    e.compress(out -> writeInOddChunks(input, out), streamed, 2, block, -1);
                    assertThat(Files.readAllBytes(streamed)).as(e.name() + ", " + size + " bytes, size not known")
                            .isEqualTo(Files.readAllBytes(fromFile));
                }
                assertThat(decode(Files.readAllBytes(streamed))).isEqualTo(input);
            }
        }
        assertThat(leftovers()).as("pipes and held members removed").isEmpty();
    }

    @Test
    void aMemberLargerThanABlockIsCutIntoAnEvenNumberOfEqualBlocks() {
        int max = XzEncoder.BLOCK_SIZE;
        assertThat(XzEncoder.blockSize(-1)).isEqualTo(max);
        assertThat(XzEncoder.blockSize(1000)).isEqualTo(max);
        assertThat(XzEncoder.blockSize(max)).isEqualTo(max);
        assertThat(XzEncoder.blockSize(2L * max)).isEqualTo(max);
        for (long size : new long[] {max + 1L, 30 << 20, 2L * max + 1, 60_028_096L, 3L * max, 3L * max + 1, 100L << 20, 5L << 30}) {
            int block = XzEncoder.blockSize(size);
            long blocks = (size + block - 1) / block;
            assertThat(blocks).as(size + " bytes in blocks of " + block).isEven();
            assertThat(block).as(size + " bytes").isLessThanOrEqualTo(max);
            assertThat(block % 4096).isZero();
            assertThat(size - (blocks - 1) * block).as("the last block of " + size + " bytes, the others " + block)
                    .isGreaterThan(block - blocks * 4096L);
        }
        assertThat(XzEncoder.blockSize(60_028_096L)).isEqualTo(15_007_744); // four blocks, not 24 + 24 + 11 MiB
    }

    @Test
    void theBlockSizeComesFromTheMembersSizeNotTheThreads() {
        XzEncoder xz = new XzEncoder(Path.of("xz"), "xz-utils 5.4.1");
        long size = 60_028_096L;
        for (int threads : new int[] {1, 2, 8}) {
            List<String> cmd = xz.command(threads, 0, 8 << 20, size);
            assertThat(cmd).contains("--block-size=" + XzEncoder.blockSize(size));
            assertThat(cmd.stream().filter(a -> !a.startsWith("--threads="))).isEqualTo(
                    xz.command(1, 0, 8 << 20, size).stream().filter(a -> !a.startsWith("--threads=")).toList());
        }
        assertThat(xz.command(2, 0, 8 << 20, -1)).contains("--block-size=" + XzEncoder.BLOCK_SIZE);
        assertThat(xz.command(2, 1 << 20, 8 << 20, size)).contains("--block-size=" + (1 << 20));
    }

    @Test
    void aFailingProducerStopsXzAndLeavesNothing() throws Exception {
        for (XzEncoder e : new XzEncoder[] {XzEncoder.JAVA, XzEncoder.select(null, "/usr/bin:/bin")}) {
            for (int before : new int[] {1000, (9 << 20)}) { // xz not started yet, and xz running on a pipe
                Path out = dir.resolve("out");
                assertThatThrownBy(() -> e.compress(o -> {
                    o.write(source(before));
                    throw new IOException("source file vanished");
                }, out, 2)).as(e.name() + " after " + before + " bytes").isInstanceOf(IOException.class).hasMessage("source file vanished");
                Files.deleteIfExists(out); // the caller's
                assertThat(leftovers()).isEmpty();
                assertNoCompressorRunning();
            }
        }
    }

    @Test
    void aFailingXzIsReportedWithItsMessageAndLeavesNothing() throws Exception {
        // reads a little, then fails as xz does on a bad option or a full disk
        Path fake = dir.resolve("bin/xz");
        Files.createDirectories(fake.getParent());
        Files.writeString(fake, "#!/bin/sh\nhead -c 1000 >/dev/null\necho 'xz: (stdout): No space left on device' >&2\nexit 1\n");
        fake.toFile().setExecutable(true);
        XzEncoder broken = new XzEncoder(fake, "xz-utils 5.4.1");
        for (int size : new int[] {5000, 12 << 20}) { // held whole and read from a file, and streamed through the pipe
            byte[] input = source(size);
            Path out = dir.resolve("out");
            assertThatThrownBy(() -> broken.compress(o -> o.write(input), out, 2)).as(size + " bytes")
                    .isInstanceOf(IOException.class).hasMessageContaining("xz failed (exit 1)")
                    .hasMessageContaining("No space left on device");
            Files.deleteIfExists(out);
            assertThat(leftovers()).isEmpty();
            assertNoCompressorRunning();
        }
    }

    /** Files in the test directory other than the inputs and the fake xz. */
    private List<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().matches("in\\d+|bin|(file|stream)-.*")).toList();
        }
    }

    /** No child process of this JVM and no xz thread of the encoder outlives the call. */
    static void assertNoCompressorRunning() throws InterruptedException {
        for (int i = 0; i < 50 && (ProcessHandle.current().descendants().anyMatch(ProcessHandle::isAlive) || encoderThreads() > 0); i++) {
            Thread.sleep(100); // a thread that has handed over its result may take a moment to end
        }
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(h -> h.info().command().orElse("?")))
                .as("child processes").isEmpty();
        assertThat(Thread.getAllStackTraces().keySet().stream().filter(XzEncoderTest::isEncoderThread).map(Thread::getName))
                .as("threads named dkms-deb xz or xz-block").isEmpty();
    }

    private static long encoderThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(XzEncoderTest::isEncoderThread).count();
    }

    private static boolean isEncoderThread(Thread t) {
        return t.isAlive() && (t.getName().equals("dkms-deb xz") || t.getName().equals("xz-block"));
    }

    /** Writes {@code b} as a tar writer does: mostly whole records, now and then single bytes and odd lengths. */
    private static void writeInOddChunks(byte[] b, OutputStream out) throws IOException {
        Random r = new Random(7);
        int off = 0;
        while (off < b.length) {
            int n = Math.min(b.length - off, r.nextInt(4) == 0 ? 1 : 1 + r.nextInt(200_000));
            if (n == 1) {
                out.write(b[off]);
            } else {
                out.write(b, off, n);
            }
            off += n;
        }
        out.close(); // what a tar does at its end: it must not end the member
    }

    /** Like C source: numbered lines of kernel words, which both encoders compress quickly. */
    static byte[] source(int size) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(size + 100);
        for (int line = 0; b.size() < size; line++) {
            b.writeBytes(("\tret = module_init(dev, " + line + ", GFP_KERNEL); /* " + Integer.toHexString(line * 31)
                    + " */\n").getBytes(StandardCharsets.US_ASCII));
        }
        return Arrays.copyOf(b.toByteArray(), size);
    }

    private static byte[] sample(int size) {
        Random r = new Random(42);
        byte[] b = new byte[size];
        String words = "static int module_init exit printk kmalloc GFP_KERNEL struct device ";
        for (int i = 0; i < size; i++) {
            b[i] = r.nextInt(8) == 0 ? (byte) r.nextInt(256) : (byte) words.charAt((i * 7 + r.nextInt(3)) % words.length());
        }
        return b;
    }

    private static byte[] decode(byte[] xz) throws Exception {
        try (InputStream in = new XZInputStream(new java.io.ByteArrayInputStream(xz))) {
            return in.readAllBytes();
        }
    }
}

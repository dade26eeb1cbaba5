package io.dkmsdeb.deb;

import io.dkmsdeb.model.Compression;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.XZInputStream;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

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

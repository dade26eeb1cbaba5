package io.dkmsdeb.deb;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.XZInputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("tools")
class ParallelXzOutputStreamTest {

    private static byte[] sample(int size) {
        byte[] data = new byte[size];
        Random r = new Random(42);
        for (int i = 0; i < size; i++) {
            data[i] = (byte) (r.nextInt(16) + 'a'); // compressible, not trivially
        }
        return data;
    }

    private static byte[] compress(byte[] data, int threads, int blockSize) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ParallelXzOutputStream xz = new ParallelXzOutputStream(out, 1, threads, blockSize, -1)) {
            for (int off = 0; off < data.length; off += 7001) {
                xz.write(data, off, Math.min(7001, data.length - off));
            }
        }
        return out.toByteArray();
    }

    @Test
    void manyBlocksDecodeToTheInput() throws Exception {
        byte[] data = sample(1_000_000);
        byte[] xz = compress(data, 2, 100_000);
        assertThat(new XZInputStream(new ByteArrayInputStream(xz)).readAllBytes()).isEqualTo(data);
    }

    @Test
    void outputDoesNotDependOnThreadCount() throws Exception {
        byte[] data = sample(700_000);
        assertThat(compress(data, 1, 65_536)).isEqualTo(compress(data, 2, 65_536)).isEqualTo(compress(data, 4, 65_536));
    }

    @Test
    void emptyInputIsAValidStream() throws Exception {
        byte[] xz = compress(new byte[0], 2, 0);
        assertThat(new XZInputStream(new ByteArrayInputStream(xz)).readAllBytes()).isEmpty();
    }

    @Test
    void theXzToolAcceptsIt(@TempDir Path dir) throws Exception {
        byte[] data = sample(300_000);
        Path file = dir.resolve("t.xz");
        Files.write(file, compress(data, 2, 50_000));
        Process p = new ProcessBuilder("xz", "-dc", file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] decoded = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        assertThat(decoded).isEqualTo(data);
        Process list = new ProcessBuilder("xz", "--robot", "--list", file.toString()).redirectErrorStream(true).start();
        String listing = new String(list.getInputStream().readAllBytes());
        assertThat(list.waitFor()).isZero();
        assertThat(listing).contains("CRC64").containsPattern("(?m)^file\\t1\\t6\\t");
    }
}

package io.dkmsdeb.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Wrong bmdeb command lines a new user writes: a clear error before any work, exit 2, no Java exception name. */
@Tag("unit")
class BmdebUsageTest {
    @TempDir
    Path work;

    private record Run(int exit, String err) {
    }

    private static Run run(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = Main.execute(args);
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        return new Run(exit, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aFilterTakenForTheSourceIsNamed() {
        Run r = run("bmdeb", "--kernels-from-archive", "hello");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("no SOURCE given: --kernels-from-archive took 'hello' as its FILTER")
                .contains("bmdeb hello --kernels-from-archive").doesNotContain("Exception");
        Run none = run("bmdeb", "-k", "6.1.0-99-amd64");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("no SOURCE given: pass NAME/VERSION");
    }

    @Test
    void anOutputDirectoryThatCannotBeMadeFailsBeforeTheSourceIsRead() {
        Run r = run("bmdeb", work.resolve("no-such-tree").toString(), "-k", "6.1.0-99-amd64", "-o", "/proc/dkms-deb-out", "--no-sign",
                "--log-dir", work.resolve("logs").toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("cannot create output directory /proc/dkms-deb-out").contains("pass another directory with -o")
                .doesNotContain("Exception").doesNotContain("no-such-tree");
        assertThat(Path.of("/proc/dkms-deb-out")).doesNotExist();
    }

    @Test
    void contradictoryOptionsAreRefusedBeforeAnyWork() throws Exception {
        Path key = Files.writeString(work.resolve("k.pem"), "x");
        Run r = run("bmdeb", "x/1.0", "-k", "6.1.0-99-amd64", "--no-sign", "--sign-key", key.toString(), "--sign-cert", key.toString(),
                "-o", work.resolve("out").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--no-sign contradicts --sign-key/--sign-cert");
        assertThat(work.resolve("out")).doesNotExist();
        Run list = run("bmdeb", "x/1.0", "-k", "6.1.0-99-amd64", "--kernel-list", key.toString(), "-o", work.resolve("out").toString());
        assertThat(list.exit()).isEqualTo(2);
        assertThat(list.err()).contains("--kernel-list is the archive listing of --kernels-from-archive; give both");
        Run jobs = run("bmdeb", "x/1.0", "-k", "6.1.0-99-amd64", "--build-timeout", "0");
        assertThat(jobs.exit()).isEqualTo(2);
        assertThat(jobs.err()).contains("--build-timeout must be at least 1, got 0");
    }
}

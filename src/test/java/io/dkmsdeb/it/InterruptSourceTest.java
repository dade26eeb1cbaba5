package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGINT and SIGTERM while {@code source} writes the package of a large tree (50 MB that xz cannot make
 * smaller: xz works for seconds): exit 130 or 143, no process of the run left, nothing temporary left in
 * TMPDIR or in the output directory, no package. After SIGKILL at the same point, the next run removes
 * what the killed one left and writes the package.
 */
@Tag("tools")
class InterruptSourceTest {
    private static final String MAINTAINER = "T <t@example.org>";
    private static final int MEGABYTES = 50;

    @TempDir
    Path work;

    /** A dkms tree (hello) with {@value #MEGABYTES} files of 1 MiB of random bytes. */
    private Path largeTree() throws IOException {
        Path tree = work.resolve("big");
        if (Files.isDirectory(tree)) {
            return tree;
        }
        Files.createDirectories(tree.resolve("blobs"));
        for (String f : List.of("hello.c", "Kbuild", "Makefile", "dkms.conf")) {
            Files.copy(Path.of(HelloModules.example(), f), tree.resolve(f));
        }
        Random random = new Random(42);
        byte[] block = new byte[1 << 20];
        for (int i = 0; i < MEGABYTES; i++) {
            random.nextBytes(block);
            try (OutputStream out = Files.newOutputStream(tree.resolve("blobs").resolve("blob" + i + ".bin"))) {
                out.write(block);
            }
        }
        return tree;
    }

    private SignalledRun start(String name, Path tmp, Path out) throws IOException {
        return SignalledRun.start(tmp, Map.of("SOURCE_DATE_EPOCH", "1700000000"), work.resolve(name + ".txt"),
                List.of("source", largeTree().toString(), "-o", out.toString(), "--maintainer", MAINTAINER));
    }

    /**
     * The package is being written: its hidden file is in the output directory, the data member's in TMPDIR, and
     * xz, a process of the run, compresses into it.
     */
    private static boolean writing(SignalledRun run, Path tmp, Path out) {
        return sizeOf(out, "hello-dkms_1.0-1_all.deb.") >= 0 && sizeOf(tmp, "dkms-deb-data-") >= 0
                && ProcessHandle.of(run.pid()).map(h -> h.descendants().anyMatch(d -> d.info().command().orElse("").endsWith("/xz")))
                .orElse(false);
    }

    /** The size of the first file in {@code dir} whose name contains {@code part}, -1 when there is none. */
    private static long sizeOf(Path dir, String part) {
        try (var s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().contains(part)).toList()) {
                return Files.size(p);
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    @Test
    void sigintAndSigtermWhileXzWritesLeaveNothing() throws Exception {
        for (String signal : List.of("INT", "TERM")) {
            Path tmp = Files.createDirectories(work.resolve("tmp-" + signal));
            Path out = Files.createDirectories(work.resolve("out-" + signal));
            SignalledRun run = start(signal, tmp, out);
            run.awaitPoint("the package being written", 300, () -> writing(run, tmp, out));
            int exit = run.signalAndWait(signal);
            String said = run.output();
            assertThat(exit).as(said).isEqualTo(signal.equals("INT") ? 130 : 143);
            assertThat(said).contains("dkms-deb: stopped by SIG" + signal + ":");
            assertThat(run.survivors()).as("processes dkms-deb started that still run").isEmpty();
            assertThat(SignalledRun.processesNaming(List.of(tmp, out))).as("processes in or naming " + tmp + " or " + out).isEmpty();
            assertThat(SignalledRun.temporaryNames(tmp)).as("left in TMPDIR").isEmpty();
            assertThat(run.leftInDefaultTmp()).as("left outside TMPDIR").isEmpty();
            try (var s = Files.list(out)) {
                assertThat(s.map(p -> p.getFileName().toString()).toList()).as("left in the output directory").isEmpty();
            }
        }
    }

    @Test
    void afterSigkillWhileXzWritesTheNextRunCleansUpAndWrites() throws Exception {
        Path tmp = Files.createDirectories(work.resolve("tmp-kill"));
        Path out = Files.createDirectories(work.resolve("out-kill"));
        SignalledRun run = start("kill", tmp, out);
        run.awaitPoint("the package being written", 300, () -> writing(run, tmp, out));
        assertThat(run.signalAndWait("KILL")).isEqualTo(137);
        // xz, reading a pipe whose writer is gone, ends by itself
        assertThat(SignalledRun.awaitNoProcessNaming(List.of(tmp, out), 60)).as("processes of the killed run").isEmpty();
        // TMPDIR, set in the environment only, is where its temporary files went
        assertThat(SignalledRun.temporaryNames(tmp)).as("what the killed run left in TMPDIR").isNotEmpty();
        assertThat(run.leftInDefaultTmp()).as("what the killed run left outside TMPDIR").isEmpty();
        try (var s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).as("what the killed run left in the output directory")
                    .anyMatch(n -> n.endsWith(".dkms-deb-tmp"));
        }

        Cmd.Result next = Cmd.dkmsDeb(null, Map.of("TMPDIR", tmp.toString(), "SOURCE_DATE_EPOCH", "1700000000"), "source",
                largeTree().toString(), "-o", out.toString(), "--maintainer", MAINTAINER);
        assertThat(next.exit()).as(next.toString()).isZero();
        assertThat(SignalledRun.temporaryNames(tmp)).as("left in TMPDIR after the next run").isEmpty();
        try (var s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).as("the output directory after the next run")
                    .containsExactly("hello-dkms_1.0-1_all.deb");
        }
        Cmd.Result contents = Cmd.ok("dpkg-deb", "--contents", out.resolve("hello-dkms_1.0-1_all.deb").toString());
        assertThat(contents.out()).contains("usr/src/hello-1.0/blobs/blob" + (MEGABYTES - 1) + ".bin");
    }
}

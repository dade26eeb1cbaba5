package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What a run leaves in its output directory when the disk is full, when it is killed, when runs race. */
@Tag("tools")
@Tag("root")
class OutputSafetyTest {
    static final String MAINTAINER = SourceCommandTest.MAINTAINER;

    @TempDir
    Path work;

    private Path bigTree(int megabytes) throws IOException {
        Path tree = Files.createDirectories(work.resolve("big"));
        Files.writeString(tree.resolve("dkms.conf"), "PACKAGE_NAME=big\nPACKAGE_VERSION=1.0\nBUILT_MODULE_NAME[0]=big\nDEST_MODULE_LOCATION[0]=/updates/dkms\n");
        byte[] noise = new byte[1 << 20];
        Random r = new Random(7);
        for (int i = 0; i < megabytes; i++) {
            r.nextBytes(noise);
            Files.write(tree.resolve("blob" + i + ".bin"), noise);
        }
        return tree;
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void fullFilesystemFailsCleanly() throws IOException {
        assumeTrue(Cmd.isRoot(), "mounts a small tmpfs: needs root");
        Path tree = bigTree(2);
        Path small = Files.createDirectories(work.resolve("small"));
        Cmd.ok("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", small.toString());
        try {
            Cmd.Result r = Cmd.dkmsDeb("source", tree.toString(), "-o", small.toString(), "--maintainer", MAINTAINER);
            assertThat(r.exit()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).contains("cannot write " + small.resolve("big-dkms_1.0-1_all.deb")).contains("No space left on device")
                    .contains("check free space and permissions of " + small);
            assertThat(list(small)).as("no .deb and no temp file left").isEmpty();
        } finally {
            Cmd.run("umount", small.toString());
        }
    }

    @Test
    void existingFileIsReplacedWhole() throws IOException {
        Path out = Files.createDirectories(work.resolve("out"));
        Path target = out.resolve("hello-dkms_1.0-1_all.deb");
        Files.writeString(target, "an old, broken file");
        Cmd.Result r = Cmd.dkmsDeb("source", SourceCommandTest.example().toString(), "-o", out.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        Cmd.ok("dpkg-deb", "--info", target.toString());
        assertThat(list(out)).containsExactly(target);
    }

    @Test
    void killedRunLeavesNoDebAndTheNextRunCleansItsTemp() throws Exception {
        Path tree = bigTree(12);
        Path out = Files.createDirectories(work.resolve("out"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.dkmsdeb.cli.Main",
                "source", tree.toString(), "-o", out.toString(), "--maintainer", MAINTAINER, "-j", "1"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (list(out).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(300);
        Cmd.ok("kill", "-KILL", Long.toString(p.pid()));
        p.waitFor(10, TimeUnit.SECONDS);
        List<Path> left = list(out);
        assertThat(left).as("only a temp file, no .deb").hasSize(1).allMatch(f -> f.getFileName().toString().endsWith(".dkms-deb-tmp"));
        assertThat(out.resolve("big-dkms_1.0-1_all.deb")).doesNotExist();

        Cmd.Result again = Cmd.dkmsDeb("source", SourceCommandTest.example().toString(), "-o", out.toString());
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(list(out)).containsExactly(out.resolve("hello-dkms_1.0-1_all.deb"));
    }

    @Test
    void fourConcurrentRunsIntoOneDirectory() throws Exception {
        Path out = Files.createDirectories(work.resolve("out"));
        List<Process> runs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Path tree = Files.createDirectories(work.resolve("t" + i + "/mod" + i));
            Files.writeString(tree.resolve("dkms.conf"), "PACKAGE_NAME=mod" + i + "\nPACKAGE_VERSION=1.0\nBUILT_MODULE_NAME[0]=mod" + i
                    + "\nDEST_MODULE_LOCATION[0]=/updates/dkms\n");
            Files.writeString(tree.resolve("mod" + i + ".c"), "int x" + i + ";\n");
            // two runs write the same hello package, two write their own
            String dir = i < 2 ? SourceCommandTest.example().toString() : tree.toString();
            runs.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), "io.dkmsdeb.cli.Main", "source", dir, "-o", out.toString(),
                    "--maintainer", MAINTAINER).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        }
        for (Process p : runs) {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        }
        List<String> names = list(out).stream().map(f -> f.getFileName().toString()).sorted().toList();
        assertThat(names).containsExactly("hello-dkms_1.0-1_all.deb", "mod2-dkms_1.0-1_all.deb", "mod3-dkms_1.0-1_all.deb");
        for (String n : names) {
            Cmd.ok("dpkg-deb", "--info", out.resolve(n).toString());
            Cmd.ok("dpkg-deb", "--contents", out.resolve(n).toString());
        }
    }
}

package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Hostile or odd module trees and dkms.conf files: each gets the documented exit code, message and output state. */
@Tag("kernel")
@Tag("tools")
class HostileTreeTest {
    static final String MAINTAINER = SourceCommandTest.MAINTAINER;
    static final String CONF = ModuleTrees.conf("odd", "1.0");

    @TempDir
    Path work;

    private Path tree(String conf) throws IOException {
        return ModuleTrees.write(work.resolve("odd"), "odd", ModuleTrees.GOOD_C, conf);
    }

    private Path out() throws IOException {
        return Files.createDirectories(work.resolve("out"));
    }

    private Cmd.Result source(Path tree, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("source", tree.toString(), "-o", out.toString(), "--maintainer", MAINTAINER));
        args.addAll(List.of(extra));
        return Cmd.dkmsDeb(null, Map.of("LC_ALL", "C.UTF-8"), args.toArray(String[]::new));
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void dkmsConfThatPrintsIsReadAndItsStderrShown() throws IOException {
        Path out = out();
        Cmd.Result r = source(tree(CONF + "echo on-stdout\necho on-stderr >&2\n"), out);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).doesNotContain("on-stdout");
        assertThat(r.err()).contains("warning: ").contains("printed while being sourced: on-stderr");
        assertThat(list(out)).hasSize(1);
    }

    @Test
    void linksOutOfTheTreeFifosAndSetuidBitsAreReportedAndLeftOut() throws IOException {
        Path tree = tree(CONF);
        Files.createSymbolicLink(tree.resolve("abs"), Path.of("/etc/shadow"));
        Files.createSymbolicLink(tree.resolve("up"), Path.of("../../etc"));
        Files.createSymbolicLink(tree.resolve("inside"), Path.of("odd.c"));
        Cmd.ok("mkfifo", tree.resolve("pipe").toString());
        Files.writeString(tree.resolve("tool.sh"), "#!/bin/sh\n");
        Cmd.ok("chmod", "6755", tree.resolve("tool.sh").toString());
        Path out = out();
        Cmd.Result r = source(tree, out);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("left out abs -> /etc/shadow (link out of the tree)").contains("left out up -> ../../etc (link out of the tree)")
                .contains("left out pipe (not a regular file, directory or link)")
                .contains("cleared the setuid/setgid/sticky bits of tool.sh (mode 6755)");
        Map<String, String> files = DebInfo.of(out.resolve("odd-dkms_1.0-1_all.deb")).files();
        assertThat(files).containsEntry("./usr/src/odd-1.0/inside", "lrwxrwxrwx root/root -> odd.c")
                .containsEntry("./usr/src/odd-1.0/tool.sh", "-rwxr-xr-x root/root")
                .doesNotContainKeys("./usr/src/odd-1.0/abs", "./usr/src/odd-1.0/up", "./usr/src/odd-1.0/pipe");
    }

    @Test
    void nonUtf8FileNameIsRefused() throws IOException {
        Path tree = tree(CONF);
        Cmd.ok("sh", "-c", "printf x > \"$0\"/$(printf 'bad-\\377\\376.c')", tree.toString());
        Path out = out();
        Cmd.Result r = source(tree, out);
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("is not valid UTF-8").contains("rename it or remove it");
        assertThat(list(out)).isEmpty();
    }

    @Test
    void veryLongAndUnicodeFileNamesArePackaged() throws IOException {
        Path tree = tree(CONF);
        Path deep = Files.createDirectories(tree.resolve("d".repeat(120)).resolve("é".repeat(40)));
        Files.writeString(deep.resolve("f".repeat(200) + ".h"), "/* long */\n");
        Path out = out();
        Cmd.Result r = source(tree, out);
        assertThat(r.exit()).as(r.toString()).isZero();
        String contents = Cmd.ok("dpkg-deb", "--contents", out.resolve("odd-dkms_1.0-1_all.deb").toString()).out();
        assertThat(contents).contains("é".repeat(40) + "/" + "f".repeat(200) + ".h");
    }

    @Test
    void hundredThousandSmallFiles() throws IOException {
        Path tree = tree(CONF);
        Cmd.ok("sh", "-c", "cd \"$0\" && mkdir many && cd many && seq -f 'f%06g.h' 1 100000 | xargs touch", tree.toString());
        Path out = out();
        Cmd.Result r = source(tree, out, "--compression", "zstd");
        assertThat(r.exit()).as(r.toString()).isZero();
        long count = Cmd.ok("dpkg-deb", "--contents", out.resolve("odd-dkms_1.0-1_all.deb").toString()).out().lines()
                .filter(l -> l.contains("/many/f")).count();
        assertThat(count).isEqualTo(100_000);
    }

    @Test
    void emptyTreeAndTreeThatIsASymlink() throws IOException {
        Path empty = Files.createDirectories(work.resolve("empty"));
        Path out = out();
        Cmd.Result r = source(empty, out);
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("has no dkms.conf and no obj-m line");
        Path link = work.resolve("link");
        Files.createSymbolicLink(link, tree(CONF));
        Cmd.Result l = source(link, out);
        assertThat(l.exit()).as(l.toString()).isEqualTo(3);
        assertThat(l.err()).contains("is not a directory but a symbolic link; pass the directory it points to");
        assertThat(list(out)).isEmpty();
    }

    @Test
    void unreadableFile() throws IOException {
        Path tree = tree(CONF);
        Path secret = tree.resolve("secret.h");
        Files.writeString(secret, "x");
        Cmd.ok("chmod", "000", secret.toString());
        Cmd.ok("chmod", "-R", "a+rX", work.toString());
        Cmd.ok("chmod", "000", secret.toString());
        Path out = out();
        Cmd.ok("chmod", "777", out.toString());
        List<String> cmd = new ArrayList<>();
        if (Cmd.isRoot()) {
            cmd.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"));
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Djava.io.tmpdir=" + out,
                "-cp", SourceErrorsTestSupport.readableClassPath(work), "io.dkmsdeb.cli.Main",
                "source", tree.toString(), "-o", out.toString(), "--maintainer", MAINTAINER));
        Cmd.Result r = Cmd.run(work, Map.of(), cmd);
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("cannot read " + secret).contains("make it readable or remove it from the tree");
        assertThat(list(out)).isEmpty();
    }

    @Test
    void makeThatNeverEndsIsKilledAfterTheTimeout() throws IOException {
        Path tree = tree(CONF + "MAKE[0]=\"sh -c 'sleep 4242 & sleep 4243'\"\n");
        Path out = out();
        Cmd.Result r = Cmd.dkmsDeb("bmdeb", tree.toString(), "-k", Kernels.newest61(), "-o", out.toString(), "--maintainer", MAINTAINER,
                "--build-timeout", "3", "--log-dir", work.resolve("logs").toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(5);
        assertThat(r.err()).contains("make did not finish within 3 s (--build-timeout) and was killed").contains("full log:");
        assertThat(list(out)).isEmpty();
        Cmd.Result left = Cmd.run("pgrep", "-f", "sleep 424[23]");
        assertThat(left.exit()).as("processes left: " + left.out()).isEqualTo(1);
    }

    @Test
    void hangingDkmsConfIsStopped() throws IOException {
        Path tree = tree(CONF + "sleep 4244\n");
        Path out = out();
        Cmd.Result r = Cmd.run(work, Map.of(), List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Ddkmsdeb.conf.timeout=2", "-cp", System.getProperty("java.class.path"), "io.dkmsdeb.cli.Main",
                "source", tree.toString(), "-o", out.toString(), "--maintainer", MAINTAINER));
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("did not finish within 2 s; dkms.conf must only set variables");
        assertThat(list(out)).isEmpty();
        assertThat(Cmd.run("pgrep", "-f", "sleep 4244").exit()).as("the sleep was killed").isEqualTo(1);
    }

    @Test
    void crlfDkmsConfIsReadWithAWarning() throws IOException {
        Path out = out();
        Cmd.Result r = source(tree(CONF.replace("\n", "\r\n")), out);
        assertThat(r.exit()).as(r.toString()).isZero();
        // Debian 12's dkms (the default level) keeps the CRs in the values: the package ships the file with LF endings
        assertThat(r.err()).contains("has CRLF line endings; dkms 3.0.10 keeps the carriage return in")
                .contains("the package ships dkms.conf with LF line endings");
        assertThat(new String(Files.readAllBytes(out.resolve("odd-dkms_1.0-1_all.deb")), StandardCharsets.ISO_8859_1)).isNotEmpty();
    }
}

package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Another user's directories at the fixed scratch names in TMPDIR ({@code dkms-deb-USER}, {@code dkms-deb-USER-links},
 * made by root's runs without the sandbox), mode 0700 with content that a build using them would trip over: bmdeb
 * builds with and without the sandbox, and all of it stays exactly as it was.
 */
@Tag("kernel")
@Tag("root")
@Tag("tools")
class ForeignScratchTest {
    @TempDir
    Path work;

    /** Everything under {@code root}, links not followed: path, type, owner, mode, size, time and link target. */
    private static Map<String, String> state(Path root) throws IOException {
        Map<String, String> all = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(p -> !p.equals(root)).toList()) {
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                all.put(root.relativize(p).toString(), (a.isDirectory() ? "d" : a.isSymbolicLink() ? "l " + Files.readSymbolicLink(p) : "f")
                        + " " + a.owner().getName() + " " + PosixFilePermissions.toString(a.permissions()) + " " + a.size() + " "
                        + a.lastModifiedTime().toMillis() + " " + ((BasicFileAttributes) a).fileKey());
            }
        }
        return all;
    }

    private static void giveToNobody(Path p) {
        Cmd.ok("chown", "-R", "-h", "nobody:nogroup", p.toString());
    }

    @Test
    void anotherUsersScratchDirectoriesDoNotStopTheBuildAndAreLeftAlone() throws Exception {
        assumeTrue(Cmd.isRoot(), "needs root: the directories are made another user's");
        String user = System.getProperty("user.name");
        String kernel = Kernels.newest61();
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        Cmd.ok("chmod", "1777", tmp.toString());

        // the scratch base a run without the sandbox uses, laid out as a build of hello for the kernel would find it
        Path base = tmp.resolve("dkms-deb-" + user);
        Path build = Files.createDirectories(base.resolve("build").resolve(kernel).resolve("hello-1.0"));
        Files.writeString(build.resolve("Makefile"), "all:\n\techo taken > /dev/tty\n");
        Files.writeString(base.resolve("build").resolve(kernel).resolve("hello-1.0.lock"), "");
        Files.createSymbolicLink(build.resolve("dkms"), Path.of("/etc"));
        Files.createSymbolicLink(base.resolve("escape"), Path.of("/"));
        Path links = Files.createDirectories(tmp.resolve("dkms-deb-" + user + "-links"));
        Files.createSymbolicLink(links.resolve("0123456789abcdef"), Path.of("/root"));
        for (Path p : new Path[] {base, links}) {
            giveToNobody(p);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        }
        Map<String, String> before = state(tmp);

        for (boolean sandbox : new boolean[] {true, false}) {
            Path out = work.resolve(sandbox ? "out-sandbox" : "out-no-sandbox");
            Cmd.Result r = Cmd.dkmsDeb(null, Map.of("TMPDIR", tmp.toString()), sandbox
                    ? new String[] {"bmdeb", HelloModules.example(), "-k", kernel, "-o", out.toString(), "--no-sign",
                            "--log-dir", work.resolve("logs").toString()}
                    : new String[] {"bmdeb", HelloModules.example(), "-k", kernel, "-o", out.toString(), "--no-sign",
                            "--log-dir", work.resolve("logs").toString(), "--no-sandbox"});
            assertThat(r.exit()).as(r.toString()).isZero();
            Path deb = out.resolve("hello-modules-" + kernel + "_1.0_amd64.deb");
            assertThat(DebInfo.of(deb).files()).as(r.toString()).containsKey("./lib/modules/" + kernel + "/updates/dkms/hello.ko");
            if (!sandbox) {
                assertThat(r.err()).as("the warning of the run without the sandbox").contains(base + " is not a directory of " + user)
                        .contains("leaving it alone");
            }
            Map<String, String> after = state(tmp);
            before.forEach((path, what) -> assertThat(after.get(path)).as("%s after the run %s the sandbox", path,
                    sandbox ? "in" : "without").isEqualTo(what));
        }
    }
}

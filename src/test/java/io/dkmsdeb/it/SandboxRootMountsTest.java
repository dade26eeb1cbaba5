package io.dkmsdeb.it;

import io.dkmsdeb.process.Sandbox;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A build root of another release has none of the host's directories: a checkout in {@code /builds} (GitLab's runner)
 * or a workspace in {@code /var/lib/jenkins} must still be seen there at its own path, and the root must stay read-only.
 * Run with bubblewrap over a small root whose {@code /usr} is the host's.
 */
@Tag("tools")
class SandboxRootMountsTest {
    @TempDir
    Path work;

    @Test
    void hostPathsTheRootHasNotAreSeenAtTheirPlaceAndTheRootStaysReadOnly() throws IOException {
        Path root = Files.createDirectories(work.resolve("root"));
        for (String dir : List.of("usr", "etc", "var/lib/apt", "var/lib/dkms", "proc", "dev", "tmp")) {
            Files.createDirectories(root.resolve(dir));
        }
        Files.writeString(root.resolve("var/lib/apt/kept"), "the root's own file\n");
        Files.writeString(root.resolve("var/lib/dkms/secret"), "hidden\n");
        for (String link : List.of("bin", "lib", "lib64", "sbin")) {
            Files.createSymbolicLink(root.resolve(link), Path.of("usr", link));
        }
        Path checkout = Files.createDirectories(work.resolve("checkout"));
        Path workspace = Files.createDirectories(work.resolve("workspace"));
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        for (Path p : List.of(checkout, workspace)) {
            Sandbox.giveToNobody(p);
        }
        Sandbox s = Sandbox.hiding(List.of()).inRoot(root).with(Sandbox.Mount.readOnly(Path.of("/usr")),
                Sandbox.Mount.writable(checkout, Path.of("/builds/group/project/hello")),
                Sandbox.Mount.writable(workspace, Path.of("/var/lib/jenkins/workspace/job/hello")));
        String script = String.join("\n",
                "echo built > /builds/group/project/hello/out",
                "echo built > /var/lib/jenkins/workspace/job/hello/out",
                "cat /var/lib/apt/kept",
                "ls -A /var/lib/dkms | wc -l",
                "touch /made-at-the-top 2>/dev/null && echo top-writable",
                "touch /var/lib/made-here 2>/dev/null && echo var-lib-writable",
                "touch /builds/made-here 2>/dev/null && echo builds-writable",
                "pwd");
        Cmd.Result r = Cmd.run(null, Map.of("PATH", "/usr/bin:/bin"),
                s.wrap(List.of("bash", "-c", script), Path.of("/var/lib/jenkins/workspace/job/hello")));
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out().lines().toList()).as(r.toString())
                .containsExactly("the root's own file", "0", "/var/lib/jenkins/workspace/job/hello");
        assertThat(checkout.resolve("out")).hasContent("built");
        assertThat(workspace.resolve("out")).hasContent("built");
        assertThat(root.resolve("builds")).as("nothing made in the root itself").doesNotExist();
        assertThat(root.resolve("var/lib/jenkins")).doesNotExist();
    }
}

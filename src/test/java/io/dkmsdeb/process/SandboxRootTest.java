package io.dkmsdeb.process;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line of a sandbox over the host's system and over a build root of another release (no process is run). */
@Tag("unit")
class SandboxRootTest {
    @TempDir
    Path root;

    @Test
    void theHostsSystemIsTheDefaultRoot() {
        Sandbox s = Sandbox.hiding(List.of());
        assertThat(s.inOtherRoot()).isFalse();
        assertThat(Collections.indexOfSubList(s.wrap(List.of("true"), null), List.of("--ro-bind", "/", "/"))).isPositive();
    }

    @Test
    void aBuildRootIsTheSystemAndOnlyItsOwnPathsAreHidden() throws IOException {
        Files.createDirectories(root.resolve("root"));
        Files.createDirectories(root.resolve("var/lib/dkms"));
        Sandbox s = Sandbox.hiding(List.of(Path.of("/srv/keys/mok.key"), Path.of("/srv/build/out"))).inRoot(root)
                .with(Sandbox.Mount.writable(root.resolve("root"), Path.of("/tmp/dkms-deb-root/build/k/hello-1.0")));
        List<String> argv = s.wrap(List.of("make"), Path.of("/tmp/dkms-deb-root/build/k/hello-1.0"));
        assertThat(s.inOtherRoot()).isTrue();
        assertThat(Collections.indexOfSubList(argv, List.of("--ro-bind", root.resolve("var").toString(), "/var"))).isPositive();
        assertThat(argv).as("the root's entries are bound one by one, never the host's system")
                .doesNotContain(root.toString());
        assertThat(Collections.indexOfSubList(argv, List.of("--ro-bind", "/", "/"))).isNegative();
        assertThat(Collections.indexOfSubList(argv, List.of("--remount-ro", "/"))).isPositive();
        assertThat(Collections.indexOfSubList(argv, List.of("--tmpfs", "/root"))).as("in the root: hidden").isPositive();
        assertThat(Collections.indexOfSubList(argv, List.of("--tmpfs", "/var/lib/dkms"))).isPositive();
        assertThat(argv).as("host paths the root has not: nothing to hide, nothing made in the read-only root")
                .doesNotContain("/srv/build/out", "/srv/keys/mok.key", "/home");
        assertThat(argv.subList(argv.indexOf("--"), argv.size())).endsWith("make");
    }

    @Test
    void aMountWhereTheRootHasNoDirectoryGetsOneMadeAndTheRootStaysReadOnly() throws IOException {
        Files.createDirectories(root.resolve("var/lib/apt"));
        Files.createDirectories(root.resolve("var/lib/dkms"));
        Files.createDirectories(root.resolve("usr/bin"));
        Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
        Path tree = Files.createDirectories(root.resolve("usr/src"));
        Sandbox s = Sandbox.hiding(List.of()).inRoot(root)
                .with(Sandbox.Mount.writable(tree, Path.of("/builds/group/project/hello")),
                        Sandbox.Mount.writable(tree, Path.of("/var/lib/jenkins/workspace/job/hello")));
        List<String> argv = s.wrap(List.of("make"), null);
        assertThat(Collections.indexOfSubList(argv, List.of("--symlink", "usr/bin", "/bin"))).as("links stay links").isPositive();
        assertThat(Collections.indexOfSubList(argv, List.of("--dir", "/builds"))).as("a new top-level directory").isPositive();
        int tmpfs = Collections.indexOfSubList(argv, List.of("--tmpfs", "/var/lib"));
        int again = Collections.indexOfSubList(argv, List.of("--ro-bind", root.resolve("var/lib/apt").toString(), "/var/lib/apt"));
        int made = Collections.indexOfSubList(argv, List.of("--dir", "/var/lib/jenkins"));
        assertThat(tmpfs).as("/var/lib, where the root has no jenkins, becomes a tmpfs").isPositive();
        assertThat(again).as("with the root's entries bound again").isGreaterThan(tmpfs);
        assertThat(made).isGreaterThan(again);
        assertThat(argv.subList(made, argv.indexOf("--"))).as("read-only once the mounts are made")
                .containsSubsequence("--remount-ro", "/", "--remount-ro", "/var/lib");
        assertThat(Collections.indexOfSubList(argv, List.of("--tmpfs", "/var/lib/dkms")))
                .as("a hidden path is hidden after its directory is bound again").isGreaterThan(again);
    }
}

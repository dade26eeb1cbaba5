package io.dkmsdeb.kernel;

import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.model.KernelHeadersException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The error of a kernel without headers, on a host of a given release (a directory with its etc/os-release): a kernel
 * of another release whose name does not say so (bookworm's 6.1.0-N on a trixie host) is pointed at --release, which
 * builds it in that release's build root; a kernel of the host's own release is not.
 */
@Tag("unit")
class KernelHeadersMissingTest {
    @TempDir
    Path root;

    private Host host(String codename) throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/os-release"), "ID=debian\nVERSION_CODENAME=" + codename + "\n");
        return new Host(Map.of(), root);
    }

    @Test
    void aBookwormKernelOnATrixieHostIsPointedAtItsBuildRoot() throws IOException {
        Host trixie = host("trixie");
        assertThatThrownBy(() -> KernelHeaders.locate("6.1.0-57-amd64", null, null, null, trixie))
                .isInstanceOf(KernelHeadersException.class)
                .hasMessageContaining("no kernel headers for 6.1.0-57-amd64 at " + root.resolve("lib/modules/6.1.0-57-amd64/build"))
                .hasMessageContaining("apt-get install linux-headers-6.1.0-57-amd64")
                .hasMessageEndingWith(", or --release bookworm to build it in a bookworm build root (it is a bookworm kernel)");
    }

    @Test
    void aKernelOfTheHostsReleaseOrOfNoKnownReleaseGetsNoReleaseHint() throws IOException {
        Host bookworm = host("bookworm");
        assertThatThrownBy(() -> KernelHeaders.locate("6.1.0-57-amd64", null, null, null, bookworm))
                .isInstanceOf(KernelHeadersException.class).hasMessageContaining("apt-get install linux-headers-6.1.0-57-amd64")
                .hasMessageNotContaining("--release");
        assertThatThrownBy(() -> KernelHeaders.locate("6.12.9-custom", null, null, null, bookworm))
                .isInstanceOf(KernelHeadersException.class).hasMessageNotContaining("--release");
        // headers given with --kernel-source-dir: that directory is the one to fix
        Path none = root.resolve("no-such-headers");
        assertThatThrownBy(() -> KernelHeaders.locate("6.1.0-57-amd64", none, null, null, host("trixie")))
                .isInstanceOf(KernelHeadersException.class).hasMessageContaining(" at " + none).hasMessageNotContaining("--release");
        assertThat(Files.exists(none)).isFalse();
    }
}

package io.dkmsdeb.pipeline;

import io.dkmsdeb.model.kernel.DebianRelease;
import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.model.kernel.KernelListing;
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
 * {@code kernels --prune-cache}: a listing of the host's archive keeps the headers of the kernels it has and removes the
 * others; a listing of one release's archive ({@code --release trixie}) removes only that release's kernels it no longer
 * has, never the headers of the host's (or any other) release.
 */
@Tag("unit")
class CachePruningTest {
    @TempDir
    Path work;

    private static final List<String> CACHED = List.of("6.1.0-40-amd64", "6.12.90+deb12-amd64", "6.12.80+deb13-amd64", "6.12.90+deb13-amd64");

    private Host cacheWithFourKernels() throws IOException {
        for (String k : CACHED) {
            Path t = Files.createDirectories(work.resolve("cache/dkms-deb/headers/" + k + "/usr/src/linux-headers-" + k));
            Files.writeString(t.resolve("Makefile"), "# " + k + "\n");
            Files.writeString(t.getParent().getParent().getParent().resolve(".complete"), "");
        }
        return new Host(Map.of("XDG_CACHE_HOME", work.resolve("cache").toString()), Path.of("/"));
    }

    private static KernelListing.Kernel kernel(String release) {
        return new KernelListing.Kernel(release, "6.12", "amd64", "amd64", "linux-headers-" + release, "1");
    }

    private List<String> left() throws IOException {
        try (var s = Files.list(work.resolve("cache/dkms-deb/headers"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".") && !n.endsWith(".lock")).sorted().toList();
        }
    }

    @Test
    void aReleasesListingPrunesOnlyThatReleasesKernels() throws IOException {
        Host host = cacheWithFourKernels();
        KernelListing.Listing trixie = new KernelListing.Listing(List.of(kernel("6.12.90+deb13-amd64")), List.of(), DebianRelease.TRIXIE);
        assertThat(CachePruning.headers(trixie, host).releases()).containsExactly("6.12.80+deb13-amd64");
        assertThat(left()).containsExactly("6.1.0-40-amd64", "6.12.90+deb12-amd64", "6.12.90+deb13-amd64");
    }

    @Test
    void theHostsListingKeepsOnlyWhatItHas() throws IOException {
        Host host = cacheWithFourKernels();
        KernelListing.Listing own = new KernelListing.Listing(List.of(kernel("6.1.0-40-amd64")), List.of());
        assertThat(CachePruning.headers(own, host).releases()).containsExactlyInAnyOrder("6.12.90+deb12-amd64", "6.12.80+deb13-amd64",
                "6.12.90+deb13-amd64");
        assertThat(left()).containsExactly("6.1.0-40-amd64");
    }
}

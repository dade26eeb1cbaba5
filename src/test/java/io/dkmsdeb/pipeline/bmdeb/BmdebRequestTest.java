package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.model.kernel.DebianRelease;
import io.dkmsdeb.model.kernel.KernelListing;
import io.dkmsdeb.model.UsageException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A bmdeb request is checked when it is built: each wrong combination fails with the options named. */
@Tag("unit")
class BmdebRequestTest {
    private static final String K = "6.1.0-99-amd64";

    private static BmdebRequest.Builder one() {
        return BmdebRequest.builder("hello/1.0").kernels(List.of(K));
    }

    @Test
    void aKernelGivenTwiceIsBuiltOnce() {
        BmdebRequest r = BmdebRequest.builder("hello/1.0").kernels(List.of(K, "6.12.1-amd64", K)).build();
        assertThat(r.kernels().releases()).containsExactly(K, "6.12.1-amd64");
    }

    @Test
    void aRelativeHeadersDirectoryIsTakenFromTheCurrentDirectory() {
        BmdebRequest r = one().kernelSourceDir(Path.of("headers/../headers")).build();
        assertThat(r.kernels().headersDir()).isAbsolute().isEqualTo(Path.of("headers").toAbsolutePath());
    }

    @Test
    void theKernelsAreNamedOneWay() {
        assertThatThrownBy(() -> BmdebRequest.builder("hello/1.0").build()).isInstanceOf(UsageException.class)
                .hasMessageContaining("no kernel given");
        assertThatThrownBy(() -> one().allKernels(true).build()).hasMessageContaining("give one of them");
        assertThatThrownBy(() -> one().kernelsFromArchive(null, Path.of("k.json")).build())
                .hasMessageContaining("--kernel-list is the archive listing");
        assertThatThrownBy(() -> BmdebRequest.builder("hello/1.0").kernelsFromArchive("", null).kernelSourceDir(Path.of("/h")).build())
                .hasMessageContaining("does not go with --kernels-from-archive");
        assertThatThrownBy(() -> BmdebRequest.builder("hello/1.0").kernels(List.of(K, "6.12.1-amd64")).kernelSourceDir(Path.of("/h")).build())
                .hasMessageContaining("give a single -k with it");
        assertThat(BmdebRequest.builder("hello/1.0").kernelsFromArchive("6.1", null).build().kernels().fetches()).isTrue();
    }

    @Test
    void theArchiveListedIsTheKernelListElseTheAptSourcesElseTheReleasesElseTheHosts() {
        KernelListing.Origin trixie = BmdebRequest.builder("hello/1.0").kernelsFromArchive("current", null).release(DebianRelease.TRIXIE)
                .build().kernels().archive();
        assertThat(trixie).isEqualTo(new KernelListing.Origin(null, DebianRelease.TRIXIE, List.of()));
        assertThat(trixie.host()).isFalse();
        assertThat(BmdebRequest.builder("hello/1.0").kernelsFromArchive("", null).build().kernels().archive().host()).isTrue();
        KernelListing.Origin file = BmdebRequest.builder("hello/1.0").kernelsFromArchive("", Path.of("k.json")).release(DebianRelease.TRIXIE)
                .build().kernels().archive();
        assertThat(file.file()).isAbsolute().isEqualTo(Path.of("k.json").toAbsolutePath());
        assertThat(BmdebRequest.builder("hello/1.0").kernelsFromArchive("", null).aptSources(List.of("deb http://x trixie main")).build()
                .kernels().archive().aptSources()).containsExactly("deb http://x trixie main");
        assertThatThrownBy(() -> one().aptSources(List.of("deb http://x trixie main")).build()).isInstanceOf(UsageException.class)
                .hasMessageContaining("--apt-source names the archive --kernels-from-archive lists");
        assertThatThrownBy(() -> BmdebRequest.builder("hello/1.0").kernelsFromArchive("", Path.of("k.json"))
                .aptSources(List.of("deb http://x trixie main")).build()).isInstanceOf(UsageException.class)
                .hasMessageContaining("--kernel-list and --apt-source");
    }

    @Test
    void signingTakesBothFilesOrNone() {
        assertThatThrownBy(() -> one().signWith(Path.of("k"), null).build()).hasMessageContaining("needs both --sign-key KEY and --sign-cert CERT");
        assertThatThrownBy(() -> one().signWith(Path.of("k"), Path.of("c")).noSign(true).build())
                .hasMessageContaining("--no-sign contradicts");
        assertThat(one().noSign(true).build().signing().none()).isTrue();
    }

    @Test
    void numbersInRangeAndNamesValid() {
        assertThatThrownBy(() -> one().jobs(0).build()).hasMessageContaining("-j must be at least 1");
        assertThatThrownBy(() -> one().buildTimeoutSeconds(0).build()).hasMessageContaining("--build-timeout must be at least 1");
        assertThatThrownBy(() -> one().lockTimeout(Duration.ofSeconds(-1)).build()).hasMessageContaining("--lock-timeout must be 0 or more");
        assertThatThrownBy(() -> one().name("Not_A_Name").build()).hasMessageContaining("(from --name) is not a valid Debian package name");
        assertThat(one().buildTimeoutSeconds(30).build().lockTimeout()).as("the lock waits as long as a build step")
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(one().lockTimeout(Duration.ofSeconds(5)).build().lockTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aBuildRootOnlyForAReleaseTheKernelOrTheUserNames(@org.junit.jupiter.api.io.TempDir Path root) throws Exception {
        java.nio.file.Files.createDirectories(root.resolve("etc"));
        java.nio.file.Files.writeString(root.resolve("etc/os-release"), "ID=debian\nVERSION_CODENAME=bookworm\n");
        io.dkmsdeb.model.kernel.Host bookworm = new io.dkmsdeb.model.kernel.Host(java.util.Map.of(), root);
        BmdebRequest r = BmdebRequest.builder("hello/1.0").kernels(List.of("6.12.99+deb13-amd64", "6.1.0-99-amd64", "5.10.0-99-amd64",
                "6.12.99+deb12-amd64")).host(bookworm).build();
        assertThat(r.buildRootOf("6.12.99+deb13-amd64")).contains(io.dkmsdeb.model.kernel.DebianRelease.TRIXIE);
        assertThat(r.buildRootOf("6.1.0-99-amd64")).as("the host's release").isEmpty();
        assertThat(r.buildRootOf("6.12.99+deb12-amd64")).as("the host's release, named").isEmpty();
        assertThat(r.buildRootOf("5.10.0-99-amd64")).as("a name that does not say its release sets off no debootstrap").isEmpty();
        assertThat(r.levelFor("6.12.99+deb13-amd64").release()).isEqualTo("3.2.2");
        BmdebRequest named = BmdebRequest.builder("hello/1.0").kernels(List.of("5.10.0-99-amd64"))
                .release(new io.dkmsdeb.model.kernel.DebianRelease("bullseye")).host(bookworm).build();
        assertThat(named.buildRootOf("5.10.0-99-amd64")).contains(new io.dkmsdeb.model.kernel.DebianRelease("bullseye"));
    }
}

package io.dkmsdeb.kernel;

import io.dkmsdeb.model.KernelHeadersException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What an arm64 headers package asks of an amd64 build root, read from its apt-cache record (trixie's, as its archive has it). */
@Tag("unit")
class ForeignHeadersTest {
    static final String RECORD = """
            Package: linux-headers-6.12.99+deb13-arm64
            Version: 6.12.99-1
            Architecture: arm64
            Depends: linux-base (>= 4.12~), linux-headers-6.12.99+deb13-common (= 6.12.99-1), linux-image-6.12.99+deb13-arm64 (= 6.12.99-1)
             | linux-image-6.12.99+deb13-arm64-unsigned (= 6.12.99-1), linux-kbuild-6.12.99+deb13, gcc-14
            Description: Header files for Linux 6.12.99+deb13-arm64
            """;

    @Test
    void theRootsOwnKbuildAndCommonHeadersOfTheVersionAndTheCrossCompilerOfItsGcc() {
        ForeignHeaders h = ForeignHeaders.of(RECORD, CrossToolchain.of("arm64", "amd64"));
        assertThat(h.version()).isEqualTo("6.12.99-1");
        assertThat(h.natives()).containsExactly("linux-headers-6.12.99+deb13-common=6.12.99-1", "linux-kbuild-6.12.99+deb13");
        assertThat(h.crossCompiler()).isEqualTo("gcc-14-aarch64-linux-gnu");
        assertThat(h.crossPackages()).containsExactly("gcc-14-aarch64-linux-gnu", "binutils-aarch64-linux-gnu");
    }

    @Test
    void noGccDependencyMeansTheDefaultCrossCompilerAndNoVersionIsRefused() {
        ForeignHeaders h = ForeignHeaders.of(RECORD.replace(", gcc-14", ""), CrossToolchain.of("arm64", "amd64"));
        assertThat(h.crossCompiler()).isEqualTo("gcc-aarch64-linux-gnu");
        assertThatThrownBy(() -> ForeignHeaders.of(RECORD.replace("Version: 6.12.99-1\n", ""), CrossToolchain.of("arm64", "amd64")))
                .isInstanceOf(KernelHeadersException.class).hasMessageContaining("no Version");
    }
}

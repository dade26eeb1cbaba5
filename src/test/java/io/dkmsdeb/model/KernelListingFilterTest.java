package io.dkmsdeb.model;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A kernel filter that selects nothing (a typo such as amd46) is a usage error naming what the archive serves. */
@Tag("unit")
class KernelListingFilterTest {
    private static KernelListing.Kernel kernel(String release, String series, String flavour, String arch) {
        return new KernelListing.Kernel(release, series, flavour, arch, "linux-headers-" + release, "1");
    }

    private static final KernelListing.Listing LISTING = new KernelListing.Listing(List.of(
            kernel("6.1.0-57-amd64", "6.1", "amd64", "amd64"),
            kernel("6.1.0-57-cloud-amd64", "6.1", "cloud-amd64", "amd64"),
            kernel("6.12.57+deb13-arm64", "6.12", "arm64", "arm64")), List.of());

    @Test
    void aTypoIsAUsageErrorNamingWhatIsServed() {
        assertThatThrownBy(() -> LISTING.filterMatching("amd46"))
                .isInstanceOf(UsageException.class)
                .hasMessage("no kernel of the archive matches 'amd46'; it serves the series 6.1, 6.12, the flavours amd64, arm64, cloud-amd64 "
                        + "and the architectures amd64, arm64; correct the filter (see 'dkms-deb kernels --help')")
                .satisfies(e -> assertThat(((UsageException) e).exitCode()).isEqualTo(2));
    }

    @Test
    void aFilterThatMatchesAndNoFilterAtAllAreNoError() {
        assertThat(LISTING.filterMatching("6.1 amd64").kernels()).extracting(KernelListing.Kernel::release).containsExactly("6.1.0-57-amd64");
        assertThat(LISTING.filterMatching("").kernels()).hasSize(3);
        assertThat(new KernelListing.Listing(List.of(), List.of()).filterMatching(" ").kernels()).isEmpty();
        assertThatThrownBy(() -> new KernelListing.Listing(List.of(), List.of()).filterMatching("amd64"))
                .hasMessageContaining("the archive serves no kernel headers");
    }
}

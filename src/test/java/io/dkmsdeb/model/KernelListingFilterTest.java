package io.dkmsdeb.model;

import io.dkmsdeb.model.kernel.KernelListing;

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

    /** An archive as Debian's: several ABIs per flavour (in no order), the meta-packages on the newest but one for rt. */
    private static final KernelListing.Listing ARCHIVE = new KernelListing.Listing(List.of(
            kernel("6.1.0-56-amd64", "6.1", "amd64", "amd64"),
            kernel("6.1.0-9-amd64", "6.1", "amd64", "amd64"),
            kernel("6.1.0-57-amd64", "6.1", "amd64", "amd64"),
            kernel("6.1.0-55-amd64", "6.1", "amd64", "amd64"),
            kernel("6.1.0-57-cloud-amd64", "6.1", "cloud-amd64", "amd64"),
            kernel("6.1.0-56-cloud-amd64", "6.1", "cloud-amd64", "amd64"),
            kernel("6.1.0-56-rt-amd64", "6.1", "rt-amd64", "amd64"),
            kernel("6.1.0-57-rt-amd64", "6.1", "rt-amd64", "amd64"),
            kernel("6.12.115+deb12-amd64", "6.12", "amd64", "amd64"),
            kernel("6.12.117+deb12-amd64", "6.12", "amd64", "amd64"),
            kernel("6.12.117+deb12-arm64", "6.12", "arm64", "arm64")), List.of(
            new KernelListing.Meta("linux-image-amd64", "amd64", "6.1.192-3", "6.1.0-57-amd64"),
            new KernelListing.Meta("linux-image-cloud-amd64", "cloud-amd64", "6.1.192-3", "6.1.0-57-cloud-amd64"),
            new KernelListing.Meta("linux-image-rt-amd64", "rt-amd64", "6.1.176-1", "6.1.0-56-rt-amd64"),
            new KernelListing.Meta("linux-image-6.12-amd64", "6.12-amd64", "6.12.117-1~deb12u1", "6.12.117+deb12-amd64")));

    @Test
    void currentPicksWhatTheMetaPackagesDependOnAndCurrentPlusNTheNAbisBefore() {
        assertThat(ARCHIVE.filterMatching("current").kernels()).extracting(KernelListing.Kernel::release).containsExactlyInAnyOrder(
                "6.1.0-57-amd64", "6.1.0-57-cloud-amd64", "6.1.0-56-rt-amd64", "6.12.117+deb12-amd64");
        // natural order: 6.1.0-9 is older than 6.1.0-55; the rt meta-package is one ABI behind, and nothing newer is taken
        assertThat(ARCHIVE.filterMatching("current+2 arch=amd64 6.1").kernels()).extracting(KernelListing.Kernel::release)
                .containsExactlyInAnyOrder("6.1.0-57-amd64", "6.1.0-56-amd64", "6.1.0-55-amd64", "6.1.0-57-cloud-amd64",
                        "6.1.0-56-cloud-amd64", "6.1.0-56-rt-amd64");
        // no meta-package for arm64 in this listing: current selects none of its kernels
        assertThatThrownBy(() -> ARCHIVE.filterMatching("current arm64")).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> ARCHIVE.filterMatching("current+x")).isInstanceOf(UsageException.class).hasMessageContaining("current[+N]");
    }
}

package io.dkmsdeb.pipeline.repo;

import io.dkmsdeb.deb.AptIndex;
import io.dkmsdeb.model.kernel.KernelListing;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which packages retention takes out, on packages shaped as bmdeb and repo write them. */
@Tag("unit")
class RetentionTest {
    private static final String A = "6.1.0-90-amd64";
    private static final String B = "6.1.0-91-amd64";
    private static final String C = "6.1.0-92-amd64";

    private static RepoPool.Entry pkg(String name, String version, String arch, String source, String depends) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("Package", name);
        if (source != null) {
            f.put("Source", source);
        }
        f.put("Version", version);
        f.put("Architecture", arch);
        if (depends != null) {
            f.put("Depends", depends);
        }
        return new RepoPool.Entry("pool/main/x/" + name + "_" + version + "_" + arch + ".deb", AptIndex.Checksums.of(new byte[0]), f);
    }

    private static RepoPool.Entry modules(String kver, String version) {
        return pkg("hello-modules-" + kver, version, "amd64", "hello-dkms-bin", "linux-image-" + kver + " | linux-image-" + kver + "-unsigned");
    }

    private static RepoPool.Entry meta(String version, String kver) {
        return pkg("hello-modules-amd64", version, "amd64", "hello-dkms-bin", "hello-modules-" + kver + " (= 1.0)");
    }

    private static KernelListing.Listing listing(String... releases) {
        return new KernelListing.Listing(List.of(releases).stream()
                .map(r -> new KernelListing.Kernel(r, "6.1", "amd64", "amd64", "linux-headers-" + r, "1")).toList(), List.of());
    }

    @Test
    void aKernelThatLeftTheListingTakesItsModulesAndTheOlderMetaVersionsThatPointedAtIt() {
        RepoPool.Entry a = modules(A, "1.0");
        RepoPool.Entry b = modules(B, "1.0");
        RepoPool.Entry c = modules(C, "1.0");
        RepoPool.Entry metaA = meta("1.0+1", A);
        RepoPool.Entry metaC = meta("1.0+3", C);
        RepoPool.Entry dkms = pkg("hello-dkms", "1.0-1", "all", "hello", "dkms");
        List<RepoPool.Entry> all = List.of(a, b, c, metaA, metaC, dkms);
        assertThat(Retention.plan(all, listing(B, C), 0)).containsExactly(a, metaA);
        assertThat(Retention.kernelOf(a)).contains(A);
        assertThat(Retention.kernelOf(dkms)).isEmpty();
        assertThat(Retention.kernelOf(metaA)).isEmpty();
    }

    @Test
    void whatTheNewestMetaPackageDependsOnStaysEvenWhenItsKernelLeftTheListing() {
        RepoPool.Entry a = modules(A, "1.0");
        RepoPool.Entry metaA = meta("1.0+1", A);
        assertThat(Retention.plan(List.of(a, metaA, modules(B, "1.0")), listing(B), 0)).isEmpty();
    }

    @Test
    void aListingWithoutKernelsOfAnArchitectureSaysNothingOfItsPackages() {
        RepoPool.Entry arm = pkg("hello-modules-6.1.0-90-arm64", "1.0", "arm64", "hello-dkms-bin", "linux-image-6.1.0-90-arm64");
        assertThat(Retention.plan(List.of(arm), listing(B), 0)).isEmpty();
    }

    @Test
    void keepBuildsKeepsTheNewestVersionsOfEachPackageButNotWhatAMetaPackageNeeds() {
        RepoPool.Entry b1 = modules(B, "1.0");
        RepoPool.Entry b2 = modules(B, "1.0+b1");
        RepoPool.Entry b3 = modules(B, "1.1");
        RepoPool.Entry metaOld = meta("1.0+1", B);
        RepoPool.Entry metaNew = pkg("hello-modules-amd64", "1.0+2", "amd64", "hello-dkms-bin", "hello-modules-" + B + " (= 1.0+b1)");
        assertThat(Retention.plan(List.of(b1, b2, b3, metaOld, metaNew), null, 1)).containsExactly(b1, metaOld);
        // two versions of each: the older meta-package stays, and with it the build it depends on
        assertThat(Retention.plan(List.of(b1, b2, b3, metaOld, metaNew), null, 2)).isEmpty();
        assertThat(Retention.plan(List.of(b1, b2, b3), null, 0)).isEmpty();
    }
}

package io.dkmsdeb.kernel;

import io.dkmsdeb.model.deb.Compression;
import io.dkmsdeb.model.dkms.DkmsConf;
import io.dkmsdeb.model.dkms.DkmsModule;
import io.dkmsdeb.model.kernel.KernelTarget;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** BUILD_EXCLUSIVE_* without a kernel: the release is a name, the config a map. */
@Tag("unit")
class BuildExclusiveTest {
    static KernelTarget kernel(String release) {
        return new KernelTarget(release, Path.of("/nonexistent"), "amd64", "x86_64", Compression.NONE, Map.of("CONFIG_PCI", "y", "CONFIG_DRM", "m"));
    }

    static DkmsConf.BuildExclusive rules(String kernel, String min, String max, String arch, String config) {
        return new DkmsConf.BuildExclusive(kernel, min, max, arch, config);
    }

    @Test
    void versionOrderIsSortV() {
        assertThat(BuildExclusive.VersionOrder.compare("6.1.0-9-amd64", "6.1.0-10-amd64")).isNegative();
        assertThat(BuildExclusive.VersionOrder.compare("6.12.1", "6.2")).isPositive();
        assertThat(BuildExclusive.VersionOrder.compare("6.1", "6.1.0")).isNegative();
        assertThat(BuildExclusive.VersionOrder.compare("6.1.0", "6.1.0")).isZero();
        assertThat(BuildExclusive.VersionOrder.compare("6.12.57+deb13-amd64", "6.12.57")).isPositive();
        assertThat(BuildExclusive.VersionOrder.compare("10.0", "9.99")).isPositive();
    }

    @Test
    void minAndMaxBoundTheReleaseInVersionOrder() {
        assertThat(BuildExclusive.reason(rules("", "6.2", "", "", ""), kernel("6.12.57+deb13-amd64"))).isEmpty();
        assertThat(BuildExclusive.reason(rules("", "6.2", "", "", ""), kernel("6.1.0-56-amd64")))
                .hasValue("6.1.0-56-amd64 is older than BUILD_EXCLUSIVE_KERNEL_MIN=\"6.2\"");
        assertThat(BuildExclusive.reason(rules("", "", "6.9", "", ""), kernel("6.12.57+deb13-amd64")))
                .hasValue("6.12.57+deb13-amd64 is newer than BUILD_EXCLUSIVE_KERNEL_MAX=\"6.9\"");
    }

    @Test
    void kernelArchAndConfig() {
        assertThat(BuildExclusive.reason(rules("^6\\.1\\.", "", "", "", ""), kernel("6.12.57+deb13-amd64"))).isPresent();
        assertThat(BuildExclusive.reason(rules("^6\\.1\\.", "", "", "", ""), kernel("6.1.0-56-amd64"))).isEmpty();
        assertThat(BuildExclusive.reason(rules("", "", "", "aarch64", ""), kernel("6.1.0-56-amd64")))
                .hasValue("BUILD_EXCLUSIVE_ARCH=\"aarch64\" does not match x86_64");
        assertThat(BuildExclusive.reason(rules("", "", "", "", "CONFIG_PCI CONFIG_DRM"), kernel("6.1.0-56-amd64"))).isEmpty();
        assertThat(BuildExclusive.reason(rules("", "", "", "", "CONFIG_USB"), kernel("6.1.0-56-amd64"))).isPresent();
        assertThat(BuildExclusive.reason(rules("", "", "", "", "!CONFIG_DRM"), kernel("6.1.0-56-amd64")))
                .hasValue("BUILD_EXCLUSIVE_CONFIG wants CONFIG_DRM unset, and 6.1.0-56-amd64 has CONFIG_DRM=m");
    }

    @Test
    void aRecordsOwnRulesExcludeItsModuleOnly() {
        DkmsModule zero = new DkmsModule(0, "a", "", "a", "/updates/dkms", true);
        DkmsModule one = new DkmsModule(1, "b", "", "b", "/updates/dkms", true, rules("^6\\.1\\.", "", "", "", ""));
        DkmsModule two = new DkmsModule(2, "c", "", "c", "/updates/dkms", true, rules("", "", "", "", "!CONFIG_DRM"));
        DkmsConf conf = new DkmsConf("p", "1.0", List.of(zero, one, two), new DkmsConf.Steps("", "", List.of(), "", ""), List.of(), true,
                DkmsModule.NONE);
        assertThat(BuildExclusive.excludedModules(conf, kernel("6.1.0-56-amd64"))).containsOnlyKeys(two)
                .containsEntry(two, "BUILD_EXCLUSIVE_CONFIG[2] wants CONFIG_DRM unset, and 6.1.0-56-amd64 has CONFIG_DRM=m");
        assertThat(BuildExclusive.excludedModules(conf, kernel("6.12.57+deb13-amd64"))).containsOnlyKeys(one, two)
                .containsEntry(one, "BUILD_EXCLUSIVE_KERNEL[1]=\"^6\\.1\\.\" does not match 6.12.57+deb13-amd64");
        assertThat(conf.withModules(List.of(zero)).modules()).containsExactly(zero);
    }
}

package io.dkmsdeb.pipeline.repo;

import io.dkmsdeb.pipeline.Maintainer;
import io.dkmsdeb.debiandir.DebianVersion;
import io.dkmsdeb.model.deb.DebPackage;
import io.dkmsdeb.model.kernel.KernelListing;
import io.dkmsdeb.templates.ScriptTemplates;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-flavour meta-package: its version rule in dpkg's order, which packages it is made for, its control fields. */
@Tag("unit")
class MetaPackagePlannerTest {
    private static final String A = "9.9.0-1-amd64";
    private static final String B = "9.9.0-2-amd64";

    private static Map<String, String> modules(String release, String version) {
        return Map.of("Package", "hello-modules-" + release, "Source", "hello-dkms-bin", "Version", version, "Architecture", "amd64",
                "Maintainer", "Test <test@example.org>");
    }

    @Test
    void theVersionJoinsModuleAndKernelMetaVersions() {
        assertThat(MetaPackagePlanner.version("1.0", "6.1.192-3")).isEqualTo("1.0+6.1.192.3");
        assertThat(MetaPackagePlanner.version("1.0", "1:6.1.192-3")).isEqualTo("1.0+6.1.192.3");
        assertThat(MetaPackagePlanner.version("1.0-2", "6.12.117-1~deb12u1")).isEqualTo("1.0+6.12.117.1~deb12u1-2");
        assertThat(MetaPackagePlanner.version("1:2.0", "6.1.192-3")).isEqualTo("1:2.0+6.1.192.3");
    }

    @Test
    void theVersionRisesWithANewAbiANewMetaVersionAndANewModuleVersion() {
        String base = MetaPackagePlanner.version("1.0", "6.1.192-3");
        // a new ABI comes with a new linux-image-amd64 version
        assertThat(DebianVersion.compare(MetaPackagePlanner.version("1.0", "6.1.193-1"), base)).isPositive();
        // a rebuild of the kernel meta-package with the same ABI
        assertThat(DebianVersion.compare(MetaPackagePlanner.version("1.0", "6.1.192-4"), base)).isPositive();
        assertThat(DebianVersion.compare(MetaPackagePlanner.version("1.0", "6.1.192-3+deb12u1"), base)).isPositive();
        // a new module version, and a new module revision
        assertThat(DebianVersion.compare(MetaPackagePlanner.version("1.1", "6.1.192-3"), base)).isPositive();
        assertThat(DebianVersion.compare(MetaPackagePlanner.version("1.0.1", "6.1.192-3"), base)).isPositive();
        assertThat(DebianVersion.compare(MetaPackagePlanner.version("1.0-2", "6.1.192-3"), MetaPackagePlanner.version("1.0-1", "6.1.192-3")))
                .isPositive();
        // a series change (6.1 to 6.12) as linux-image-amd64 makes it between Debian releases
        assertThat(DebianVersion.compare(MetaPackagePlanner.version("1.0", "6.12.48-1"), base)).isPositive();
    }

    @Test
    void aMetaPackageForEachKernelMetaPackageWhoseKernelHasAModulePackage() {
        KernelListing.Listing listing = new KernelListing.Listing(List.of(), List.of(
                new KernelListing.Meta("linux-image-amd64", "amd64", "9.9-1", A),
                new KernelListing.Meta("linux-image-cloud-amd64", "cloud-amd64", "9.9-1", "9.9.0-1-cloud-amd64"),
                new KernelListing.Meta("linux-image-9.9-amd64", "9.9-amd64", "9.9-2", B)));
        List<MetaPackagePlanner.Plan> plans = MetaPackagePlanner.plans(List.of(modules(A, "1.0"), modules(A, "1.1"), modules(B, "1.0"),
                Map.of("Package", "hello-dkms", "Source", "hello", "Version", "1.1-1", "Architecture", "all")), listing);
        assertThat(plans).extracting(MetaPackagePlanner.Plan::packageName).containsExactly("hello-modules-amd64", "hello-modules-9.9-amd64");
        assertThat(plans.get(0).target().version()).isEqualTo("1.1");
        assertThat(plans.get(0).version()).isEqualTo("1.1+9.9.1");

        DebPackage pkg = new MetaPackagePlanner(new ScriptTemplates(null)).plan(plans.get(0), 1_700_000_000L);
        assertThat(pkg.field("Depends")).contains("hello-modules-" + A + " (= 1.1)");
        assertThat(pkg.field("Source")).contains("hello-dkms-bin");
        assertThat(pkg.field("Section")).contains("kernel");
        assertThat(pkg.field("Maintainer")).contains("Test <test@example.org>");
        assertThat(pkg.scripts()).isEmpty();
        assertThat(pkg.data()).extracting(e -> e.path()).contains("usr/share/doc/hello-modules-amd64/copyright",
                "usr/share/doc/hello-modules-amd64/changelog.gz");
    }
}

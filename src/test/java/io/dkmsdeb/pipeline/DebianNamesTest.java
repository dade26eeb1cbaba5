package io.dkmsdeb.pipeline;

import io.dkmsdeb.model.ModuleSourceException;
import io.dkmsdeb.model.UsageException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Package names and versions (policy 5.6.7, 5.6.12). */
@Tag("unit")
class DebianNamesTest {
    @Test
    void dkmsAndModulesPackageNames() {
        assertThat(DebianNames.dkmsPackage("hello")).isEqualTo("hello-dkms");
        assertThat(DebianNames.dkmsPackage("acme_nic")).isEqualTo("acme-nic-dkms");
        assertThat(DebianNames.dkmsPackage("zfoo-dkms")).isEqualTo("zfoo-dkms");
        assertThat(DebianNames.modulesPackage("hello", "6.12.57+deb13-amd64")).isEqualTo("hello-modules-6.12.57+deb13-amd64");
        assertThat(DebianNames.modulesPackage("acme_nic-dkms", "6.1.0-56_RT")).isEqualTo("acme-nic-modules-6.1.0-56-rt");
        assertThat(DebianNames.providesBase("hello-dkms")).isEqualTo("hello");
    }

    @Test
    void upperCaseAndBadNamesAreRefusedWithAWayOut() {
        assertThatThrownBy(() -> DebianNames.dkmsPackage("Hello")).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("upper-case").hasMessageContaining("--name hello (for hello-dkms)");
        assertThatThrownBy(() -> DebianNames.modulesPackage("Hello", "6.1.0-1-amd64")).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("--name hello");
        assertThatThrownBy(() -> DebianNames.requirePackageName("x", "test")).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("policy 5.6.7");
    }

    @Test
    void versions() {
        assertThat(DebianNames.debianVersion("1.0", "1")).isEqualTo("1.0-1");
        assertThat(DebianNames.debianVersion("2.28.16~rc1", "0+deb12u1")).isEqualTo("2.28.16~rc1-0+deb12u1");
        assertThat(DebianNames.requireUpstreamVersion("1.0")).isEqualTo("1.0");
        assertThatThrownBy(() -> DebianNames.debianVersion("v1.0", "1")).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("PACKAGE_VERSION");
        assertThatThrownBy(() -> DebianNames.debianVersion("1.0", "1-2")).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> DebianNames.requireUpstreamVersion("1.0 beta")).isInstanceOf(ModuleSourceException.class);
    }

    @Test
    void theNamesOfBuiltPackagesHaveOneHome() {
        assertThat(DebianNames.dkmsBinSource("hello")).isEqualTo("hello-dkms-bin");
        assertThat(DebianNames.moduleOfSource("hello-dkms-bin")).contains("hello");
        assertThat(DebianNames.moduleOfSource("hello-dkms-bin (1.0-1)")).as("a version after the name").contains("hello");
        assertThat(DebianNames.moduleOfSource("hello-dkms")).isEmpty();
        assertThat(DebianNames.moduleOfSource("-dkms-bin")).isEmpty();
        assertThat(DebianNames.moduleOfSource(null)).isEmpty();
        assertThat(DebianNames.modulesSuffix("6.1.0-9-AMD64_x")).isEqualTo("-modules-6.1.0-9-amd64-x");
        assertThat(DebianNames.modulesPackage("hello", "6.1.0-9-amd64")).endsWith(DebianNames.modulesSuffix("6.1.0-9-amd64"));
        assertThat(DebianNames.modulesMetaPackage("hello", "cloud-amd64")).isEqualTo("hello-modules-cloud-amd64");
    }
}

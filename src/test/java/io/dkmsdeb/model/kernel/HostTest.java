package io.dkmsdeb.model.kernel;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The host's paths under a root of the test's own, and the one rule for installed headers. */
@Tag("unit")
class HostTest {
    @TempDir
    Path root;

    @Test
    void headersAreInstalledWhenTheBuildLinkHasAMakefileAndAConfig() throws IOException {
        Host host = new Host(Map.of(), root);
        String kver = "6.1.0-99-amd64";
        assertThat(host.headersInstalled(kver)).as("no /lib/modules").isFalse();
        Path headers = Files.createDirectories(root.resolve("usr/src/linux-headers-" + kver));
        Files.createDirectories(root.resolve("lib/modules/" + kver));
        Files.createSymbolicLink(host.installedHeaders(kver), headers);
        Files.writeString(headers.resolve("Makefile"), "# kbuild\n");
        assertThat(host.headersInstalled(kver)).as("a Makefile without .config is no prepared tree").isFalse();
        Files.writeString(headers.resolve(".config"), "CONFIG_MODULES=y\n");
        assertThat(host.headersInstalled(kver)).isTrue();
        Files.delete(headers.resolve("Makefile"));
        Files.createDirectories(headers.resolve("Makefile"));
        assertThat(host.headersInstalled(kver)).as("a directory named Makefile").isFalse();
    }

    @Test
    void pathsFollowTheRoot() {
        Host host = new Host(Map.of(), root);
        assertThat(host.libModules()).isEqualTo(root.resolve("lib/modules"));
        assertThat(host.usrSrc()).isEqualTo(root.resolve("usr/src"));
        assertThat(host.mokKey()).isEqualTo(root.resolve("var/lib/dkms/mok.key"));
        assertThat(host.mokCert()).isEqualTo(root.resolve("var/lib/dkms/mok.pub"));
        assertThat(Host.of(Map.of()).libModules()).isEqualTo(Path.of("/lib/modules"));
        assertThatThrownBy(() -> new Host(Map.of(), Path.of("relative"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theEnvironmentWithFallbacks() {
        Host host = Host.of(Map.of("XDG_CACHE_HOME", "/c", "PATH", "", "X", "1"));
        assertThat(host.cacheDir()).isEqualTo(Path.of("/c/dkms-deb"));
        assertThat(host.searchPath()).as("an empty PATH is no path").isEqualTo(Host.DEFAULT_PATH);
        assertThat(host.get("X", "0")).isEqualTo("1");
        assertThat(host.get("Y", "0")).isEqualTo("0");
        assertThat(Host.of(Map.of()).cacheDir()).isEqualTo(Path.of(System.getProperty("user.home"), ".cache", "dkms-deb"));
    }
}

package io.dkmsdeb.model.kernel;

import io.dkmsdeb.model.UsageException;
import io.dkmsdeb.model.dkms.DkmsLevel;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Debian release of a kernel, of the host, and the dkms level each release ships. */
@Tag("unit")
class DebianReleaseTest {
    @TempDir
    Path root;

    @Test
    void aKernelsReleaseComesFromItsDebSuffixOrItsPlainAbi() {
        assertThat(DebianRelease.ofKernel("6.12.48+deb13-amd64")).contains(DebianRelease.TRIXIE);
        assertThat(DebianRelease.ofKernel("6.12.48+deb13-cloud-arm64")).contains(DebianRelease.TRIXIE);
        assertThat(DebianRelease.ofKernel("6.12.43+deb12-amd64")).as("bookworm-backports").contains(DebianRelease.BOOKWORM);
        assertThat(DebianRelease.ofKernel("6.1.0-57-amd64")).as("bookworm's ABIs carry no suffix").contains(DebianRelease.BOOKWORM);
        assertThat(DebianRelease.ofKernel("5.10.0-35-amd64")).contains(new DebianRelease("bullseye"));
        assertThat(DebianRelease.ofKernel("6.16.3-custom")).isEmpty();
        assertThat(DebianRelease.ofKernel("6.12.1+deb99-amd64")).as("a Debian version not known").isEmpty();
    }

    @Test
    void eachReleaseHasTheDkmsLevelItShips() {
        assertThat(DebianRelease.BOOKWORM.dkmsLevel()).isEqualTo(DkmsLevel.BOOKWORM);
        assertThat(DebianRelease.TRIXIE.dkmsLevel()).isEqualTo(DkmsLevel.TRIXIE);
        assertThat(new DebianRelease("bullseye").dkmsLevel()).as("the oldest level known").isEqualTo(DkmsLevel.BOOKWORM);
        assertThat(new DebianRelease("forky").dkmsLevel()).isEqualTo(DkmsLevel.NEWEST);
        assertThat(new DebianRelease("sid").dkmsLevel()).isEqualTo(DkmsLevel.NEWEST);
    }

    @Test
    void aReleaseIsACodenameOrANumber() {
        assertThat(DebianRelease.parse("Trixie")).isEqualTo(DebianRelease.TRIXIE);
        assertThat(DebianRelease.parse("13")).isEqualTo(DebianRelease.TRIXIE);
        assertThatThrownBy(() -> DebianRelease.parse("../etc")).isInstanceOf(UsageException.class).hasMessageContaining("codename");
        assertThatThrownBy(() -> DebianRelease.parse("42")).isInstanceOf(UsageException.class).hasMessageContaining("trixie");
    }

    @Test
    void theHostsReleaseIsItsVersionCodename() throws IOException {
        Host host = new Host(Map.of(), root);
        assertThat(host.debianRelease()).as("no os-release").isEmpty();
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/os-release"), "PRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\nVERSION_CODENAME=trixie\n");
        assertThat(host.debianRelease()).isEqualTo(Optional.of(DebianRelease.TRIXIE));
    }
}

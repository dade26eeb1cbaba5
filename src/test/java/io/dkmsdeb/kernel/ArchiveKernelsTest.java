package io.dkmsdeb.kernel;

import io.dkmsdeb.model.kernel.KernelListing;
import io.dkmsdeb.model.UsageException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The listing's own rules: release parsing, order, filters, its JSON form. No apt here (KernelsCommandTest asks apt). */
@Tag("unit")
class ArchiveKernelsTest {
    private static KernelListing.Kernel k(String release, String arch, String version) {
        var m = KernelListing.RELEASE.matcher(release);
        assertThat(m.matches()).as(release).isTrue();
        return new KernelListing.Kernel(release, m.group(2) + "." + m.group(3), m.group(4), arch, "linux-headers-" + release, version);
    }

    private static final KernelListing.Listing LISTING = new KernelListing.Listing(List.of(
            k("6.1.0-9-amd64", "amd64", "6.1.20-1"), k("6.1.0-10-amd64", "amd64", "6.1.30-1"),
            k("6.1.0-10-cloud-amd64", "amd64", "6.1.30-1"), k("6.12.8+deb12-amd64", "amd64", "6.12.8-1~deb12u1"),
            k("6.1.0-10-arm64", "arm64", "6.1.30-1"), k("6.1.0-10-686-pae", "i386", "6.1.30-1")),
            List.of(new KernelListing.Meta("linux-image-amd64", "amd64", "6.1.30-1", "6.1.0-10-amd64"),
                    new KernelListing.Meta("linux-image-6.12-amd64", "6.12-amd64", "6.12.8-1~deb12u1", "6.12.8+deb12-amd64")));

    @Test
    void releasesSplitIntoSeriesAbiAndFlavour() {
        assertThat(k("6.1.0-57-cloud-amd64", "amd64", "1").flavour()).isEqualTo("cloud-amd64");
        assertThat(k("6.1.0-57-cloud-amd64", "amd64", "1").series()).isEqualTo("6.1");
        assertThat(k("6.12.117+deb12-rt-amd64", "amd64", "1").flavour()).isEqualTo("rt-amd64");
        assertThat(k("6.12.117+deb12-rt-amd64", "amd64", "1").series()).isEqualTo("6.12");
        assertThat(k("6.1.0-10-686-pae", "i386", "1").flavour()).isEqualTo("686-pae");
    }

    @Test
    void naturalOrderPutsAbi10AfterAbi9AndSeries12After1() {
        assertThat(KernelListing.natural("6.1.0-9-amd64", "6.1.0-10-amd64")).isNegative();
        assertThat(KernelListing.natural("6.1", "6.12")).isNegative();
        assertThat(KernelListing.natural("6.12.117", "6.12.117")).isZero();
    }

    @Test
    void filterWordsOfOneKindAreAlternativesAndKindsCombine() {
        assertThat(LISTING.filter("").kernels()).hasSize(6);
        assertThat(LISTING.filter("6.1 amd64").kernels()).extracting(KernelListing.Kernel::release)
                .containsExactly("6.1.0-9-amd64", "6.1.0-10-amd64");
        assertThat(LISTING.filter("amd64,cloud-amd64").kernels()).hasSize(4);
        assertThat(LISTING.filter("arch=arm64").kernels()).extracting(KernelListing.Kernel::release).containsExactly("6.1.0-10-arm64");
        assertThat(LISTING.filter("6.12").metas()).extracting(KernelListing.Meta::pkg).containsExactly("linux-image-6.12-amd64");
        assertThat(LISTING.filter("6.1.0-9-amd64").metas()).isEmpty();
        assertThat(LISTING.filter("5.10").kernels()).isEmpty();
        assertThatThrownBy(() -> LISTING.filter("6.1 ../x")).isInstanceOf(UsageException.class).hasMessageContaining("../x");
    }

    @Test
    void jsonFormReadsBackInReleaseOrder(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("k.json");
        // what kernels --json prints is what --kernel-list reads
        Files.writeString(f, io.dkmsdeb.support.Json.write(io.dkmsdeb.cli.json.KernelsReport.of(LISTING)));
        KernelListing.Listing back = ArchiveKernels.read(f);
        assertThat(back.metas()).isEqualTo(LISTING.metas());
        assertThat(back.kernels()).extracting(KernelListing.Kernel::release).containsExactly("6.1.0-10-686-pae", "6.1.0-9-amd64",
                "6.1.0-10-amd64", "6.1.0-10-arm64", "6.1.0-10-cloud-amd64", "6.12.8+deb12-amd64");
        assertThat(back.kernel("6.1.0-10-amd64").orElseThrow().headersId()).isEqualTo("linux-headers-6.1.0-10-amd64=6.1.30-1");
    }

    @Test
    void aListingOfAReleaseRecordsItAndOneWithoutReadsAsTheHostsArchive(@TempDir Path dir) throws Exception {
        KernelListing.Listing trixie = new KernelListing.Listing(List.of(k("6.12.48+deb13-amd64", "amd64", "6.12.48-1")),
                List.of(new KernelListing.Meta("linux-image-amd64", "amd64", "6.12.48-1", "6.12.48+deb13-amd64")),
                io.dkmsdeb.model.kernel.DebianRelease.TRIXIE);
        Path f = dir.resolve("trixie.json");
        String json = io.dkmsdeb.support.Json.write(io.dkmsdeb.cli.json.KernelsReport.of(trixie));
        assertThat(json).startsWith("{\"release\":\"trixie\",\"kernels\":[");
        Files.writeString(f, json);
        KernelListing.Listing back = ArchiveKernels.read(f);
        assertThat(back).isEqualTo(trixie);
        assertThat(back.filter("current").release()).as("a filter keeps the release").isEqualTo(io.dkmsdeb.model.kernel.DebianRelease.TRIXIE);
        assertThat(back.archive()).isEqualTo("trixie's archive");

        // a listing written before releases were recorded (no "release" key) reads as one of the host's archive
        Path old = dir.resolve("old.json");
        Files.writeString(old, "{\"kernels\":[{\"release\":\"6.1.0-9-amd64\",\"series\":\"6.1\",\"flavour\":\"amd64\",\"arch\":\"amd64\","
                + "\"headersPackage\":\"linux-headers-6.1.0-9-amd64\",\"headersVersion\":\"6.1.20-1\"}],\"metas\":[]}");
        assertThat(ArchiveKernels.read(old).release()).isNull();
        assertThat(ArchiveKernels.read(old).archive()).isEqualTo("the archive");
        assertThat(ArchiveKernels.read(old).kernels()).extracting(KernelListing.Kernel::release).containsExactly("6.1.0-9-amd64");

        Files.writeString(old, "{\"release\":\"Trixie 13\",\"kernels\":[],\"metas\":[]}");
        assertThatThrownBy(() -> ArchiveKernels.read(old)).isInstanceOf(UsageException.class).hasMessageContaining("release");
        Files.writeString(old, "{\"release\":\"trixie13\",\"kernels\":[],\"metas\":[]}");
        assertThatThrownBy(() -> ArchiveKernels.read(old)).isInstanceOf(UsageException.class)
                .hasMessageContaining("says its release is 'trixie13', which is not a Debian codename");
    }

    @Test
    void aListingThatIsNotOneIsAUsageErrorNamingTheFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.json");
        for (String text : List.of("{", "[1]", "{\"kernels\":[{\"release\":\"x; rm -rf /\",\"arch\":\"amd64\",\"headersVersion\":\"1\"}]}",
                "{\"kernels\":[{\"release\":\"6.1.0-9-amd64\",\"arch\":\"amd64\",\"headersVersion\":\"1 2\"}]}")) {
            Files.writeString(f, text);
            assertThatThrownBy(() -> ArchiveKernels.read(f)).as(text).isInstanceOf(UsageException.class);
        }
    }
}

package io.dkmsdeb.deb;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.XZInputStream;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Packages stanzas, Packages.xz and Release as apt-ftparchive writes them. */
@Tag("unit")
class AptIndexTest {
    @Test
    void aStanzaIsTheControlThenThePoolFields() {
        AptIndex.Checksums sums = AptIndex.Checksums.of("abc".getBytes(StandardCharsets.US_ASCII));
        assertThat(sums.md5()).isEqualTo("900150983cd24fb0d6963f7d28e17f72");
        assertThat(sums.sha256()).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        String s = AptIndex.stanza("Package: a\nVersion: 1\nDescription: x\n y\n", "pool/main/a/a/a_1_all.deb", sums);
        assertThat(s).isEqualTo("Package: a\nVersion: 1\nDescription: x\n y\nFilename: pool/main/a/a/a_1_all.deb\nSize: 3\n"
                + "MD5sum: 900150983cd24fb0d6963f7d28e17f72\nSHA256: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
        assertThat(new String(AptIndex.packages(List.of(s, s)), StandardCharsets.UTF_8)).isEqualTo(s + "\n" + s);
        assertThatThrownBy(() -> AptIndex.stanza("Package: a\n\nPackage: b\n", "f", sums)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void xzIsReproducibleAndReadable() throws Exception {
        byte[] text = "Package: a\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
        byte[] xz = AptIndex.xz(text);
        assertThat(AptIndex.xz(text)).isEqualTo(xz);
        assertThat(new XZInputStream(new ByteArrayInputStream(xz)).readAllBytes()).isEqualTo(text);
    }

    @Test
    void releaseListsEveryIndexWithSizeAndChecksums() {
        AptIndex.Checksums sums = AptIndex.Checksums.of(new byte[0]);
        byte[] r = AptIndex.release(new AptIndex.ReleaseInfo("Origin X", null, "bookworm", List.of("amd64", "arm64"), List.of("main"), null, 0),
                List.of(new AptIndex.IndexFile("main/binary-amd64/Packages", sums)));
        assertThat(new String(r, StandardCharsets.UTF_8)).isEqualTo("""
                Origin: Origin X
                Suite: bookworm
                Codename: bookworm
                Date: Thu, 01 Jan 1970 00:00:00 UTC
                Architectures: amd64 arm64
                Components: main
                Acquire-By-Hash: yes
                MD5Sum:
                 d41d8cd98f00b204e9800998ecf8427e                0 main/binary-amd64/Packages
                SHA256:
                 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855                0 main/binary-amd64/Packages
                """);
    }

    @Test
    void aReleaseFileReadsBackWhatWasWritten() {
        AptIndex.Checksums a = AptIndex.Checksums.of(new byte[0]);
        AptIndex.Checksums b = AptIndex.Checksums.of("x".getBytes(StandardCharsets.UTF_8));
        List<AptIndex.IndexFile> files = List.of(new AptIndex.IndexFile("main/binary-amd64/Packages", a),
                new AptIndex.IndexFile("main/binary-amd64/Packages.xz", b));
        byte[] r = AptIndex.release(new AptIndex.ReleaseInfo(null, "L", "bookworm", List.of("amd64"), List.of("main"), null, 0), files);
        AptIndex.ReleaseFile read = AptIndex.ReleaseFile.parse(r);
        assertThat(read.files()).isEqualTo(files);
        assertThat(read.byHash()).isTrue();
        assertThat(read.fields()).containsEntry("Label", "L").containsEntry("Suite", "bookworm").doesNotContainKey("SHA256");
    }

    @Test
    void aReleaseFileWithAFileInOneListOnlyIsRefused() {
        String text = "Suite: s\nMD5Sum:\nSHA256:\n e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 0 main/binary-amd64/Packages\n";
        assertThatThrownBy(() -> AptIndex.ReleaseFile.parse(text.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not with the same size in the MD5Sum list");
        assertThatThrownBy(() -> AptIndex.ReleaseFile.parse("Suite s\n".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("line 1 is not a field");
    }
}

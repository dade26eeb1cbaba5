package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.pipeline.Maintainer;
import io.dkmsdeb.deb.DebWriter;
import io.dkmsdeb.model.deb.Compression;
import io.dkmsdeb.model.deb.DebEntry;
import io.dkmsdeb.model.deb.DebPackage;
import io.dkmsdeb.model.UsageException;
import io.dkmsdeb.templates.ScriptTemplates;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The certificate package: the certificate read from PEM or DER, its DER bytes packaged, the same bytes every time. */
@Tag("unit")
class CertPackagePlannerTest {
    static final Path PEM = Path.of("src/test/resources/certs/signing-cert.pem");
    static final String MAINTAINER = "T <t@example.org>";

    @TempDir
    Path tmp;

    /** The DER inside the PEM armour, decoded here without the JDK's certificate code. */
    static byte[] derOfPem() throws IOException {
        String pem = Files.readString(PEM);
        String body = pem.substring(pem.indexOf("-----BEGIN CERTIFICATE-----") + 27, pem.indexOf("-----END CERTIFICATE-----"));
        return Base64.getMimeDecoder().decode(body);
    }

    @Test
    void pemAndDerGiveTheSameDer() throws IOException {
        byte[] der = derOfPem();
        CertPackagePlanner.Certificate fromPem = CertPackagePlanner.read(PEM);
        assertThat(fromPem.der()).isEqualTo(der);
        assertThat(fromPem.subject()).isEqualTo("CN=dkms-deb fixture signing key");
        assertThat(fromPem.fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
        Path derFile = Files.write(tmp.resolve("cert.der"), der);
        assertThat(CertPackagePlanner.read(derFile).der()).isEqualTo(der);
        assertThat(CertPackagePlanner.read(derFile).fingerprint()).isEqualTo(fromPem.fingerprint());
    }

    @Test
    void aFileThatIsNoCertificateIsAUsageError() throws IOException {
        Path bad = Files.writeString(tmp.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> CertPackagePlanner.read(bad)).isInstanceOf(UsageException.class)
                .hasMessageContaining("cannot read " + bad + " as an X.509 certificate (PEM or DER)").hasMessageContaining("--sign-cert");
    }

    private static DebPackage plan(long epoch) {
        ModulesPackagePlanner.Names names = ModulesPackagePlanner.names("my_mod", "2.1", "6.1.0-99-amd64", "3", null);
        return new CertPackagePlanner(new ScriptTemplates(null)).plan(names, "my_mod", "2.1", MAINTAINER, CertPackagePlanner.read(PEM), epoch);
    }

    @Test
    void thePackage() throws IOException {
        DebPackage p = plan(1_700_000_000L);
        assertThat(p.conventionalFileName()).isEqualTo("my-mod-modules-cert_2.1-3_all.deb");
        assertThat(p.field("Section")).contains("kernel");
        assertThat(p.field("Priority")).contains("optional");
        assertThat(p.field("Maintainer")).contains(MAINTAINER);
        assertThat(p.scripts()).isEmpty();
        assertThat(p.triggers()).isEmpty();
        DebEntry der = p.data().stream().filter(e -> e.path().equals("usr/share/my-mod-modules-cert/my-mod-modules-cert.der")).findFirst()
                .orElseThrow();
        assertThat(der.mode()).isEqualTo(0644);
        assertThat(der.data().open().readAllBytes()).isEqualTo(derOfPem());
        assertThat(p.data().stream().map(DebEntry::path)).contains("usr/share/doc/my-mod-modules-cert/copyright",
                "usr/share/doc/my-mod-modules-cert/changelog.Debian.gz", "usr/share/doc/my-mod-modules-cert/README.Debian");
        String readme = new String(p.data().stream().filter(e -> e.path().endsWith("README.Debian")).findFirst().orElseThrow().data().open()
                .readAllBytes(), StandardCharsets.UTF_8);
        assertThat(readme).contains("mokutil --import /usr/share/my-mod-modules-cert/my-mod-modules-cert.der")
                .contains("mokutil --test-key /usr/share/my-mod-modules-cert/my-mod-modules-cert.der")
                .contains(CertPackagePlanner.read(PEM).fingerprint()).contains("my-mod-modules-KVER");
    }

    @Test
    void sameInputSameBytes() throws IOException {
        assertThat(write(plan(1_700_000_000L))).isEqualTo(write(plan(1_700_000_000L)));
        assertThat(write(plan(1_700_000_000L))).isNotEqualTo(write(plan(1_700_000_001L)));
    }

    private static byte[] write(DebPackage p) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new DebWriter(Compression.XZ, 1_700_000_000L, 1).write(p, out);
        return out.toByteArray();
    }
}

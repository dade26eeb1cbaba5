package io.dkmsdeb.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bmdeb --sign-key/--sign-cert: every module is signed before compression with the kernel's
 * CONFIG_MODULE_SIG_HASH; modinfo shows the signer; the appended PKCS#7 signature verifies
 * against the certificate with openssl; the signed module still loads in the real kernel. The
 * certificate comes once per call in hello-modules-cert, as DER, and only when the modules are signed.
 */
@Tag("kernel")
@Tag("tools")
@Tag("qemu")
class SigningTest {
    static final String K61 = Kernels.newest61();
    static final String MAGIC = "~Module signature appended~\n";

    @TempDir
    static Path work;
    static Path key;
    static Path cert;
    static Path out;
    static String k612;
    /** bmdeb's --json summary of the signed build. */
    static String json;

    @BeforeAll
    static void keyAndPackages() throws IOException {
        k612 = Kernels.newest612();
        key = work.resolve("signing_key.pem");
        cert = work.resolve("signing_cert.pem");
        makeKey(work, key, cert);
        out = Files.createDirectories(work.resolve("out"));
        Cmd.Result r = Cmd.dkmsDeb(null, Map.of(), "bmdeb", HelloModules.example(), "-k", K61, "-k", k612, "-o", out.toString(),
                "--sign-key", key.toString(), "--sign-cert", cert.toString(), "--log-dir", work.resolve("logs").toString(), "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        json = r.out();
    }

    /** A module signing key and its self-signed certificate, CN "dkms-deb test signing key", as PEM files. */
    static void makeKey(Path dir, Path key, Path cert) throws IOException {
        Path conf = dir.resolve("x509.conf");
        Files.writeString(conf, "[req]\ndistinguished_name=dn\nprompt=no\nx509_extensions=ext\n[dn]\nCN=dkms-deb test signing key\n"
                + "[ext]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=digitalSignature\nsubjectKeyIdentifier=hash\n"
                + "authorityKeyIdentifier=keyid\n");
        Cmd.ok("openssl", "req", "-new", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-config", conf.toString(),
                "-keyout", key.toString(), "-out", cert.toString());
    }

    /**
     * {@code ko} (.ko or .ko.xz) ends with a PKCS#7 signature (the kernel's module signature format) that openssl verifies
     * against {@code cert}, and that no longer verifies once one byte of the module changes; {@code dir} takes the pieces.
     */
    static void assertSignatureVerifies(Path ko, Path cert, Path dir) throws IOException {
        byte[] elf = ko.toString().endsWith(".xz")
                ? Cmd.run(null, null, List.of("sh", "-c", "xz -dc \"$0\" | base64 -w0", ko.toString())).out().transform(s ->
                        java.util.Base64.getDecoder().decode(s.strip()))
                : Files.readAllBytes(ko);
        String tail = new String(elf, elf.length - MAGIC.length(), MAGIC.length(), StandardCharsets.ISO_8859_1);
        assertThat(tail).as("signature marker at the end of " + ko).isEqualTo(MAGIC);
        int info = elf.length - MAGIC.length() - 12; // struct module_signature
        int sigLen = ((elf[info + 8] & 0xff) << 24) | ((elf[info + 9] & 0xff) << 16) | ((elf[info + 10] & 0xff) << 8) | (elf[info + 11] & 0xff);
        assertThat(elf[info + 2]).as("id_type PKEY_ID_PKCS7").isEqualTo((byte) 2);
        String name = ko.getFileName().toString();
        Path sig = dir.resolve(name + ".p7s");
        Path content = dir.resolve(name + ".unsigned");
        Files.write(sig, Arrays.copyOfRange(elf, info - sigLen, info));
        Files.write(content, Arrays.copyOfRange(elf, 0, info - sigLen));
        Cmd.Result verify = Cmd.run("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig.toString(),
                "-content", content.toString(), "-certfile", cert.toString(), "-CAfile", cert.toString(), "-purpose", "any",
                "-out", "/dev/null");
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(verify.err()).contains("Verification successful");
        // and a changed module does not verify
        byte[] tampered = Files.readAllBytes(content);
        tampered[100] ^= 1;
        Files.write(content, tampered);
        assertThat(Cmd.run("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig.toString(), "-content", content.toString(),
                "-certfile", cert.toString(), "-CAfile", cert.toString(), "-purpose", "any", "-out", "/dev/null").exit()).isNotZero();
    }

    static List<String> debs(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".deb")).sorted().toList();
        }
    }

    /** One certificate package for the two kernels: the certificate as DER (what openssl writes), lintian clean, recommended. */
    @Test
    void certificatePackageOnceWithTheCertificateAsDer() throws IOException {
        assertThat(debs(out)).containsExactly("hello-modules-" + K61 + "_1.0_amd64.deb", "hello-modules-" + k612 + "_1.0_amd64.deb",
                "hello-modules-cert_1.0_all.deb");
        Path certDeb = out.resolve("hello-modules-cert_1.0_all.deb");
        assertThat(json).contains("\"certPackage\":\"" + certDeb + "\"");
        DebInfo info = DebInfo.of(certDeb);
        assertThat(info.fields()).containsEntry("Package", "hello-modules-cert").containsEntry("Version", "1.0")
                .containsEntry("Architecture", "all").containsEntry("Section", "kernel").containsEntry("Priority", "optional")
                .containsEntry("Maintainer", DebInfo.of(out.resolve("hello-modules-" + K61 + "_1.0_amd64.deb")).fields().get("Maintainer"));

        Path x = work.resolve("x-cert");
        Cmd.ok("dpkg-deb", "-x", certDeb.toString(), x.toString());
        Path der = x.resolve("usr/share/hello-modules-cert/hello-modules-cert.der");
        Path expected = work.resolve("expected.der");
        Cmd.ok("openssl", "x509", "-in", cert.toString(), "-outform", "DER", "-out", expected.toString());
        assertThat(Files.readAllBytes(der)).isEqualTo(Files.readAllBytes(expected));
        assertThat(Cmd.ok("openssl", "x509", "-inform", "DER", "-in", der.toString(), "-noout", "-subject").out())
                .contains("dkms-deb test signing key");
        assertThat(Files.readString(x.resolve("usr/share/doc/hello-modules-cert/README.Debian")))
                .contains("mokutil --import /usr/share/hello-modules-cert/hello-modules-cert.der")
                .contains("mokutil --test-key /usr/share/hello-modules-cert/hello-modules-cert.der");

        Cmd.Result lintian = Cmd.run("lintian", "--pedantic", "--fail-on", "error,warning", certDeb.toString());
        assertThat(lintian.exit()).as(lintian.toString()).isZero();
        assertThat(lintian.out()).as(lintian.toString()).doesNotContainPattern("(?m)^[EW]: ");
        for (String k : List.of(K61, k612)) {
            Path modules = out.resolve("hello-modules-" + k + "_1.0_amd64.deb");
            assertThat(Cmd.ok("dpkg-deb", "--info", modules.toString()).out()).contains("\n Suggests: hello-modules-cert (= 1.0)\n");
            Cmd.Result l = Cmd.run("lintian", "--pedantic", "--fail-on", "error,warning", modules.toString());
            assertThat(l.exit()).as(l.toString()).isZero();
        }
    }

    /** The same key and input give the same certificate package, byte for byte; the human output names it. */
    @Test
    void certificatePackageIsReproducible() throws IOException {
        Path again = Files.createDirectories(work.resolve("again"));
        Cmd.Result r = Cmd.dkmsDeb(null, Map.of(), "bmdeb", HelloModules.example(), "-k", K61, "-o", again.toString(),
                "--sign-key", key.toString(), "--sign-cert", cert.toString(), "--log-dir", work.resolve("logs").toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains(again.resolve("hello-modules-cert_1.0_all.deb").toString());
        assertThat(Files.readAllBytes(again.resolve("hello-modules-cert_1.0_all.deb")))
                .isEqualTo(Files.readAllBytes(out.resolve("hello-modules-cert_1.0_all.deb")));
    }

    /** --no-sign: no certificate package, no Suggests, certPackage null. */
    @Test
    void unsignedModulesComeWithoutCertificatePackage() throws IOException {
        Path unsigned = Files.createDirectories(work.resolve("unsigned"));
        Cmd.Result r = Cmd.dkmsDeb(null, Map.of(), "bmdeb", HelloModules.example(), "-k", K61, "-o", unsigned.toString(), "--no-sign",
                "--log-dir", work.resolve("logs").toString(), "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("\"certPackage\":null");
        assertThat(debs(unsigned)).containsExactly("hello-modules-" + K61 + "_1.0_amd64.deb");
        assertThat(Cmd.ok("dpkg-deb", "--info", unsigned.resolve("hello-modules-" + K61 + "_1.0_amd64.deb").toString()).out())
                .doesNotContain("Suggests");
    }

    static Path module(String kernel) throws IOException {
        Path x = work.resolve("x-" + kernel);
        if (!Files.isDirectory(x)) {
            Cmd.ok("dpkg-deb", "-x", out.resolve("hello-modules-" + kernel + "_1.0_amd64.deb").toString(), x.toString());
        }
        Path dir = x.resolve("lib/modules/" + kernel + "/updates/dkms");
        return Files.exists(dir.resolve("hello.ko")) ? dir.resolve("hello.ko") : dir.resolve("hello.ko.xz");
    }

    @Test
    void modinfoShowsSignerAndHash() throws IOException {
        for (String k : List.of(K61, k612)) {
            Path ko = module(k);
            assertThat(Cmd.ok("modinfo", "-F", "signer", ko.toString()).out().strip()).isEqualTo("dkms-deb test signing key");
            assertThat(Cmd.ok("modinfo", "-F", "sig_hashalgo", ko.toString()).out().strip()).isEqualTo("sha256");
        }
    }

    @Test
    void appendedPkcs7SignatureVerifiesWithOpenssl() throws IOException {
        for (String k : List.of(K61, k612)) {
            Path dir = Files.createDirectories(work.resolve("verify-" + k));
            assertSignatureVerifies(module(k), cert, dir);
        }
    }

    @Test
    void signedModuleLoadsInTheRealKernel() throws IOException {
        QemuBoot.Result boot = QemuBoot.boot(k612, List.of(module(k612)), Files.createDirectories(work.resolve("qemu")));
        assertThat(boot.insmodStatus("hello.ko.xz")).as(boot.describe()).contains(0);
        assertThat(boot.console()).as(boot.describe()).contains("hello: loaded (dkms-deb example 1.0)");
    }

    @Test
    void halfAKeyPairIsAUsageError() {
        Cmd.Result r = Cmd.dkmsDeb("bmdeb", HelloModules.example(), "-k", K61, "-o", out.toString(), "--sign-key", key.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("signing needs both --sign-key KEY and --sign-cert CERT");
        Cmd.Result missing = Cmd.dkmsDeb("bmdeb", HelloModules.example(), "-k", K61, "-o", out.toString(),
                "--sign-key", work.resolve("nope.pem").toString(), "--sign-cert", cert.toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("cannot read " + work.resolve("nope.pem"));
    }
}

package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signing with a key on a PKCS#11 token (SoftHSM2): the module is byte for byte the one signed by
 * sign-file with the same key in a file, modinfo names the signer, the certificate package carries the
 * token's certificate, and the PIN came from a file, never the command line.
 */
@Tag("kernel")
@Tag("tools")
class TokenSigningTest {
    private static final String SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so";

    @TempDir
    Path work;

    @Test
    void aKeyOnATokenSignsAsTheSameKeyInAFile() throws IOException {
        Path tokens = Files.createDirectories(work.resolve("tokens"));
        Path hsmConf = Files.writeString(work.resolve("softhsm2.conf"), "directories.tokendir = " + tokens + "\nobjectstore.backend = file\n");
        Map<String, String> env = new HashMap<>(Map.of("SOFTHSM2_CONF", hsmConf.toString(), "SOURCE_DATE_EPOCH", "1700000000"));
        Path key = work.resolve("signing.key");
        Path cert = work.resolve("signing.crt");
        Cmd.ok("openssl", "req", "-new", "-x509", "-newkey", "rsa:2048", "-keyout", key.toString(), "-out", cert.toString(), "-days", "2",
                "-nodes", "-subj", "/CN=dkms-deb token test/");
        Path pkcs8 = work.resolve("signing.p8");
        Cmd.ok("openssl", "pkcs8", "-topk8", "-nocrypt", "-in", key.toString(), "-out", pkcs8.toString());
        assertThat(Cmd.run(null, env, java.util.List.of("softhsm2-util", "--init-token", "--free", "--label", "modsign", "--pin", "4321",
                "--so-pin", "87654321")).exit()).isZero();
        assertThat(Cmd.run(null, env, java.util.List.of("softhsm2-util", "--import", pkcs8.toString(), "--token", "modsign", "--label",
                "modkey", "--id", "01", "--pin", "4321")).exit()).isZero();
        Path pinFile = Files.writeString(work.resolve("pin"), "4321\n");

        String k = Kernels.newest61();
        String[] common = {"bmdeb", HelloModules.example(), "-k", k, "--sign-cert", cert.toString()};
        Map<String, String> tokenEnv = new HashMap<>(env);
        tokenEnv.put("DKMS_DEB_PKCS11_PIN_FILE", pinFile.toString());
        tokenEnv.put("DKMS_DEB_PKCS11_MODULE", SOFTHSM);
        Cmd.Result onToken = Cmd.dkmsDeb(null, tokenEnv, concat(common, "-o", work.resolve("token").toString(), "--log-dir", work.resolve("logs").toString(), "--sign-key",
                "pkcs11:token=modsign;object=modkey;type=private"));
        assertThat(onToken.exit()).as(onToken.toString()).isZero();
        assertThat(String.join(" ", onToken.toString())).doesNotContain("4321");
        Cmd.Result inFile = Cmd.dkmsDeb(null, env, concat(common, "-o", work.resolve("file").toString(), "--log-dir", work.resolve("logs-file").toString(),
                "--sign-key", key.toString()));
        assertThat(inFile.exit()).as(inFile.toString()).isZero();

        Path fromToken = module(work.resolve("token"), "t");
        Path fromFile = module(work.resolve("file"), "f");
        assertThat(Files.readAllBytes(fromToken)).as("the module signed on the token").isEqualTo(Files.readAllBytes(fromFile));
        assertThat(Cmd.ok("modinfo", "-F", "signer", fromToken.toString()).out().strip()).isEqualTo("dkms-deb token test");
        String log = Files.readString(work.resolve("logs/hello-1.0_" + k + ".log"));
        assertThat(log).contains("openssl cms -sign -engine pkcs11").contains("pkcs11:token=modsign").doesNotContain(key.toString())
                .doesNotContain("4321");

        Path certDeb = work.resolve("token/hello-modules-cert_1.0_all.deb");
        Path x = work.resolve("cert-x");
        Cmd.ok("dpkg-deb", "-x", certDeb.toString(), x.toString());
        try (Stream<Path> s = Files.walk(x)) {
            Path shipped = s.filter(p -> p.toString().endsWith(".der") || p.toString().endsWith(".crt") || p.toString().endsWith(".pem"))
                    .findFirst().orElseThrow(() -> new AssertionError("no certificate in " + certDeb));
            String shippedFp = Cmd.ok("openssl", "x509", "-in", shipped.toString(), "-inform", shipped.toString().endsWith(".der") ? "DER"
                    : "PEM", "-noout", "-fingerprint", "-sha256").out();
            assertThat(shippedFp).isEqualTo(Cmd.ok("openssl", "x509", "-in", cert.toString(), "-noout", "-fingerprint", "-sha256").out());
        }

        Map<String, String> noPin = new HashMap<>(env);
        noPin.put("DKMS_DEB_PKCS11_MODULE", SOFTHSM);
        Cmd.Result withoutPin = Cmd.dkmsDeb(null, noPin, concat(common, "-o", work.resolve("nopin").toString(), "--log-dir", work.resolve("logs-nopin").toString(), "--sign-key",
                "pkcs11:token=modsign;object=modkey;type=private", "--rebuild"));
        assertThat(withoutPin.exit()).isEqualTo(2);
        assertThat(withoutPin.err()).contains("no PIN is given: set DKMS_DEB_PKCS11_PIN");
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** The hello module of the one -modules package in {@code out}, unpacked under a directory named {@code tag}. */
    private Path module(Path out, String tag) throws IOException {
        Path deb;
        try (Stream<Path> s = Files.list(out)) {
            deb = s.filter(p -> p.getFileName().toString().startsWith("hello-modules-" + Kernels.newest61())).findFirst().orElseThrow();
        }
        Path x = work.resolve("x-" + tag);
        Cmd.ok("dpkg-deb", "-x", deb.toString(), x.toString());
        try (Stream<Path> s = Files.walk(x)) {
            return s.filter(p -> p.getFileName().toString().startsWith("hello.ko")).findFirst().orElseThrow();
        }
    }
}

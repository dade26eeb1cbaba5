package io.dkmsdeb.kernel;

import io.dkmsdeb.support.TempFiles;
import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.model.UsageException;
import io.dkmsdeb.process.ProcessRunner;
import io.dkmsdeb.support.IoErrors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Signs a module with a key on a PKCS#11 token. On Debian 12, the kernel's {@code sign-file} cannot
 * open a {@code pkcs11:} URI (with OpenSSL 3 it asks for a pkcs11 provider, which the release does
 * not package), so the signature is made by {@code openssl cms} through the pkcs11 engine
 * ({@code libengine-pkcs11-openssl}) exactly as {@code sign-file -d} makes it (detached, no
 * attributes, no certificates, DER), and {@code sign-file -s} appends it: the module is byte for byte
 * the one {@code sign-file} makes with the same key in a file (RSA PKCS#1 v1.5 signatures are
 * deterministic). The PIN goes to the engine through a private OpenSSL configuration file, never
 * on a command line: from {@value #PIN} or the file {@value #PIN_FILE} names.
 */
final class TokenSigner {
    /** The token's PIN. */
    static final String PIN = "DKMS_DEB_PKCS11_PIN";
    /** A file that holds the token's PIN (its first line). */
    static final String PIN_FILE = "DKMS_DEB_PKCS11_PIN_FILE";
    /** The PKCS#11 library of the token; by default the engine's own (p11-kit's proxy, which loads the registered modules). */
    static final String MODULE = "DKMS_DEB_PKCS11_MODULE";

    private TokenSigner() {
    }

    static void sign(KernelBuild.Signing signing, String hash, Path signFile, Path ko, Host host, Path log, long timeoutSeconds,
                     BiConsumer<String, ProcessRunner.Outcome> check) throws IOException {
        Path dir = TempFiles.directory(null, "sign");
        try {
            Path conf = dir.resolve("openssl.cnf");
            Files.writeString(conf, engineConfig(host), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Path signature = dir.resolve(ko.getFileName() + ".p7s");
            Map<String, String> env = new HashMap<>(host.env());
            env.put("OPENSSL_CONF", conf.toString());
            Files.writeString(log, "\n$ openssl cms -sign -engine pkcs11 -keyform engine -inkey '" + signing.key() + "' -signer "
                    + signing.cert() + " -binary -noattr -nocerts -outform DER -md " + hash + " (outside the sandbox)\n",
                    StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            check.accept("signing " + ko.getFileName() + " with the token's key", ProcessRunner.run(List.of("openssl", "cms", "-sign",
                    "-engine", "pkcs11", "-keyform", "engine", "-inkey", signing.key(), "-signer", signing.cert().toString(), "-binary",
                    "-noattr", "-nocerts", "-outform", "DER", "-md", hash, "-in", ko.toString(), "-out", signature.toString()),
                    dir, env, log, timeoutSeconds));
            Files.writeString(log, "\n$ sign-file -s SIGNATURE " + hash + " CERT " + ko.getFileName() + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
            check.accept("appending the signature to " + ko.getFileName(), ProcessRunner.run(List.of(signFile.toString(), "-s",
                    signature.toString(), hash, signing.cert().toString(), ko.toString()), dir, env, log, timeoutSeconds));
        } finally {
            TempFiles.delete(dir);
        }
    }

    /** The OpenSSL configuration that loads the pkcs11 engine with the token's PIN. */
    static String engineConfig(Host host) throws IOException {
        String pin = host.get(PIN, "");
        String pinFile = host.get(PIN_FILE, "");
        if (pin.isEmpty() && !pinFile.isEmpty()) {
            try {
                pin = Files.readAllLines(Path.of(pinFile), StandardCharsets.UTF_8).stream().findFirst().orElse("").strip();
            } catch (IOException e) {
                throw new UsageException("cannot read the token's PIN from " + pinFile + " (" + PIN_FILE + "): " + IoErrors.reason(e), e);
            }
        }
        if (pin.isEmpty()) {
            throw new UsageException("the signing key is on a PKCS#11 token and no PIN is given: set " + PIN + ", or " + PIN_FILE
                    + " to a file that holds it (never on the command line)");
        }
        if (pin.contains("\n") || pin.contains("\r")) {
            throw new UsageException("the token's PIN has a line break; give it on one line");
        }
        StringBuilder c = new StringBuilder("openssl_conf = openssl_init\n[openssl_init]\nengines = engine_section\n"
                + "[engine_section]\npkcs11 = pkcs11_section\n[pkcs11_section]\nengine_id = pkcs11\n");
        String module = host.get(MODULE, "");
        if (!module.isEmpty()) {
            c.append("MODULE_PATH = ").append(quoted(module)).append('\n');
        }
        c.append("PIN = ").append(quoted(pin)).append("\ninit = 0\n");
        return c.toString();
    }

    /** A value of an OpenSSL configuration file, quoted so that no character of it is read as syntax. */
    static String quoted(String value) {
        if (value.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            throw new DkmsDebException("a PKCS#11 setting has a control character; give it without one");
        }
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$") + "\"";
    }
}

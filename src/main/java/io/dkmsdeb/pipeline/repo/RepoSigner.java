package io.dkmsdeb.pipeline.repo;

import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.model.UsageException;
import io.dkmsdeb.process.ProcessRunner;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Signs a repository's Release file with GnuPG, as every apt repository is signed: {@code InRelease}
 * ({@code --clearsign}) and {@code Release.gpg} ({@code --detach-sign --armor}), and exports the
 * public key for {@code signed-by}. With a fixed time (SOURCE_DATE_EPOCH) gpg is run with
 * {@code --faked-system-time}, so the signature's creation time is that time; ed25519 and RSA
 * (PKCS#1 v1.5) signatures are deterministic, so signing the same Release with the same key gives
 * the same bytes. The key must be older than that time.
 */
final class RepoSigner {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final String keyId;
    private final Path homedir;
    private final Long fixedTime;

    /**
     * @param keyId     the key: a fingerprint, key id or user id gpg knows
     * @param homedir   gpg's home directory, or null for GNUPGHOME or ~/.gnupg
     * @param fixedTime the signing time in seconds since 1970, or null for now
     */
    RepoSigner(String keyId, Path homedir, Long fixedTime) {
        if (keyId.isBlank() || keyId.startsWith("-") || keyId.contains("\n")) {
            throw new UsageException("--sign-key '" + keyId + "' is no key; give its fingerprint, key id or user id as 'gpg --list-secret-keys' shows it");
        }
        this.keyId = keyId;
        this.homedir = homedir;
        this.fixedTime = fixedTime;
    }

    String keyId() {
        return keyId;
    }

    /** Fails, before anything is written, unless gpg has the secret key. */
    void check() {
        ProcessRunner.Captured c = gpg("find the secret key", List.of("--list-secret-keys", "--with-colons", "--", keyId));
        if (c.exit() != 0 || !c.stdoutText().contains("sec:")) {
            throw failure("find the secret key", c, "import it (gpg --import) or name another with --sign-key");
        }
    }

    /** {@code file} clear-signed: the InRelease form. */
    byte[] clearsign(Path file) {
        return sign("clear-sign " + file.getFileName(), List.of("--clearsign", file.toString()));
    }

    /** A detached, ASCII-armored signature of {@code file}: the Release.gpg form. */
    byte[] detachSign(Path file) {
        return sign("sign " + file.getFileName(), List.of("--detach-sign", "--armor", file.toString()));
    }

    /** The public key, armored ({@code armor}) or as a binary keyring file that gpgv and apt read. */
    byte[] exportPublicKey(boolean armor) {
        List<String> args = new ArrayList<>(List.of("--export", "--export-options", "export-minimal"));
        if (armor) {
            args.add("--armor");
        }
        args.addAll(List.of("--", keyId));
        ProcessRunner.Captured c = gpg("export the public key", args);
        if (c.exit() != 0 || c.stdout().length == 0) {
            throw failure("export the public key", c, "check that 'gpg --export " + keyId + "' prints it");
        }
        return c.stdout();
    }

    private byte[] sign(String what, List<String> action) {
        List<String> args = new ArrayList<>(List.of("--local-user", keyId, "--digest-algo", "SHA512", "--output", "-"));
        if (fixedTime != null) {
            args.addAll(List.of("--faked-system-time", fixedTime + "!"));
        }
        args.addAll(action);
        ProcessRunner.Captured c = gpg(what, args);
        if (c.exit() != 0 || c.stdout().length == 0) {
            throw failure(what, c, "check that the key can sign without a passphrase prompt (or that gpg-agent holds it)"
                    + (fixedTime == null ? "" : " and that it was made before SOURCE_DATE_EPOCH (" + fixedTime + ")"));
        }
        return c.stdout();
    }

    private ProcessRunner.Captured gpg(String what, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("gpg", "--batch", "--yes", "--no-tty"));
        if (homedir != null) {
            cmd.addAll(List.of("--homedir", homedir.toString()));
        }
        cmd.addAll(args);
        try {
            return ProcessRunner.capture(cmd, null, null, TIMEOUT);
        } catch (IOException e) {
            throw new DkmsDebException("cannot " + what + " with gpg for key " + keyId + ": " + e.getMessage()
                    + "; install gnupg (apt-get install gnupg)", e);
        }
    }

    private DkmsDebException failure(String what, ProcessRunner.Captured c, String todo) {
        String said = c.timedOut() ? "gpg did not finish in " + TIMEOUT.toSeconds() + " s" : "gpg said: " + c.lastLine();
        return new DkmsDebException("cannot " + what + " with gpg for key " + keyId
                + (homedir == null ? "" : " (gpg home " + homedir + ")") + ": " + said + "; " + todo);
    }
}

package io.dkmsdeb.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the repository tests share: a throwaway gpg key, a kernel listing as {@code kernels --json}
 * writes it, {@code dkms-deb repo} runs, and a snapshot of a directory tree (bytes and mtimes).
 */
final class RepoFixtures {
    /** The SOURCE_DATE_EPOCH of the repositories the tests write (after the key's creation, see {@link Key}). */
    static final String EPOCH = "1700000000";

    private RepoFixtures() {
    }

    /**
     * An ed25519 signing key in its own GNUPGHOME, made at a fixed time before {@link #EPOCH} so that
     * signatures made at SOURCE_DATE_EPOCH are valid. {@link #close} stops the gpg-agent it started.
     */
    record Key(Path home, String fingerprint) implements AutoCloseable {
        static Key create(Path dir) throws IOException {
            Path home = Files.createDirectories(dir.resolve("gnupg"));
            Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            Cmd.Result gen = Cmd.run(null, Map.of("GNUPGHOME", home.toString()), List.of("gpg", "--batch", "--passphrase", "",
                    "--faked-system-time", "1600000000!", "--quick-gen-key", "Repo Test <repo-test@example.org>", "ed25519", "sign", "never"));
            assertThat(gen.exit()).as("gpg --quick-gen-key: " + gen).isZero();
            Cmd.Result list = Cmd.run(null, Map.of("GNUPGHOME", home.toString()), List.of("gpg", "--batch", "--with-colons", "--list-secret-keys"));
            String fpr = list.out().lines().filter(l -> l.startsWith("fpr:")).map(l -> l.split(":")[9]).findFirst().orElseThrow();
            return new Key(home, fpr);
        }

        Map<String, String> env() {
            return Map.of("GNUPGHOME", home.toString(), "SOURCE_DATE_EPOCH", EPOCH);
        }

        @Override
        public void close() {
            Cmd.run(null, Map.of("GNUPGHOME", home.toString()), List.of("gpgconf", "--kill", "all"));
        }
    }

    /** A listing with one kernel meta-package: {@code metaPackage} at {@code version}, depending on {@code release}. */
    static Path listing(Path file, String metaPackage, String version, String release) throws IOException {
        String flavour = metaPackage.substring("linux-image-".length());
        Files.writeString(file, "{\"kernels\":[],\"metas\":[{\"package\":\"" + metaPackage + "\",\"flavour\":\"" + flavour
                + "\",\"version\":\"" + version + "\",\"release\":\"" + release + "\"}]}\n", StandardCharsets.UTF_8);
        return file;
    }

    /** {@code dkms-deb repo REPO DEBS... ARGS...} with the key's GNUPGHOME and {@link #EPOCH}. */
    static Cmd.Result repo(Key key, Path repo, List<Path> debs, String... args) {
        return repo(key, EPOCH, repo, debs, args);
    }

    /** {@code dkms-deb repo REPO DEBS... ARGS...} with the key's GNUPGHOME and SOURCE_DATE_EPOCH {@code epoch}. */
    static Cmd.Result repo(Key key, String epoch, Path repo, List<Path> debs, String... args) {
        Map<String, String> env = new java.util.HashMap<>(key.env());
        env.put("SOURCE_DATE_EPOCH", epoch);
        List<String> argv = new ArrayList<>(List.of("repo", repo.toString()));
        debs.forEach(d -> argv.add(d.toString()));
        argv.addAll(List.of(args));
        return Cmd.dkmsDeb(null, env, argv.toArray(String[]::new));
    }

    /** Every regular file below {@code dir}: relative path to its bytes' SHA-256 and its mtime. */
    static Map<String, String> snapshot(Path dir) {
        Map<String, String> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(p);
                out.put(dir.relativize(p).toString(), java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(bytes)) + " " + Files.getLastModifiedTime(p).toMillis());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    /** The stanzas of a Packages file, each as field name to value (continuation lines joined by newlines). */
    static List<Map<String, String>> stanzas(Path packages) throws IOException {
        List<Map<String, String>> out = new ArrayList<>();
        Map<String, String> cur = new LinkedHashMap<>();
        String last = null;
        for (String line : Files.readAllLines(packages, StandardCharsets.UTF_8)) {
            if (line.isEmpty()) {
                if (!cur.isEmpty()) {
                    out.add(cur);
                }
                cur = new LinkedHashMap<>();
            } else if (line.startsWith(" ")) {
                cur.put(last, cur.get(last) + "\n" + line);
            } else {
                last = line.substring(0, line.indexOf(':'));
                cur.put(last, line.substring(line.indexOf(':') + 1).strip());
            }
        }
        if (!cur.isEmpty()) {
            out.add(cur);
        }
        return out;
    }

    /** dkms-deb source of debian-example (hello-dkms_1.0-1_all.deb) into {@code dir}, at {@code epoch}. */
    static Path helloDkms(Path dir, String epoch) {
        Cmd.Result r = Cmd.dkmsDeb(null, Map.of("SOURCE_DATE_EPOCH", epoch), "source", Cmd.repo().resolve("debian-example").toString(),
                "-o", dir.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        return dir.resolve("hello-dkms_1.0-1_all.deb");
    }
}

package io.dkmsdeb.pipeline.repo;

import io.dkmsdeb.pipeline.Maintainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A publish stopped before each step of its switch, as a kill there would stop it (the lock is
 * released, nothing is cleaned): at every such point a client fetching by hash finds a consistent,
 * signed repository, and the next publish cleans up and leaves a repository that checks out in full.
 * Real gpg, gpgv and dpkg-deb; the publishes run in this process so that the stop is exact.
 */
@Tag("tools")
class PublishCrashTest {
    private static final String SUITE = "bookworm";

    @TempDir
    static Path tmp;
    private static Path gnupg;
    private static String fingerprint;

    /** What a kill does to the publisher: it stops, with nothing after it. */
    private static final class Killed extends Error {
        private static final long serialVersionUID = 1L;

        Killed(String step) {
            super("stopped before " + step);
        }
    }

    @BeforeAll
    static void setUp() throws Exception {
        gnupg = Files.createDirectories(tmp.resolve("gnupg"));
        Files.setPosixFilePermissions(gnupg, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        run(List.of("gpg", "--homedir", gnupg.toString(), "--batch", "--passphrase", "", "--faked-system-time", "1600000000!",
                "--quick-gen-key", "Crash Test <crash@example.org>", "ed25519", "sign", "never"));
        String list = run(List.of("gpg", "--homedir", gnupg.toString(), "--batch", "--with-colons", "--list-secret-keys"));
        fingerprint = list.lines().filter(l -> l.startsWith("fpr:")).map(l -> l.split(":")[9]).findFirst().orElseThrow();
    }

    @AfterAll
    static void tearDown() throws Exception {
        run(List.of("gpgconf", "--homedir", gnupg.toString(), "--kill", "all"));
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(cmd + ": " + out).isZero();
        return out;
    }

    private static Path deb(String name) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("build").resolve(name).resolve("DEBIAN"));
        Files.writeString(root.resolve("control"), "Package: " + name + "\nVersion: 1\nArchitecture: amd64\n"
                + "Maintainer: Test <test@example.org>\nDescription: a package to publish\n", StandardCharsets.UTF_8);
        Path out = tmp.resolve(name + "_1_amd64.deb");
        run(List.of("dpkg-deb", "--build", "--root-owner-group", root.getParent().toString(), out.toString()));
        return out;
    }

    private static RepoJob.Request request(Path repo, Path deb) {
        return new RepoJob.Request(new RepoJob.Target(repo, SUITE, "main", null, null), List.of(deb), fingerprint, gnupg, null, false,
                new RepoJob.Policy(Duration.ofSeconds(30), 2, false, 0, false), Map.of());
    }

    /** The pool files a client fetching by hash is served: the Packages that the signed text of InRelease names, by hash. */
    private static List<String> served(Path repo) throws IOException {
        Path dists = repo.resolve("dists/" + SUITE);
        String clear = Files.readString(dists.resolve("InRelease"), StandardCharsets.UTF_8);
        String signed = clear.substring(clear.indexOf("\n\n") + 2, clear.indexOf("-----BEGIN PGP SIGNATURE-----"));
        String sha = io.dkmsdeb.deb.AptIndex.ReleaseFile.parse(signed.getBytes(StandardCharsets.UTF_8)).files().stream()
                .filter(f -> f.path().equals("main/binary-amd64/Packages")).findFirst().orElseThrow().sums().sha256();
        return RepoState.filenames(dists.resolve("main/binary-amd64/by-hash/SHA256/" + sha));
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    @Test
    void aPublishStoppedBeforeAnyStepOfItsSwitchLeavesARepositoryClientsCanUse() throws Exception {
        Path base = tmp.resolve("base");
        new RepoJob().run(request(base, deb("first")));
        Path second = deb("second");
        Path third = deb("third");
        List<String> steps = new ArrayList<>();
        new RepoJob(steps::add).run(request(tmp.resolve("count"), second));
        assertThat(steps).contains("Release", "Release.gpg", "InRelease", "retired list").hasSizeGreaterThan(8);
        assertThat(steps.indexOf("InRelease")).isGreaterThan(steps.indexOf("Release.gpg")).isGreaterThan(steps.indexOf("Release"));
        assertThat(steps.subList(0, steps.indexOf("Release"))).anyMatch(s -> s.startsWith("by-hash ")).anyMatch(s -> s.startsWith("index "));

        int inRelease = steps.indexOf("InRelease");
        for (int k = 0; k <= steps.size(); k++) {
            Path repo = tmp.resolve("crash-" + k);
            copy(base, repo);
            int stopAt = k;
            int[] n = {0};
            try {
                new RepoJob(step -> {
                    if (n[0]++ == stopAt) {
                        throw new Killed(step);
                    }
                }).run(request(repo, second));
                assertThat(k).as("only the run that is not stopped completes").isEqualTo(steps.size());
            } catch (Killed expected) {
                assertThat(k).isLessThan(steps.size());
            }
            String when = k < steps.size() ? "stopped before " + steps.get(k) : "not stopped";
            RepoVerifier.Report client = RepoVerifier.verify(repo, SUITE, repo.resolve("KEY.gpg"), Duration.ofSeconds(10), true);
            assertThat(client.problems()).as("a client fetching by hash, " + when).isEmpty();
            boolean switched = k > inRelease;
            assertThat(served(repo).stream().anyMatch(f -> f.endsWith("/second_1_amd64.deb"))).as(when).isEqualTo(switched);

            // the next publish cleans up after it and completes
            new RepoJob().run(request(repo, third));
            RepoVerifier.Report full = RepoVerifier.verify(repo, SUITE, repo.resolve("KEY.gpg"), Duration.ofSeconds(10));
            assertThat(full.problems()).as("in full after the next publish, " + when).isEmpty();
            assertThat(repo.resolve(".dkms-deb/staging")).doesNotExist();
            List<String> now = served(repo);
            assertThat(now).anyMatch(f -> f.endsWith("/first_1_amd64.deb")).anyMatch(f -> f.endsWith("/third_1_amd64.deb"));
            assertThat(Files.exists(repo.resolve("pool/main/s/second/second_1_amd64.deb")))
                    .as("the stopped run's pool file stays only if a served index names it, " + when)
                    .isEqualTo(now.stream().anyMatch(f -> f.endsWith("/second_1_amd64.deb")));
        }
    }
}

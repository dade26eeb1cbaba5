package io.dkmsdeb.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code dkms-deb repo} with the hello module's packages: the indices recomputed here, the signatures
 * checked by gpgv, reproducibility, additions that leave the pool alone, refusals that change nothing,
 * and the per-flavour meta-package checked by lintian.
 */
@Tag("tools")
@Tag("kernel")
class RepoCommandTest {
    @TempDir
    static Path tmp;
    private static RepoFixtures.Key key;
    private static Path dkms;

    @BeforeAll
    static void setUp() throws Exception {
        key = RepoFixtures.Key.create(tmp);
        dkms = RepoFixtures.helloDkms(Files.createDirectories(tmp.resolve("dkms")), HelloModules.EPOCH);
    }

    @AfterAll
    static void tearDown() {
        key.close();
    }

    private static Path listing61() throws Exception {
        // an epoch and a revision, as Debian's linux-image-amd64 versions have them
        return RepoFixtures.listing(tmp.resolve("listing61.json"), "linux-image-amd64", "1:100-2", Kernels.newest61());
    }

    private static Path signedRepo(String name) throws Exception {
        Path repo = tmp.resolve(name);
        Cmd.Result r = RepoFixtures.repo(key, repo, List.of(dkms, HelloModules.deb(Kernels.newest61()), HelloModules.deb(Kernels.newest612())),
                "--suite", "bookworm", "--origin", "Test", "--sign-key", key.fingerprint(), "--kernel-list", listing61().toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        return repo;
    }

    private static String hex(String algorithm, byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    }

    @Test
    void indicesAreRightAndSignedAndTheMetaPackageFollowsTheKernelMetaPackage() throws Exception {
        Path repo = signedRepo("signed");
        Path dists = repo.resolve("dists/bookworm");
        Path packages = dists.resolve("main/binary-amd64/Packages");
        List<Map<String, String>> stanzas = RepoFixtures.stanzas(packages);
        assertThat(stanzas).extracting(s -> s.get("Package")).containsExactly("hello-dkms", "hello-modules-" + Kernels.newest61(),
                "hello-modules-" + Kernels.newest612(), "hello-modules-amd64");
        for (Map<String, String> s : stanzas) {
            Path file = repo.resolve(s.get("Filename"));
            byte[] bytes = Files.readAllBytes(file);
            assertThat(s.get("Filename")).startsWith("pool/main/h/" + (s.get("Package").equals("hello-dkms") ? "hello/" : "hello-dkms-bin/"));
            assertThat(s.get("Size")).isEqualTo(Long.toString(bytes.length));
            assertThat(s.get("MD5sum")).isEqualTo(hex("MD5", bytes));
            assertThat(s.get("SHA256")).isEqualTo(hex("SHA-256", bytes));
            assertThat(List.copyOf(s.keySet()).subList(s.size() - 4, s.size())).containsExactly("Filename", "Size", "MD5sum", "SHA256");
            // the control fields as dpkg-deb reads them, in their order
            String control = Cmd.ok("dpkg-deb", "-f", file.toString()).out();
            assertThat(control.lines().map(l -> l.split(":")[0]).filter(l -> !l.startsWith(" ")).toList())
                    .containsExactlyElementsOf(List.copyOf(s.keySet()).subList(0, s.size() - 4));
        }
        Map<String, String> meta = stanzas.get(3);
        assertThat(meta.get("Version")).isEqualTo("1.0+100.2");
        assertThat(meta.get("Depends")).isEqualTo("hello-modules-" + Kernels.newest61() + " (= 1.0)");
        assertThat(meta.get("Architecture")).isEqualTo("amd64");
        assertThat(meta.get("Section")).isEqualTo("kernel");

        assertThat(Cmd.ok("xz", "-dc", dists.resolve("main/binary-amd64/Packages.xz").toString()).out())
                .isEqualTo(Files.readString(packages, StandardCharsets.UTF_8));
        String release = Files.readString(dists.resolve("Release"), StandardCharsets.UTF_8);
        assertThat(release).startsWith("Origin: Test\nSuite: bookworm\nCodename: bookworm\nDate: Tue, 14 Nov 2023 22:13:20 UTC\n"
                + "Architectures: amd64\nComponents: main\n");
        for (String index : List.of("main/binary-amd64/Packages", "main/binary-amd64/Packages.xz")) {
            byte[] bytes = Files.readAllBytes(dists.resolve(index));
            assertThat(release).containsPattern("\n " + hex("MD5", bytes) + " +" + bytes.length + " " + index + "\n")
                    .containsPattern("\n " + hex("SHA-256", bytes) + " +" + bytes.length + " " + index + "\n");
        }

        String keyring = repo.resolve("KEY.gpg").toString();
        Cmd.Result inRelease = Cmd.run("gpgv", "--keyring", keyring, dists.resolve("InRelease").toString());
        assertThat(inRelease.exit()).as(inRelease.toString()).isZero();
        assertThat(inRelease.err()).contains("Good signature");
        assertThat(Cmd.ok("gpg", "--batch", "--decrypt", "--homedir", key.home().toString(), dists.resolve("InRelease").toString()).out())
                .isEqualTo(release);
        Cmd.Result detached = Cmd.run("gpgv", "--keyring", keyring, dists.resolve("Release.gpg").toString(), dists.resolve("Release").toString());
        assertThat(detached.exit()).as(detached.toString()).isZero();
        assertThat(Files.readString(repo.resolve("KEY.asc"))).startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----");

        Path metaDeb = repo.resolve(meta.get("Filename"));
        Cmd.Result lintian = Cmd.run("lintian", "--no-cfg", metaDeb.toString());
        assertThat(lintian.out().lines().filter(l -> l.startsWith("E:") || l.startsWith("W:")).toList()).as(lintian.toString()).isEmpty();
    }

    @Test
    void theSameInputAndEpochGiveTheSameBytes() throws Exception {
        Map<String, String> a = RepoFixtures.snapshot(signedRepo("same-a"));
        Map<String, String> b = RepoFixtures.snapshot(signedRepo("same-b"));
        assertThat(a.keySet()).isEqualTo(b.keySet()).contains("dists/bookworm/InRelease", "dists/bookworm/Release.gpg");
        for (String file : a.keySet()) {
            assertThat(Files.readAllBytes(tmp.resolve("same-a").resolve(file))).as(file)
                    .isEqualTo(Files.readAllBytes(tmp.resolve("same-b").resolve(file)));
        }
    }

    @Test
    void addingLeavesThePoolAloneAndAConflictingPackageChangesNothing() throws Exception {
        Path repo = tmp.resolve("grow");
        Cmd.Result first = RepoFixtures.repo(key, repo, List.of(dkms, HelloModules.deb(Kernels.newest61())), "--suite", "bookworm",
                "--no-meta-packages", "--sign-key", key.fingerprint());
        assertThat(first.exit()).as(first.toString()).isZero();
        Map<String, String> before = RepoFixtures.snapshot(repo.resolve("pool"));
        Thread.sleep(20);
        Cmd.Result second = RepoFixtures.repo(key, repo, List.of(HelloModules.deb(Kernels.newest612()), dkms), "--suite", "bookworm",
                "--no-meta-packages", "--sign-key", key.fingerprint(), "--json");
        assertThat(second.exit()).as(second.toString()).isZero();
        assertThat(second.out()).contains("\"unchanged\":[\"pool/main/h/hello/hello-dkms_1.0-1_all.deb\"]");
        Map<String, String> after = RepoFixtures.snapshot(repo.resolve("pool"));
        assertThat(after).containsAllEntriesOf(before).hasSize(before.size() + 1);
        assertThat(RepoFixtures.stanzas(repo.resolve("dists/bookworm/main/binary-amd64/Packages"))).extracting(s -> s.get("Package"))
                .containsExactly("hello-dkms", "hello-modules-" + Kernels.newest61(), "hello-modules-" + Kernels.newest612());

        // the same name, version and architecture with other bytes (another SOURCE_DATE_EPOCH)
        Path other = RepoFixtures.helloDkms(Files.createDirectories(tmp.resolve("other")), "1600000001");
        assertThat(Files.readAllBytes(other)).isNotEqualTo(Files.readAllBytes(dkms));
        Map<String, String> whole = RepoFixtures.snapshot(repo);
        Cmd.Result conflict = RepoFixtures.repo(key, repo, List.of(HelloModules.deb(Kernels.newest612()), other), "--suite", "bookworm",
                "--sign-key", key.fingerprint());
        assertThat(conflict.exit()).as(conflict.toString()).isEqualTo(1);
        assertThat(conflict.err()).contains("hello-dkms_1.0-1_all", "other content", "new version", "Nothing was changed");
        assertThat(RepoFixtures.snapshot(repo)).isEqualTo(whole);
    }

    @Test
    void aHostileOrBrokenPackageIsRefusedAndNothingIsWritten() throws Exception {
        Path evil = CraftedDeb.dkmsDeb(Files.createDirectories(tmp.resolve("evil")), "evil-dkms_1.0-1_all.deb",
                CraftedDeb.moduleTree(CraftedDeb.Entry.file("./usr/src/evil-1.0/../../../etc/evil", "x")));
        Path repo = tmp.resolve("hostile");
        Cmd.Result r = RepoFixtures.repo(key, repo, List.of(dkms, evil), "--suite", "bookworm", "--no-meta-packages");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("cannot add " + evil, "..");
        assertThat(repo).doesNotExist();

        Path truncated = tmp.resolve("evil/truncated.deb");
        byte[] good = Files.readAllBytes(dkms);
        Files.write(truncated, java.util.Arrays.copyOf(good, good.length / 2));
        Cmd.Result t = RepoFixtures.repo(key, repo, List.of(truncated), "--suite", "bookworm", "--no-meta-packages");
        assertThat(t.exit()).as(t.toString()).isEqualTo(1);
        assertThat(t.err()).contains("truncated");
        assertThat(repo).doesNotExist();
    }

    @Test
    void anUnsignedRepositoryWarnsAndABadKeyIsNamed() throws Exception {
        Path repo = tmp.resolve("unsigned");
        Cmd.Result r = RepoFixtures.repo(key, repo, List.of(dkms), "--suite", "bookworm", "--no-meta-packages");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("not signed", "[trusted=yes]");
        assertThat(repo.resolve("dists/bookworm/InRelease")).doesNotExist();
        Cmd.Result bad = RepoFixtures.repo(key, tmp.resolve("badkey"), List.of(dkms), "--suite", "bookworm", "--sign-key", "nobody@example.org");
        assertThat(bad.exit()).as(bad.toString()).isEqualTo(1);
        assertThat(bad.err()).contains("nobody@example.org", "gpg said:");
        assertThat(tmp.resolve("badkey")).doesNotExist();
        assertThat(Files.list(tmp.resolve("dkms")).map(p -> p.getFileName().toString()).collect(Collectors.toList())).hasSize(1);
    }

    /**
     * One pool, a suite per release: each suite lists the packages published to it and never another
     * suite's (a bookworm kernel's package is no trixie machine's), and both verify.
     */
    @Test
    void eachSuiteListsOnlyItsOwnPackages() throws Exception {
        Path repo = tmp.resolve("suites");
        Path bookworm = HelloModules.deb(Kernels.newest61());
        Path trixie = HelloModules.deb(Kernels.newest612());
        Cmd.Result first = RepoFixtures.repo(key, repo, List.of(dkms, bookworm), "--suite", "bookworm", "--no-meta-packages");
        assertThat(first.exit()).as(first.toString()).isZero();
        Cmd.Result second = RepoFixtures.repo(key, repo, List.of(trixie), "--suite", "trixie", "--no-meta-packages");
        assertThat(second.exit()).as(second.toString()).isZero();
        Cmd.Result again = RepoFixtures.repo(key, repo, List.of(), "--suite", "bookworm", "--no-meta-packages");
        assertThat(again.exit()).as("republishing bookworm: " + again).isZero();
        assertThat(RepoFixtures.stanzas(repo.resolve("dists/bookworm/main/binary-amd64/Packages"))).extracting(st -> st.get("Package"))
                .containsExactlyInAnyOrder("hello-dkms", "hello-modules-" + Kernels.newest61());
        assertThat(RepoFixtures.stanzas(repo.resolve("dists/trixie/main/binary-amd64/Packages"))).extracting(st -> st.get("Package"))
                .containsExactly("hello-modules-" + Kernels.newest612());
        for (String suite : List.of("bookworm", "trixie")) {
            Cmd.Result v = Cmd.dkmsDeb("verify-repo", repo.toString(), "--suite", suite);
            assertThat(v.exit()).as(suite + ": " + v).isZero();
        }
    }
}

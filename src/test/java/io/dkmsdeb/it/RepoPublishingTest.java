package io.dkmsdeb.it;

import io.dkmsdeb.pipeline.Maintainer;
import io.dkmsdeb.pipeline.repo.RepoVerifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Publishing that never breaks a client, shown with a real apt against the repository served over
 * HTTP on 127.0.0.1, real gpg and gpgv, and {@code dkms-deb repo} run as its own process (so that
 * it can be killed): publishes that succeed, that fail to sign and that are killed at random
 * moments, while apt updates in a loop; two publishers at once; a publisher that cannot get the
 * lock. The packages are small ones made with dpkg-deb: what is under test is the repository.
 */
@Tag("tools")
class RepoPublishingTest {
    private static final String SUITE = "bookworm";

    @TempDir
    static Path tmp;
    private static RepoFixtures.Key key;
    private static RepoFixtures.Key late;

    @BeforeAll
    static void setUp() throws IOException {
        key = RepoFixtures.Key.create(tmp);
        late = lateKey(Files.createDirectories(tmp.resolve("late")));
    }

    @AfterAll
    static void tearDown() {
        key.close();
        late.close();
    }

    /** A key made in the future: gpg has it, finds it, and refuses to sign with it (as with a locked key or a dead agent). */
    private static RepoFixtures.Key lateKey(Path dir) {
        Path home = dir.resolve("gnupg");
        try {
            Files.createDirectories(home);
            Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Cmd.Result gen = Cmd.run(null, Map.of("GNUPGHOME", home.toString()), List.of("gpg", "--batch", "--passphrase", "",
                "--faked-system-time", "4000000000!", "--quick-gen-key", "Late <late@example.org>", "ed25519", "sign", "never"));
        assertThat(gen.exit()).as(gen.toString()).isZero();
        Cmd.Result list = Cmd.run(null, Map.of("GNUPGHOME", home.toString()), List.of("gpg", "--batch", "--with-colons", "--list-secret-keys"));
        return new RepoFixtures.Key(home, list.out().lines().filter(l -> l.startsWith("fpr:")).map(l -> l.split(":")[9]).findFirst().orElseThrow());
    }

    /** A small package made by dpkg-deb. */
    static Path deb(Path dir, String name, String version) throws IOException {
        Path root = Files.createDirectories(dir.resolve("build").resolve(name + "_" + version).resolve("DEBIAN"));
        Files.writeString(root.resolve("control"), "Package: " + name + "\nVersion: " + version + "\nArchitecture: amd64\n"
                + "Maintainer: Test <test@example.org>\nDescription: a package to publish\n", StandardCharsets.UTF_8);
        Path out = dir.resolve(name + "_" + version + "_amd64.deb");
        Cmd.ok("dpkg-deb", "--build", "--root-owner-group", root.getParent().toString(), out.toString());
        return out;
    }

    /** {@code dkms-deb repo REPO DEB --suite bookworm --no-meta-packages --sign-key ...} as a process, at the time of the run (no SOURCE_DATE_EPOCH). */
    private static ProcessBuilder publisher(Path repo, Path deb, RepoFixtures.Key with, String... extra) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.dkmsdeb.cli.Main", "repo", repo.toString()));
        if (deb != null) {
            cmd.add(deb.toString());
        }
        cmd.addAll(List.of("--suite", SUITE, "--no-meta-packages", "--gpg-homedir", with.home().toString(), "--sign-key", with.fingerprint()));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().remove("SOURCE_DATE_EPOCH");
        return pb;
    }

    private static Cmd.Result publish(Path repo, Path deb, RepoFixtures.Key with, String... extra) {
        try {
            Process p = publisher(repo, deb, with, extra).start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            String out = read(p.getInputStream());
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("publish finished").isTrue();
            return new Cmd.Result(p.exitValue(), out, err.join());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void assertVerifies(Path repo, Path keyring, String when) {
        assertVerifies(repo, keyring, when, false);
    }

    /** verify-repo's checks; {@code byHashClient}: as apt reads the repository (InRelease, indices by hash). */
    private static void assertVerifies(Path repo, Path keyring, String when, boolean byHashClient) {
        RepoVerifier.Report r = RepoVerifier.verify(repo, SUITE, keyring, java.time.Duration.ofMinutes(1), byHashClient);
        assertThat(r.problems()).as("verify-repo " + when).isEmpty();
        assertThat(r.signed()).as("signed, " + when).isTrue();
    }

    private static List<String> served(Path repo) throws IOException {
        Path packages = repo.resolve("dists/" + SUITE + "/main/binary-amd64/Packages");
        return RepoFixtures.stanzas(packages).stream().map(s -> s.get("Package")).toList();
    }

    @Test
    void underFireAClientNeverSeesABrokenRepository() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("fire"));
        Path repo = dir.resolve("repo");
        Cmd.Result first = publish(repo, deb(dir, "fire-0", "1"), key);
        assertThat(first.exit()).as(first.toString()).isZero();
        Path clientKey = Files.copy(repo.resolve("KEY.gpg"), dir.resolve("client-key.gpg"));
        TreeSet<String> expected = new TreeSet<>(List.of("fire-0"));

        long seed = Long.getLong("fire.seed", System.nanoTime());
        Random random = new Random(seed);
        int ok = 0;
        int signFailed = 0;
        int killedUnserved = 0;
        int killedServed = 0;
        int finishedFirst = 0;
        long publishMillis;
        try (RepoServer server = new RepoServer(repo)) {
            AptClient client = new AptClient(dir.resolve("apt"), server.url(), SUITE, clientKey);
            Cmd.Result warm = client.update();
            assertThat(AptClient.clean(warm)).as(warm.toString()).isTrue();
            long t0 = System.nanoTime();
            assertThat(publish(repo, deb(dir, "fire-1", "1"), key).exit()).isZero();
            publishMillis = (System.nanoTime() - t0) / 1_000_000;
            expected.add("fire-1");

            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger updates = new AtomicInteger();
            List<Cmd.Result> failed = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread loop = new Thread(() -> {
                while (!stop.get()) {
                    Cmd.Result r = client.update();
                    updates.incrementAndGet();
                    if (!AptClient.clean(r)) {
                        failed.add(r);
                    }
                }
            }, "apt-get update loop");
            loop.start();
            int publishes = 0;
            for (int i = 2; publishes < 100 || killedUnserved + killedServed < 30; i++) {
                String name = "fire-" + i;
                Path deb = deb(dir, name, "1");
                int slot = publishes % 10;
                publishes++;
                if (slot == 3) {
                    Map<String, String> before = RepoFixtures.snapshot(repo.resolve("dists"));
                    Cmd.Result r = publish(repo, deb, late);
                    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
                    assertThat(r.err()).contains("sign");
                    assertThat(RepoFixtures.snapshot(repo.resolve("dists"))).as("a failed signing leaves the indices").isEqualTo(before);
                    signFailed++;
                } else if (slot == 1 || slot == 5 || slot == 8 || publishes > 100) {
                    Process p = publisher(repo, deb, key).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                    Thread.sleep(random.nextInt((int) Math.max(50, publishMillis)));
                    if (!p.isAlive()) {
                        finishedFirst++;
                        if (p.exitValue() == 0) {
                            expected.add(name);
                        }
                    } else {
                        p.destroyForcibly();
                        p.waitFor();
                        if (served(repo).contains(name)) {
                            killedServed++;
                            expected.add(name);
                        } else {
                            killedUnserved++;
                        }
                    }
                } else {
                    Cmd.Result r = publish(repo, deb, key);
                    assertThat(r.exit()).as(r.toString()).isZero();
                    expected.add(name);
                    ok++;
                }
                // a kill between two renames of the switch leaves the plain-name indices ahead of InRelease until the
                // next publish (PublishCrashTest stops at each of them): what apt reads is checked then, all of it otherwise
                boolean killed = slot == 1 || slot == 5 || slot == 8 || publishes > 100;
                assertVerifies(repo, clientKey, "after publish " + i, killed);
                assertThat(publishes).as("kills found a living publisher often enough").isLessThan(160);
            }
            // a last publish that is not killed: the loop may end with a kill, whose staging area the next run removes
            Cmd.Result fin = publish(repo, deb(dir, "fire-final", "1"), key);
            assertThat(fin.exit()).as(fin.toString()).isZero();
            expected.add("fire-final");
            assertVerifies(repo, clientKey, "after the last publish", false);
            stop.set(true);
            loop.join();
            Cmd.Result last = client.update();
            assertThat(AptClient.clean(last)).as(last.toString()).isTrue();
            assertThat(client.packageNames()).containsAll(expected);

            List<String> log = server.log();
            long byHash = log.stream().filter(l -> l.contains("/by-hash/SHA256/")).count();
            long plainIndex = log.stream().filter(l -> l.matches("\\d+ GET .*/binary-[^/]+/Packages(\\.xz)?")).count();
            System.out.printf("under fire (seed %d): %d publishes: %d succeeded, %d failed to sign, %d killed before serving, "
                            + "%d killed after serving, %d finished before the kill; %d apt-get update runs, %d failed; "
                            + "%d by-hash requests, %d plain index requests; a publish took %d ms%n",
                    seed, publishes, ok, signFailed, killedUnserved, killedServed, finishedFirst, updates.get(), failed.size(),
                    byHash, plainIndex, publishMillis);
            assertThat(failed).as("apt-get update runs that failed").isEmpty();
            assertThat(updates.get()).as("apt-get update runs during the publishes").isGreaterThanOrEqualTo(20);
            assertThat(signFailed).isGreaterThanOrEqualTo(10);
            assertThat(killedUnserved + killedServed).isGreaterThanOrEqualTo(30);
            assertThat(byHash).as("apt fetched indices by hash").isPositive();
            assertThat(plainIndex).as("apt never fetched an index by its plain name").isZero();
        }
        assertThat(repo.resolve(".dkms-deb/staging")).as("the last publish cleaned up, a killed one's staging area too").doesNotExist();
    }

    @Test
    void twoPublishersAtOnceBothLand() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("two"));
        Path repo = dir.resolve("repo");
        assertThat(publish(repo, deb(dir, "base", "1"), key).exit()).isZero();
        Path a = deb(dir, "first", "1");
        Path b = deb(dir, "second", "1");
        CompletableFuture<Cmd.Result> ra = CompletableFuture.supplyAsync(() -> publish(repo, a, key));
        CompletableFuture<Cmd.Result> rb = CompletableFuture.supplyAsync(() -> publish(repo, b, key));
        assertThat(ra.join().exit()).as(ra.join().toString()).isZero();
        assertThat(rb.join().exit()).as(rb.join().toString()).isZero();
        assertThat(served(repo)).containsExactly("base", "first", "second");
        assertVerifies(repo, repo.resolve("KEY.gpg"), "after two publishers");
    }

    @Test
    void aPublisherThatCannotGetTheLockExits75AndChangesNothing() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("locked"));
        Path repo = dir.resolve("repo");
        assertThat(publish(repo, deb(dir, "base", "1"), key).exit()).isZero();
        Map<String, String> before = RepoFixtures.snapshot(repo);
        try (FileChannel c = FileChannel.open(repo.resolve(".dkms-deb/lock"), StandardOpenOption.WRITE);
             FileLock held = c.lock()) {
            Cmd.Result r = publish(repo, deb(dir, "late", "1"), key, "--lock-timeout", "1");
            assertThat(r.exit()).as(r.toString()).isEqualTo(75);
            assertThat(r.err()).contains("another publisher held the lock", "--lock-timeout", "nothing was changed");
            assertThat(held.isValid()).isTrue();
        }
        assertThat(RepoFixtures.snapshot(repo)).isEqualTo(before);
        // the lock is free again: the same publish goes through
        assertThat(publish(repo, deb(dir, "late", "1"), key, "--lock-timeout", "1").exit()).isZero();
        assertThat(served(repo)).containsExactly("base", "late");
    }

    @Test
    void aPublishWhoseSigningFailsLeavesEveryServedFileAsItWasAndAptStillUpdates() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("signfail"));
        Path repo = dir.resolve("repo");
        assertThat(publish(repo, deb(dir, "base", "1"), key).exit()).isZero();
        Map<String, String> before = RepoFixtures.snapshot(repo);
        Cmd.Result r = publish(repo, deb(dir, "unsigned", "1"), late);
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("cannot clear-sign Release", late.fingerprint());
        Map<String, String> after = RepoFixtures.snapshot(repo);
        after.remove(".dkms-deb/lock");
        before.remove(".dkms-deb/lock");
        assertThat(after).as("InRelease, Release, every index and the pool, bytes and mtimes").isEqualTo(before);
        assertThat(repo.resolve(".dkms-deb/staging")).doesNotExist();
        try (RepoServer server = new RepoServer(repo)) {
            AptClient client = new AptClient(dir.resolve("apt"), server.url(), SUITE, repo.resolve("KEY.gpg"));
            Cmd.Result update = client.update();
            assertThat(AptClient.clean(update)).as(update.toString()).isTrue();
            assertThat(client.packageNames()).containsExactly("base");
        }
        assertVerifies(repo, repo.resolve("KEY.gpg"), "after a failed signing");
    }

    @Test
    void verifyRepoNamesWhatIsWrongAndExitsNonZero() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("verify"));
        Path repo = dir.resolve("repo");
        assertThat(publish(repo, deb(dir, "base", "1"), key).exit()).isZero();
        Cmd.Result good = Cmd.dkmsDeb("verify-repo", repo.toString(), "--suite", SUITE, "--keyring", repo.resolve("KEY.gpg").toString());
        assertThat(good.exit()).as(good.toString()).isZero();
        assertThat(good.err()).contains("checks out", "signature good");
        Path pool = repo.resolve("pool/main/b/base/base_1_amd64.deb");
        Files.write(pool, new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
        Path packages = repo.resolve("dists/" + SUITE + "/main/binary-amd64/Packages");
        Files.writeString(packages, Files.readString(packages) + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        Cmd.Result bad = Cmd.dkmsDeb("verify-repo", repo.toString(), "--suite", SUITE, "--keyring", late.home().resolve("none.gpg").toString());
        assertThat(bad.exit()).isEqualTo(2);
        Cmd.Result r = Cmd.dkmsDeb("verify-repo", repo.toString(), "--suite", SUITE);
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("main/binary-amd64/Packages: size", "pool/main/b/base/base_1_amd64.deb: size", "fault(s)");
    }

    /** A package shaped as bmdeb's NAME-modules-KVER (made by dpkg-deb: what counts here is its control file). */
    private static Path modulesStub(Path dir, String kver) throws IOException {
        Path root = Files.createDirectories(dir.resolve("build").resolve("hello-modules-" + kver).resolve("DEBIAN"));
        Files.writeString(root.resolve("control"), "Package: hello-modules-" + kver + "\nSource: hello-dkms-bin\nVersion: 1.0\n"
                + "Architecture: amd64\nMaintainer: Test <test@example.org>\nDepends: linux-image-" + kver + " | linux-image-" + kver
                + "-unsigned\nSection: kernel\nDescription: hello modules for " + kver + "\n", StandardCharsets.UTF_8);
        Path out = dir.resolve("hello-modules-" + kver + "_1.0_amd64.deb");
        Cmd.ok("dpkg-deb", "--build", "--root-owner-group", root.getParent().toString(), out.toString());
        return out;
    }

    /** A listing as 'kernels --json' writes it: these kernels, and linux-image-amd64 at {@code metaVersion} depending on {@code metaRelease}. */
    private static Path listing(Path file, String metaVersion, String metaRelease, String... releases) throws IOException {
        StringBuilder k = new StringBuilder();
        for (String r : releases) {
            k.append(k.length() == 0 ? "" : ",").append("{\"release\":\"").append(r).append("\",\"series\":\"6.1\",\"flavour\":\"amd64\",")
                    .append("\"arch\":\"amd64\",\"headersPackage\":\"linux-headers-").append(r).append("\",\"headersVersion\":\"1\"}");
        }
        Files.writeString(file, "{\"kernels\":[" + k + "],\"metas\":[{\"package\":\"linux-image-amd64\",\"flavour\":\"amd64\","
                + "\"version\":\"" + metaVersion + "\",\"release\":\"" + metaRelease + "\"}]}\n", StandardCharsets.UTF_8);
        return file;
    }

    private static Cmd.Result publishWithMetas(Path repo, List<Path> debs, Path listing, String... extra) {
        List<String> args = new ArrayList<>(List.of("repo", repo.toString()));
        debs.forEach(d -> args.add(d.toString()));
        args.addAll(List.of("--suite", SUITE, "--gpg-homedir", key.home().toString(), "--sign-key", key.fingerprint(),
                "--kernel-list", listing.toString()));
        args.addAll(List.of(extra));
        return Cmd.dkmsDeb(null, Map.of("GNUPGHOME", key.home().toString()), args.toArray(String[]::new));
    }

    @Test
    void retentionTakesOutAKernelTheArchiveDroppedAndDeletesItsFileOnceNoKeptGenerationNamesIt() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("retention"));
        Path repo = dir.resolve("repo");
        String a = "6.1.0-90-amd64";
        String b = "6.1.0-91-amd64";
        String c = "6.1.0-92-amd64";
        Path abc = listing(dir.resolve("abc.json"), "1", a, a, b, c);
        Cmd.Result first = publishWithMetas(repo, List.of(modulesStub(dir, a), modulesStub(dir, b), modulesStub(dir, c)), abc);
        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(served(repo)).containsExactly("hello-modules-" + a, "hello-modules-" + b, "hello-modules-" + c, "hello-modules-amd64");

        // the archive dropped A, and linux-image-amd64 moved on to C
        Path bc = listing(dir.resolve("bc.json"), "3", c, b, c);
        Map<String, String> before = RepoFixtures.snapshot(repo);
        Cmd.Result dry = publishWithMetas(repo, List.of(), bc, "--prune-kernels", "--dry-run", "--keep-generations", "2");
        assertThat(dry.exit()).as(dry.toString()).isZero();
        assertThat(dry.err()).contains("would remove hello-modules-" + a + " 1.0", "kernel " + a + " is no longer in the archive listing",
                "would remove hello-modules-amd64 1.0+1", "nothing was changed").doesNotContain("would remove hello-modules-" + b);
        before.remove(".dkms-deb/lock");
        Map<String, String> afterDry = RepoFixtures.snapshot(repo);
        afterDry.remove(".dkms-deb/lock");
        assertThat(afterDry).as("a dry run changes nothing").isEqualTo(before);

        Cmd.Result prune = publishWithMetas(repo, List.of(), bc, "--prune-kernels", "--keep-generations", "2", "--json");
        assertThat(prune.exit()).as(prune.toString()).isZero();
        assertThat(prune.out()).contains("\"removed\":[\"pool/main/h/hello-dkms-bin/hello-modules-" + a + "_1.0_amd64.deb\"");
        List<Map<String, String>> stanzas = RepoFixtures.stanzas(repo.resolve("dists/" + SUITE + "/main/binary-amd64/Packages"));
        assertThat(stanzas).extracting(s -> s.get("Package") + " " + s.get("Version")).containsExactly(
                "hello-modules-" + b + " 1.0", "hello-modules-" + c + " 1.0", "hello-modules-amd64 1.0+3");
        assertThat(stanzas.get(2).get("Depends")).isEqualTo("hello-modules-" + c + " (= 1.0)");
        Path aFile = repo.resolve("pool/main/h/hello-dkms-bin/hello-modules-" + a + "_1.0_amd64.deb");
        assertThat(aFile).as("kept while the previous generation, which names it, is kept").exists();
        assertVerifies(repo, repo.resolve("KEY.gpg"), "after pruning");
        try (RepoServer server = new RepoServer(repo)) {
            AptClient client = new AptClient(dir.resolve("apt"), server.url(), SUITE, repo.resolve("KEY.gpg"));
            Cmd.Result update = client.update();
            assertThat(AptClient.clean(update)).as(update.toString()).isTrue();
            assertThat(client.packageNames()).doesNotContain("hello-modules-" + a).contains("hello-modules-" + c, "hello-modules-amd64");
        }

        // one more generation: the one that named A's package ages out, and its file goes
        Cmd.Result next = publishWithMetas(repo, List.of(deb(dir, "other", "1")), bc, "--keep-generations", "2");
        assertThat(next.exit()).as(next.toString()).isZero();
        assertThat(next.err()).contains("deleted pool/main/h/hello-dkms-bin/hello-modules-" + a + "_1.0_amd64.deb");
        assertThat(aFile).doesNotExist();
        assertThat(repo.resolve("pool/main/h/hello-dkms-bin/hello-modules-" + c + "_1.0_amd64.deb")).exists();
        assertVerifies(repo, repo.resolve("KEY.gpg"), "after the file went");
        // the kernel listing no longer has C either, but the meta-package depends on it: it stays
        Path b2 = listing(dir.resolve("b.json"), "3", c, b);
        Cmd.Result keep = publishWithMetas(repo, List.of(), b2, "--prune-kernels");
        assertThat(keep.exit()).as(keep.toString()).isZero();
        assertThat(served(repo)).contains("hello-modules-" + c, "hello-modules-amd64");
    }

    @Test
    void theIndicesAgreeWithAptFtparchiveOnTheSamePool() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("ftparchive"));
        Path repo = dir.resolve("repo");
        Cmd.Result r = publishWithMetas(repo, List.of(modulesStub(dir, "6.1.0-90-amd64"), deb(dir, "plain", "2.0-1")),
                listing(dir.resolve("l.json"), "1", "6.1.0-90-amd64", "6.1.0-90-amd64"));
        assertThat(r.exit()).as(r.toString()).isZero();
        Cmd.Result ftp = Cmd.run(repo, null, List.of("apt-ftparchive", "-o", "APT::FTPArchive::SHA1=false", "-o", "APT::FTPArchive::SHA512=false",
                "packages", "pool"));
        assertThat(ftp.exit()).as(ftp.toString()).isZero();
        Path theirs = Files.writeString(dir.resolve("ftparchive-Packages"), ftp.out());
        List<Map<String, String>> expected = RepoFixtures.stanzas(theirs);
        List<Map<String, String>> ours = RepoFixtures.stanzas(repo.resolve("dists/" + SUITE + "/main/binary-amd64/Packages"));
        assertThat(ours).hasSize(expected.size()).hasSize(3);
        for (Map<String, String> e : expected) {
            Map<String, String> o = ours.stream().filter(s -> s.get("Package").equals(e.get("Package"))).findFirst().orElseThrow();
            assertThat(o).as(e.get("Package")).isEqualTo(e);
        }
    }

    @Test
    void aKernelMetaPackageThatMovedToAKernelWithoutAModulePackageIsNamed() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("stale-meta"));
        Path repo = dir.resolve("repo");
        String a = "6.1.0-90-amd64";
        assertThat(publishWithMetas(repo, List.of(modulesStub(dir, a)), listing(dir.resolve("a.json"), "1", a, a)).exit()).isZero();
        Cmd.Result moved = publishWithMetas(repo, List.of(), listing(dir.resolve("d.json"), "2", "6.1.0-93-amd64", a, "6.1.0-93-amd64"));
        assertThat(moved.exit()).as(moved.toString()).isZero();
        assertThat(moved.err()).contains("linux-image-amd64 2 now depends on kernel 6.1.0-93-amd64, but the repository has no "
                + "hello-modules-6.1.0-93-amd64", "bmdeb -k 6.1.0-93-amd64");
        assertThat(served(repo)).containsExactly("hello-modules-" + a, "hello-modules-amd64");
    }
}

package io.dkmsdeb.it;

import io.dkmsdeb.support.Json;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rebuilt -modules package never takes the name and version of one with other bytes: a source
 * change without a new version gives {@code 1.0+b1} beside the untouched {@code 1.0}, then
 * {@code +b2}, which dpkg sorts higher; the same state and inputs give the same bytes. The -modules
 * version follows the revision of the -dkms package built from. Two calls writing to one -o for one
 * kernel build it once.
 */
@Tag("kernel")
@Tag("tools")
class BmdebRebuildVersionTest {
    private static final Map<String, String> ENV = Map.of("SOURCE_DATE_EPOCH", HelloModules.EPOCH);

    @TempDir
    Path work;

    /** A copy of debian-example (with its debian/, whose control names the Maintainer); its hello module tree. */
    private Path example() {
        Cmd.ok("cp", "-a", Path.of(HelloModules.example()).getParent().toString(), work.resolve("example").toString());
        return work.resolve("example/hello");
    }

    /** bmdeb of {@code source} for {@code kernel} into {@code out}: its --json kernel object and its stderr. */
    private record Run(Map<?, ?> kernel, String err) {
        String result() {
            return (String) kernel.get("result");
        }

        Path file() {
            return Path.of((String) kernel.get("file"));
        }
    }

    private Run bmdeb(String source, String kernel, Path out, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("bmdeb", source, "-k", kernel, "--no-sign", "-o", out.toString(), "--log-dir",
                work.resolve("logs").toString(), "--json"));
        args.addAll(List.of(more));
        Cmd.Result r = Cmd.dkmsDeb(null, ENV, args.toArray(String[]::new));
        assertThat(r.exit()).as(r.toString()).isZero();
        return new Run((Map<?, ?>) ((List<?>) ((Map<?, ?>) Json.read(r.out())).get("kernels")).get(0), r.err());
    }

    private static String field(Path deb, String name) {
        return Cmd.ok("dpkg-deb", "-f", deb.toString(), name).out().strip();
    }

    private static boolean dpkgSaysHigher(String a, String b) {
        return Cmd.run("dpkg", "--compare-versions", a, "gt", b).exit() == 0;
    }

    private static List<String> debs(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".deb")).sorted().toList();
        }
    }

    @Test
    void aChangedSourceWithTheSameVersionGetsTheNextBinNmuAndNeverOverwrites() throws Exception {
        String k = Kernels.newest61();
        Path tree = example();
        Path out = work.resolve("out");
        String v10 = "hello-modules-" + k + "_1.0_amd64.deb";
        String b1 = "hello-modules-" + k + "_1.0+b1_amd64.deb";
        String b2 = "hello-modules-" + k + "_1.0+b2_amd64.deb";

        Run first = bmdeb(tree.toString(), k, out);
        assertThat(first.result()).isEqualTo("built");
        assertThat(first.file().getFileName().toString()).isEqualTo(v10);
        byte[] firstBytes = Files.readAllBytes(first.file());
        FileTime firstTime = Files.getLastModifiedTime(first.file());

        // a source fix without a new version: a new file, 1.0+b1; 1.0 untouched
        Files.writeString(tree.resolve("hello.c"), "\n/* fixed */\n", StandardOpenOption.APPEND);
        Run second = bmdeb(tree.toString(), k, out);
        assertThat(second.result()).isEqualTo("built");
        assertThat(second.file().getFileName().toString()).isEqualTo(b1);
        assertThat(field(second.file(), "Version")).isEqualTo("1.0+b1");
        assertThat(field(second.file(), "Provides")).isEqualTo("hello-modules (= 1.0)");
        assertThat(second.err()).contains("[" + k + "] inputs changed since hello-modules-" + k + " 1.0 (").contains("): version 1.0+b1");
        assertThat(Files.readAllBytes(out.resolve(v10))).isEqualTo(firstBytes);
        assertThat(Files.getLastModifiedTime(out.resolve(v10))).isEqualTo(firstTime);
        assertThat(dpkgSaysHigher("1.0+b1", "1.0")).isTrue();
        assertThat(field(second.file(), "Dkms-Deb-Inputs")).isNotEqualTo(field(first.file(), "Dkms-Deb-Inputs"));

        // unchanged: up to date, the +b1 package
        Run third = bmdeb(tree.toString(), k, out);
        assertThat(third.result()).isEqualTo("up-to-date");
        assertThat(third.file().getFileName().toString()).isEqualTo(b1);

        // the state before the next change, kept to show that the same state and inputs give the same bytes
        Path copy = work.resolve("out-copy");
        Cmd.ok("cp", "-a", out.toString(), copy.toString());

        // another change: +b2, and dpkg sorts it above +b1
        Files.writeString(tree.resolve("hello.c"), "\n/* fixed again */\n", StandardOpenOption.APPEND);
        Run fourth = bmdeb(tree.toString(), k, out);
        assertThat(fourth.file().getFileName().toString()).isEqualTo(b2);
        assertThat(dpkgSaysHigher("1.0+b2", "1.0+b1")).isTrue();
        assertThat(dpkgSaysHigher("1.1", "1.0+b2")).as("a new upstream version still upgrades").isTrue();
        assertThat(debs(out)).containsExactlyInAnyOrder(v10, b1, b2);

        Run again = bmdeb(tree.toString(), k, copy);
        assertThat(again.file().getFileName().toString()).isEqualTo(b2);
        assertThat(Files.readAllBytes(again.file())).isEqualTo(Files.readAllBytes(fourth.file()));

        // the packages of another directory count as well (a repository given with --reuse-from): out2 starts empty,
        // the repository has 1.0 to +b2, and a further change gives +b3 in out2
        Files.writeString(tree.resolve("hello.c"), "\n/* and again */\n", StandardOpenOption.APPEND);
        Run fifth = bmdeb(tree.toString(), k, work.resolve("out2"), "--reuse-from", out.toString());
        assertThat(fifth.file()).isEqualTo(work.resolve("out2/hello-modules-" + k + "_1.0+b3_amd64.deb"));
    }

    @Test
    void theModulesVersionFollowsTheDkmsPackagesRevision() throws Exception {
        String k = Kernels.newest61();
        Path tree = example();
        Path dkms = work.resolve("dkms");
        Cmd.Result src = Cmd.dkmsDeb(null, ENV, "source", tree.toString(), "--revision", "2.1", "-o", dkms.toString());
        assertThat(src.exit()).as(src.toString()).isZero();
        Path dkmsDeb = dkms.resolve("hello-dkms_1.0-2.1_all.deb");
        assertThat(dkmsDeb).isRegularFile();

        Run followed = bmdeb(dkmsDeb.toString(), k, work.resolve("out"));
        assertThat(followed.file().getFileName().toString()).isEqualTo("hello-modules-" + k + "_1.0-2.1_amd64.deb");
        assertThat(field(followed.file(), "Version")).isEqualTo("1.0-2.1");
        assertThat(field(followed.file(), "Provides")).isEqualTo("hello-modules (= 1.0)");

        // --revision still decides when given
        Run given = bmdeb(dkmsDeb.toString(), k, work.resolve("out"), "--revision", "3");
        assertThat(given.file().getFileName().toString()).isEqualTo("hello-modules-" + k + "_1.0-3_amd64.deb");
        assertThat(dpkgSaysHigher("1.0-2.1+b1", "1.0-2.1")).isTrue();
        assertThat(dpkgSaysHigher("1.0-3", "1.0-2.1+b1")).isTrue();
    }

    /** A key pair made with openssl: {@code KEY.pem} and {@code KEY.crt} under {@code work}. */
    private Path[] keyPair(String name) throws Exception {
        Path conf = work.resolve(name + ".cnf");
        Files.writeString(conf, "[req]\ndistinguished_name=dn\nprompt=no\nx509_extensions=ext\n[dn]\nCN=" + name + "\n"
                + "[ext]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=digitalSignature\nsubjectKeyIdentifier=hash\n"
                + "authorityKeyIdentifier=keyid\n");
        Path key = work.resolve(name + ".pem");
        Path cert = work.resolve(name + ".crt");
        Cmd.ok("openssl", "req", "-new", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-config", conf.toString(),
                "-keyout", key.toString(), "-out", cert.toString());
        return new Path[] {key, cert};
    }

    private Cmd.Result signed(Path tree, String k, Path out, Path[] pair) {
        Cmd.Result r = Cmd.dkmsDeb(null, ENV, "bmdeb", tree.toString(), "-k", k, "-o", out.toString(), "--sign-key", pair[0].toString(),
                "--sign-cert", pair[1].toString(), "--log-dir", work.resolve("logs").toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    /**
     * The certificate package keeps its version while its bytes are the same, and the -modules packages suggest the version it
     * has: a source change gives modules 1.0+b1 beside cert 1.0; a new key gives modules +b2 and cert 1.0+b1.
     */
    @Test
    void theCertificatePackageIsVersionedByItsOwnBytes() throws Exception {
        String k = Kernels.newest61();
        Path tree = example();
        Path out = work.resolve("out");
        Path[] a = keyPair("key-a");
        signed(tree, k, out, a);
        Path cert10 = out.resolve("hello-modules-cert_1.0_all.deb");
        byte[] cert10Bytes = Files.readAllBytes(cert10);
        assertThat(field(out.resolve("hello-modules-" + k + "_1.0_amd64.deb"), "Suggests")).isEqualTo("hello-modules-cert (= 1.0)");

        Files.writeString(tree.resolve("hello.c"), "\n/* fixed */\n", StandardOpenOption.APPEND);
        Cmd.Result fix = signed(tree, k, out, a);
        assertThat(fix.err()).contains("up to date: " + cert10);
        assertThat(field(out.resolve("hello-modules-" + k + "_1.0+b1_amd64.deb"), "Suggests")).isEqualTo("hello-modules-cert (= 1.0)");
        assertThat(Files.readAllBytes(cert10)).isEqualTo(cert10Bytes);

        signed(tree, k, out, keyPair("key-b"));
        Path b2 = out.resolve("hello-modules-" + k + "_1.0+b2_amd64.deb");
        assertThat(field(b2, "Suggests")).isEqualTo("hello-modules-cert (= 1.0+b1)");
        assertThat(field(out.resolve("hello-modules-cert_1.0+b1_all.deb"), "Version")).isEqualTo("1.0+b1");
        assertThat(Files.readAllBytes(cert10)).isEqualTo(cert10Bytes);
        assertThat(debs(out)).hasSize(5);
    }

    @Test
    void twoCallsToOneOutputDirectoryBuildOnce() throws Exception {
        String k = Kernels.newest61();
        Path tree = example();
        Path out = Files.createDirectories(work.resolve("out"));
        Path lockFile = out.resolve(".dkms-deb-bmdeb-" + k + ".lock");
        List<CompletableFuture<Cmd.Result>> calls = new ArrayList<>();
        // the test holds the kernel's lock while both calls start, so that both find it held and wait
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = ch.lock()) {
            // as bmdeb's holders do, so that the waiters' message names the holder
            ch.write(java.nio.ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            for (int i = 0; i < 2; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> Cmd.dkmsDeb(null, ENV, "bmdeb", tree.toString(), "-k", k, "--no-sign", "-o",
                        out.toString(), "--log-dir", work.resolve("logs").toString(), "--json")));
            }
            Thread.sleep(5000);
            assertThat(calls).noneMatch(CompletableFuture::isDone);
            assertThat(held.isValid()).isTrue();
        }
        List<String> results = new ArrayList<>();
        for (CompletableFuture<Cmd.Result> c : calls) {
            Cmd.Result r = c.get();
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.err()).as(r.toString()).contains("[" + k + "] another bmdeb (pid " + ProcessHandle.current().pid()
                    + ") is building for this kernel in " + out + "; waiting for it");
            results.add((String) ((Map<?, ?>) ((List<?>) ((Map<?, ?>) Json.read(r.out())).get("kernels")).get(0)).get("result"));
        }
        assertThat(results).containsExactlyInAnyOrder("built", "up-to-date");
        assertThat(debs(out)).containsExactly("hello-modules-" + k + "_1.0_amd64.deb");
        try (Stream<Path> logs = Files.list(work.resolve("logs"))) {
            assertThat(logs.toList()).as("one build log: one build").hasSize(1);
        }
    }

    /** Holds {@code out}'s lock of {@code kernel} as a bmdeb call would, with this process's id in it. */
    private static FileLock holdLock(FileChannel ch) throws Exception {
        FileLock held = ch.lock();
        ch.write(java.nio.ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        return held;
    }

    /** Of two kernels, the one another call holds is waited for after the other is built, holding no lock meanwhile. */
    @Test
    void aKernelLockedByAnotherCallIsWaitedForAfterTheOthers() throws Exception {
        String k61 = Kernels.newest61();
        String k612 = Kernels.newest612();
        Path tree = example();
        Path out = Files.createDirectories(work.resolve("out"));
        Path built612 = out.resolve("hello-modules-" + k612 + "_1.0_amd64.deb");
        CompletableFuture<Cmd.Result> call;
        try (FileChannel ch = FileChannel.open(out.resolve(".dkms-deb-bmdeb-" + k61 + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock held = holdLock(ch)) {
            call = CompletableFuture.supplyAsync(() -> Cmd.dkmsDeb(null, ENV, "bmdeb", tree.toString(), "-k", k61, "-k", k612, "--no-sign",
                    "-j", "2", "-o", out.toString(), "--log-dir", work.resolve("logs").toString(), "--json"));
            long deadline = System.nanoTime() + 50_000_000_000L;
            while (!Files.exists(built612) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(built612).as("the kernel nobody else holds is built meanwhile").isRegularFile();
            Thread.sleep(1000);
            assertThat(call).isNotDone();
            assertThat(held.isValid()).isTrue();
        }
        Cmd.Result r = call.get();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("[" + k61 + "] another bmdeb (pid " + ProcessHandle.current().pid() + ") is building for this kernel")
                .contains("waiting for another bmdeb that is building for 1 of these kernels in " + out);
        assertThat(debs(out)).containsExactlyInAnyOrder("hello-modules-" + k61 + "_1.0_amd64.deb", built612.getFileName().toString());
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.filter(p -> p.getFileName().toString().startsWith(".")).toList()).as("no lock file left").isEmpty();
        }
    }

    /** A lock held past --lock-timeout fails that kernel with a message that names the lock, its holder and the option. */
    @Test
    void aLockHeldPastTheTimeoutFailsTheKernel() throws Exception {
        String k = Kernels.newest61();
        Path tree = example();
        Path out = Files.createDirectories(work.resolve("out"));
        Path lock = out.resolve(".dkms-deb-bmdeb-" + k + ".lock");
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock held = holdLock(ch)) {
            Cmd.Result r = Cmd.dkmsDeb(null, ENV, "bmdeb", tree.toString(), "-k", k, "--no-sign", "-o", out.toString(), "--log-dir",
                    work.resolve("logs").toString(), "--lock-timeout", "1");
            assertThat(r.exit()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).contains("dkms-deb: error: another bmdeb (pid " + ProcessHandle.current().pid() + ") has held " + lock
                    + " for more than 1 s while building for " + k + " in " + out).contains("--lock-timeout SECONDS");
            assertThat(debs(out)).isEmpty();
            assertThat(held.isValid()).isTrue();
        }
    }
}

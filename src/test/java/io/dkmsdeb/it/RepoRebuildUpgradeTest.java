package io.dkmsdeb.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Last night's package and tonight's rebuild of a changed source with the same module version: the
 * rebuild gets a higher version (nothing in last night's {@code -o} is touched), the repository takes
 * it beside the old one, and a machine that has the module gets it with {@code apt-get upgrade}, in an
 * isolated root with a real apt and the repository as a {@code signed-by} source.
 */
@Tag("root")
@Tag("tools")
@Tag("kernel")
class RepoRebuildUpgradeTest {

    @TempDir
    static Path tmp;
    private static RepoFixtures.Key key;

    @BeforeAll
    static void setUp() throws IOException {
        assertThat(Cmd.isRoot()).as("this test installs packages (in an isolated root) and must run as root").isTrue();
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        key = RepoFixtures.Key.create(tmp);
    }

    @AfterAll
    static void tearDown() {
        key.close();
    }

    private static Cmd.Result bmdeb(Path src, String kernel, Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("bmdeb", src.toString(), "-k", kernel, "-o", out.toString(), "--no-sign",
                "--maintainer", "Test <test@example.org>"));
        args.addAll(List.of(extra));
        return Cmd.dkmsDeb(null, Map.of("SOURCE_DATE_EPOCH", RepoFixtures.EPOCH), args.toArray(String[]::new));
    }

    @Test
    void aRebuiltSourceGetsAHigherVersionThatAptUpgradesTo() throws Exception {
        String k = Kernels.newest61();
        IsolatedRoot.assertMachineHasNone(List.of("hello-modules-amd64", "hello-modules-" + k), List.of());
        Path src = tmp.resolve("hello");
        try (Stream<Path> s = Files.walk(Path.of(HelloModules.example()))) {
            for (Path p : s.toList()) {
                Path to = src.resolve(Path.of(HelloModules.example()).relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        // last night: built and published
        Path night = tmp.resolve("out-night");
        Cmd.Result first = bmdeb(src, k, night);
        assertThat(first.exit()).as(first.toString()).isZero();
        Path old = night.resolve("hello-modules-" + k + "_1.0_amd64.deb");
        assertThat(old).isRegularFile();
        Map<String, String> nightOut = RepoFixtures.snapshot(night);
        Path listing = RepoFixtures.listing(tmp.resolve("listing.json"), "linux-image-amd64", "1", k);
        Path repo = tmp.resolve("repo");
        Cmd.Result published = RepoFixtures.repo(key, repo, List.of(old), "--suite", "bookworm", "--sign-key", key.fingerprint(),
                "--kernel-list", listing.toString());
        assertThat(published.exit()).as(published.toString()).isZero();

        // a machine that has the module
        Path archive = Files.createDirectories(tmp.resolve("archive"));
        Path stub = Files.createDirectories(tmp.resolve("stub/linux-image-" + k + "/DEBIAN"));
        Files.writeString(stub.resolve("control"), "Package: linux-image-" + k + "\nVersion: 1\nArchitecture: amd64\n"
                + "Maintainer: Test <test@example.org>\nDescription: stand-in for the Debian archive's kernel\n", StandardCharsets.UTF_8);
        Cmd.ok("dpkg-deb", "--build", "--root-owner-group", stub.getParent().toString(), archive.resolve("linux-image.deb").toString());
        Cmd.Result scan = Cmd.run(archive, null, List.of("dpkg-scanpackages", "."));
        Files.writeString(archive.resolve("Packages"), scan.out(), StandardCharsets.UTF_8);
        IsolatedRoot root = IsolatedRoot.in(tmp);
        AptInRoot.sources(root, repo, archive, false);
        AptInRoot.ok(root, "update");
        AptInRoot.ok(root, "install", "-y", "hello-modules-amd64");
        assertThat(AptInRoot.installed(root, "hello-modules-" + k)).isEqualTo("ii  1.0");

        // tonight: a source fix without a new module version, built into a fresh -o against the repository
        Files.writeString(src.resolve("hello.c"), "\n/* a fix */\n", StandardOpenOption.APPEND);
        Path tonight = tmp.resolve("out-tonight");
        Cmd.Result rebuilt = bmdeb(src, k, tonight, "--reuse-from", repo.toString());
        assertThat(rebuilt.exit()).as(rebuilt.toString()).isZero();
        Path fresh = tonight.resolve("hello-modules-" + k + "_1.0+b1_amd64.deb");
        assertThat(fresh).as(rebuilt.toString()).isRegularFile();
        assertThat(RepoFixtures.snapshot(night)).as("last night's output, untouched").isEqualTo(nightOut);
        Cmd.Result again = RepoFixtures.repo(key, repo, List.of(fresh), "--suite", "bookworm", "--sign-key", key.fingerprint(),
                "--kernel-list", listing.toString());
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(RepoFixtures.stanzas(repo.resolve("dists/bookworm/main/binary-amd64/Packages")))
                .extracting(s -> s.get("Package") + " " + s.get("Version"))
                .contains("hello-modules-" + k + " 1.0", "hello-modules-" + k + " 1.0+b1");

        AptInRoot.ok(root, "update");
        Cmd.Result upgrade = AptInRoot.ok(root, "upgrade", "-y");
        assertThat(AptInRoot.installed(root, "hello-modules-" + k)).as(upgrade.toString()).isEqualTo("ii  1.0+b1");
        assertThat(root.list("/lib/modules/" + k + "/updates/dkms")).anyMatch(f -> f.startsWith("hello.ko"));
        Cmd.Result verify = root.exec("dpkg", "-V", "hello-modules-" + k);
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(verify.out()).isEmpty();
        IsolatedRoot.assertMachineHasNone(List.of("hello-modules-amd64", "hello-modules-" + k), List.of());
    }
}

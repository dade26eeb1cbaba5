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
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real apt, in an isolated root, with a dkms-deb repository as a {@code signed-by} source: the
 * signature is checked (a tampered Release is refused), {@code apt-get install hello-modules-amd64}
 * installs the module for the kernel {@code linux-image-amd64} depends on, and when the repository
 * and the kernel meta-package move to a new kernel, apt's upgrade brings the module built for it.
 *
 * <p>The second source stands in for the Debian archive: a flat repository of stub kernel packages
 * made here (linux-image-A, linux-image-B, and linux-image-amd64 depending on A, later on B). Real
 * kernel images would need hundreds of megabytes, a download and a bootloader; what is under test is
 * the dkms-deb repository and its meta-package. The root's dpkg database starts empty, so that the
 * stubs do not meet this machine's own kernel packages.
 */
@Tag("root")
@Tag("tools")
@Tag("kernel")
class AptRepositoryInstallTest {
    @TempDir
    static Path tmp;
    private static RepoFixtures.Key key;

    @BeforeAll
    static void setUp() throws IOException {
        assertThat(Cmd.isRoot()).as("this test installs packages (in an isolated root) and must run as root").isTrue();
        // apt reads file: sources and the signed-by key as the _apt user too
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        key = RepoFixtures.Key.create(tmp);
    }

    @AfterAll
    static void tearDown() {
        key.close();
    }

    /** A stub package: control fields only, no files. */
    private static void stub(Path archive, String name, String version, String depends) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("stub-build").resolve(name + "_" + version).resolve("DEBIAN"));
        Files.writeString(dir.resolve("control"), "Package: " + name + "\nVersion: " + version + "\nArchitecture: amd64\n"
                + "Maintainer: Test <test@example.org>\n" + (depends == null ? "" : "Depends: " + depends + "\n")
                + "Description: stand-in for the Debian archive's " + name + "\n", StandardCharsets.UTF_8);
        Cmd.ok("dpkg-deb", "--build", "--root-owner-group", dir.getParent().toString(),
                archive.resolve(name + "_" + version + "_amd64.deb").toString());
    }

    private static void index(Path archive) throws IOException {
        Cmd.Result r = Cmd.run(archive, null, List.of("dpkg-scanpackages", "."));
        assertThat(r.exit()).as(r.toString()).isZero();
        Files.writeString(archive.resolve("Packages"), r.out(), StandardCharsets.UTF_8);
    }

    @Test
    void aptVerifiesTheRepositoryInstallsTheModuleAndUpgradesItWithTheKernel() throws Exception {
        String a = Kernels.newest61();
        String b = Kernels.newest612();
        IsolatedRoot.assertMachineHasNone(List.of("hello-modules-amd64", "hello-modules-" + a, "hello-modules-" + b), List.of());
        Path archive = Files.createDirectories(tmp.resolve("archive"));
        stub(archive, "linux-image-" + a, "1", null);
        stub(archive, "linux-image-" + b, "1", null);
        stub(archive, "linux-image-amd64", "1", "linux-image-" + a);
        index(archive);
        Path repo = tmp.resolve("repo");
        Cmd.Result made = RepoFixtures.repo(key, repo, List.of(HelloModules.deb(a)), "--suite", "bookworm", "--sign-key", key.fingerprint(),
                "--kernel-list", RepoFixtures.listing(tmp.resolve("listing-a.json"), "linux-image-amd64", "1", a).toString());
        assertThat(made.exit()).as(made.toString()).isZero();

        IsolatedRoot root = IsolatedRoot.in(tmp);
        AptInRoot.sources(root, repo, archive, true);

        // one byte changed in the signed text: apt refuses the repository (before any good update: with
        // index files from an earlier good update, apt keeps those, warns and exits 0)
        Path dists = repo.resolve("dists/bookworm");
        byte[] inRelease = Files.readAllBytes(dists.resolve("InRelease"));
        byte[] release = Files.readAllBytes(dists.resolve("Release"));
        Files.writeString(dists.resolve("InRelease"), new String(inRelease, StandardCharsets.UTF_8).replace("Suite: bookworm", "Suite: bookwork"));
        Files.writeString(dists.resolve("Release"), new String(release, StandardCharsets.UTF_8).replace("Suite: bookworm", "Suite: bookwork"));
        Cmd.Result tampered = AptInRoot.run(root, "update");
        assertThat(tampered.exit()).as(tampered.toString()).isNotZero();
        assertThat(tampered.all()).contains("BADSIG", "is not signed");
        Files.write(dists.resolve("InRelease"), inRelease);
        Files.write(dists.resolve("Release"), release);
        Cmd.Result update = AptInRoot.ok(root, "update");
        assertThat(update.all()).doesNotContain("GPG error", "NO_PUBKEY", "is not signed", "BADSIG");

        AptInRoot.ok(root, "install", "-y", "linux-image-amd64", "hello-modules-amd64");
        assertThat(AptInRoot.installed(root, "hello-modules-" + a)).isEqualTo("ii  1.0");
        assertThat(AptInRoot.installed(root, "hello-modules-amd64")).isEqualTo("ii  1.0+1");
        assertThat(root.list("/lib/modules/" + a + "/updates/dkms")).anyMatch(f -> f.startsWith("hello.ko"));
        assertThat(AptInRoot.installed(root, "hello-modules-" + b)).isEqualTo("not installed");

        // a new kernel ABI: the repository gains the module for B and follows linux-image-amd64 to B; so does the archive
        Cmd.Result grown = RepoFixtures.repo(key, "1700086400", repo, List.of(HelloModules.deb(b)), "--suite", "bookworm",
                "--sign-key", key.fingerprint(),
                "--kernel-list", RepoFixtures.listing(tmp.resolve("listing-b.json"), "linux-image-amd64", "2", b).toString());
        assertThat(grown.exit()).as(grown.toString()).isZero();
        Files.delete(archive.resolve("linux-image-amd64_1_amd64.deb"));
        stub(archive, "linux-image-amd64", "2", "linux-image-" + b);
        index(archive);
        AptInRoot.ok(root, "update");

        // as for Debian's own kernel ABI changes, apt-get upgrade keeps back what needs a new package ...
        Cmd.Result upgrade = AptInRoot.ok(root, "upgrade", "-y");
        assertThat(upgrade.out()).contains("kept back");
        assertThat(AptInRoot.installed(root, "hello-modules-" + b)).isEqualTo("not installed");
        // ... and 'apt upgrade' (apt-get upgrade --with-new-pkgs) or dist-upgrade installs it
        Cmd.Result withNew = AptInRoot.ok(root, "upgrade", "-y", "--with-new-pkgs");
        assertThat(AptInRoot.installed(root, "linux-image-amd64")).as(withNew.toString()).isEqualTo("ii  2");
        assertThat(AptInRoot.installed(root, "hello-modules-amd64")).as(withNew.toString()).isEqualTo("ii  1.0+2");
        assertThat(AptInRoot.installed(root, "hello-modules-" + b)).isEqualTo("ii  1.0");
        assertThat(root.list("/lib/modules/" + b + "/updates/dkms")).anyMatch(f -> f.startsWith("hello.ko"));

        IsolatedRoot.assertMachineHasNone(List.of("hello-modules-amd64", "hello-modules-" + a, "hello-modules-" + b),
                List.of(Path.of("/lib/modules", a, "updates/dkms/hello.ko")));
    }
}

package io.dkmsdeb.it;

import io.dkmsdeb.support.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The build image's install steps without a Docker engine: docker/install-build-deps.sh, the one RUN step of
 * docker/Dockerfile, run for real with the .deb that the package phase made, in an {@link IsolatedRoot} over this
 * Debian 12 machine (apt's lists and cache, the packages it installs and dkms-deb land in the root only); run twice,
 * it changes nothing the second time. Then what a Jenkins cell does in the image: ci/build-modules.sh with the
 * dkms-deb that the script installed, for an installed kernel. This machine's dpkg database and /usr are the same
 * before and after.
 */
@Tag("kernel")
@Tag("tools")
@Tag("root")
class SelfPackageImageTest {
    static final Path SCRIPT = Cmd.repo().resolve("docker/install-build-deps.sh");
    static Path deb;

    @TempDir
    Path work;

    @BeforeAll
    static void onADebian12Root() throws IOException {
        String p = System.getProperty("dkmsdeb.selfPackage");
        assumeTrue(p != null, "runs in 'mvn verify' (failsafe), after the package phase has made the .deb");
        deb = Path.of(p);
        assertThat(deb).isRegularFile();
        assumeTrue(Cmd.isRoot(), "installs packages in a private mount namespace: needs root");
        assertThat(Files.readString(Path.of("/etc/debian_version"))).as("the image is Debian 12").startsWith("12");
    }

    @BeforeEach
    @AfterEach
    void thisMachineHasNoDkmsDeb() {
        if (deb != null) {
            IsolatedRoot.assertMachineHasNone(List.of("dkms-deb"), SelfPackageTest.machinePaths());
        }
    }

    @Test
    void installsTheImagesPackagesAndDkmsDebIdempotently() throws IOException {
        IsolatedRoot root = IsolatedRoot.in(work);
        Cmd.Result first = root.exec(SCRIPT.toString(), deb.toString());
        assertThat(first.exit()).as(first.toString()).isZero();
        String version = DebInfo.of(deb).fields().get("Version");
        assertThat(first.out().strip()).endsWith("dkms-deb " + version);
        for (String pkg : List.of("default-jre-headless", "build-essential", "kmod", "xz-utils", "pahole", "jq", "bubblewrap", "libengine-pkcs11-openssl", "gcc-aarch64-linux-gnu",
                "binutils-aarch64-linux-gnu", "libc6-dev-arm64-cross", "dkms-deb")) {
            Cmd.Result s = root.exec("dpkg-query", "-W", "-f=${db:Status-Abbrev}", pkg);
            assertThat(s.out()).as(pkg).startsWith("ii");
        }
        assertThat(root.run("command -v dkms-deb").out().strip()).isEqualTo("/usr/bin/dkms-deb");
        assertThat(root.ok("dkms-deb", "--version").out().strip()).isEqualTo("dkms-deb " + version);

        // a second run installs nothing new and leaves the same dkms-deb
        Cmd.Result second = root.exec(SCRIPT.toString(), deb.toString());
        assertThat(second.exit()).as(second.toString()).isZero();
        assertThat(second.out()).contains("0 upgraded, 0 newly installed, 0 to remove");
        assertThat(second.out().strip()).endsWith("dkms-deb " + version);
    }

    @Test
    void aJenkinsCellInTheImageBuildsWithTheInstalledDkmsDeb() throws Exception {
        IsolatedRoot root = IsolatedRoot.in(work.resolve("root"));
        Cmd.Result install = root.exec(SCRIPT.toString(), deb.toString());
        assertThat(install.exit()).as(install.toString()).isZero();
        String k61 = Kernels.newestInstalled("6.1.");
        // no DKMS_DEB: the script runs "dkms-deb" from PATH, /usr/bin/dkms-deb from the package
        Cmd.Result r = root.run("cd \"$1\" && shift && exec env \"$@\"", work.toString(), "OUT_DIR=out",
                "MODULE_SOURCE=" + Cmd.repo().resolve("debian-example/hello"), Cmd.repo().resolve("ci/build-modules.sh").toString(), k61);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(work.resolve("out/hello-modules-" + k61 + "_1.0_amd64.deb")).isRegularFile();
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = (Map<String, Object>) Json.read(Files.readString(work.resolve("out/bmdeb-" + k61 + ".json")));
        assertThat(summary).containsEntry("module", "hello").containsEntry("exitCode", 0L);
    }

    @Test
    void wrongArgumentsExit2AndInstallNothing() throws IOException {
        IsolatedRoot root = IsolatedRoot.in(work.resolve("root"));
        Cmd.Result none = root.exec(SCRIPT.toString());
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("usage:");
        Cmd.Result missing = root.exec(SCRIPT.toString(), work.resolve("dkms-deb_9_all.deb").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("no such package").contains("mvn -DskipTests package");
        Cmd.Result bad = root.exec(SCRIPT.toString(), deb.toString(), "--bogus");
        assertThat(bad.exit()).isEqualTo(2);
    }
}

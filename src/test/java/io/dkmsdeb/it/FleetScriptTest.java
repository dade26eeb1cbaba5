package io.dkmsdeb.it;

import io.dkmsdeb.support.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * ci/build-modules.sh, the script each cell of the Jenkins matrix runs, run for real as Jenkins would run it (no
 * Jenkins here): debian-example/hello built for the installed 6.1 and 6.12 kernels, a kernel the module excludes
 * (77: skipped), a kernel without headers (fails with dkms-deb's 4), and the summary JSON left in every case.
 * Also ci/build-fleet.sh, the script of the Jenkins job that follows the archive, over a kernel listing written
 * here (the installed 6.1 and 6.12 kernels): it builds, skips, publishes a signed repository, and builds nothing
 * the second time.
 * dkms-deb is this checkout's classes, through a small wrapper given as DKMS_DEB.
 */
@Tag("kernel")
@Tag("tools")
@Tag("root")
@Tag("network")
class FleetScriptTest {
    static final Path SCRIPT = Cmd.repo().resolve("ci/build-modules.sh");
    static final Path FLEET = Cmd.repo().resolve("ci/build-fleet.sh");
    static final String K61 = Kernels.newest61();
    static final String K612 = Kernels.newest612();

    @TempDir
    static Path shared;
    static Path dkmsDeb;

    @TempDir
    Path work;

    @BeforeAll
    static void wrapper() throws IOException {
        dkmsDeb = shared.resolve("dkms-deb");
        Files.writeString(dkmsDeb, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' -cp '"
                + System.getProperty("java.class.path") + "' io.dkmsdeb.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(dkmsDeb, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Runs the script in {@code dir} as a Jenkins cell would: OUT_DIR=out, DKMS_DEB=this checkout's dkms-deb. */
    static Cmd.Result script(Path dir, Map<String, String> env, String... args) {
        Map<String, String> e = new HashMap<>(Map.of("OUT_DIR", "out", "DKMS_DEB", dkmsDeb.toString()));
        e.putAll(env);
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString()));
        cmd.addAll(List.of(args));
        return Cmd.run(dir, e, cmd);
    }

    /** Runs ci/build-fleet.sh in {@code dir} as the Jenkins stage would, with this checkout's dkms-deb. */
    static Cmd.Result fleet(Path dir, Map<String, String> env, String... args) {
        Map<String, String> e = new HashMap<>(Map.of("DKMS_DEB", dkmsDeb.toString()));
        e.putAll(env);
        List<String> cmd = new ArrayList<>(List.of(FLEET.toString()));
        cmd.addAll(List.of(args));
        return Cmd.run(dir, e, cmd);
    }

    static Map<String, Object> summary(Path dir, String kernel) throws IOException {
        Path json = dir.resolve("out/bmdeb-" + kernel + ".json");
        assertThat(json).exists();
        return object(json);
    }

    /** The JSON object in {@code file}; the test fails when the file holds anything else. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Path file) throws IOException {
        String text = Files.readString(file);
        try {
            Object v = Json.read(text);
            assertThat(v).as("JSON in %s", file).isInstanceOf(Map.class);
            return (Map<String, Object>) v;
        } catch (Json.SyntaxException e) {
            throw new AssertionError(file + " is not JSON: " + e.getMessage() + "\n" + text, e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> onlyKernel(Map<String, Object> summary) {
        List<Object> kernels = (List<Object>) summary.get("kernels");
        assertThat(kernels).hasSize(1);
        return (Map<String, Object>) kernels.get(0);
    }

    static List<String> debs(Path dir) throws IOException {
        Path out = dir.resolve("out");
        if (!Files.isDirectory(out)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(out)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".deb")).sorted().toList();
        }
    }

    /** A module whose dkms.conf excludes every kernel but 5.x, as vendors' drivers often limit theirs. */
    private Path excludedModule() throws IOException {
        return ModuleTrees.write(work.resolve("oldonly"), "oldonly", ModuleTrees.GOOD_C,
                ModuleTrees.conf("oldonly", "0.1") + "BUILD_EXCLUSIVE_KERNEL=\"^5\\.\"\n");
    }

    private static final Map<String, String> MAINTAINER = Map.of("DEBFULLNAME", "Fleet CI", "DEBEMAIL", "ci@example.org");

    @Test
    void buildsTheExampleForAnInstalledKernelAndLeavesPackageSummaryAndLog() throws IOException {
        String example = Cmd.repo().resolve("debian-example/hello").toString();
        Cmd.Result r = script(work, Map.of(), K61, example);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(debs(work)).containsExactlyElementsOf(HelloModules.withCertWhenSigned("hello-modules-" + K61 + "_1.0_amd64.deb"));
        Map<String, Object> s = summary(work, K61);
        assertThat(s).containsEntry("command", "bmdeb").containsEntry("module", "hello").containsEntry("moduleVersion", "1.0")
                .containsEntry("exitCode", 0L);
        assertThat(onlyKernel(s)).containsEntry("kernel", K61).containsEntry("result", "built").containsEntry("exitCode", 0L)
                .containsEntry("package", "hello-modules-" + K61).containsEntry("file", "out/hello-modules-" + K61 + "_1.0_amd64.deb");
        assertThat(work.resolve("out/logs/hello-1.0_" + K61 + ".log")).isNotEmptyFile();
        // the package was inspected: vermagic of the module against the kernel it is installed for
        assertThat(r.err()).contains("[ok] vermagic of lib/modules/" + K61 + "/updates/dkms/hello.ko")
                .contains("build-modules: built out/hello-modules-" + K61 + "_1.0_amd64.deb");
    }

    @Test
    void takesTheSourceFromModuleSourceAsTheJenkinsfilePassesIt() throws IOException {
        Cmd.Result r = script(work, Map.of("MODULE_SOURCE", Cmd.repo().resolve("debian-example/hello").toString()), K612);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(debs(work)).containsExactlyElementsOf(HelloModules.withCertWhenSigned("hello-modules-" + K612 + "_1.0_amd64.deb"));
        assertThat(onlyKernel(summary(work, K612))).containsEntry("result", "built");
        assertThat(r.err()).contains("[ok] vermagic of lib/modules/" + K612 + "/updates/dkms/hello.ko.xz");
    }

    @Test
    void aKernelTheModuleExcludesIsSkippedWith77AndNoPackage() throws IOException {
        Cmd.Result r = script(work, MAINTAINER, K61, excludedModule().toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(77);
        assertThat(debs(work)).isEmpty();
        Map<String, Object> k = onlyKernel(summary(work, K61));
        assertThat(k).containsEntry("result", "skipped").containsEntry("exitCode", 77L).containsEntry("file", null);
        assertThat((String) k.get("message")).contains("BUILD_EXCLUSIVE_KERNEL");
        assertThat(r.err()).contains("build-modules: skipped " + K61);
    }

    @Test
    void aKernelWithoutHeadersFailsWithDkmsDebsExitCode() throws IOException {
        String missing = "5.10.0-99-amd64";
        Cmd.Result r = script(work, Map.of(), missing, Cmd.repo().resolve("debian-example/hello").toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(4);
        assertThat(debs(work)).isEmpty();
        Map<String, Object> k = onlyKernel(summary(work, missing));
        assertThat(k).containsEntry("result", "failed").containsEntry("exitCode", 4L);
        assertThat((String) k.get("message")).contains("apt-get install linux-headers-" + missing);
        assertThat(r.err()).contains("build-modules: error: bmdeb failed for " + missing + " with exit code 4");
    }

    @Test
    void whenDkmsDebPrintsNoSummaryTheScriptWritesOne() throws IOException {
        Cmd.Result r = script(work, Map.of("DKMS_DEB", work.resolve("no-such-dkms-deb").toString()), K61, "some \"module\"\\dir");
        assertThat(r.exit()).as(r.toString()).isEqualTo(127);
        Map<String, Object> s = summary(work, K61);
        assertThat(s).containsEntry("exitCode", 127L).containsEntry("source", "some \"module\"\\dir");
        assertThat(onlyKernel(s)).containsEntry("kernel", K61).containsEntry("result", "failed").containsEntry("exitCode", 127L);
    }

    @Test
    void fetchHeadersAptThatCannotInstallThemFailsWith100() throws IOException {
        assumeTrue(Cmd.isRoot(), "needs root for apt-get");
        String missing = "5.10.0-99-amd64";
        Cmd.Result r = script(work, Map.of("FETCH_HEADERS", "apt"), missing, Cmd.repo().resolve("debian-example/hello").toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(100);
        assertThat(r.err()).contains("installing linux-headers-" + missing + " with apt-get")
                .contains("apt-get could not install linux-headers-" + missing);
        assertThat((String) onlyKernel(summary(work, missing)).get("message")).contains("linux-headers-" + missing);
        assertThat(debs(work)).isEmpty();
    }

    @Test
    void hostKbuildTreesAreLinkedIntoUsrLibForMountedHeaders() throws IOException {
        assumeTrue(Cmd.isRoot(), "links into /usr/lib");
        String name = "linux-kbuild-fleettest-" + ProcessHandle.current().pid();
        Path hostLib = Files.createDirectories(work.resolve("host-usr-lib"));
        Files.createDirectories(hostLib.resolve(name).resolve("scripts"));
        Path link = Path.of("/usr/lib", name);
        try {
            Cmd.Result r = script(work, Map.of("HOST_KBUILD_DIR", hostLib.toString()), "5.10.0-99-amd64",
                    Cmd.repo().resolve("debian-example/hello").toString());
            assertThat(r.exit()).as(r.toString()).isEqualTo(4);
            assertThat(Files.isSymbolicLink(link)).isTrue();
            assertThat(Files.readSymbolicLink(link)).isEqualTo(hostLib.resolve(name));
            // the installed trees are left alone
            try (Stream<Path> s = Files.list(Path.of("/usr/lib"))) {
                assertThat(s.filter(p -> p.getFileName().toString().startsWith("linux-kbuild-6."))
                        .filter(Files::isSymbolicLink).filter(p -> p.startsWith(hostLib)).toList()).isEmpty();
            }
        } finally {
            Files.deleteIfExists(link);
        }
    }

    @Test
    void filesWrittenAsRootGoBackToTheWorkspaceOwner() throws IOException {
        assumeTrue(Cmd.isRoot(), "chown needs root");
        Path ws = Files.createDirectories(work.resolve("workspace"));
        Cmd.ok("chown", "4321:4321", ws.toString());
        Cmd.Result r = script(ws, Map.of(), K61, Cmd.repo().resolve("debian-example/hello").toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        for (Path p : List.of(ws.resolve("out"), ws.resolve("out/bmdeb-" + K61 + ".json"),
                ws.resolve("out/hello-modules-" + K61 + "_1.0_amd64.deb"), ws.resolve("out/logs"))) {
            assertThat(Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).as(p.toString()).isEqualTo(4321);
        }
    }

    @Test
    void usageErrorsExit2() {
        Cmd.Result none = script(work, Map.of());
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("usage:");
        Cmd.Result noSource = script(work, Map.of(), K61);
        assertThat(noSource.exit()).isEqualTo(2);
        Cmd.Result badKernel = script(work, Map.of(), "../../etc", "x");
        assertThat(badKernel.exit()).isEqualTo(2);
        assertThat(badKernel.err()).contains("is not a kernel release");
        assertThat(work.resolve("out")).doesNotExist();
    }

    /** A kernel of the listing: its release and the version of its installed headers package. */
    private static String listed(String release) {
        String version = Cmd.ok("dpkg-query", "-W", "-f=${Version}", "linux-headers-" + release).out().strip();
        String series = release.replaceFirst("^(\\d+\\.\\d+).*", "$1");
        return "{\"release\":\"" + release + "\",\"series\":\"" + series + "\",\"flavour\":\"amd64\",\"arch\":\"amd64\","
                + "\"headersPackage\":\"linux-headers-" + release + "\",\"headersVersion\":\"" + version + "\"}";
    }

    /** debian-example/hello (with the debian/ beside it) copied to {@code dir}, its dkms.conf limited to 6.1 kernels. */
    private static Path helloFor61Only(Path dir) throws IOException {
        for (String d : List.of("hello", "debian")) {
            Path from = Cmd.repo().resolve("debian-example").resolve(d);
            try (Stream<Path> s = Files.walk(from)) {
                for (Path p : s.toList()) {
                    Path to = dir.resolve(d).resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(p, to);
                    }
                }
            }
        }
        Path conf = dir.resolve("hello/dkms.conf");
        Files.writeString(conf, Files.readString(conf) + "BUILD_EXCLUSIVE_KERNEL=\"^6\\.1\\.\"\n");
        return dir.resolve("hello");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> results(Path bmdebJson) throws IOException {
        Map<String, String> out = new HashMap<>();
        for (Object k : (List<Object>) object(bmdebJson).get("kernels")) {
            Map<String, Object> kernel = (Map<String, Object>) k;
            out.put((String) kernel.get("kernel"), (String) kernel.get("result"));
        }
        return out;
    }

    @Test
    void fleetOverAListingBuildsOneSkipsOnePublishesASignedRepositoryAndBuildsNothingTheSecondTime() throws IOException {
        Path listing = work.resolve("kernels.json");
        Files.writeString(listing, "{\"kernels\":[" + listed(K61) + "," + listed(K612) + "],\"metas\":[{\"package\":\"linux-image-amd64\","
                + "\"flavour\":\"amd64\",\"version\":\"" + Cmd.ok("dpkg-query", "-W", "-f=${Version}", "linux-headers-" + K61).out().strip()
                + "\",\"release\":\"" + K61 + "\"}]}\n");
        String module = helloFor61Only(work.resolve("src")).toString();
        Path ws = Files.createDirectories(work.resolve("workspace"));
        try (RepoFixtures.Key key = RepoFixtures.Key.create(work)) {
            Map<String, String> env = new HashMap<>(key.env());
            env.putAll(Map.of("KERNEL_LIST", listing.toString(), "KERNEL_FILTER", "amd64", "SUITE", "fleet", "SIGN_KEY", key.fingerprint()));
            env.putAll(MAINTAINER);
            String deb = "hello-modules-" + K61 + "_1.0_amd64.deb";
            Path packages = ws.resolve("repo/dists/fleet/main/binary-amd64/Packages");

            Cmd.Result first = fleet(ws, env, module);
            assertThat(first.exit()).as(first.toString()).isZero();
            assertThat(debs(ws)).containsExactlyElementsOf(HelloModules.withCertWhenSigned(deb));
            assertThat(results(ws.resolve("out/bmdeb.json"))).isEqualTo(Map.of(K61, "built", K612, "skipped"));
            assertThat(first.out()).contains("build-fleet: 1 built, 0 up to date, 1 skipped (BUILD_EXCLUSIVE_*), 0 failed");
            assertThat(ws.resolve("out/repo.json")).isNotEmptyFile();
            assertThat(Files.readString(packages)).contains("Package: hello-modules-" + K61 + "\n")
                    .contains("Package: hello-modules-amd64\n").contains("Depends: hello-modules-" + K61 + " (= 1.0)");
            assertThat(ws.resolve("repo/dists/fleet/InRelease")).isNotEmptyFile();
            assertThat(ws.resolve("repo/pool/main/h/hello-dkms-bin/" + deb)).isRegularFile();

            // the next run, as Jenkins starts it: a fresh out/, the repository kept
            Cmd.ok("rm", "-rf", ws.resolve("out").toString());
            Cmd.Result second = fleet(ws, env, module);
            assertThat(second.exit()).as(second.toString()).isZero();
            assertThat(debs(ws)).isEmpty();
            assertThat(results(ws.resolve("out/bmdeb.json"))).isEqualTo(Map.of(K61, "up-to-date", K612, "skipped"));
            assertThat(second.out()).contains("build-fleet: 0 built, 1 up to date, 1 skipped (BUILD_EXCLUSIVE_*), 0 failed");
            assertThat(Files.readString(packages)).contains("Package: hello-modules-" + K61 + "\n").contains("Package: hello-modules-amd64\n");
        }
    }

    /** The candidate version apt has of a package of one architecture ("linux-headers-6.1.0-57-arm64", "arm64"). */
    private static String aptVersion(String pkg, String arch) {
        return Cmd.ok("apt-cache", "show", "--no-all-versions", pkg + ":" + arch).out().lines().filter(l -> l.startsWith("Version: "))
                .findFirst().orElseThrow().substring("Version: ".length()).strip();
    }

    /**
     * A listing that mixes architectures, as a fleet of amd64 and arm64 machines needs: the installed 6.1 amd64 kernel
     * and the archive's newest 6.1 arm64 kernel (its headers fetched, cross-built here), with both linux-image
     * meta-packages. One repository serves both: binary-amd64 and binary-arm64 each list their own kernel's package and
     * the meta-package of their flavour.
     */
    @Test
    void fleetOverAListingOfAmd64AndArm64KernelsPublishesBothArchitectures() throws IOException {
        String a61 = Kernels.newestArm64InArchive("6.1.");
        String headersVersion = aptVersion("linux-headers-" + a61, "arm64");
        String arm64 = "{\"release\":\"" + a61 + "\",\"series\":\"6.1\",\"flavour\":\"arm64\",\"arch\":\"arm64\","
                + "\"headersPackage\":\"linux-headers-" + a61 + "\",\"headersVersion\":\"" + headersVersion + "\"}";
        Path listing = work.resolve("kernels.json");
        Files.writeString(listing, "{\"kernels\":[" + listed(K61) + "," + arm64 + "],\"metas\":["
                + "{\"package\":\"linux-image-amd64\",\"flavour\":\"amd64\",\"version\":\""
                + Cmd.ok("dpkg-query", "-W", "-f=${Version}", "linux-headers-" + K61).out().strip() + "\",\"release\":\"" + K61 + "\"},"
                + "{\"package\":\"linux-image-arm64\",\"flavour\":\"arm64\",\"version\":\"" + headersVersion
                + "\",\"release\":\"" + a61 + "\"}]}\n");
        Path ws = Files.createDirectories(work.resolve("workspace"));
        try (RepoFixtures.Key key = RepoFixtures.Key.create(work)) {
            Map<String, String> env = new HashMap<>(key.env());
            env.putAll(Map.of("KERNEL_LIST", listing.toString(), "KERNEL_FILTER", "6.1", "SUITE", "fleet", "SIGN_KEY", key.fingerprint(),
                    "XDG_CACHE_HOME", work.resolve("cache").toString()));
            env.putAll(MAINTAINER);
            Cmd.Result r = fleet(ws, env, Cmd.repo().resolve("debian-example/hello").toString());
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(results(ws.resolve("out/bmdeb.json"))).isEqualTo(Map.of(K61, "built", a61, "built"));
            assertThat(debs(ws)).contains("hello-modules-" + K61 + "_1.0_amd64.deb", "hello-modules-" + a61 + "_1.0_arm64.deb");
            assertThat(r.out()).contains("build-fleet: 2 built, 0 up to date, 0 skipped (BUILD_EXCLUSIVE_*), 0 failed");

            String amd64Index = Files.readString(ws.resolve("repo/dists/fleet/main/binary-amd64/Packages"));
            String arm64Index = Files.readString(ws.resolve("repo/dists/fleet/main/binary-arm64/Packages"));
            assertThat(amd64Index).contains("Package: hello-modules-" + K61 + "\n").contains("Package: hello-modules-amd64\n")
                    .doesNotContain("hello-modules-" + a61).doesNotContain("Architecture: arm64");
            assertThat(arm64Index).contains("Package: hello-modules-" + a61 + "\n").contains("Package: hello-modules-arm64\n")
                    .contains("Depends: hello-modules-" + a61 + " (= 1.0)").doesNotContain("hello-modules-" + K61)
                    .doesNotContain("Architecture: amd64");
            assertThat(Files.readString(ws.resolve("repo/dists/fleet/Release"))).containsPattern("(?m)^Architectures: amd64 arm64$");
            Path arm64Deb = ws.resolve("repo/pool/main/h/hello-dkms-bin/hello-modules-" + a61 + "_1.0_arm64.deb");
            assertThat(Cmd.ok("dpkg-deb", "-f", arm64Deb.toString(), "Architecture").out().strip()).isEqualTo("arm64");
        }
    }

    @Test
    void fleetWhenTheModuleExcludesEveryKernelExits77AndPublishesNothing() throws IOException {
        Path listing = work.resolve("kernels.json");
        Files.writeString(listing, "{\"kernels\":[" + listed(K61) + "],\"metas\":[]}\n");
        Cmd.Result r = fleet(work, new HashMap<>(Map.of("KERNEL_LIST", listing.toString(), "DEBFULLNAME", "Fleet CI",
                "DEBEMAIL", "ci@example.org")), excludedModule().toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(77);
        assertThat(results(work.resolve("out/bmdeb.json"))).isEqualTo(Map.of(K61, "skipped"));
        assertThat(r.out()).contains("every kernel was skipped");
        assertThat(work.resolve("repo")).doesNotExist();
    }

    @Test
    void fleetUsageErrorsExit2() {
        Cmd.Result r = fleet(work, Map.of(), "a", "b");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("usage:");
        Cmd.Result missing = fleet(work, Map.of("KERNEL_LIST", work.resolve("no-such.json").toString()), "x");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("KERNEL_LIST");
    }
}

package io.dkmsdeb.it;

import io.dkmsdeb.support.Json;
import org.junit.jupiter.api.BeforeAll;
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

/** {@code dkms-deb bmdeb} on debian-example/hello for a Debian 6.1 and a 6.12 kernel, checked with the real tools. */
@Tag("kernel")
@Tag("tools")
@Tag("root")
class BmdebCommandTest {
    /** The Debian 6.1 kernel whose headers .ci/run installs (linux-headers-amd64 on bookworm). */
    static final String K61 = Kernels.newest61();
    static String k612;
    static final String MAINTAINER = SourceCommandTest.MAINTAINER;

    @TempDir
    static Path shared;
    static Path out;

    /** The packages are the run's shared build of debian-example/hello (SOURCE_DATE_EPOCH=1700000000). */
    @BeforeAll
    static void buildBoth() {
        k612 = Kernels.newest612();
        out = HelloModules.dir();
    }

    static String example() {
        return HelloModules.example();
    }

    static Path deb(String kernel) {
        return out.resolve("hello-modules-" + kernel + "_1.0_amd64.deb");
    }

    @Test
    void onePackagePerKernelWithOnlyTheModuleAndDocs() {
        for (String k : List.of(K61, k612)) {
            DebInfo info = DebInfo.of(deb(k));
            assertThat(info.fields()).containsEntry("Package", "hello-modules-" + k).containsEntry("Version", "1.0")
                    .containsEntry("Architecture", "amd64").containsEntry("Section", "kernel")
                    .containsEntry("Depends", "linux-image-" + k + " | linux-image-" + k + "-unsigned")
                    .containsEntry("Provides", "hello-modules (= 1.0)").containsEntry("Source", "hello-dkms-bin");
            String ko = k.equals(K61) ? "hello.ko" : "hello.ko.xz";
            assertThat(info.files().keySet().stream().filter(f -> !f.endsWith("/"))).containsExactlyInAnyOrder(
                    "./lib/modules/" + k + "/updates/dkms/" + ko,
                    "./usr/share/doc/hello-modules-" + k + "/changelog.gz",
                    "./usr/share/doc/hello-modules-" + k + "/copyright",
                    "./usr/share/lintian/overrides/hello-modules-" + k);
        }
    }

    @Test
    void modinfoShowsTheKernelsVermagicAndXzUsesCrc32() throws IOException {
        for (String k : List.of(K61, k612)) {
            Path x = shared.resolve("x-" + k);
            Cmd.ok("dpkg-deb", "-x", deb(k).toString(), x.toString());
            Path dir = x.resolve("lib/modules/" + k + "/updates/dkms");
            Path ko = dir.resolve(k.equals(K61) ? "hello.ko" : "hello.ko.xz");
            assertThat(ko).exists();
            assertThat(Cmd.ok("modinfo", "-F", "vermagic", ko.toString()).out()).startsWith(k + " ");
            assertThat(Cmd.ok("modinfo", "-F", "version", ko.toString()).out().strip()).isEqualTo("1.0");
            if (k.equals(k612)) {
                assertThat(Cmd.ok("xz", "--robot", "--list", ko.toString()).out()).contains("CRC32");
            }
            // stripped of debug symbols, as dkms does
            assertThat(Cmd.ok("readelf", "-S", ko.toString().endsWith(".xz") ? decompress(ko).toString() : ko.toString()).out())
                    .doesNotContain(".debug_info");
        }
    }

    private static Path decompress(Path xz) throws IOException {
        Path plain = xz.resolveSibling("plain.ko");
        Cmd.Result r = Cmd.run(null, null, List.of("sh", "-c", "xz -dc \"$0\" > \"$1\"", xz.toString(), plain.toString()));
        assertThat(r.exit()).isZero();
        return plain;
    }

    @Test
    void lintianAndInspectAreClean() {
        for (String k : List.of(K61, k612)) {
            Cmd.Result lintian = Cmd.run("lintian", "--pedantic", "--fail-on", "error,warning", deb(k).toString());
            assertThat(lintian.exit()).as(lintian.toString()).isZero();
            Cmd.Result inspect = Cmd.dkmsDeb("inspect", deb(k).toString());
            assertThat(inspect.exit()).as(inspect.toString()).isZero();
            assertThat(inspect.out()).contains("[ok] vermagic of lib/modules/" + k + "/updates/dkms/hello.ko").contains("[ok] md5sums")
                    .doesNotContain("FAIL");
        }
    }

    /** From the -dkms .deb: the same module bytes as from the directory, in the version of the -dkms package's revision (1.0-1). */
    @Test
    void fromTheDkmsDebSameModulesAsFromTheDirectoryWithItsRevision() throws IOException {
        Path dkmsOut = Files.createDirectories(shared.resolve("dkms-deb"));
        Map<String, String> env = Map.of("SOURCE_DATE_EPOCH", "1700000000");
        assertThat(Cmd.dkmsDeb(null, env, "source", example(), "-o", dkmsOut.toString()).exit()).isZero();
        Path fromDeb = Files.createDirectories(shared.resolve("from-deb"));
        Cmd.Result r = Cmd.dkmsDeb(null, env, "bmdeb", dkmsOut.resolve("hello-dkms_1.0-1_all.deb").toString(), "-k", K61, "-k", k612,
                "-o", fromDeb.toString(), "-j", "1");
        assertThat(r.exit()).as(r.toString()).isZero();
        for (String k : List.of(K61, k612)) {
            Path built = fromDeb.resolve("hello-modules-" + k + "_1.0-1_amd64.deb");
            assertThat(DebInfo.of(built).fields()).containsEntry("Version", "1.0-1").containsEntry("Provides", "hello-modules (= 1.0)");
            Path a = shared.resolve("x-dir-" + k);
            Path b = shared.resolve("x-deb-" + k);
            Cmd.ok("dpkg-deb", "-x", deb(k).toString(), a.toString());
            Cmd.ok("dpkg-deb", "-x", built.toString(), b.toString());
            String ko = "lib/modules/" + k + "/updates/dkms/" + (k.equals(K61) ? "hello.ko" : "hello.ko.xz");
            assertThat(Files.readAllBytes(b.resolve(ko))).as(ko).isEqualTo(Files.readAllBytes(a.resolve(ko)));
        }
    }

    @Test
    void reproducibleAndTheTimeComesFromSourceDateEpoch() throws IOException {
        Path again = Files.createDirectories(shared.resolve("again"));
        Cmd.Result r = Cmd.dkmsDeb(null, Map.of("SOURCE_DATE_EPOCH", "1700000000"), "bmdeb", example(), "-k", K61, "-o", again.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(Files.readAllBytes(again.resolve(deb(K61).getFileName()))).isEqualTo(Files.readAllBytes(deb(K61)));
        assertThat(Cmd.ok("dpkg-deb", "--contents", deb(K61).toString()).out()).contains("2023-11-14 22:13");
    }

    @Test
    void jsonSummary() throws Exception {
        Path o = Files.createDirectories(shared.resolve("json"));
        Cmd.Result r = Cmd.dkmsDeb("bmdeb", example(), "-k", K61, "-o", o.toString(), "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out().strip()).startsWith("{\"command\":\"bmdeb\",\"module\":\"hello\",\"moduleVersion\":\"1.0\",\"kernels\":[{\"kernel\":\"" + K61
                + "\",\"result\":\"built\",\"exitCode\":0,\"package\":\"hello-modules-" + K61 + "\"").contains("\"exitCode\":0");
        // where the kernel's time went, phase by phase, in the order they ran; make is the bulk of it
        @SuppressWarnings("unchecked")
        Map<String, Object> kernel = (Map<String, Object>) ((List<Object>) ((Map<String, Object>) Json.read(r.out())).get("kernels")).get(0);
        @SuppressWarnings("unchecked")
        Map<String, Object> phases = (Map<String, Object>) kernel.get("phases");
        assertThat(phases.keySet()).containsExactly("prepare", "copy", "make", "modules", "package");
        double sum = phases.values().stream().mapToDouble(v -> ((Number) v).doubleValue()).sum();
        double make = ((Number) phases.get("make")).doubleValue();
        assertThat(make).as("make, of %s", phases).isPositive().isGreaterThan(((Number) phases.get("copy")).doubleValue());
        assertThat(sum).as("the phases add up to no more than the kernel's time").isLessThanOrEqualTo(((Number) kernel.get("seconds")).doubleValue() + 0.02);
        assertThat(r.err()).containsPattern("\\[" + java.util.regex.Pattern.quote(K61) + "\\] wrote .* in [0-9.]+ s: prepare [0-9.]+ s, copy [0-9.]+ s, make [0-9.]+ s, "
                + "modules [0-9.]+ s, package [0-9.]+ s");
    }

    /**
     * dpkg -i of the 6.12 package (that kernel's image is installed), in an {@link IsolatedRoot}: depmod runs;
     * dpkg -r undoes it. This machine's dpkg database and modules.dep are not touched.
     */
    @Test
    void installRunsDepmodAndRemoveUndoesIt() throws IOException {
        assumeTrue(Cmd.isRoot(), "installs packages in a private mount namespace: needs root");
        Path kernelDir = Path.of("/lib/modules", k612, "kernel");
        assertThat(kernelDir).as("linux-image-" + k612 + " is installed by .ci/run (linux-headers-6.12-amd64 pulls it in)").isDirectory();
        String pkg = "hello-modules-" + k612;
        String ko = "/lib/modules/" + k612 + "/updates/dkms/hello.ko.xz";
        String modulesDep = "/lib/modules/" + k612 + "/modules.dep";
        IsolatedRoot.assertMachineHasNone(List.of(pkg), List.of(Path.of(ko)));
        assertThat(Files.readString(Path.of(modulesDep))).as("this machine's " + modulesDep).doesNotContain("hello.ko");

        IsolatedRoot root = IsolatedRoot.in(shared.resolve("root"));
        root.initramfsOfModules("hello"); // the package rebuilds its kernel's initramfs: in seconds, in the root's /boot
        Cmd.Result install = root.exec("dpkg", "-i", deb(k612).toString());
        assertThat(install.exit()).as(install.toString()).isZero();
        assertThat(root.exists(ko)).isTrue();
        assertThat(root.read(modulesDep)).contains("updates/dkms/hello.ko.xz:");
        assertThat(root.ok("modinfo", "-k", k612, "-F", "filename", "hello").out()).contains("updates/dkms/hello.ko.xz");

        Cmd.Result remove = root.exec("dpkg", "-r", pkg);
        assertThat(remove.exit()).as(remove.toString()).isZero();
        assertThat(root.exists(ko)).isFalse();
        assertThat(root.read(modulesDep)).doesNotContain("hello.ko");

        IsolatedRoot.assertMachineHasNone(List.of(pkg), List.of(Path.of(ko)));
        assertThat(Files.readString(Path.of(modulesDep))).as("this machine's " + modulesDep).doesNotContain("hello.ko");
    }
}

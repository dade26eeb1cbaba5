package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.model.deb.Compression;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** The digest of a package's inputs: what changes it, and what does not. */
@Tag("unit")
class BuildInputsTest {
    private static final String KERNEL = "6.1.0-99-amd64";
    private static final String HEADERS = "linux-headers-6.1.0-99-amd64=6.1.999-1";

    @TempDir
    Path work;

    private Path tree() throws Exception {
        Path t = Files.createDirectories(work.resolve("tree"));
        Files.writeString(t.resolve("hello.c"), "int x;\n");
        Files.writeString(t.resolve("dkms.conf"), "PACKAGE_NAME=hello\nPACKAGE_VERSION=1.0\n");
        Files.createDirectories(t.resolve(".git"));
        Files.writeString(t.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        return t;
    }

    private static BmdebRequest.Builder builder(Path tree) {
        return BmdebRequest.builder(tree.toString()).kernels(List.of(KERNEL)).outDir(tree.resolveSibling("out")).jobs(1)
                .buildTimeoutSeconds(60).noSign(true);
    }

    private static BmdebRequest request(Path tree, UnaryOperator<BmdebRequest> change) {
        return change.apply(builder(tree).build());
    }

    private static String digest(Path tree, BmdebRequest r, String maintainer, long epoch) {
        return BuildInputs.of(r, tree, null, maintainer, epoch, null).forKernel(KERNEL, HEADERS);
    }

    private static BmdebRequest with(BmdebRequest r, Compression c, boolean strip, String revision, String version) {
        return builder(Path.of(r.source())).compression(c).strip(strip).revision(revision).moduleVersion(version).build();
    }

    @Test
    void sameInputsSameDigestAndEachInputChangesIt() throws Exception {
        Path t = tree();
        BmdebRequest base = request(t, r -> r);
        String d = digest(t, base, "A <a@example.org>", 1700000000);
        assertThat(d).matches("sha256:[0-9a-f]{64}").isEqualTo(digest(t, base, "A <a@example.org>", 1700000000));

        assertThat(digest(t, with(base, Compression.XZ, true, null, null), "A <a@example.org>", 1700000000)).isNotEqualTo(d);
        assertThat(digest(t, with(base, null, false, null, null), "A <a@example.org>", 1700000000)).isNotEqualTo(d);
        assertThat(digest(t, with(base, null, true, "2", null), "A <a@example.org>", 1700000000)).isNotEqualTo(d);
        assertThat(digest(t, with(base, null, true, null, "1.1"), "A <a@example.org>", 1700000000)).isNotEqualTo(d);
        assertThat(digest(t, base, "B <b@example.org>", 1700000000)).isNotEqualTo(d);
        assertThat(digest(t, base, "A <a@example.org>", 1700000001)).isNotEqualTo(d);

        BuildInputs in = BuildInputs.of(base, t, null, "A <a@example.org>", 1700000000, null);
        assertThat(in.forKernel(KERNEL, HEADERS)).isEqualTo(d);
        assertThat(in.forKernel(KERNEL, "linux-headers-6.1.0-99-amd64=6.1.999-2")).isNotEqualTo(d);
        assertThat(in.forKernel("6.1.0-98-amd64", HEADERS)).isNotEqualTo(d);
    }

    @Test
    void theTreeCountsByContentNotByDateAndVcsFoldersDoNotCount() throws Exception {
        Path t = tree();
        BmdebRequest base = request(t, r -> r);
        String d = digest(t, base, "A <a@example.org>", 1);

        Files.setLastModifiedTime(t.resolve("hello.c"), FileTime.fromMillis(0));
        Files.writeString(t.resolve(".git/HEAD"), "ref: refs/heads/other\n");
        assertThat(digest(t, base, "A <a@example.org>", 1)).as("a date and a VCS folder are not inputs").isEqualTo(d);

        Files.writeString(t.resolve("hello.c"), "int y;\n");
        String changed = digest(t, base, "A <a@example.org>", 1);
        assertThat(changed).isNotEqualTo(d);
        Files.writeString(t.resolve("hello.c"), "int x;\n");
        assertThat(digest(t, base, "A <a@example.org>", 1)).isEqualTo(d);

        assertThat(t.resolve("hello.c").toFile().setExecutable(true)).isTrue();
        assertThat(digest(t, base, "A <a@example.org>", 1)).as("the execute bit is an input").isNotEqualTo(d);
        assertThat(t.resolve("hello.c").toFile().setExecutable(false)).isTrue();

        Files.createSymbolicLink(t.resolve("link.c"), Path.of("hello.c"));
        assertThat(digest(t, base, "A <a@example.org>", 1)).as("a new link is an input").isNotEqualTo(d);
        Files.delete(t.resolve("link.c"));

        Files.move(t.resolve("hello.c"), t.resolve("hello2.c"));
        assertThat(digest(t, base, "A <a@example.org>", 1)).as("a renamed file is an input").isNotEqualTo(d);
    }

    @Test
    void aPackageIsFoundByItsRecordedDigestOnly() throws Exception {
        Path out = Files.createDirectories(work.resolve("out"));
        assertThat(BmdebPackages.withInputs(BmdebPackages.forKernel(out, List.of(), KERNEL), "sha256:00")).isEmpty();
        Files.writeString(out.resolve("hello-modules-" + KERNEL + "_1.0_amd64.deb"), "not a package");
        assertThat(BmdebPackages.withInputs(BmdebPackages.forKernel(out, List.of(work.resolve("missing")), KERNEL), "sha256:00"))
                .as("a broken file is no match").isEmpty();
    }

    @Test
    void whenDkmsDebCannotReadItsOwnCodeNoPackageIsUpToDate() throws Exception {
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        java.util.Optional<String> code;
        try {
            io.dkmsdeb.support.Log.to(new java.io.PrintStream(said, true, java.nio.charset.StandardCharsets.UTF_8), false);
            code = BuildInputs.codeDigest(work.resolve("gone.jar"));
        } finally {
            io.dkmsdeb.support.Log.to(System.err, false);
        }
        assertThat(code).isEmpty();
        assertThat(said.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("warning: cannot read dkms-deb's own code at "
                + work.resolve("gone.jar")).contains("no package is taken as up to date, every kernel is built again").doesNotContain("Exception");

        Path t = tree();
        BmdebRequest r = request(t, x -> x);
        assertThat(BuildInputs.of(r, t, null, "A <a@example.org>", 1, null, java.util.Optional.of("code-1")).forKernel(KERNEL, HEADERS))
                .startsWith("sha256:")
                .isNotEqualTo(BuildInputs.of(r, t, null, "A <a@example.org>", 1, null, java.util.Optional.of("code-2")).forKernel(KERNEL, HEADERS));
        assertThat(BuildInputs.of(r, t, null, "A <a@example.org>", 1, null, java.util.Optional.empty()).forKernel(KERNEL, HEADERS))
                .as("no digest, so neither an up-to-date package nor a version to reuse").isNull();
        BmdebPackages.Known earlier = new BmdebPackages.Known("hello-modules-" + KERNEL, "1.0", null, t.resolve("hello.c"));
        assertThat(BmdebPackages.withInputs(List.of(earlier), null)).isEmpty();
        assertThat(ModulesVersion.choose("1.0", "hello-modules-" + KERNEL, null, List.of(earlier)).same()).isNull();
    }
}

package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.pipeline.Maintainer;
import io.dkmsdeb.pipeline.OutputDir;
import io.dkmsdeb.debiandir.DebianVersion;
import io.dkmsdeb.deb.ControlFile;
import io.dkmsdeb.deb.DebWriter;
import io.dkmsdeb.model.deb.Compression;
import io.dkmsdeb.model.deb.DebEntry;
import io.dkmsdeb.model.deb.DebPackage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The version a rebuilt -modules package gets (binNMU {@code +bN}), the -dkms revision it follows,
 * and where bmdeb finds the packages built before: .deb files of -o and of --reuse-from, and the
 * Packages indices below --reuse-from.
 */
@Tag("unit")
class ModulesVersionTest {
    private static final String KERNEL = "6.1.0-99-amd64";
    private static final String PKG = "hello-modules-6.1.0-99-amd64";

    @TempDir
    Path work;

    private static BmdebPackages.Known known(String version, String inputs) {
        return new BmdebPackages.Known(PKG, version, inputs, Path.of(PKG + "_" + version + "_amd64.deb"));
    }

    @Test
    void noEarlierPackageKeepsTheBaseVersion() {
        ModulesVersion.Choice c = ModulesVersion.choose("1.0", PKG, "sha256:b", List.of());
        assertThat(c.version()).isEqualTo("1.0");
        assertThat(c.previous()).isNull();
        // a package of another name, or another base version, does not count
        c = ModulesVersion.choose("1.0", PKG, "sha256:b", List.of(new BmdebPackages.Known("other-modules-6.1.0-99-amd64", "1.0", "sha256:a",
                Path.of("x.deb")), known("0.9", "sha256:a"), known("1.0-1", "sha256:a")));
        assertThat(c.version()).isEqualTo("1.0");
    }

    @Test
    void otherInputsUnderTheSameVersionGiveTheNextBinNmu() {
        ModulesVersion.Choice c = ModulesVersion.choose("1.0", PKG, "sha256:b", List.of(known("1.0", "sha256:a")));
        assertThat(c.version()).isEqualTo("1.0+b1");
        assertThat(c.previous().version()).isEqualTo("1.0");
        c = ModulesVersion.choose("1.0", PKG, "sha256:c", List.of(known("1.0", "sha256:a"), known("1.0+b1", "sha256:b")));
        assertThat(c.version()).isEqualTo("1.0+b2");
        assertThat(c.previous().version()).isEqualTo("1.0+b1");
        // the highest +bN counts, whatever was found in between (another -o, a repository)
        c = ModulesVersion.choose("1.0", PKG, "sha256:d", List.of(known("1.0+b9", "sha256:a"), known("1.0+b10", "sha256:b")));
        assertThat(c.version()).isEqualTo("1.0+b11");
        // a -dkms revision is part of the base: Debian's binNMU of 1.2.2-2.1 is 1.2.2-2.1+b1
        c = ModulesVersion.choose("1.2.2-2.1", PKG, "sha256:b", List.of(known("1.2.2-2.1", "sha256:a")));
        assertThat(c.version()).isEqualTo("1.2.2-2.1+b1");
        // a package that records no inputs (built elsewhere) has other inputs
        assertThat(ModulesVersion.choose("1.0", PKG, "sha256:b", List.of(known("1.0", null))).version()).isEqualTo("1.0+b1");
    }

    @Test
    void sameInputsKeepTheirVersion() {
        // --rebuild: the package built from the same inputs keeps its version (the bytes are the same)
        ModulesVersion.Choice c = ModulesVersion.choose("1.0", PKG, "sha256:a", List.of(known("1.0", "sha256:a"), known("1.0+b1", "sha256:b")));
        assertThat(c.version()).isEqualTo("1.0");
        assertThat(c.same()).isNotNull();
        // null inputs match nothing: a new version (for a name taken by other bytes)
        assertThat(ModulesVersion.choose("1.0", PKG, null, List.of(known("1.0", null))).version()).isEqualTo("1.0+b1");
    }

    @Test
    void theChosenVersionSortsAboveTheEarlierAndBelowTheNextRevisionAndUpstream() {
        for (String[] pair : new String[][] {{"1.0", "1.0+b1"}, {"1.0+b1", "1.0+b2"}, {"1.0+b9", "1.0+b10"}, {"1.0+b1", "1.1"},
                {"1.0-1", "1.0-1+b1"}, {"1.0-1+b1", "1.0-2"}, {"1.2.2-2.1", "1.2.2-2.1+b1"}, {"1.2.2-2.1+b3", "1.2.2-3"}}) {
            assertThat(DebianVersion.compare(pair[0], pair[1])).as(pair[0] + " < " + pair[1]).isNegative();
        }
    }

    @Test
    void aHigherVersionOfTheSameNameIsNamed() {
        ModulesVersion.Choice c = ModulesVersion.choose("1.0-1", PKG, "sha256:b", List.of(known("1.0+b3", "sha256:a")));
        assertThat(c.version()).isEqualTo("1.0-1");
        assertThat(c.higher().version()).isEqualTo("1.0+b3");
    }

    @Test
    void theDkmsRevisionIsFollowedWhenItsUpstreamIsPackageVersion() {
        assertThat(ModulesVersion.dkmsRevision("1.2.2-2.1", "1.2.2")).contains("2.1");
        assertThat(ModulesVersion.dkmsRevision("1:1.2.2-2.1", "1.2.2")).as("epoch left out").contains("2.1");
        assertThat(ModulesVersion.dkmsRevision("0.12.7+git2-3", "0.12.7")).as("another upstream").isEmpty();
        assertThat(ModulesVersion.dkmsRevision("1.0", "1.0")).as("native").isEmpty();
        assertThat(ModulesVersion.dkmsRevision(null, "1.0")).isEmpty();
        assertThat(ModulesVersion.dkmsRevision("1.0-1-2", "1.0-1")).contains("2");
    }

    @Test
    void packagesAreFoundInTheOutputDirectoryAndInARepositorysPoolAndIndex() throws Exception {
        Path out = Files.createDirectories(work.resolve("out"));
        Path repo = work.resolve("repo");
        deb(out, PKG, "1.0", "sha256:a");
        deb(out, "hello-modules-6.1.0-98-amd64", "1.0", "sha256:z");    // another kernel
        Files.writeString(out.resolve(PKG + "_2.0_amd64.deb"), "not a package");
        Path pool = Files.createDirectories(repo.resolve("pool/main/h/hello-dkms-bin"));
        deb(pool, PKG, "1.0+b1", "sha256:b");
        // an index that lists a package whose file is gone (+b2), and the one in the pool
        Path index = Files.createDirectories(repo.resolve("dists/stable/main/binary-amd64"));
        String entries = "Package: " + PKG + "\nVersion: 1.0+b2\nFilename: pool/main/h/hello-dkms-bin/" + PKG + "_1.0+b2_amd64.deb\n"
                + "Dkms-Deb-Inputs: sha256:c\n\n"
                + "Package: " + PKG + "\nVersion: 1.0+b1\nFilename: pool/main/h/hello-dkms-bin/" + PKG + "_1.0+b1_amd64.deb\n"
                + "Dkms-Deb-Inputs: sha256:b\n\n"
                + "Package: escape\nVersion: 1\nFilename: ../../etc/passwd\n";
        try (OutputStream o = new XZOutputStream(Files.newOutputStream(index.resolve("Packages.xz")), new LZMA2Options())) {
            o.write(entries.getBytes(StandardCharsets.UTF_8));
        }

        List<BmdebPackages.Known> found = BmdebPackages.forKernel(out, List.of(repo), KERNEL);
        // -o first; then the repository's index (its entry of the pool's +b1 stands for the file, which is not unpacked)
        assertThat(found).extracting(BmdebPackages.Known::version).containsExactly("1.0", "1.0+b2", "1.0+b1");
        assertThat(found).extracting(BmdebPackages.Known::inputs).containsExactly("sha256:a", "sha256:c", "sha256:b");
        assertThat(ModulesVersion.choose("1.0", PKG, "sha256:d", found).version()).isEqualTo("1.0+b3");
        // up to date only with a file there
        assertThat(BmdebPackages.withInputs(found, "sha256:b")).contains(pool.resolve(PKG + "_1.0+b1_amd64.deb"));
        assertThat(BmdebPackages.withInputs(found, "sha256:c")).isEmpty();
    }

    @Test
    void aNameInTheOutputDirectoryNeverGetsOtherBytes() throws Exception {
        Path out = Files.createDirectories(work.resolve("out"));
        Path f = out.resolve("a.deb");
        assertThat(OutputDir.writeNew(f, new byte[] {1, 2})).isEqualTo(OutputDir.Written.WRITTEN);
        assertThat(OutputDir.writeNew(f, new byte[] {1, 2})).isEqualTo(OutputDir.Written.UNCHANGED);
        assertThat(OutputDir.writeNew(f, new byte[] {1, 3})).isEqualTo(OutputDir.Written.TAKEN);
        assertThat(Files.readAllBytes(f)).containsExactly(1, 2);
    }

    /** A package with the given control fields, as bmdeb writes its -modules packages. */
    private static void deb(Path dir, String name, String version, String inputs) throws Exception {
        ControlFile control = new ControlFile().set("Package", name).set("Version", version).set("Architecture", "amd64")
                .set("Maintainer", "A <a@example.org>").set(BuildInputs.FIELD, inputs).set("Description", "x\n y");
        DebPackage pkg = new DebPackage(control.fields(), Map.of(), List.of(DebEntry.file("usr/share/doc/" + name + "/x", 0644,
                DebEntry.Data.of("x"))));
        try (OutputStream o = Files.newOutputStream(dir.resolve(pkg.conventionalFileName()))) {
            new DebWriter(Compression.XZ, 1700000000, 1).write(pkg, o);
        }
    }
}

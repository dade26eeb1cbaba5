package io.dkmsdeb.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code dkms-deb source} on a tree with a debian/ directory (a copy of debian-example/): what
 * it takes from debian/, what it warns about, and what it refuses. The comparison with a real
 * dpkg-buildpackage run is in DhRouteComparisonTest and VendorTreeDhComparisonTest.
 */
@Tag("tools")
class DebianRouteTest {
    @TempDir
    Path work;
    Path tree;
    Path out;

    @BeforeEach
    void copyExample() throws IOException {
        tree = work.resolve("hello-1.0");
        SourceCommandTest.copyTree(Cmd.repo().resolve("debian-example"), tree, false);
        out = work.resolve("out");
    }

    private Cmd.Result source(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("source", tree.toString(), "-o", out.toString()));
        args.addAll(List.of(extra));
        return Cmd.dkmsDeb(null, Map.of(), args.toArray(String[]::new));
    }

    private void append(String file, String text) throws IOException {
        Files.writeString(tree.resolve(file), text, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    @Test
    void whatIsNotHonouredIsNamedInWarnings() throws IOException {
        append("debian/rules", "\noverride_dh_install:\n\tdh_install --exclude=.git\n\noverride_dh_auto_build:\n\n"
                + "override_dh_fixperms:\n\tdh_fixperms -X foo\n");
        Files.createDirectories(tree.resolve("debian/patches"));
        Files.writeString(tree.resolve("debian/patches/series"), "fix-build.patch\n");
        Files.writeString(tree.resolve("debian/hello-dkms.service"), "[Unit]\nDescription=hello\n");
        append("debian/control", "\nPackage: hello-utils\nArchitecture: any\nDescription: tools\n more\n");
        Cmd.Result r = source();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("warning: ").contains("target override_dh_install is not run")
                .contains("target override_dh_fixperms is not run").doesNotContain("override_dh_auto_build")
                .contains("patches/series lists patches, which dkms-deb does not apply")
                .contains("hello-dkms.service is not read by dkms-deb")
                .contains("also describes package hello-utils");
        assertThat(out.resolve("hello-dkms_1.0-1_all.deb")).exists();
    }

    @Test
    void revisionOptionOverridesTheChangelogAndSourceNamesItsVersion() {
        Cmd.Result r = source("--revision", "7");
        assertThat(r.exit()).as(r.toString()).isZero();
        Map<String, String> f = DebInfo.of(out.resolve("hello-dkms_1.0-7_all.deb")).fields();
        assertThat(f).containsEntry("Version", "1.0-7").containsEntry("Source", "hello (1.0-1)");
    }

    @Test
    void modprobeAndEtcFilesBecomeConffiles() throws IOException {
        Files.writeString(tree.resolve("debian/hello-dkms.modprobe"), "options hello verbose=1\n");
        Files.createDirectories(tree.resolve("conf"));
        Files.writeString(tree.resolve("conf/hello.conf"), "search updates\n");
        append("debian/hello-dkms.install", "conf/hello.conf etc/depmod.d/\n");
        Cmd.Result r = source();
        assertThat(r.exit()).as(r.toString()).isZero();
        Path deb = out.resolve("hello-dkms_1.0-1_all.deb");
        assertThat(DebInfo.of(deb).files()).containsEntry("./etc/modprobe.d/hello-dkms.conf", "-rw-r--r-- root/root")
                .containsEntry("./etc/depmod.d/hello.conf", "-rw-r--r-- root/root");
        Path control = work.resolve("control");
        Cmd.ok("dpkg-deb", "-e", deb.toString(), control.toString());
        assertThat(Files.readString(control.resolve("conffiles"))).isEqualTo("/etc/depmod.d/hello.conf\n/etc/modprobe.d/hello-dkms.conf\n");
    }

    @Test
    void withoutSourceDateEpochTheChangelogDateStampsAReproduciblePackage() throws IOException {
        assertThat(source().exit()).isZero();
        byte[] first = Files.readAllBytes(out.resolve("hello-dkms_1.0-1_all.deb"));
        assertThat(source().exit()).isZero();
        assertThat(Files.readAllBytes(out.resolve("hello-dkms_1.0-1_all.deb"))).isEqualTo(first);
        // the changelog's date: Sat, 22 Nov 2025 12:00:00 +0000
        assertThat(DebInfo.of(out.resolve("hello-dkms_1.0-1_all.deb")).contents()).allMatch(l -> l.contains(" 2025-11-22 12:00 "));
    }

    @Test
    void installLinesThatLeaveTheTreeAreRefusedAndNothingIsWritten() throws IOException {
        append("debian/hello-dkms.install", "../../../etc/passwd usr/src/hello-1.0/\n");
        Cmd.Result r = source();
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("dkms-deb: error: ").contains("hello-dkms.install line 5").contains("outside the source tree");
        assertThat(debs()).isEmpty();
    }

    @Test
    void anArchitectureDependentDkmsPackageIsBuiltForThisMachineOnly() throws IOException {
        String arch = Cmd.ok("dpkg", "--print-architecture").out().strip();
        Path control = tree.resolve("debian/control");
        String all = Files.readString(control);
        Files.writeString(control, all.replace("Architecture: all", "Architecture: any"));
        Cmd.Result r = source();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(DebInfo.of(out.resolve("hello-dkms_1.0-1_" + arch + ".deb")).fields()).containsEntry("Architecture", arch);

        String other = arch.equals("arm64") ? "riscv64" : "arm64";
        Files.writeString(control, all.replace("Architecture: all", "Architecture: " + other));
        Cmd.Result refused = source();
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(3);
        assertThat(refused.err()).contains("Architecture: " + other).contains("no -dkms package for this machine's architecture " + arch);
    }

    @Test
    void aBrokenChangelogIsABadSource() throws IOException {
        Files.writeString(tree.resolve("debian/changelog"), "hello 1.0-1 unstable\n");
        Cmd.Result r = source();
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("debian/changelog").contains("first line");
    }

    @Test
    void placeholderWithoutDhDkmsVOptionIsFilledWithAWarning() throws IOException {
        Files.writeString(tree.resolve("debian/hello-dkms.dkms"), Files.readString(tree.resolve("hello/dkms.conf"))
                .replaceAll("PACKAGE_VERSION=.*", "PACKAGE_VERSION=\"#MODULE_VERSION#\""));
        Cmd.Result r = source();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("does not call dh_dkms -V").contains("fills in 1.0");
        Path x = work.resolve("x");
        Cmd.ok("dpkg-deb", "-x", out.resolve("hello-dkms_1.0-1_all.deb").toString(), x.toString());
        assertThat(Files.readString(x.resolve("usr/src/hello-1.0/dkms.conf"))).contains("PACKAGE_VERSION=\"1.0\"").doesNotContain("#MODULE_VERSION#");
    }

    private List<Path> debs() throws IOException {
        if (!Files.isDirectory(out)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(out)) {
            return s.toList();
        }
    }
}

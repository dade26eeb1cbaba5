package io.dkmsdeb.kernel;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Where a build happens: a value of the module, version and kernel, with a plain path for kbuild. */
@Tag("unit")
class KernelBuildLayoutTest {
    private static final Path LINKS = Path.of("/tmp/dkms-deb-u-links");

    @Test
    void dkmsTreesUnderThePlainScratchDirectory() {
        KernelBuild.Layout l = new KernelBuild.Layout(Path.of("/tmp/dkms-deb-u"), LINKS, "hello", "1.0", "6.12.1+deb13-amd64");
        assertThat(l.dir()).isEqualTo(Path.of("/tmp/dkms-deb-u/build/6.12.1+deb13-amd64/hello-1.0"));
        assertThat(l.kbuildDir()).isEqualTo(l.dir());
        assertThat(l.dkmsTree()).isEqualTo(l.dir().resolve("dkms"));
        assertThat(l.sourceTree()).isEqualTo(l.dir().resolve("src"));
        assertThat(l.buildDir()).isEqualTo(l.dir().resolve("dkms/hello/1.0/build"));
        assertThat(l.pristineDir()).isEqualTo(l.dir().resolve("src/hello-1.0"));
    }

    @Test
    void aPathKbuildCannotTakeIsSeenThroughALinkWithAPlainName() {
        for (String odd : new String[] {"/tmp/my dir", "/tmp/o'brien", "/tmp/a:b", "/tmp/100%", "/tmp/$x"}) {
            KernelBuild.Layout l = new KernelBuild.Layout(Path.of(odd), LINKS, "hello", "1.0", "6.1.0-1-amd64");
            assertThat(l.dir()).isEqualTo(Path.of(odd, "build/6.1.0-1-amd64/hello-1.0"));
            assertThat(l.kbuildDir().getParent()).as(odd).isEqualTo(LINKS);
            assertThat(l.kbuildDir().getFileName().toString()).matches("[0-9a-f]{16}");
            assertThat(l.buildDir()).isEqualTo(l.kbuildDir().resolve("dkms/hello/1.0/build"));
        }
        // an epoch in PACKAGE_VERSION has a ':' that kbuild refuses in M=
        KernelBuild.Layout epoch = new KernelBuild.Layout(Path.of("/tmp/u"), LINKS, "hello", "1:1.0", "6.1.0-1-amd64");
        assertThat(epoch.kbuildDir().getParent()).isEqualTo(LINKS);
    }

    @Test
    void theSameInputsGiveTheSamePathsAndOthersOthers() {
        KernelBuild.Layout a = new KernelBuild.Layout(Path.of("/tmp/my dir"), LINKS, "hello", "1.0", "6.1.0-1-amd64");
        KernelBuild.Layout b = new KernelBuild.Layout(Path.of("/tmp/my dir"), LINKS, "hello", "1.0", "6.1.0-1-amd64");
        KernelBuild.Layout c = new KernelBuild.Layout(Path.of("/tmp/my dir"), LINKS, "hello", "1.0", "6.1.0-2-amd64");
        assertThat(a.kbuildDir()).isEqualTo(b.kbuildDir()).isNotEqualTo(c.kbuildDir());
    }

    @Test
    void tmpdirPlacesTheScratchTree() {
        KernelBuild.Layout l = KernelBuild.Layout.forUser(Map.of("TMPDIR", "/var/tmp/my builds"), "hello", "1.0", "6.1.0-1-amd64");
        assertThat(l.base()).isEqualTo(Path.of("/var/tmp/my builds", "dkms-deb-" + System.getProperty("user.name")));
        assertThat(KernelBuild.Layout.forUser(Map.of(), "hello", "1.0", "6.1.0-1-amd64").base())
                .isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "dkms-deb-" + System.getProperty("user.name")));
    }
}

package io.dkmsdeb.pipeline.source.debian;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** dh_link's link targets and dh_installman's page names, as debhelper 13 makes them. */
@Tag("unit")
class DhPathsTest {
    @Test
    void linksAreRelativeWithinOneTopLevelDirectoryAndAbsoluteBetweenTwo() {
        assertThat(DhPaths.linkTarget("usr/src/fanctl-0.8", "usr/share/fanctl/source", "t")).isEqualTo("../../src/fanctl-0.8");
        assertThat(DhPaths.linkTarget("usr/share/doc/p/examples/a.conf", "etc/p/a.conf", "t")).isEqualTo("/usr/share/doc/p/examples/a.conf");
        assertThat(DhPaths.linkTarget("usr/bin/a", "usr/bin/b", "t")).isEqualTo("a");
        assertThat(DhPaths.linkTarget("usr/share/p", "usr/share/p/self", "t")).isEqualTo(".");
    }

    @Test
    void manPageSectionFromTheThLineElseFromTheName(@TempDir Path dir) throws IOException {
        Path withTh = Files.writeString(dir.resolve("fanctl.4"), ".TH FANCTL 4 \"March 2025\"\n.SH NAME\n");
        Path plain = Files.writeString(dir.resolve("tool.8"), ".SH NAME\n");
        Path thWins = Files.writeString(dir.resolve("other.1"), ".TH OTHER 5\n");
        assertThat(DhPaths.manPage(withTh)).isEqualTo("usr/share/man/man4/fanctl.4");
        assertThat(DhPaths.manPage(plain)).isEqualTo("usr/share/man/man8/tool.8");
        assertThat(DhPaths.manPage(thWins)).isEqualTo("usr/share/man/man5/other.5");
    }
}

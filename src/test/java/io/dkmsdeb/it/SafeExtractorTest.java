package io.dkmsdeb.it;

import io.dkmsdeb.deb.DebReader;
import io.dkmsdeb.deb.SafeExtractor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SafeExtractor in process, on packages crafted here: what it unpacks, and what it refuses before writing outside. */
@Tag("unit")
class SafeExtractorTest {
    @TempDir
    Path work;

    private Path into() throws IOException {
        return Files.createDirectories(work.resolve("into"));
    }

    @Test
    void unpacksTheTreeBelowThePrefixOnly() throws IOException {
        Path deb = CraftedDeb.dkmsDeb(work, "ok.deb", List.of(CraftedDeb.Entry.file("./usr/src/m-1.0/m.c", "x"),
                CraftedDeb.Entry.symlink("./usr/src/m-1.0/link.c", "m.c"), CraftedDeb.Entry.file("./etc/other", "y")));
        Path into = into();
        SafeExtractor.extract(deb, "usr/src/", into);
        assertThat(into.resolve("usr/src/m-1.0/m.c")).hasContent("x");
        assertThat(Files.readSymbolicLink(into.resolve("usr/src/m-1.0/link.c"))).isEqualTo(Path.of("m.c"));
        assertThat(into.resolve("etc")).doesNotExist();
    }

    @Test
    void refusesEscapesLinksAndSpecialFiles() throws IOException {
        List<List<CraftedDeb.Entry>> hostile = List.of(
                List.of(CraftedDeb.Entry.symlink("./usr/src/e-1.0/out", "/etc/passwd")),
                List.of(CraftedDeb.Entry.symlink("./usr/src/e-1.0/up", "../../../../tmp")),
                List.of(CraftedDeb.Entry.dir("./usr/src/e-1.0/real/"), CraftedDeb.Entry.symlink("./usr/src/e-1.0/sub", "real"),
                        CraftedDeb.Entry.file("./usr/src/e-1.0/sub/x", "x")),
                List.of(CraftedDeb.Entry.hardlink("./usr/src/e-1.0/passwd", "/etc/passwd")),
                List.of(CraftedDeb.Entry.device("./usr/src/e-1.0/null")),
                List.of(CraftedDeb.Entry.fifo("./usr/src/e-1.0/pipe")));
        int i = 0;
        for (List<CraftedDeb.Entry> entries : hostile) {
            Path deb = CraftedDeb.dkmsDeb(work, "bad" + i + ".deb", entries);
            Path into = Files.createDirectories(work.resolve("into" + i++));
            assertThatThrownBy(() -> SafeExtractor.extract(deb, "usr/src/", into)).as(entries.toString())
                    .isInstanceOf(DebReader.BadPackageException.class);
        }
        assertThat(work.getParent().resolve("tmp")).doesNotExist();
    }
}

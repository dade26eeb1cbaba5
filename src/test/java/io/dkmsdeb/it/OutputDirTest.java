package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code -o} of source and bmdeb: a missing directory is created with its parents, an impossible
 * one is a usage error (exit 2) naming the obstacle, and a run that fails leaves no new directory.
 */
@Tag("kernel")
class OutputDirTest {
    static final String MAINTAINER = SourceCommandTest.MAINTAINER;
    static final String K61 = Kernels.newest61();

    @TempDir
    Path work;

    private Path tree(String dkmsConf) throws IOException {
        return ModuleTrees.write(work.resolve("mod"), "mod", ModuleTrees.GOOD_C, dkmsConf);
    }

    private Path goodTree() throws IOException {
        return tree(ModuleTrees.conf("mod", "1.0"));
    }

    /** A regular file, so that nothing can be created under it, even by root. */
    private Path aFile() throws IOException {
        return Files.writeString(work.resolve("a-file"), "not a directory\n");
    }

    @Test
    void sourceCreatesAMissingOutputDirectoryWithItsParents() throws IOException {
        Path out = work.resolve("new/deeper/out");
        Cmd.Result r = Cmd.dkmsDeb("source", goodTree().toString(), "-o", out.toString(), "--maintainer", MAINTAINER);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(out.resolve("mod-dkms_1.0-1_all.deb")).isRegularFile();
    }

    @Test
    void sourceRefusesAnOutputDirectoryUnderAFile() throws IOException {
        Path file = aFile();
        Path out = file.resolve("sub/out");
        Cmd.Result r = Cmd.dkmsDeb("source", goodTree().toString(), "-o", out.toString(), "--maintainer", MAINTAINER);
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).startsWith("dkms-deb: error: cannot create output directory " + out + ": " + file + " is a file; "
                + "pass another directory with -o").doesNotContain("\tat ");
        assertThat(file).isRegularFile().hasContent("not a directory");
    }

    @Test
    void sourceRefusesAFileAsOutputDirectory() throws IOException {
        Path file = aFile();
        Cmd.Result r = Cmd.dkmsDeb("source", goodTree().toString(), "-o", file.toString(), "--maintainer", MAINTAINER);
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("cannot create output directory " + file + ": " + file + " is a file; pass another directory with -o");
        assertThat(file).hasContent("not a directory");
    }

    @Test
    void theImpossibleOutputDirectoryIsReportedBeforeTheInputs() throws IOException {
        // the tree is bad too: the -o problem is what the user hears about first, as it is found without any work
        Path tree = tree("PACKAGE_NAME=mod\n");
        Cmd.Result r = Cmd.dkmsDeb("source", tree.toString(), "-o", aFile().resolve("out").toString(), "--maintainer", MAINTAINER);
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("is a file; pass another directory with -o");
    }

    @Test
    void aFailedSourceRunLeavesNoNewDirectory() throws IOException {
        Path out = work.resolve("not-yet/out");
        Cmd.Result r = Cmd.dkmsDeb("source", tree("PACKAGE_NAME=mod\n").toString(), "-o", out.toString(), "--maintainer", MAINTAINER);
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("PACKAGE_VERSION is not set");
        assertThat(work.resolve("not-yet")).doesNotExist();
    }

    @Test
    void bmdebRefusesAnOutputDirectoryUnderAFileBeforeTheCompile() throws IOException {
        Path file = aFile();
        Path out = file.resolve("out");
        Path logs = work.resolve("logs");
        Cmd.Result r = Cmd.dkmsDeb("bmdeb", goodTree().toString(), "-k", K61, "-o", out.toString(), "--log-dir", logs.toString(),
                "--maintainer", MAINTAINER, "--no-sign");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).startsWith("dkms-deb: error: cannot create output directory " + out + ": " + file + " is a file; "
                + "pass another directory with -o");
        assertThat(logs).as("no build log: make never started").doesNotExist();
    }

    @Test
    void aFailedBmdebRunLeavesNoNewDirectory() throws IOException {
        Path out = work.resolve("not-yet/out");
        Cmd.Result r = Cmd.dkmsDeb(null, Map.of(), "bmdeb", goodTree().toString(), "-k", "5.10.0-99-amd64", "-o", out.toString(),
                "--maintainer", MAINTAINER, "--no-sign", "--log-dir", work.resolve("logs").toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(4);
        assertThat(work.resolve("not-yet")).doesNotExist();
    }
}

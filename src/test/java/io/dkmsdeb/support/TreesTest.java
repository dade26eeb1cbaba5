package io.dkmsdeb.support;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

@Tag("unit")
class TreesTest {
    @Test
    void deletesReadOnlyDirectoriesAndLinksButNeverWhatLinksPointTo(@TempDir Path tmp) throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Path kept = Files.writeString(outside.resolve("kept"), "precious");
        Path root = Files.createDirectories(tmp.resolve("root/a/b"));
        Files.writeString(root.resolve("file"), "x");
        Files.createSymbolicLink(tmp.resolve("root/a/to-outside"), outside);
        Files.createSymbolicLink(tmp.resolve("root/a/to-file"), kept);
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("r-xr-xr-x"));

        Trees.delete(tmp.resolve("root"));

        assertThat(tmp.resolve("root")).doesNotExist();
        assertThat(kept).hasContent("precious");
        assertThat(outside).isDirectory();
    }

    @Test
    void aLinkAsTheRootIsRemovedAndItsTargetKept(@TempDir Path tmp) throws IOException {
        Path target = Files.createDirectories(tmp.resolve("target"));
        Files.writeString(target.resolve("f"), "y");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), target);

        Trees.delete(link);

        assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(target.resolve("f")).hasContent("y");
    }

    @Test
    void nothingToDeleteIsNotAnError(@TempDir Path tmp) {
        assertThatCode(() -> Trees.delete(tmp.resolve("missing"))).doesNotThrowAnyException();
        assertThatCode(() -> Trees.delete(null)).doesNotThrowAnyException();
        assertThatCode(() -> Trees.deleteQuietly(tmp.resolve("missing"))).doesNotThrowAnyException();
    }
}

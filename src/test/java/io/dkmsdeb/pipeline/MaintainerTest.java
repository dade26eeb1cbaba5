package io.dkmsdeb.pipeline;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Maintainer from a debian/control, read as deb822 (field names in any case, comments skipped). */
@Tag("unit")
class MaintainerTest {
    @TempDir
    Path tree;

    private String fromControl(String control) throws IOException {
        Files.createDirectories(tree.resolve("debian"));
        Files.writeString(tree.resolve("debian/control"), control);
        return Maintainer.resolve(null, tree, Map.of("DEBEMAIL", "env@example.org", "DEBFULLNAME", "From Env"));
    }

    @Test
    void fieldNameInAnyCase() throws IOException {
        assertThat(fromControl("Source: hello\nmaintainer: Jane Doe <jane@example.org>\n\nPackage: hello-dkms\n"))
                .isEqualTo("Jane Doe <jane@example.org>");
    }

    @Test
    void commentedOutFieldIsNotTheMaintainer() throws IOException {
        assertThat(fromControl("Source: hello\n#Maintainer: Old One <old@example.org>\nMaintainer: New One <new@example.org>\n"))
                .isEqualTo("New One <new@example.org>");
    }

    @Test
    void withoutTheFieldTheEnvironmentIsUsed() throws IOException {
        assertThat(fromControl("Source: hello\n\nPackage: hello-dkms\n")).isEqualTo("From Env <env@example.org>");
    }
}

package io.dkmsdeb;

import io.dkmsdeb.deb.Deb822;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** dkms-deb is released under the Apache License 2.0, and says so in LICENSE, the pom and its own package's copyright file. */
@Tag("unit")
class LicenceTest {
    private static final Path COMMON_LICENCE = Path.of("/usr/share/common-licenses/Apache-2.0");

    @Test
    void licenseFileIsTheApacheLicenseText() throws IOException {
        String text = Files.readString(Path.of("LICENSE"), StandardCharsets.UTF_8);
        assertThat(text).startsWith("\n                                 Apache License\n                           Version 2.0, January 2004\n")
                .contains("TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION").contains("END OF TERMS AND CONDITIONS");
        if (Files.isRegularFile(COMMON_LICENCE)) {
            assertThat(text).isEqualTo(Files.readString(COMMON_LICENCE, StandardCharsets.UTF_8));
        }
    }

    @Test
    void pomNamesTheLicence() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"), StandardCharsets.UTF_8);
        assertThat(pom).containsPattern("(?s)<licenses>\\s*<license>\\s*<name>Apache-2\\.0</name>\\s*"
                + "<url>https://www\\.apache\\.org/licenses/LICENSE-2\\.0(\\.txt)?</url>");
    }

    @Test
    void ownPackagesCopyrightFileStatesItInDep5() throws Exception {
        List<Deb822.Paragraph> paragraphs = Deb822.parse(Files.readString(Path.of("src/main/packaging/copyright"), StandardCharsets.UTF_8));
        assertThat(paragraphs.get(0).get("Format")).hasValue("https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/");
        Deb822.Paragraph all = paragraphs.stream().filter(p -> p.get("Files").map(String::strip).orElse("").equals("*")).findFirst()
                .orElseThrow(() -> new AssertionError("no 'Files: *' paragraph"));
        assertThat(all.get("License")).hasValue("Apache-2.0");
        assertThat(paragraphs).anySatisfy(p -> {
            assertThat(p.get("Files")).isEmpty();
            assertThat(p.get("License").orElse("")).startsWith("Apache-2.0\n")
                    .contains("/usr/share/common-licenses/Apache-2.0");
        });
    }
}

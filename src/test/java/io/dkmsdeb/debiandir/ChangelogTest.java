package io.dkmsdeb.debiandir;

import io.dkmsdeb.model.ModuleSourceException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Tag("unit")
class ChangelogTest {
    private static String entry(String version, String date) {
        return "acme-nic (" + version + ") unstable; urgency=medium\n\n  * Release " + version + ".\n\n"
                + " -- Jane Doe <jane@example.org>  " + date + "\n\n";
    }

    @Test
    void versionParts() {
        Changelog c = Changelog.parse(entry("1:2.28.16-0", "Mon, 03 Nov 2025 10:00:00 +0100"), "changelog");
        assertThat(c.source()).isEqualTo("acme-nic");
        assertThat(c.version()).isEqualTo("1:2.28.16-0");
        assertThat(c.versionWithoutEpoch()).isEqualTo("2.28.16-0");
        assertThat(c.upstream()).isEqualTo("2.28.16");
        assertThat(c.revision()).isEqualTo("0");
        assertThat(c.isNative()).isFalse();
        Changelog hyphen = Changelog.parse(entry("1.0-rc1-2", "Mon, 03 Nov 2025 10:00:00 +0100"), "changelog");
        assertThat(hyphen.upstream()).isEqualTo("1.0-rc1");
        assertThat(Changelog.parse(entry("3.1", "Mon, 03 Nov 2025 10:00:00 +0100"), "changelog").isNative()).isTrue();
    }

    @Test
    void badHeaderNamesTheFile() {
        assertThatThrownBy(() -> Changelog.parse("acme-nic 1.0 unstable\n", "debian/changelog"))
                .isInstanceOf(ModuleSourceException.class).hasMessageContaining("debian/changelog").hasMessageContaining("first line");
        assertThatThrownBy(() -> Changelog.parse(entry("v1.0-1", "Mon, 03 Nov 2025 10:00:00 +0100"), "debian/changelog"))
                .isInstanceOf(ModuleSourceException.class).hasMessageContaining("v1.0-1");
    }

    @Test
    void recentEntriesAreKeptWholeAndTextAfterTheLastTrailerIsDropped() {
        String text = entry("1.1-1", "Tue, 04 Nov 2025 10:00:00 +0000") + entry("1.0-1", "Sat, 01 Jan 2011 10:00:00 +0000")
                + "# Local variables:\n# mode: debian-changelog\n";
        Changelog c = Changelog.parse(text, "changelog");
        String installed = c.installedText("acme-nic-dkms");
        assertThat(installed).startsWith("acme-nic (1.1-1)").contains("acme-nic (1.0-1)").doesNotContain("Local variables");
        assertThat(installed).doesNotContain("Older entries");
    }

    @Test
    void oldEntriesBeyondFourAreTrimmedWithDebhelpersNote() {
        StringBuilder text = new StringBuilder(entry("1.5-1", "Tue, 04 Nov 2025 10:00:00 +0000"));
        for (int i = 4; i >= 0; i--) {
            text.append(entry("1." + i + "-1", "Sat, 0" + (i + 1) + " Jan 2011 10:00:00 +0000"));
        }
        String installed = Changelog.parse(text.toString(), "changelog").installedText("acme-nic-dkms");
        assertThat(installed).contains("(1.5-1)", "(1.4-1)", "(1.3-1)", "(1.2-1)").doesNotContain("(1.1-1)", "(1.0-1)");
        assertThat(installed).endsWith("\n# Older entries have been removed from this changelog.\n"
                + "# To read the complete changelog use `apt changelog acme-nic-dkms`.\n");
    }

    @Test
    void anUnparsableDateKeepsTheWholeFile() {
        String text = entry("1.1-1", "yesterday") + "trailing\n";
        assertThat(Changelog.parse(text, "changelog").installedText("p")).isEqualTo(text);
    }
}

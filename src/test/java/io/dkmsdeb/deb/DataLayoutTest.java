package io.dkmsdeb.deb;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.dkmsdeb.model.deb.DebEntry;
import io.dkmsdeb.model.ModuleSourceException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The order of package members: byte order of their UTF-8 names. */
@Tag("unit")
class DataLayoutTest {
    private static int bytewise(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void namesCompareAsTheirUtf8Bytes() {
        // ASCII, Latin-1, BMP above the surrogates (U+E000.., U+FFFD), and supplementary characters (surrogate pairs)
        String[] parts = {"", "a", "b", "/", "-", "z", "é", "ü", "\u00ff", "\u0100", "\u20ac", "\ud7ff", "\ue000", "\uf8ff", "\ufffd",
                "\ud83d\ude00", "\ud83d\ude01", "\ud800\udc00", "\udbff\udfff", "x/y"};
        Random random = new Random(42);
        List<String> names = new ArrayList<>(List.of(parts));
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder("usr/src/m");
            for (int k = random.nextInt(4); k >= 0; k--) {
                sb.append(parts[random.nextInt(parts.length)]);
            }
            names.add(sb.toString());
        }
        for (int i = 0; i < names.size(); i++) {
            String a = names.get(i);
            String b = names.get(random.nextInt(names.size()));
            assertThat(Integer.signum(DataLayout.compareUtf8(a, b))).as(a + " vs " + b).isEqualTo(Integer.signum(bytewise(a, b)));
            assertThat(Integer.signum(DataLayout.compareUtf8(b, a))).as(b + " vs " + a).isEqualTo(Integer.signum(bytewise(b, a)));
        }
        // where UTF-16 order and byte order part: U+E000 sorts before a supplementary character in bytes, after it in UTF-16
        assertThat("\ue000".compareTo("\ud83d\ude00")).isPositive();
        assertThat(DataLayout.compareUtf8("\ue000", "\ud83d\ude00")).isNegative();
    }

    @Test
    void everyParentIsAddedOnceAndAFileIsNoParent() {
        List<DebEntry> out = DataLayout.normalize(List.of(
                DebEntry.file("usr/src/m-1/sub/deep/x.c", 0644, DebEntry.Data.of("x")),
                DebEntry.file("usr/share/doc/m/copyright", 0644, DebEntry.Data.of("c")),
                DebEntry.directory("usr/src"),
                DebEntry.file("usr/src/m-1/a.c", 0644, DebEntry.Data.of("a"))));
        assertThat(out.stream().map(DebEntry::path).toList()).containsExactly("usr", "usr/share", "usr/share/doc", "usr/share/doc/m",
                "usr/share/doc/m/copyright", "usr/src", "usr/src/m-1", "usr/src/m-1/a.c", "usr/src/m-1/sub", "usr/src/m-1/sub/deep",
                "usr/src/m-1/sub/deep/x.c");
        assertThat(DataLayout.isNormal(out)).isTrue();
        assertThat(DataLayout.normalize(out)).isEqualTo(out);
        assertThat(DataLayout.isNormal(List.of(DebEntry.file("usr/x", 0644, DebEntry.Data.of("x"))))).isFalse();    // no usr
        assertThat(DataLayout.isNormal(List.of(DebEntry.directory("usr"), DebEntry.directory("usr/b"), DebEntry.directory("usr/a"))))
                .isFalse();    // out of order
        assertThatThrownBy(() -> DataLayout.normalize(List.of(DebEntry.file("usr/a", 0644, DebEntry.Data.of("a")),
                DebEntry.file("usr/a/b/c", 0644, DebEntry.Data.of("c"))))).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("usr/a/b/c lies below usr/a, which is not a directory");
        assertThatThrownBy(() -> DataLayout.normalize(List.of(DebEntry.file("usr/a", 0644, DebEntry.Data.of("a")),
                DebEntry.directory("usr/a/b"), DebEntry.file("usr/a/b/c", 0644, DebEntry.Data.of("c")))))
                .isInstanceOf(ModuleSourceException.class).hasMessageContaining("lies below usr/a, which is not a directory");
    }
}

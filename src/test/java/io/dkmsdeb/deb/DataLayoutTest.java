package io.dkmsdeb.deb;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

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
}

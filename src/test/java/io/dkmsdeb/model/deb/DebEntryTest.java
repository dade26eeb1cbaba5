package io.dkmsdeb.model.deb;

import io.dkmsdeb.model.ModuleSourceException;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A member's path is relative and normalized: no empty, "." or ".." segment, whatever else it holds. */
@Tag("unit")
class DebEntryTest {
    /** The rule as a pattern (what the scan replaced): a segment that is empty, "." or "..". */
    private static final Pattern BAD_SEGMENT = Pattern.compile("(^|/)(\\.|\\.\\.)?(/|$)");

    @Test
    void segmentsThatAreEmptyDotOrDotDotAreRefused() {
        for (String bad : List.of("", "/", "/usr", "usr/", "usr//src", ".", "..", "./usr", "../usr", "usr/.", "usr/..",
                "usr/./src", "usr/../src", "usr/src/../../etc/passwd")) {
            assertThat(DebEntry.isNormalRelative(bad)).as(bad).isFalse();
            assertThatThrownBy(() -> DebEntry.file(bad, 0644, DebEntry.Data.of("x"))).as(bad)
                    .isInstanceOf(ModuleSourceException.class).hasMessageContaining("normalized");
        }
    }

    @Test
    void namesWithDotsThatAreNotWholeSegmentsAreKept() {
        for (String good : List.of("usr", "usr/src/m-1.0/hello.c", ".hidden", "usr/.config", "...", "usr/...", "..a", "a..",
                "usr/..x/y", "a.b/c.d", "usr/src/m-1.0/\u00e9t\u00e9.c")) {
            assertThat(DebEntry.isNormalRelative(good)).as(good).isTrue();
            assertThat(DebEntry.file(good, 0644, DebEntry.Data.of("x")).path()).isEqualTo(good);
        }
    }

    @Test
    void theScanAgreesWithThePatternOnEveryShortPath() {
        // every path of up to six characters from '.', '/', 'a': the scan and the pattern it replaced agree
        char[] alphabet = {'.', '/', 'a'};
        int checked = 0;
        for (int length = 0; length <= 6; length++) {
            int[] digits = new int[length];
            for (int count = (int) Math.pow(alphabet.length, length); count > 0; count--) {
                StringBuilder s = new StringBuilder();
                for (int d : digits) {
                    s.append(alphabet[d]);
                }
                String path = s.toString();
                assertThat(DebEntry.isNormalRelative(path)).as("'%s'", path).isEqualTo(!BAD_SEGMENT.matcher(path).find());
                checked++;
                for (int i = 0; i < length && ++digits[i] == alphabet.length; i++) {
                    digits[i] = 0;
                }
            }
        }
        assertThat(checked).isEqualTo(1093);
    }
}

package io.dkmsdeb.support;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Tag("unit")
class JsonTest {
    @Test
    void whatIsWrittenReadsBackEqual() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "a \"quoted\"\\ line\nwith\ttab \u0001 and é");
        m.put("n", 42L);
        m.put("x", 1.5);
        m.put("yes", true);
        m.put("none", null);
        m.put("list", List.of("a", 1L, List.of(), Map.of()));
        assertThat(Json.read(Json.write(m))).isEqualTo(m);
    }

    @Test
    void escapesAndSpacingAreRead() throws Exception {
        assertThat(Json.read(" { \"a\" : [ \"\\u0041\\/\" , -3 , 2e3 ] } ")).isEqualTo(Map.of("a", List.of("A/", -3L, 2000.0)));
    }

    @Test
    void brokenTextIsRefusedWithTheOffset() {
        for (String bad : List.of("", "{", "{\"a\" 1}", "[1,]", "\"open", "tru", "{\"a\":1} x", "01", "\"\\q\"", "[" .repeat(100))) {
            assertThatThrownBy(() -> Json.read(bad)).as(bad).isInstanceOf(Json.SyntaxException.class).hasMessageContaining("offset");
        }
    }
}

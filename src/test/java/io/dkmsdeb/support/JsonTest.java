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

    /** A record with a renamed key, a key left out when null, a nested record, a list and a map. */
    public record Sample(String name, @Json.Key("package") String packageName, @Json.OmitNull String target, long size, double seconds,
                         boolean ok, List<Part> parts, Map<String, Double> phases, String none) {
    }

    public record Part(String path) {
    }

    @Test
    void aRecordIsAnObjectOfItsComponentsInTheirOrder() {
        Map<String, Double> phases = new LinkedHashMap<>();
        phases.put("make", 1.5);
        phases.put("copy", 0.25);
        Sample s = new Sample("a\"b", "hello-dkms", null, 42, 0.1, true, List.of(new Part("usr"), new Part("usr/src")), phases, null);
        assertThat(Json.write(s)).isEqualTo("{\"name\":\"a\\\"b\",\"package\":\"hello-dkms\",\"size\":42,\"seconds\":0.1,\"ok\":true,"
                + "\"parts\":[{\"path\":\"usr\"},{\"path\":\"usr/src\"}],\"phases\":{\"make\":1.5,\"copy\":0.25},\"none\":null}");
        assertThat(Json.write(new Sample("n", "p", "t", 0, 0, false, List.of(), Map.of(), "x")))
                .isEqualTo("{\"name\":\"n\",\"package\":\"p\",\"target\":\"t\",\"size\":0,\"seconds\":0.0,\"ok\":false,\"parts\":[],"
                        + "\"phases\":{},\"none\":\"x\"}");
    }

    @Test
    void aRecordReadsBackAsTheMapOfItsKeys() throws Exception {
        Sample s = new Sample("n", "p", null, 7, 2.5, true, List.of(new Part("x")), Map.of("make", 1.0), null);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("name", "n");
        expected.put("package", "p");
        expected.put("size", 7L);
        expected.put("seconds", 2.5);
        expected.put("ok", true);
        expected.put("parts", List.of(Map.of("path", "x")));
        expected.put("phases", Map.of("make", 1.0));
        expected.put("none", null);
        Object back = Json.read(Json.write(s));
        assertThat(back).isEqualTo(expected);
        assertThat(List.copyOf(((Map<?, ?>) back).keySet())).isEqualTo(List.copyOf(expected.keySet()));
    }

    @Test
    void aKeyGivenTwiceIsRefused() {
        assertThatThrownBy(() -> Json.read("{\"result\":\"built\",\"result\":\"failed\"}")).isInstanceOf(Json.SyntaxException.class)
                .hasMessage("duplicate key \"result\" at offset 18");
        assertThatThrownBy(() -> Json.read("[{\"a\":1},{\"b\":{\"c\":1,\"c\":2}}]")).isInstanceOf(Json.SyntaxException.class)
                .hasMessageContaining("duplicate key \"c\"");
    }

    @Test
    void brokenTextIsRefusedWithTheOffset() {
        for (String bad : List.of("", "{", "{\"a\" 1}", "[1,]", "\"open", "tru", "{\"a\":1} x", "01", "\"\\q\"", "[" .repeat(100))) {
            assertThatThrownBy(() -> Json.read(bad)).as(bad).isInstanceOf(Json.SyntaxException.class).hasMessageContaining("offset");
        }
    }
}

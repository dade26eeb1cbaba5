package io.dkmsdeb.debiandir;

import io.dkmsdeb.model.ModuleSourceException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Tag("unit")
class RelationsTest {
    private static final Map<String, String> SUBSTVARS = Map.of("misc:Depends", "dkms (>= 2.1.0.0)", "misc:Pre-Depends", "");

    private static Map<String, String> normalize(Map<String, String> raw) {
        Map<String, String> substituted = new LinkedHashMap<>();
        raw.forEach((k, v) -> substituted.put(k, Relations.substitute(v, SUBSTVARS, "test")));
        return Relations.normalize(substituted, "test");
    }

    @Test
    void substvarsFilledAndEmptyItemsDropped() {
        assertThat(normalize(Map.of("Depends", "${misc:Depends}, ${misc:Pre-Depends},, make")))
                .containsExactly(Map.entry("Depends", "dkms (>= 2.1.0.0), make"));
        assertThat(normalize(Map.of("Pre-Depends", "${misc:Pre-Depends}"))).isEmpty();
    }

    @Test
    void unknownSubstvarBecomesEmpty() {
        assertThat(normalize(Map.of("Depends", "${shlibs:Depends}, gcc"))).containsExactly(Map.entry("Depends", "gcc"));
    }

    @Test
    void relationsRewrittenAsDpkgWritesThem() {
        assertThat(normalize(Map.of("Depends", "libelf-dev(>=0.18),  make |  bmake ,linux-headers-amd64 (<< 7)")))
                .containsExactly(Map.entry("Depends", "libelf-dev (>= 0.18), make | bmake, linux-headers-amd64 (<< 7)"));
    }

    @Test
    void impliedRelationsRemovedInTheDependsFamily() {
        Map<String, String> raw = new LinkedHashMap<>();
        raw.put("Depends", "dkms, ${misc:Depends}, make, make");
        raw.put("Recommends", "make, dkms, linux-headers-amd64 | linux-headers-generic");
        assertThat(normalize(raw)).containsExactly(Map.entry("Depends", "dkms (>= 2.1.0.0), make"),
                Map.entry("Recommends", "linux-headers-amd64 | linux-headers-generic"));
    }

    @Test
    void versionedRelationsImplyWeakerOnes() {
        assertThat(normalize(Map.of("Depends", "${misc:Depends}, dkms (>= 3.0.3)")))
                .containsExactly(Map.entry("Depends", "dkms (>= 3.0.3)"));
        assertThat(normalize(Map.of("Depends", "foo (>= 2), foo (<< 3), foo (= 2.5), bar (>> 1.0~rc1), bar (>= 1.0)")))
                .containsExactly(Map.entry("Depends", "foo (= 2.5), bar (>= 1.0)"));
    }

    @Test
    void unionFieldsSorted() {
        assertThat(normalize(Map.of("Conflicts", "zeta, acme-nic-modules, acme-nic-modules")))
                .containsExactly(Map.entry("Conflicts", "acme-nic-modules, zeta"));
    }

    @Test
    void architectureRestrictionsRefused() {
        assertThatThrownBy(() -> normalize(Map.of("Depends", "foo [amd64]")))
                .isInstanceOf(ModuleSourceException.class).hasMessageContaining("foo [amd64]").hasMessageContaining("Depends");
    }
}

package io.dkmsdeb.deb;

import io.dkmsdeb.model.deb.DebEntry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("unit")
class InstalledSizeTest {
    @Test
    void countsLikeDpkgGencontrol() {
        List<DebEntry> data = DataLayout.normalize(List.of(
                DebEntry.file("usr/a", 0644, DebEntry.Data.of(new byte[1])),
                DebEntry.file("usr/b", 0644, DebEntry.Data.of(new byte[1024])),
                DebEntry.file("usr/c", 0644, DebEntry.Data.of(new byte[1025])),
                DebEntry.file("usr/empty", 0644, DebEntry.Data.of(new byte[0])),
                DebEntry.symlink("usr/l", "a")));
        // root 1 + usr/ 1 + a 1 + b 1 + c 2 + empty 0 + link 1 + DEBIAN/ 1 + script of 2000 bytes 2
        assertThat(InstalledSize.kib(data, List.of("x".repeat(2000)))).isEqualTo(10);
    }
}

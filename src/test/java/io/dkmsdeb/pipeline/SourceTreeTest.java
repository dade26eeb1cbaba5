package io.dkmsdeb.pipeline;

import io.dkmsdeb.model.DebEntry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The modes a tree's files get in the package: 0755 for any execute bit, else 0644; setuid, setgid and sticky bits dropped. */
@Tag("unit")
class SourceTreeTest {
    @TempDir
    Path tree;

    private Path file(String name, int mode) throws IOException {
        Path p = tree.resolve(name);
        Files.writeString(p, "x\n");
        Files.setAttribute(p, "unix:mode", mode);
        return p;
    }

    @Test
    void anyExecuteBitMakes0755() throws IOException {
        file("plain.c", 0644);
        file("owner.sh", 0744);
        file("group.sh", 0654);
        file("others.sh", 0645);
        file("private.h", 0600);
        file("setuid.sh", 04755);
        file("sticky.c", 01644);
        Map<String, Integer> modes = new TreeMap<>();
        for (DebEntry e : SourceTree.scan(tree, "usr/src/x-1.0", null)) {
            modes.put(e.path(), e.mode());
        }
        assertThat(modes).isEqualTo(Map.of("usr/src/x-1.0/plain.c", 0644, "usr/src/x-1.0/owner.sh", 0755,
                "usr/src/x-1.0/group.sh", 0755, "usr/src/x-1.0/others.sh", 0755, "usr/src/x-1.0/private.h", 0644,
                "usr/src/x-1.0/setuid.sh", 0755, "usr/src/x-1.0/sticky.c", 0644));
    }

    @Test
    void aSingleFileTheSame() throws IOException {
        assertThat(SourceTree.file(file("run.sh", 0710), "usr/bin/run").mode()).isEqualTo(0755);
        assertThat(SourceTree.file(file("conf", 0640), "etc/conf").mode()).isEqualTo(0644);
    }
}

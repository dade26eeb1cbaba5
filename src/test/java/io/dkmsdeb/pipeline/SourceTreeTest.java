package io.dkmsdeb.pipeline;

import io.dkmsdeb.model.deb.DebEntry;
import io.dkmsdeb.model.ModuleSourceException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void nestedNamesAreJoinedBelowThePrefixAndSkippedFoldersStayOut() throws IOException {
        for (String f : new String[] {"dkms.conf", "top.c", "a/b/c/deep.c", "a/b/mid.h", "a/debian/kept", "debian/rules", ".git/HEAD",
                "a/.svn/entries", "sub/dkms.conf", "sub/x.o"}) {
            Path p = tree.resolve(f);
            Files.createDirectories(p.getParent());
            Files.writeString(p, "x\n");
        }
        Map<String, DebEntry.Type> listed = new TreeMap<>();
        for (DebEntry e : SourceTree.scan(tree, "usr/src/x-1.0", "dkms.conf")) {
            listed.put(e.path(), e.type());
        }
        String s = "usr/src/x-1.0/";
        assertThat(listed).isEqualTo(Map.of(s + "top.c", DebEntry.Type.FILE, s + "a", DebEntry.Type.DIRECTORY,
                s + "a/b", DebEntry.Type.DIRECTORY, s + "a/b/c", DebEntry.Type.DIRECTORY, s + "a/b/c/deep.c", DebEntry.Type.FILE,
                s + "a/b/mid.h", DebEntry.Type.FILE, s + "a/debian", DebEntry.Type.DIRECTORY, s + "a/debian/kept", DebEntry.Type.FILE,
                s + "sub", DebEntry.Type.DIRECTORY, s + "sub/dkms.conf", DebEntry.Type.FILE));
    }

    @Test
    void aNameWithALineBreakIsRefused() throws IOException {
        Files.createDirectories(tree.resolve("ok/odd\nname"));
        assertThatThrownBy(() -> SourceTree.scan(tree, "usr/src/x-1.0", null)).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("odd\\nname has a line break");
    }

    @Test
    void aSingleFileTheSame() throws IOException {
        assertThat(SourceTree.file(file("run.sh", 0710), "usr/bin/run").mode()).isEqualTo(0755);
        assertThat(SourceTree.file(file("conf", 0640), "etc/conf").mode()).isEqualTo(0644);
    }
}

package io.dkmsdeb.debiandir;

import io.dkmsdeb.model.ModuleSourceException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Tag("unit")
class DhInstallTest {
    @TempDir
    Path root;

    private Path install(String text) throws IOException {
        Files.createDirectories(root.resolve("debian"));
        Path f = root.resolve("debian/acme-dkms.install");
        Files.writeString(f, text);
        return f;
    }

    private void touch(String... paths) throws IOException {
        for (String p : paths) {
            Files.createDirectories(root.resolve(p).getParent());
            Files.writeString(root.resolve(p), p);
        }
    }

    private List<String> read(String text) throws IOException {
        return DhInstall.read(root, install(text), Map.of("DEST", "usr/src/acme-1.0")).stream()
                .map(i -> root.relativize(i.source()) + " -> " + i.destination()).toList();
    }

    @Test
    void globsDestinationsAndSingleSourceLines() throws IOException {
        touch("src/a.c", "src/Makefile", "src/.hidden", "src/sub/b.h", "conf/acme.conf");
        assertThat(read("# sources\nsrc/* usr/src/acme-1.0/\n\nconf/acme.conf etc/depmod.d/\nconf/acme.conf\n")).containsExactly(
                "src/Makefile -> usr/src/acme-1.0/Makefile", "src/a.c -> usr/src/acme-1.0/a.c", "src/sub -> usr/src/acme-1.0/sub",
                "conf/acme.conf -> etc/depmod.d/acme.conf", "conf/acme.conf -> conf/acme.conf");
    }

    @Test
    void bracesAndVariables() throws IOException {
        touch("src/a.c", "src/b.c", "src/c.c");
        assertThat(read("src/{a,c}.c ${env:DEST}${Space}\n")).containsExactly(
                "src/a.c -> usr/src/acme-1.0/a.c", "src/c.c -> usr/src/acme-1.0/c.c");
        assertThatThrownBy(() -> read("src/a.c usr/src/acme-${DEB_VERSION_UPSTREAM}/\n"))
                .isInstanceOf(ModuleSourceException.class).hasMessageContaining("${DEB_VERSION_UPSTREAM}").hasMessageContaining("line 1");
    }

    @Test
    void aPatternThatMatchesNothingIsAnError() throws IOException {
        assertThatThrownBy(() -> read("src/missing.c usr/src/acme-1.0/\n"))
                .isInstanceOf(ModuleSourceException.class).hasMessageContaining("src/missing.c").hasMessageContaining("matches no file");
    }

    @Test
    void nothingOutsideTheTreeIsInstalled() throws IOException {
        touch("src/a.c");
        assertThatThrownBy(() -> read("../../etc/passwd usr/src/acme-1.0/\n")).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("outside the source tree");
        assertThatThrownBy(() -> read("/etc/passwd usr/src/acme-1.0/\n")).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("outside the source tree");
        assertThatThrownBy(() -> read("src/a.c ../../root/\n")).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("not a path inside the package");
        Files.createSymbolicLink(root.resolve("etclink"), Path.of("/etc"));
        assertThatThrownBy(() -> read("etclink/passwd usr/src/acme-1.0/\n")).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("symbolic link");
    }

    @Test
    void executableInstallFilesAreRefused() throws IOException {
        touch("src/a.c");
        Path f = install("#!/usr/bin/dh-exec\nsrc/a.c usr/src/acme-1.0/\n");
        f.toFile().setExecutable(true);
        assertThatThrownBy(() -> DhInstall.read(root, f, Map.of())).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("dh-exec");
    }
}

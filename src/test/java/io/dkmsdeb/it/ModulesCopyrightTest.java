package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The copyright file of each kind of package says where that package installs the module. */
@Tag("kernel")
@Tag("tools")
class ModulesCopyrightTest {
    @TempDir
    Path work;

    private String copyright(Path deb, String pkg) {
        Path x = work.resolve("x-" + pkg);
        Cmd.ok("dpkg-deb", "-x", deb.toString(), x.toString());
        try {
            return Files.readString(x.resolve("usr/share/doc/" + pkg + "/copyright"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("no copyright file in " + deb, e);
        }
    }

    @Test
    void modulesPackageNamesTheModuleDirectoryNotUsrSrc() throws IOException {
        String k = Kernels.newest61();
        String text = copyright(HelloModules.deb(k), "hello-modules-" + k);
        assertThat(text).contains("/lib/modules/" + k + "/updates/dkms/").contains("hello 1.0").doesNotContain("/usr/src/");
    }

    @Test
    void dkmsPackageNamesUsrSrc() throws IOException {
        // the module alone, without the debian/ beside it (whose own copyright file the debian/ route would ship)
        Path tree = Files.createDirectories(work.resolve("alone/hello"));
        for (String f : List.of("Makefile", "Kbuild", "dkms.conf", "hello.c")) {
            Files.copy(Path.of(HelloModules.example(), f), tree.resolve(f));
        }
        Path out = Files.createDirectories(work.resolve("out"));
        Cmd.Result r = Cmd.dkmsDeb(null, Map.of("SOURCE_DATE_EPOCH", "1700000000"), "source", tree.toString(),
                "-o", out.toString(), "--maintainer", SourceCommandTest.MAINTAINER);
        assertThat(r.exit()).as(r.toString()).isZero();
        String text = copyright(out.resolve("hello-dkms_1.0-1_all.deb"), "hello-dkms");
        assertThat(text).contains("/usr/src/hello-1.0/").doesNotContain("/lib/modules/");
    }
}

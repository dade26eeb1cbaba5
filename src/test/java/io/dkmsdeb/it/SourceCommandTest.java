package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code dkms-deb source} on debian-example/hello, checked with dpkg-deb and lintian. */
@Tag("tools")
class SourceCommandTest {
    static final String MAINTAINER = "dkms-deb example <example@example.org>";

    @TempDir
    Path out;

    static Path example() {
        return Cmd.repo().resolve("debian-example/hello");
    }

    @Test
    void exampleMakesTheDkmsPackageOfTheDesign() {
        Cmd.Result r = Cmd.dkmsDeb("source", example().toString(), "-o", out.toString(), "--maintainer", MAINTAINER);
        assertThat(r.exit()).as(r.toString()).isZero();
        Path deb = out.resolve("hello-dkms_1.0-1_all.deb");
        assertThat(deb).exists();
        assertThat(r.out()).contains("hello-dkms_1.0-1_all.deb");

        DebInfo info = DebInfo.of(deb);
        assertThat(info.fields()).containsEntry("Package", "hello-dkms").containsEntry("Version", "1.0-1")
                .containsEntry("Architecture", "all").containsEntry("Section", "kernel")
                .containsEntry("Depends", "dkms (>= 2.1.0.0)").containsEntry("Provides", "hello-modules (= 1.0)")
                .containsEntry("Maintainer", MAINTAINER).containsEntry("Installed-Size", "20");
        assertThat(info.files()).containsOnlyKeys("./", "./usr/", "./usr/share/", "./usr/share/doc/", "./usr/share/doc/hello-dkms/",
                "./usr/share/doc/hello-dkms/changelog.Debian.gz", "./usr/share/doc/hello-dkms/copyright",
                "./usr/share/lintian/", "./usr/share/lintian/overrides/", "./usr/share/lintian/overrides/hello-dkms",
                "./usr/src/", "./usr/src/hello-1.0/", "./usr/src/hello-1.0/Kbuild", "./usr/src/hello-1.0/Makefile",
                "./usr/src/hello-1.0/README", "./usr/src/hello-1.0/dkms.conf", "./usr/src/hello-1.0/hello.c");
        assertThat(info.contents()).allMatch(l -> l.contains(" root/root "));
        String info2 = Cmd.ok("dpkg-deb", "--info", deb.toString()).out();
        assertThat(info2).containsPattern("\\d+ bytes,\\s+\\d+ lines\\s+\\*\\s+postinst\\s+#!/bin/sh")
                .containsPattern("\\*\\s+prerm\\s+#!/bin/sh").contains("md5sums");
    }

    @Test
    void lintianPedanticIsClean() {
        Cmd.Result r = Cmd.dkmsDeb("source", example().toString(), "-o", out.toString(), "--maintainer", MAINTAINER);
        assertThat(r.exit()).as(r.toString()).isZero();
        Cmd.Result lintian = Cmd.run("lintian", "--pedantic", "--fail-on", "error,warning",
                out.resolve("hello-dkms_1.0-1_all.deb").toString());
        assertThat(lintian.exit()).as(lintian.toString()).isZero();
        assertThat(lintian.out().lines().filter(l -> l.startsWith("E:") || l.startsWith("W:"))).isEmpty();
    }

    @Test
    void maintainerScriptsPassShellcheckAndRunDkms() throws IOException {
        Cmd.dkmsDeb("source", example().toString(), "-o", out.toString(), "--maintainer", MAINTAINER);
        Path control = out.resolve("control");
        Cmd.ok("dpkg-deb", "--control", out.resolve("hello-dkms_1.0-1_all.deb").toString(), control.toString());
        for (String script : List.of("postinst", "prerm")) {
            Path file = control.resolve(script);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rwxr-xr-x");
            Cmd.ok("sh", "-n", file.toString());
            Cmd.Result sc = Cmd.run("shellcheck", "-s", "sh", file.toString());
            assertThat(sc.exit()).as(sc.toString()).isZero();
            assertThat(Files.readString(file)).startsWith("#!/bin/sh\nset -e\n");
        }
        assertThat(Files.readString(control.resolve("postinst")))
                .contains("\"$DKMS_POSTINST\" \"$DKMS_NAME\" \"$DKMS_VERSION\" \"/usr/share/$DKMS_PACKAGE_NAME\" \"\" ${2:+\"$2\"}")
                .contains("DKMS_NAME='hello'").contains("DKMS_VERSION='1.0'");
        assertThat(Files.readString(control.resolve("prerm"))).contains("dkms remove -m \"$DKMS_NAME\" -v \"$DKMS_VERSION\" --all");
    }

    @Test
    void jsonSummaryForCi() {
        Cmd.Result r = Cmd.dkmsDeb("source", example().toString(), "-o", out.toString(), "--maintainer", MAINTAINER, "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out().strip()).startsWith("{\"command\":\"source\"").endsWith("}")
                .contains("\"package\":\"hello-dkms\"").contains("\"version\":\"1.0-1\"").contains("\"generatedDkmsConf\":false")
                .contains("\"file\":\"" + out.resolve("hello-dkms_1.0-1_all.deb") + "\"");
    }

    @Test
    void maintainerFromDebianControlThenEnvironment(@TempDir Path work) throws IOException {
        // debian-example/debian/control is in the tree's parent, as dpkg-buildpackage would see it
        Cmd.Result control = Cmd.dkmsDeb(null, Map.of("DEBEMAIL", "ignored@example.org", "DEBFULLNAME", "Ignored"),
                "source", example().toString(), "-o", out.toString());
        assertThat(control.exit()).as(control.toString()).isZero();
        assertThat(DebInfo.of(out.resolve("hello-dkms_1.0-1_all.deb")).fields()).containsEntry("Maintainer", MAINTAINER);

        Path tree = work.resolve("hello");
        copyTree(example(), tree, false);
        Cmd.Result env = Cmd.dkmsDeb(null, Map.of("DEBFULLNAME", "Env Person", "DEBEMAIL", "env@example.org"),
                "source", tree.toString(), "-o", out.toString());
        assertThat(env.exit()).as(env.toString()).isZero();
        assertThat(DebInfo.of(out.resolve("hello-dkms_1.0-1_all.deb")).fields()).containsEntry("Maintainer", "Env Person <env@example.org>");
    }

    @Test
    void sameBytesFromTreesWithOtherMtimesAndCreationOrder(@TempDir Path work) throws IOException {
        Path a = work.resolve("a/hello");
        Path b = work.resolve("b/hello");
        copyTree(example(), a, false);
        copyTree(example(), b, true);
        try (Stream<Path> files = Files.walk(b)) {
            long t = 1_000_000_000L;
            for (Path p : files.toList()) {
                Files.setLastModifiedTime(p, FileTime.fromMillis((t += 3_600_000)));
            }
        }
        Path outA = Files.createDirectory(work.resolve("outA"));
        Path outB = Files.createDirectory(work.resolve("outB"));
        Map<String, String> env = Map.of("SOURCE_DATE_EPOCH", "1700000000");
        assertThat(Cmd.dkmsDeb(null, env, "source", a.toString(), "-o", outA.toString(), "--maintainer", MAINTAINER).exit()).isZero();
        assertThat(Cmd.dkmsDeb(null, env, "source", b.toString(), "-o", outB.toString(), "--maintainer", MAINTAINER, "-j", "1").exit()).isZero();
        byte[] first = Files.readAllBytes(outA.resolve("hello-dkms_1.0-1_all.deb"));
        assertThat(Files.readAllBytes(outB.resolve("hello-dkms_1.0-1_all.deb"))).isEqualTo(first);
        assertThat(Cmd.ok("dpkg-deb", "--contents", outA.resolve("hello-dkms_1.0-1_all.deb").toString()).out())
                .contains("2023-11-14 22:13");

        Path outC = Files.createDirectory(work.resolve("outC"));
        Cmd.dkmsDeb(null, Map.of("SOURCE_DATE_EPOCH", "1700000001"), "source", a.toString(), "-o", outC.toString(), "--maintainer", MAINTAINER);
        assertThat(Files.readAllBytes(outC.resolve("hello-dkms_1.0-1_all.deb"))).isNotEqualTo(first);
    }

    @Test
    void treeWithoutDkmsConfGetsOneFromObjM(@TempDir Path work) throws IOException {
        Path tree = work.resolve("hello");
        copyTree(example(), tree, false);
        Files.delete(tree.resolve("dkms.conf"));
        Cmd.Result r = Cmd.dkmsDeb("source", tree.toString(), "-o", out.toString(), "--maintainer", MAINTAINER);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("no dkms.conf").contains("generated one from the obj-m lines of Kbuild")
                .contains("modules hello, version 1.0");
        Path x = work.resolve("x");
        Cmd.ok("dpkg-deb", "-x", out.resolve("hello-dkms_1.0-1_all.deb").toString(), x.toString());
        String conf = Files.readString(x.resolve("usr/src/hello-1.0/dkms.conf"));
        assertThat(conf).contains("PACKAGE_NAME='hello'").contains("PACKAGE_VERSION='1.0'")
                .contains("BUILT_MODULE_NAME[0]='hello'").contains("DEST_MODULE_LOCATION[0]=\"/updates/dkms\"");
        Cmd.Result lintian = Cmd.run("lintian", "--pedantic", "--fail-on", "error,warning", out.resolve("hello-dkms_1.0-1_all.deb").toString());
        assertThat(lintian.exit()).as(lintian.toString()).isZero();
    }

    @Test
    void buildOutputAndVcsFoldersAreLeftOut(@TempDir Path work) throws IOException {
        Path tree = work.resolve("hello");
        copyTree(example(), tree, false);
        for (String junk : List.of("hello.o", "hello.ko", "hello.mod.c", ".hello.o.cmd", "Module.symvers", "modules.order", ".git/config")) {
            Files.createDirectories(tree.resolve(junk).getParent());
            Files.writeString(tree.resolve(junk), "junk");
        }
        Files.writeString(tree.resolve("tool.sh"), "#!/bin/sh\n");
        Cmd.ok("chmod", "4750", tree.resolve("tool.sh").toString());
        Files.createSymbolicLink(tree.resolve("Kbuild.link"), Path.of("Kbuild"));
        assertThat(Cmd.dkmsDeb("source", tree.toString(), "-o", out.toString(), "--maintainer", MAINTAINER).exit()).isZero();
        Map<String, String> files = DebInfo.of(out.resolve("hello-dkms_1.0-1_all.deb")).files();
        assertThat(files.keySet()).noneMatch(f -> f.endsWith(".o") || f.endsWith(".ko") || f.contains(".git")
                || f.endsWith(".cmd") || f.endsWith("Module.symvers") || f.endsWith("modules.order") || f.endsWith(".mod.c"));
        assertThat(files).containsEntry("./usr/src/hello-1.0/tool.sh", "-rwxr-xr-x root/root")
                .containsEntry("./usr/src/hello-1.0/Kbuild.link", "lrwxrwxrwx root/root -> Kbuild");
    }

    static void copyTree(Path from, Path to, boolean reverseOrder) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(from)) {
            all = s.toList();
        }
        Files.createDirectories(to);
        List<Path> dirs = all.stream().filter(Files::isDirectory).toList();
        for (Path d : dirs) {
            Files.createDirectories(to.resolve(from.relativize(d)));
        }
        List<Path> files = new java.util.ArrayList<>(all.stream().filter(p -> !Files.isDirectory(p)).toList());
        if (reverseOrder) {
            java.util.Collections.reverse(files);
        }
        for (Path f : files) {
            Files.copy(f, to.resolve(from.relativize(f)), java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
    }
}

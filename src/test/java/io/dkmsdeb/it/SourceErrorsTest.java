package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input to {@code source}: a clear message (what, where, what to do), the exit code of the design, no .deb. */
@Tag("cli")
class SourceErrorsTest {
    static final String MAINTAINER = SourceCommandTest.MAINTAINER;

    @TempDir
    Path work;

    Path out;

    private Path tree(String dkmsConf) throws IOException {
        Path tree = work.resolve("mod");
        Files.createDirectories(tree);
        Files.writeString(tree.resolve("mod.c"), "int x;\n");
        if (dkmsConf != null) {
            Files.writeString(tree.resolve("dkms.conf"), dkmsConf);
        }
        out = Files.createDirectories(work.resolve("out"));
        return tree;
    }

    private Cmd.Result source(Path tree, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("source", tree.toString(), "-o", out.toString(), "--maintainer", MAINTAINER));
        args.addAll(List.of(extra));
        return Cmd.dkmsDeb(args.toArray(String[]::new));
    }

    private void assertNothingWritten() throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.toList()).as("output directory after a failed run").isEmpty();
        }
    }

    private static final String OK_MODULES = "BUILT_MODULE_NAME[0]=mod\nDEST_MODULE_LOCATION[0]=/updates/dkms\n";

    @Test
    void noDkmsConfAndNoObjM() throws IOException {
        Cmd.Result r = source(tree(null));
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).startsWith("dkms-deb: error: ").contains("has no dkms.conf and no obj-m line").contains("add a dkms.conf")
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertNothingWritten();
    }

    @Test
    void fileNameWithANewlineIsABadSourceNamedWithWhatToDo() throws IOException {
        Path tree = tree("PACKAGE_NAME=mod\nPACKAGE_VERSION=1.0\n" + OK_MODULES);
        Files.writeString(tree.resolve("bad\nname.c"), "int y;\n");
        Cmd.Result r = source(tree);
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).startsWith("dkms-deb: error: ").contains("bad\\nname.c").contains("line break").contains("rename it")
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertNothingWritten();
    }

    @Test
    void dkmsConfThatBashCannotSource() throws IOException {
        Cmd.Result r = source(tree("PACKAGE_NAME=mod\nPACKAGE_VERSION=1.0\nif [ 1 ]; then\n" + OK_MODULES));
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("bash cannot parse").contains("mod/dkms.conf").contains("syntax error").contains("bash -n");
        assertNothingWritten();
    }

    @Test
    void missingPackageVersion() throws IOException {
        Cmd.Result r = source(tree("PACKAGE_NAME=mod\n" + OK_MODULES));
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("dkms.conf: PACKAGE_VERSION is not set").contains("add PACKAGE_VERSION=");
        assertNothingWritten();
    }

    @Test
    void packageNameWithShellMetacharacters() throws IOException {
        for (String name : List.of("'mod;reboot'", "'$(touch /tmp/pwned)'", "'mod`id`'", "\"mod x\"", "'mod\"q'")) {
            Cmd.Result r = source(tree("PACKAGE_NAME=" + name + "\nPACKAGE_VERSION=1.0\n" + OK_MODULES));
            assertThat(r.exit()).as(name + "\n" + r).isEqualTo(3);
            assertThat(r.err()).as(name).contains("dkms.conf line 1: PACKAGE_NAME is").contains("use letters, digits and . _ + - only");
            assertNothingWritten();
        }
    }

    @Test
    void packageNameWithUpperCase() throws IOException {
        Path tree = tree("PACKAGE_NAME=Mod_X\nPACKAGE_VERSION=1.0\n" + OK_MODULES);
        Cmd.Result r = source(tree);
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("PACKAGE_NAME 'Mod_X' has upper-case letters").contains("--name mod-x (for mod-x-dkms)");
        assertNothingWritten();
        // the way out the message gives works
        Cmd.Result named = source(tree, "--name", "mod-x");
        assertThat(named.exit()).as(named.toString()).isZero();
        assertThat(out.resolve("mod-x-dkms_1.0-1_all.deb")).exists();
    }

    @Test
    void nameIsTheBaseNameAsInBmdebAndATrailingDkmsIsTheSame() throws IOException {
        Path tree = tree("PACKAGE_NAME=mod\nPACKAGE_VERSION=1.0\n" + OK_MODULES);
        Cmd.Result base = source(tree, "--name", "twostuff");
        assertThat(base.exit()).as(base.toString()).isZero();
        assertThat(out.resolve("twostuff-dkms_1.0-1_all.deb")).exists();
        Files.delete(out.resolve("twostuff-dkms_1.0-1_all.deb"));
        Cmd.Result whole = source(tree, "--name", "twostuff-dkms");
        assertThat(whole.exit()).as(whole.toString()).isZero();
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("twostuff-dkms_1.0-1_all.deb");
        }
    }

    @Test
    void invalidDebianVersion() throws IOException {
        Cmd.Result r = source(tree("PACKAGE_NAME=mod\nPACKAGE_VERSION=v1.0\n" + OK_MODULES));
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("version 'v1.0' is not a valid Debian upstream version").contains("start with a digit");
        assertNothingWritten();
        Cmd.Result rev = source(tree("PACKAGE_NAME=mod\nPACKAGE_VERSION=1.0\n" + OK_MODULES), "--revision", "1;reboot");
        assertThat(rev.exit()).as(rev.toString()).isEqualTo(2);
        assertThat(rev.err()).contains("revision '1;reboot' is not a valid Debian revision");
        assertNothingWritten();
    }

    @Test
    void invalidPackageNameOption() throws IOException {
        Cmd.Result r = source(tree("PACKAGE_NAME=mod\nPACKAGE_VERSION=1.0\n" + OK_MODULES), "--name", "Bad_Name");
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("package name 'Bad_Name' (from --name) is not a valid Debian package name").contains("policy 5.6.7");
        assertNothingWritten();
    }

    @Test
    void maintainerThatIsNotNameAndMail() throws IOException {
        Path tree = tree("PACKAGE_NAME=mod\nPACKAGE_VERSION=1.0\n" + OK_MODULES);
        Cmd.Result r = Cmd.dkmsDeb("source", tree.toString(), "-o", out.toString(), "--maintainer", "nobody");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("maintainer 'nobody' (from --maintainer) must have the form \"Full Name <mail@example.org>\"");
        assertNothingWritten();
    }

    @Test
    void outputDirectoryMissingIsCreated() throws IOException {
        // no error any more: created as build tools do (OutputDirTest has the impossible cases)
        Path tree = tree("PACKAGE_NAME=mod\nPACKAGE_VERSION=1.0\n" + OK_MODULES);
        Cmd.Result r = Cmd.dkmsDeb("source", tree.toString(), "-o", work.resolve("nope").toString(), "--maintainer", MAINTAINER);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(work.resolve("nope/mod-dkms_1.0-1_all.deb")).isRegularFile();
    }

    @Test
    void outputDirectoryNotWritable() throws IOException {
        Path tree = tree("PACKAGE_NAME=mod\nPACKAGE_VERSION=1.0\n" + OK_MODULES);
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(out, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        List<String> cmd = new java.util.ArrayList<>();
        if (Cmd.isRoot()) {
            // root may write anywhere: run as an unprivileged user, as a CI agent would
            cmd.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"));
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", SourceErrorsTestSupport.readableClassPath(work),
                "io.dkmsdeb.cli.Main", "source", tree.toString(), "-o", out.toString(), "--maintainer", MAINTAINER));
        Cmd.Result r = Cmd.run(work, java.util.Map.of(), cmd);
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("output directory " + out + " is not writable").contains("pass a writable directory with -o");
        assertNothingWritten();
    }

    @Test
    void dkmsConfWithAnAssociativeArrayIsABadDkmsConfNamedWithItsLine() throws IOException {
        Cmd.Result r = source(tree("PACKAGE_NAME=mod\nPACKAGE_VERSION=1.0\n" + OK_MODULES + "declare -A MAKE=([x]=\"make\")\n"));
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).startsWith("dkms-deb: error: ").contains("mod/dkms.conf line 5: MAKE has the index 'x'").contains("MAKE[0]=")
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertNothingWritten();
    }

    @Test
    void unreadableFolderInATreeWithoutDkmsConfIsABadSourceNamingIt() throws IOException {
        Path tree = tree(null);
        Files.writeString(tree.resolve("Makefile"), "obj-m += mod.o\n");
        Files.writeString(tree.resolve("mod.c"), "MODULE_VERSION(\"1.0\");\n");
        Path locked = Files.createDirectories(tree.resolve("private"));
        Files.writeString(locked.resolve("x.c"), "int z;\n");
        List<String> cmd = new java.util.ArrayList<>();
        if (Cmd.isRoot()) {
            // root reads any folder: run as an unprivileged user
            cmd.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"));
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", SourceErrorsTestSupport.readableClassPath(work),
                "io.dkmsdeb.cli.Main", "source", tree.toString(), "-o", out.toString(), "--maintainer", MAINTAINER));
        Cmd.ok("chmod", "-R", "a+rX", tree.toString());
        Cmd.ok("chmod", "777", out.toString());
        Cmd.ok("chmod", "000", locked.toString());
        Cmd.Result r = Cmd.run(work, java.util.Map.of(), cmd);
        Cmd.ok("chmod", "755", locked.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).startsWith("dkms-deb: error: cannot read " + locked).contains("permission denied").contains("make it readable")
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertNothingWritten();
    }

    @Test
    void usageErrorsExit2() throws IOException {
        Cmd.Result r = Cmd.dkmsDeb("source", "--no-such-option");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option: '--no-such-option'").contains("--help");
        Cmd.Result c = source(tree("PACKAGE_NAME=mod\nPACKAGE_VERSION=1.0\n" + OK_MODULES), "--compression", "bzip2");
        assertThat(c.exit()).isEqualTo(2);
        assertThat(c.err()).contains("unknown compression 'bzip2'");
        assertNothingWritten();
    }

    @Test
    void stackTraceOnlyOnRequest() throws IOException {
        Path tree = tree("PACKAGE_NAME=mod\n" + OK_MODULES);
        assertThat(source(tree).err()).doesNotContain("\tat io.dkmsdeb");
        assertThat(source(tree, "--stacktrace").err()).contains("\tat io.dkmsdeb");
    }
}

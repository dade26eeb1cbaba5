package io.dkmsdeb.it;

import io.dkmsdeb.cli.Main;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bmdeb's -V (the module version, as in source, not dkms-deb's version), its --name, and the rule
 * that an error only advises options the command that printed it has.
 */
@Tag("kernel")
@Tag("tools")
class BmdebOptionsTest {
    static final String K61 = Kernels.newest61();
    static final String MAINTAINER = SourceCommandTest.MAINTAINER;
    static final String GOOD_C = "#include <linux/module.h>\nMODULE_LICENSE(\"GPL\");\n";
    static final String MODULES = "BUILT_MODULE_NAME[0]=vtest\nDEST_MODULE_LOCATION[0]=/updates/dkms\n";

    /** An option as an error message would advise it: --long-name or -X, not a word with a hyphen in it. */
    static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--[a-z][a-z-]*[a-z]|-[A-Za-z](?![\\w-]))");

    @TempDir
    Path work;

    private Path tree(String dkmsConf) throws IOException {
        return ModuleTrees.write(work.resolve("vtest"), "vtest", GOOD_C, dkmsConf);
    }

    private Cmd.Result bmdeb(Path tree, String... extra) {
        List<String> args = new ArrayList<>(List.of("bmdeb", tree.toString(), "--maintainer", MAINTAINER, "--no-sign",
                "--log-dir", work.resolve("logs").toString()));
        args.addAll(List.of(extra));
        return Cmd.dkmsDeb(args.toArray(String[]::new));
    }

    private static String field(Path deb, String name) {
        return Cmd.ok("dpkg-deb", "-f", deb.toString(), name).out().strip();
    }

    @Test
    void moduleVersionOptionVersionsATreeWithoutDkmsConf() throws IOException {
        Path out = work.resolve("made/by/bmdeb");
        Cmd.Result r = bmdeb(tree(null), "-V", "1.2", "-k", K61, "-o", out.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        Path deb = out.resolve("vtest-modules-" + K61 + "_1.2_amd64.deb");
        assertThat(r.out().strip()).isEqualTo(deb.toString());
        assertThat(field(deb, "Version")).isEqualTo("1.2");
        assertThat(field(deb, "Provides")).isEqualTo("vtest-modules (= 1.2)");
        assertThat(Cmd.ok("dpkg-deb", "--contents", deb.toString()).out()).contains("./lib/modules/" + K61 + "/updates/dkms/vtest.ko");
    }

    @Test
    void versionOptionOfASubcommandIsAUsageErrorNotASuccess() throws IOException {
        Path out = Files.createDirectories(work.resolve("out"));
        Cmd.Result r = bmdeb(tree(null), "--version", "-k", K61, "-o", out.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("Unknown option: '--version'").contains("dkms-deb --version");
        for (List<String> args : List.of(List.of("source", "--version"), List.of("inspect", "x.deb", "--version"),
                List.of("inspect", "x.deb", "-V"), List.of("generate-completion", "-V"), List.of("generate-completion", "--version"))) {
            Cmd.Result sub = Cmd.dkmsDeb(args.toArray(String[]::new));
            assertThat(sub.exit()).as(args + "\n" + sub).isEqualTo(2);
            assertThat(sub.out()).as(args.toString()).isEmpty();
        }
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.toList()).isEmpty();
        }
        assertThat(Cmd.dkmsDeb("--version").out()).startsWith("dkms-deb ");
        assertThat(Cmd.dkmsDeb("-V").exit()).isZero();
    }

    /** The options named in a message; fails unless each is an option of {@code command}. */
    static List<String> assertAdvisesOnlyOptionsOf(String command, String message) {
        CommandSpec spec = Main.commandLine().getSubcommands().get(command).getCommandSpec();
        List<String> options = new ArrayList<>();
        Matcher m = OPTION.matcher(message);
        while (m.find()) {
            options.add(m.group(1));
            assertThat(spec.findOption(m.group(1))).as("'%s' advised by %s's message: %s", m.group(1), command, message).isNotNull();
        }
        return options;
    }

    @Test
    void errorsReachableFromBmdebAdviseOnlyBmdebOptions() throws IOException {
        record Case(String dkmsConf, List<String> args, int exit, String advised) {
        }
        Path file = Files.writeString(work.resolve("a-file"), "x");
        List<Case> cases = List.of(
                new Case("PACKAGE_NAME=Mod_X\nPACKAGE_VERSION=1.0\n" + MODULES, List.of("-k", K61), 3, "--name"),
                new Case(null, List.of("-k", K61), 3, "-V"),
                new Case("PACKAGE_NAME=vtest\nPACKAGE_VERSION=\"#MODULE_VERSION#\"\n" + MODULES, List.of("-k", K61), 3, "-V"),
                new Case("PACKAGE_NAME=vtest\nPACKAGE_VERSION=1.0\n" + MODULES, List.of("-k", K61, "-V", "2.0"), 2, "-V"),
                new Case("PACKAGE_NAME=vtest\nPACKAGE_VERSION=1.0\n" + MODULES, List.of("-k", "5.10.0-99-amd64"), 4, "--kernel-source-dir"),
                new Case("PACKAGE_NAME=vtest\nPACKAGE_VERSION=1.0\n" + MODULES, List.of("-k", K61, "-o", file.resolve("o").toString()), 2, "-o"),
                new Case("PACKAGE_NAME=vtest\nPACKAGE_VERSION=1.0\n" + MODULES,
                        List.of("-k", K61, "-k", "6.12.0-0-amd64", "--kernel-source-dir", "/nonexistent"), 2, "--kernel-source-dir"));
        for (Case c : cases) {
            io.dkmsdeb.support.Trees.deleteQuietly(work.resolve("vtest"));
            Cmd.Result r = bmdeb(tree(c.dkmsConf()), c.args().toArray(String[]::new));
            assertThat(r.exit()).as(c + "\n" + r).isEqualTo(c.exit());
            String error = r.err().lines().filter(l -> l.startsWith("dkms-deb: error: ")).findFirst().orElseThrow();
            assertThat(assertAdvisesOnlyOptionsOf("bmdeb", error)).as(error).contains(c.advised());
        }
    }

    @Test
    void upperCasePackageNameAdvisesBmdebsNameAndThatWorks() throws IOException {
        Path tree = tree("PACKAGE_NAME=Mod_X\nPACKAGE_VERSION=1.0\n" + MODULES);
        Path out = Files.createDirectories(work.resolve("out"));
        Cmd.Result r = bmdeb(tree, "-k", K61, "-o", out.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("PACKAGE_NAME 'Mod_X' has upper-case letters")
                .contains("give the base name of the packages with --name mod-x (for mod-x-modules-KVER)");
        assertAdvisesOnlyOptionsOf("bmdeb", r.err());
        // source's advice is for source's --name, which takes the same base name (NAME of NAME-dkms)
        Cmd.Result s = Cmd.dkmsDeb("source", tree.toString(), "-o", out.toString(), "--maintainer", MAINTAINER);
        assertThat(s.err()).contains("--name mod-x (for mod-x-dkms)");
        assertAdvisesOnlyOptionsOf("source", s.err());

        Cmd.Result named = bmdeb(tree, "-k", K61, "-o", out.toString(), "--name", "mod-x");
        assertThat(named.exit()).as(named.toString()).isZero();
        Path deb = out.resolve("mod-x-modules-" + K61 + "_1.0_amd64.deb");
        assertThat(field(deb, "Package")).isEqualTo("mod-x-modules-" + K61);
        assertThat(field(deb, "Provides")).isEqualTo("mod-x-modules (= 1.0)");
        assertThat(field(deb, "Source")).isEqualTo("mod-x-dkms-bin");
    }

    @Test
    void aBadNameIsRefusedBeforeAnyKernelIsLookedAt() throws IOException {
        Cmd.Result r = bmdeb(tree("PACKAGE_NAME=vtest\nPACKAGE_VERSION=1.0\n" + MODULES), "-k", "5.10.0-99-amd64", "--name", "Bad_Name");
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("package name 'Bad_Name' (from --name) is not a valid Debian package name").doesNotContain("headers");
    }

    @Test
    void everyKernelExcludedExits77AndWritesNothing() throws IOException {
        Path tree = tree("PACKAGE_NAME=vtest\nPACKAGE_VERSION=1.0\n" + MODULES + "BUILD_EXCLUSIVE_KERNEL=\"^5\\.\"\n");
        Path out = work.resolve("never-made");
        Cmd.Result r = bmdeb(tree, "-k", K61, "-k", Kernels.newest612(), "-o", out.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(77);
        assertThat(r.err()).contains("no package written: the module's BUILD_EXCLUSIVE_* rules exclude every kernel given");
        assertThat(out).doesNotExist();
    }
}

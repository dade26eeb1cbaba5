package io.dkmsdeb.it;

import io.dkmsdeb.cli.Main;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * dkms-deb's own package, target/dkms-deb_VERSION_all.deb (jdeb, in the package phase), checked with the real
 * tools: lintian finds nothing, the contents and control fields are the intended ones with a man page for every
 * command of the picocli model, and dpkg -i (in an {@link IsolatedRoot} over this machine's state) gives a working
 * dkms-deb, man page and bash completion, which dpkg -r takes away again. Runs in mvn verify (failsafe), after the
 * package phase.
 */
@Tag("tools")
@Tag("root")
class SelfPackageTest {
    static Path deb;
    static String version;

    @TempDir
    Path work;

    @BeforeAll
    static void thePackage() {
        String p = System.getProperty("dkmsdeb.selfPackage");
        assumeTrue(p != null, "runs in 'mvn verify' (failsafe), after the package phase has made the .deb");
        deb = Path.of(p);
        assertThat(deb).as("made by jdeb in the package phase").isRegularFile();
        version = DebInfo.of(deb).fields().get("Version");
    }

    /**
     * The man page names the picocli model gives: dkms-deb and dkms-deb-COMMAND for each visible subcommand but
     * 'help', which prints the other commands' usage.
     */
    static List<String> manPages() {
        List<String> pages = new ArrayList<>(List.of("dkms-deb"));
        Main.commandLine().getSubcommands().forEach((name, sub) -> {
            if (!sub.getCommandSpec().usageMessage().hidden() && !sub.getCommandSpec().helpCommand()) {
                pages.add("dkms-deb-" + name);
            }
        });
        return pages;
    }

    static List<String> payloadFiles() {
        List<String> files = new ArrayList<>(List.of("./usr/bin/dkms-deb", "./usr/share/dkms-deb/dkms-deb.jar",
                "./usr/share/bash-completion/completions/dkms-deb", "./usr/share/doc/dkms-deb/copyright",
                "./usr/share/doc/dkms-deb/changelog.gz"));
        for (String page : manPages()) {
            files.add("./usr/share/man/man1/" + page + ".1.gz");
        }
        return files;
    }

    @Test
    void lintianFindsNothing() {
        Cmd.Result r = Cmd.run("lintian", "--pedantic", "--fail-on", "error,warning", "--display-info", deb.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).as(r.toString()).doesNotContainPattern("(?m)^[EW]: ");
    }

    @Test
    void controlFieldsAndFiles() {
        DebInfo info = DebInfo.of(deb);
        assertThat(info.fields()).containsEntry("Package", "dkms-deb").containsEntry("Architecture", "all")
                .containsEntry("Depends", "default-jre-headless (>= 2:1.17) | java17-runtime-headless, bubblewrap")
                .containsEntry("Section", "admin").containsKey("Installed-Size");
        assertThat(version).matches("[0-9][0-9.]*(~SNAPSHOT)?");
        assertThat(info.files().keySet().stream().filter(f -> !f.endsWith("/")).toList())
                .containsExactlyInAnyOrderElementsOf(payloadFiles());
        Cmd.Result c = Cmd.ok("dpkg-deb", "-c", deb.toString());
        assertThat(c.out()).containsPattern("-rwxr-xr-x root/root +[0-9]+ [-0-9: ]+\\./usr/bin/dkms-deb\n")
                .containsPattern("-rw-r--r-- root/root +[0-9]+ [-0-9: ]+\\./usr/share/dkms-deb/dkms-deb\\.jar\n");
        // the man pages are valid troff: man reports no warning for any of them (lintian runs the same check)
        Path x = work.resolve("x");
        Cmd.ok("dpkg-deb", "-x", deb.toString(), x.toString());
        for (String page : manPages()) {
            Cmd.Result m = Cmd.run(null, Map.of("LC_ALL", "C.UTF-8", "MANWIDTH", "80"), List.of("man", "--warnings", "-E", "UTF-8",
                    "-l", "-Tutf8", "-Z", x.resolve("usr/share/man/man1/" + page + ".1.gz").toString()));
            assertThat(m.exit()).as(page + "\n" + m).isZero();
            assertThat(m.err()).as(page).isEmpty();
        }
        // completion: the file is sourced, not run, and bash parses it
        Cmd.Result sh = Cmd.run("bash", "-n", x.resolve("usr/share/bash-completion/completions/dkms-deb").toString());
        assertThat(sh.exit()).as(sh.toString()).isZero();
        Cmd.Result check = Cmd.run("shellcheck", "-s", "bash", "-S", "error", x.resolve("usr/share/bash-completion/completions/dkms-deb").toString());
        assertThat(check.exit()).as(check.toString()).isZero();
    }

    @Test
    void copyrightStatesTheApacheLicence() throws IOException {
        Path x = work.resolve("doc");
        Cmd.ok("dpkg-deb", "-x", deb.toString(), x.toString());
        String copyright = Files.readString(x.resolve("usr/share/doc/dkms-deb/copyright"));
        assertThat(copyright).startsWith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n")
                .containsPattern("\nFiles: \\*\nCopyright: [^\n]+\nLicense: Apache-2\\.0\n")
                .contains("\nLicense: Apache-2.0\n Licensed under the Apache License, Version 2.0")
                .contains("/usr/share/common-licenses/Apache-2.0");
    }

    /** What dkms-deb's package puts on this machine, none of which a test may leave there. */
    static List<Path> machinePaths() {
        List<Path> paths = new ArrayList<>();
        for (String f : payloadFiles()) {
            paths.add(Path.of(f.substring(1)));
        }
        for (String dir : List.of("/usr/share/dkms-deb", "/usr/share/doc/dkms-deb", "/var/cache/dkms-deb")) {
            paths.add(Path.of(dir));
        }
        return paths;
    }

    /** dpkg -i in an {@link IsolatedRoot}: this machine's dpkg database and /usr are not touched. */
    @Test
    void installRunReadTheManPageCompleteAndRemove() throws IOException {
        assumeTrue(Cmd.isRoot(), "installs packages in a private mount namespace: needs root");
        IsolatedRoot.assertMachineHasNone(List.of("dkms-deb"), machinePaths());
        IsolatedRoot root = IsolatedRoot.in(work);
        Cmd.Result install = root.exec("dpkg", "-i", deb.toString());
        assertThat(install.exit()).as(install.toString()).isZero();

        // the launcher runs the installed jar, with the class-data archive that postinst made
        Cmd.Result v = root.ok("/usr/bin/dkms-deb", "--version");
        assertThat(v.out().strip()).isEqualTo("dkms-deb " + version);
        assertThat(root.run("[ -f /var/cache/dkms-deb/dkms-deb.jsa ]").exit()).as("/var/cache/dkms-deb/dkms-deb.jsa, a file").isZero();
        Cmd.Result cds = root.exec("java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:on",
                "-XX:SharedArchiveFile=/var/cache/dkms-deb/dkms-deb.jsa", "-jar", "/usr/share/dkms-deb/dkms-deb.jar", "--version");
        assertThat(cds.exit()).as("the archive fits this JVM and jar: " + cds).isZero();
        Path out = Files.createDirectories(work.resolve("out"));
        Cmd.Result source = root.exec("/usr/bin/dkms-deb", "source", Cmd.repo().resolve("debian-example/hello").toString(),
                "-o", out.toString());
        assertThat(source.exit()).as(source.toString()).isZero();
        assertThat(out.resolve("hello-dkms_1.0-1_all.deb")).isRegularFile();

        // man finds every page, and shows it
        for (String page : manPages()) {
            Cmd.Result w = root.exec("man", "-w", page);
            assertThat(w.exit()).as(w.toString()).isZero();
            assertThat(w.out().strip()).isEqualTo("/usr/share/man/man1/" + page + ".1.gz");
        }
        Cmd.Result man = root.run("MANPAGER=cat MANWIDTH=100 LC_ALL=C.UTF-8 man \"$1\" | head -40", "dkms-deb");
        assertThat(man.exit()).as(man.toString()).isZero();
        assertThat(man.out()).contains("DKMS-DEB(1)").contains("NAME").contains("dkms-deb - turn an out-of-tree Linux kernel module")
                .contains("SYNOPSIS").contains("COMMANDS").contains("bmdeb").contains("dkms-deb-bmdeb(1)");
        Cmd.Result bmdebMan = root.run("MANPAGER=cat MANWIDTH=100 LC_ALL=C.UTF-8 man \"$1\"", "dkms-deb-bmdeb");
        assertThat(bmdebMan.out()).contains("--all-kernels").contains("EXIT STATUS").contains("77");

        // bash completion: the file registers the function, which completes commands and options
        String completion = "/usr/share/bash-completion/completions/dkms-deb";
        Cmd.Result p = root.exec("bash", "-c", "source \"$1\" && complete -p dkms-deb", "bash", completion);
        assertThat(p.exit()).as(p.toString()).isZero();
        assertThat(p.out()).contains("-F _complete_dkms-deb").endsWith("dkms-deb\n");
        Cmd.Result words = root.exec("bash", "-c", "source \"$1\"\n"
                + "complete1() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE};"
                + " COMPREPLY=(); _complete_dkms-deb 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\"; }\n"
                + "complete1 dkms-deb b; echo --; complete1 dkms-deb bmdeb --all; echo --; complete1 dkms-deb sou", "bash", completion);
        assertThat(words.out()).isEqualTo("bmdeb\n--\n--all-kernels\n--\nsource\n");

        Cmd.Result remove = root.exec("dpkg", "-r", "dkms-deb");
        assertThat(remove.exit()).as(remove.toString()).isZero();
        // dpkg -r took every file away, and the class-data archive with them
        for (Path f : machinePaths()) {
            assertThat(root.exists(f.toString())).as(f.toString()).isFalse();
        }
        Cmd.Result status = root.exec("dpkg-query", "-W", "-f=${db:Status-Abbrev}", "dkms-deb");
        assertThat(status.out()).as(status.toString()).startsWith("rc"); // removed, only the purge step of postrm left
        root.ok("dpkg", "-P", "dkms-deb");
        assertThat(root.exec("dpkg-query", "-W", "-f=${db:Status-Abbrev}", "dkms-deb").out()).doesNotStartWith("rc").doesNotStartWith("ii");
        assertThat(root.run("command -v dkms-deb").out()).doesNotContain("/usr/bin/dkms-deb");

        IsolatedRoot.assertMachineHasNone(List.of("dkms-deb"), machinePaths());
    }
}

package io.dkmsdeb.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same module packaged the dh way ({@code dpkg-buildpackage} with dh-sequence-dkms on
 * debian-example/) and by {@code dkms-deb source}: same /usr/src files, same dkms.conf, same
 * key control fields, and maintainer scripts that make the same calls.
 */
@Tag("tools")
class DhRouteComparisonTest {
    @TempDir
    static Path work;
    static Path dhDeb;
    static Path ourDeb;

    @BeforeAll
    static void buildBoth() throws IOException {
        Path copy = work.resolve("src/debian-example");
        SourceCommandTest.copyTree(Cmd.repo().resolve("debian-example"), copy, false);
        Cmd.Result dh = Cmd.run(copy, Map.of(), List.of("dpkg-buildpackage", "-us", "-uc", "-b"));
        assertThat(dh.exit()).as(dh.toString()).isZero();
        dhDeb = work.resolve("src/hello-dkms_1.0-1_all.deb");
        Path out = Files.createDirectories(work.resolve("ours"));
        Cmd.Result ours = Cmd.dkmsDeb("source", Cmd.repo().resolve("debian-example/hello").toString(), "-o", out.toString());
        assertThat(ours.exit()).as(ours.toString()).isZero();
        ourDeb = out.resolve("hello-dkms_1.0-1_all.deb");
    }

    @Test
    void sameFilesUnderUsrSrcAndSameDkmsConf() throws IOException {
        assertThat(usrSrc(DebInfo.of(ourDeb))).isEqualTo(usrSrc(DebInfo.of(dhDeb))).isNotEmpty();
        Path a = extract(dhDeb, "dh");
        Path b = extract(ourDeb, "ours");
        assertThat(Files.readAllBytes(b.resolve("usr/src/hello-1.0/dkms.conf"))).isEqualTo(Files.readAllBytes(a.resolve("usr/src/hello-1.0/dkms.conf")));
        for (String f : List.of("hello.c", "Kbuild", "Makefile")) {
            assertThat(Files.readAllBytes(b.resolve("usr/src/hello-1.0/" + f))).as(f).isEqualTo(Files.readAllBytes(a.resolve("usr/src/hello-1.0/" + f)));
        }
    }

    @Test
    void sameControlFields() {
        Map<String, String> dh = DebInfo.of(dhDeb).fields();
        Map<String, String> ours = DebInfo.of(ourDeb).fields();
        for (String field : List.of("Package", "Version", "Architecture", "Section", "Depends", "Maintainer", "Installed-Size")) {
            assertThat(ours.get(field)).as(field).isEqualTo(dh.get(field)).isNotNull();
        }
    }

    /**
     * Runs each maintainer script of both packages with the same arguments where
     * /usr/lib/dkms/common.postinst and dkms are stand-ins that log their arguments, and
     * compares the logs (see {@link ScriptCalls}).
     */
    @Test
    void maintainerScriptsMakeTheSameCalls() throws IOException {
        Path dhControl = control(dhDeb, "dh-control");
        Path ourControl = control(ourDeb, "our-control");
        ScriptCalls scripts = new ScriptCalls(work);
        int callsSeen = scripts.assertSameCalls(dhControl, ourControl, "hello/1.0: added");
        assertThat(callsSeen).as("cases in which the scripts called something").isGreaterThanOrEqualTo(4);
        assertThat(scripts.calls(ourControl, List.of("postinst", "configure", "0.9-1"), ""))
                .isEqualTo("common.postinst 5 [hello] [1.0] [/usr/share/hello-dkms] [] [0.9-1]\n");
        assertThat(scripts.calls(ourControl, List.of("prerm", "remove"), "hello/1.0: added"))
                .isEqualTo("dkms [status] [-m] [hello] [-v] [1.0]\ndkms [remove] [-m] [hello] [-v] [1.0] [--all]\n");
    }

    private static Map<String, String> usrSrc(DebInfo info) {
        Map<String, String> files = new TreeMap<>(info.files());
        files.keySet().removeIf(k -> !k.startsWith("./usr/src/"));
        return files;
    }

    private static Path extract(Path deb, String name) {
        Path dir = work.resolve(name);
        Cmd.ok("dpkg-deb", "-x", deb.toString(), dir.toString());
        return dir;
    }

    private static Path control(Path deb, String name) {
        Path dir = work.resolve(name);
        Cmd.ok("dpkg-deb", "-e", deb.toString(), dir.toString());
        return dir;
    }
}

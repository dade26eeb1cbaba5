package io.dkmsdeb.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same module packaged the dh way ({@code dpkg-buildpackage} with dh-sequence-dkms on
 * debian-example/) and by {@code dkms-deb source}: same /usr/src files, same dkms.conf, same
 * key control fields, and maintainer scripts that make the same calls.
 */
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
     * Runs each maintainer script of both packages with the same arguments in a private mount
     * namespace where /usr/lib/dkms/common.postinst and dkms are stand-ins that log their
     * arguments, and compares the logs.
     */
    @Test
    void maintainerScriptsMakeTheSameCalls() throws IOException {
        Path dhControl = control(dhDeb, "dh-control");
        Path ourControl = control(ourDeb, "our-control");
        Path bin = Files.createDirectories(work.resolve("fakebin"));
        Path fakePostinst = bin.resolve("common.postinst");
        Files.writeString(fakePostinst, "#!/bin/sh\nprintf 'common.postinst %s' \"$#\" >> \"$CALLS\"; for a; do printf ' [%s]' \"$a\" >> \"$CALLS\"; done; echo >> \"$CALLS\"\n");
        Path fakeDkms = bin.resolve("dkms");
        Files.writeString(fakeDkms, "#!/bin/sh\nprintf 'dkms' >> \"$CALLS\"; for a; do printf ' [%s]' \"$a\" >> \"$CALLS\"; done; echo >> \"$CALLS\"\n"
                + "[ \"$1\" = status ] && [ -n \"$FAKE_STATUS\" ] && echo \"$FAKE_STATUS\"\nexit 0\n");
        Cmd.ok("chmod", "755", fakePostinst.toString(), fakeDkms.toString());

        List<List<String>> cases = List.of(
                List.of("postinst", "configure"), List.of("postinst", "configure", "0.9-1"), List.of("postinst", "abort-upgrade", "1.0-1"),
                List.of("postinst", "abort-remove"), List.of("prerm", "remove"), List.of("prerm", "upgrade", "1.1-1"),
                List.of("prerm", "deconfigure", "in-favour", "x", "1"), List.of("prerm", "failed-upgrade", "1.0-1"));
        int callsSeen = 0;
        for (String status : List.of("hello/1.0: added", "")) {
            for (List<String> c : cases) {
                String dh = calls(dhControl, c, bin, status);
                String ours = calls(ourControl, c, bin, status);
                assertThat(ours).as(c + " with dkms status '" + status + "'").isEqualTo(dh);
                callsSeen += dh.isEmpty() ? 0 : 1;
            }
        }
        assertThat(callsSeen).as("cases in which the scripts called something").isGreaterThanOrEqualTo(4);
        assertThat(calls(ourControl, List.of("postinst", "configure", "0.9-1"), bin, ""))
                .isEqualTo("common.postinst 5 [hello] [1.0] [/usr/share/hello-dkms] [] [0.9-1]\n");
        assertThat(calls(ourControl, List.of("prerm", "remove"), bin, "hello/1.0: added"))
                .isEqualTo("dkms [status] [-m] [hello] [-v] [1.0]\ndkms [remove] [-m] [hello] [-v] [1.0] [--all]\n");
    }

    private String calls(Path controlDir, List<String> invocation, Path bin, String status) throws IOException {
        Path log = work.resolve("calls.log");
        Files.deleteIfExists(log);
        Files.createFile(log);
        String script = controlDir.resolve(invocation.get(0)).toString();
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--", "sh", "-c",
                "mount --bind \"$0\" /usr/lib/dkms/common.postinst && exec sh \"$@\"", bin.resolve("common.postinst").toString(), script));
        cmd.addAll(invocation.subList(1, invocation.size()));
        Map<String, String> env = new TreeMap<>(Map.of("CALLS", log.toString(), "FAKE_STATUS", status,
                "PATH", bin + ":/usr/sbin:/usr/bin:/sbin:/bin"));
        Cmd.Result r = Cmd.run(work, env, cmd);
        assertThat(r.exit()).as(invocation + "\n" + r).isZero();
        return Files.readString(log);
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

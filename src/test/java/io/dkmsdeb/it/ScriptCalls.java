package io.dkmsdeb.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs maintainer scripts with stand-ins for {@code /usr/lib/dkms/common.postinst} and {@code dkms}
 * that log their arguments, so that two packages' scripts can be compared by the calls they make.
 * Each script runs in a private mount namespace where the stand-in is bind-mounted over
 * common.postinst; {@code dkms} is found first on PATH. The stand-in dkms prints the given
 * status line for {@code dkms status}, as if dkms knew the module. {@code dpkg-maintscript-helper} is a
 * stand-in that logs too, and /var/lib is an empty tmpfs for what a package's own scripts write there.
 */
final class ScriptCalls {
    /** The maintainer scripts dpkg runs, with the arguments it passes in the cases that matter here. */
    static final List<List<String>> CASES = List.of(
            List.of("postinst", "configure"), List.of("postinst", "configure", "0.9-1"), List.of("postinst", "abort-upgrade", "1.0-1"),
            List.of("postinst", "abort-remove"), List.of("prerm", "remove"), List.of("prerm", "upgrade", "1.1-1"),
            List.of("prerm", "deconfigure", "in-favour", "x", "1"), List.of("prerm", "failed-upgrade", "1.0-1"),
            List.of("postrm", "remove"), List.of("postrm", "purge"), List.of("postrm", "upgrade", "1.1-1"),
            List.of("preinst", "install"), List.of("preinst", "upgrade", "0.9-1"));

    private final Path work;
    private final Path bin;

    /** Writes the stand-ins into {@code work/fakebin}. */
    ScriptCalls(Path work) throws IOException {
        this.work = work;
        this.bin = Files.createDirectories(work.resolve("fakebin"));
        Path fakePostinst = bin.resolve("common.postinst");
        Files.writeString(fakePostinst, "#!/bin/sh\nprintf 'common.postinst %s' \"$#\" >> \"$CALLS\"; for a; do printf ' [%s]' \"$a\" >> \"$CALLS\"; done; echo >> \"$CALLS\"\n");
        Path fakeDkms = bin.resolve("dkms");
        Files.writeString(fakeDkms, "#!/bin/sh\nprintf 'dkms' >> \"$CALLS\"; for a; do printf ' [%s]' \"$a\" >> \"$CALLS\"; done; echo >> \"$CALLS\"\n"
                + "[ \"$1\" = status ] && [ -n \"$FAKE_STATUS\" ] && echo \"$FAKE_STATUS\"\nexit 0\n");
        Path fakeHelper = bin.resolve("dpkg-maintscript-helper");
        Files.writeString(fakeHelper, "#!/bin/sh\nprintf 'dpkg-maintscript-helper' >> \"$CALLS\"; for a; do printf ' [%s]' \"$a\" >> \"$CALLS\"; done; echo >> \"$CALLS\"\n");
        Cmd.ok("chmod", "755", fakePostinst.toString(), fakeDkms.toString(), fakeHelper.toString());
    }

    /**
     * Runs every case of {@link #CASES} whose script exists, with dkms knowing the module (the
     * given status line) and not knowing it, on both control directories, and asserts equal logs.
     * Returns how many runs of {@code expected}'s scripts called something.
     */
    int assertSameCalls(Path expected, Path actual, String knownStatus) throws IOException {
        int callsSeen = 0;
        for (String status : List.of(knownStatus, "")) {
            for (List<String> c : CASES) {
                if (!Files.exists(expected.resolve(c.get(0)))) {
                    continue;
                }
                String want = calls(expected, c, status);
                String got = calls(actual, c, status);
                assertThat(got).as(c + " with dkms status '" + status + "'").isEqualTo(want);
                callsSeen += want.isEmpty() ? 0 : 1;
            }
        }
        return callsSeen;
    }

    /** The calls one script makes when run as {@code invocation} (script name, then its arguments). */
    String calls(Path controlDir, List<String> invocation, String status) throws IOException {
        Path log = work.resolve("calls.log");
        Files.deleteIfExists(log);
        Files.createFile(log);
        String script = controlDir.resolve(invocation.get(0)).toString();
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--", "sh", "-c",
                // /var/lib is a tmpfs: a package's own scripts may keep state there
                "mount --bind \"$0\" /usr/lib/dkms/common.postinst && mount -t tmpfs none /var/lib && exec sh \"$@\"", bin.resolve("common.postinst").toString(), script));
        cmd.addAll(invocation.subList(1, invocation.size()));
        Map<String, String> env = new TreeMap<>(Map.of("CALLS", log.toString(), "FAKE_STATUS", status,
                "PATH", bin + ":/usr/sbin:/usr/bin:/sbin:/bin"));
        Cmd.Result r = Cmd.run(work, env, cmd);
        assertThat(r.exit()).as(invocation + "\n" + r).isZero();
        return Files.readString(log);
    }
}

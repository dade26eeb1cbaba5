package io.dkmsdeb.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Helpers for tests that run dkms-deb as an unprivileged user. */
final class SourceErrorsTestSupport {
    private SourceErrorsTestSupport() {
    }

    /** A copy of the test class path under {@code work} that any user can read. */
    static String readableClassPath(Path work) throws IOException {
        Path cp = Files.createDirectories(work.resolve("cp"));
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path target = cp.resolve(i++ + "-" + Path.of(e).getFileName());
            Cmd.ok("cp", "-r", e, target.toString());
            entries.add(target.toString());
        }
        Cmd.ok("chmod", "-R", "a+rX", cp.toString());
        Cmd.ok("chmod", "a+rx", work.toString());
        return String.join(File.pathSeparator, entries);
    }
}

package io.dkmsdeb.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A real apt client with its own state: sources, lists, cache and an empty dpkg status below one
 * directory, so that it neither reads nor changes the machine's apt. It trusts one repository
 * through {@code signed-by} and never retries a failed download (a retry would hide a fault).
 */
final class AptClient {
    private final Path dir;

    /** A client of {@code url}'s {@code suite}/{@code main}, trusting the key file {@code key} (copied, as a client keeps it). */
    AptClient(Path dir, String url, String suite, Path key) throws IOException {
        this.dir = dir;
        for (String d : List.of("lists/partial", "cache/archives/partial", "parts", "prefs")) {
            Files.createDirectories(dir.resolve(d));
        }
        Files.writeString(dir.resolve("status"), "");
        Files.copy(key, dir.resolve("key.gpg"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("sources.list"), "deb [signed-by=" + dir.resolve("key.gpg") + "] " + url + " " + suite + " main\n");
    }

    private List<String> options() {
        return List.of("-o", "Dir::Etc::SourceList=" + dir.resolve("sources.list"), "-o", "Dir::Etc::SourceParts=" + dir.resolve("parts"),
                "-o", "Dir::Etc::Preferences=" + dir.resolve("prefs/none"), "-o", "Dir::Etc::PreferencesParts=" + dir.resolve("prefs"),
                "-o", "Dir::State::Lists=" + dir.resolve("lists"), "-o", "Dir::Cache=" + dir.resolve("cache"),
                "-o", "Dir::State::status=" + dir.resolve("status"), "-o", "Debug::NoLocking=1", "-o", "APT::Sandbox::User=root",
                "-o", "Acquire::Languages=none", "-o", "Acquire::Retries=0", "-o", "Acquire::http::Proxy=false");
    }

    /** {@code apt-get update}. */
    Cmd.Result update() {
        List<String> cmd = new ArrayList<>(List.of("apt-get", "-q"));
        cmd.addAll(options());
        cmd.add("update");
        return Cmd.run(null, java.util.Map.of("LC_ALL", "C"), cmd);
    }

    /** Whether an update went through cleanly: exit 0 and no error, warning or failed fetch in what apt said. */
    static boolean clean(Cmd.Result update) {
        return update.exit() == 0 && update.all().lines().noneMatch(l -> l.startsWith("Err:") || l.startsWith("E:") || l.startsWith("W:"));
    }

    /** The package names apt knows from the lists of its last update. */
    List<String> packageNames() {
        List<String> cmd = new ArrayList<>(List.of("apt-cache"));
        cmd.addAll(options());
        cmd.add("pkgnames");
        Cmd.Result r = Cmd.run(null, null, cmd);
        if (r.exit() != 0) {
            throw new UncheckedIOException(new IOException("apt-cache pkgnames: " + r));
        }
        return Arrays.stream(r.out().split("\n")).filter(s -> !s.isBlank()).sorted().toList();
    }
}

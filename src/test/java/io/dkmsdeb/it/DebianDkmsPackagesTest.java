package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Module trees nobody here wrote: Debian's own *-dkms packages are downloaded (apt-get download,
 * nothing installed), the tree under usr/src/ is repackaged with {@code source}, and the result
 * must have the same /usr/src file list and dkms.conf as Debian's package, and pass lintian.
 */
@Tag("tools")
@Tag("network")
class DebianDkmsPackagesTest {
    /** Downloaded packages are kept here between runs. */
    static final Path CACHE = Cmd.repo().resolve("target/debian-dkms");

    @TempDir
    Path work;

    static Path download(String pkg) throws IOException {
        Files.createDirectories(CACHE);
        try (Stream<Path> s = Files.list(CACHE)) {
            var found = s.filter(p -> p.getFileName().toString().startsWith(pkg + "_") && p.toString().endsWith(".deb")).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
        }
        Cmd.Result r = Cmd.run(CACHE, Map.of(), List.of("apt-get", "download", pkg));
        assertThat(r.exit()).as("apt-get download " + pkg + " (run apt-get update first)\n" + r).isZero();
        try (Stream<Path> s = Files.list(CACHE)) {
            return s.filter(p -> p.getFileName().toString().startsWith(pkg + "_")).findFirst().orElseThrow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vpoll-dkms", "dpdk-kmods-dkms", "ddcci-dkms", "xtrx-dkms", "acpi-call-dkms", "tp-smapi-dkms", "lime-forensics-dkms"})
    void repackagedTreeMatchesDebiansPackage(String pkg) throws IOException {
        Path debianDeb = download(pkg);
        Path extracted = work.resolve("debian");
        Cmd.ok("dpkg-deb", "-x", debianDeb.toString(), extracted.toString());
        Path tree;
        try (Stream<Path> s = Files.list(extracted.resolve("usr/src"))) {
            List<Path> trees = s.toList();
            assertThat(trees).as("one module tree in " + pkg).hasSize(1);
            tree = trees.get(0);
        }
        Path out = Files.createDirectories(work.resolve("out"));
        Cmd.Result r = Cmd.dkmsDeb("source", tree.toString(), "-o", out.toString(), "--maintainer", "Test <test@example.org>", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        Path ours;
        try (Stream<Path> s = Files.list(out)) {
            ours = s.filter(p -> p.toString().endsWith(".deb")).findFirst().orElseThrow();
        }

        Map<String, String> theirs = usrSrc(DebInfo.of(debianDeb));
        Map<String, String> mine = usrSrc(DebInfo.of(ours));
        assertThat(mine).as("/usr/src of " + pkg).isEqualTo(theirs);

        Path ourFiles = work.resolve("ours");
        Cmd.ok("dpkg-deb", "-x", ours.toString(), ourFiles.toString());
        String rel = extracted.relativize(tree).toString();
        assertThat(Files.readAllBytes(ourFiles.resolve(rel).resolve("dkms.conf")))
                .as("dkms.conf of " + pkg).isEqualTo(Files.readAllBytes(tree.resolve("dkms.conf")));

        Cmd.Result lintian = Cmd.run("lintian", "--pedantic", "--fail-on", "error,warning", ours.toString());
        assertThat(lintian.exit()).as(lintian.toString()).isZero();
    }

    private static Map<String, String> usrSrc(DebInfo info) {
        Map<String, String> files = new TreeMap<>(info.files());
        files.keySet().removeIf(k -> !k.startsWith("./usr/src/"));
        return files;
    }
}

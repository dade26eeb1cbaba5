package io.dkmsdeb.it;

import io.dkmsdeb.support.Json;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bmdeb --kernels-from-archive}: the example over three kernel ABIs of the archive that are
 * not installed here (headers fetched, nothing installed), then again: an unchanged input builds
 * nothing, a changed source file rebuilds exactly the packages it goes into.
 */
@Tag("kernel")
@Tag("tools")
@Tag("network")
class FleetBuildTest {
    @TempDir
    Path work;

    /** The three newest 6.1 amd64 ABIs of the archive without headers here. */
    @SuppressWarnings("unchecked")
    static List<String> notInstalled(int n) throws Exception {
        Cmd.Result r = Cmd.dkmsDeb("kernels", "--json", "6.1", "amd64");
        assertThat(r.exit()).as(r.toString()).isZero();
        List<String> releases = new ArrayList<>();
        for (Object o : (List<Object>) ((Map<String, Object>) Json.read(r.out())).get("kernels")) {
            String release = (String) ((Map<String, Object>) o).get("release");
            if (!Files.exists(Path.of("/lib/modules", release, "build"))) {
                releases.add(release);
            }
        }
        assertThat(releases).as("at least " + n + " 6.1 amd64 ABIs in the archive without headers here (apt-get update)").hasSizeGreaterThanOrEqualTo(n);
        return releases.subList(releases.size() - n, releases.size());
    }

    private Map<String, Map<String, Object>> bmdeb(Path tree, List<String> kernels, Path out, Map<String, String> env) throws Exception {
        Cmd.Result r = Cmd.dkmsDeb(null, env, "bmdeb", tree.toString(), "--kernels-from-archive", String.join(",", kernels), "--no-sign",
                "-o", out.toString(), "--log-dir", work.resolve("logs").toString(), "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        Map<String, Map<String, Object>> byKernel = new LinkedHashMap<>();
        for (Object o : (List<?>) ((Map<?, ?>) Json.read(r.out())).get("kernels")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> k = (Map<String, Object>) o;
            byKernel.put((String) k.get("kernel"), k);
        }
        assertThat(byKernel.keySet()).containsExactlyInAnyOrderElementsOf(kernels);
        return byKernel;
    }

    private static List<Path> logs(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void threeArchiveKernelsThenOnlyWhatIsNew() throws Exception {
        List<String> kernels = notInstalled(3);
        // the example with its debian/ (the Maintainer comes from debian/control)
        Cmd.ok("cp", "-a", Path.of(HelloModules.example()).getParent().toString(), work.resolve("example").toString());
        Path tree = work.resolve("example/hello");
        Path out = Files.createDirectories(work.resolve("out"));
        Map<String, String> env = Map.of("XDG_CACHE_HOME", work.resolve("cache").toString(), "SOURCE_DATE_EPOCH", HelloModules.EPOCH);

        Map<String, Map<String, Object>> first = bmdeb(tree, kernels, out, env);
        for (String k : kernels) {
            assertThat(first.get(k).get("result")).as(k).isEqualTo("built");
            Path deb = Path.of((String) first.get(k).get("file"));
            assertThat(deb.getFileName().toString()).isEqualTo("hello-modules-" + k + "_1.0_amd64.deb");
            Path x = work.resolve("x-" + k);
            Cmd.ok("dpkg-deb", "-x", deb.toString(), x.toString());
            Path ko = x.resolve("lib/modules/" + k + "/updates/dkms/hello.ko");
            assertThat(Cmd.ok("modinfo", "-F", "vermagic", ko.toString()).out()).startsWith(k + " ");
            assertThat(Cmd.ok("dpkg-deb", "-f", deb.toString(), "Dkms-Deb-Inputs").out()).matches("sha256:[0-9a-f]{64}\\s*");
        }
        Map<Path, FileTime> written = new LinkedHashMap<>();
        for (String k : kernels) {
            Path deb = Path.of((String) first.get(k).get("file"));
            written.put(deb, Files.getLastModifiedTime(deb));
        }
        List<Path> logsAfterFirst = logs(work.resolve("logs"));

        // nothing changed: nothing compiled, no package written again, no build log
        Map<String, Map<String, Object>> second = bmdeb(tree, kernels, out, env);
        for (String k : kernels) {
            assertThat(second.get(k).get("result")).as(k).isEqualTo("up-to-date");
            assertThat(second.get(k).get("file")).isEqualTo(first.get(k).get("file"));
        }
        for (var e : written.entrySet()) {
            assertThat(Files.getLastModifiedTime(e.getKey())).isEqualTo(e.getValue());
        }
        assertThat(logs(work.resolve("logs"))).isEqualTo(logsAfterFirst);

        // one source file changed: every kernel's package is built again
        Files.writeString(tree.resolve("hello.c"), "\n/* changed */\n", StandardOpenOption.APPEND);
        Map<String, Map<String, Object>> third = bmdeb(tree, kernels, out, env);
        for (String k : kernels) {
            assertThat(third.get(k).get("result")).as(k).isEqualTo("built");
        }

        // and then unchanged again: none
        Map<String, Map<String, Object>> fourth = bmdeb(tree, kernels, out, env);
        assertThat(fourth.values()).allSatisfy(k -> assertThat(k.get("result")).isEqualTo("up-to-date"));

        // the archive's headers of one kernel change (a listing where its headers package has another version):
        // exactly that kernel is built again
        Cmd.Result listing = Cmd.dkmsDeb("kernels", "--json", String.join(",", kernels));
        String changed = kernels.get(1);
        String edited = listing.out().replaceFirst("(\"release\":\"" + java.util.regex.Pattern.quote(changed)
                + "\"[^}]*\"headersVersion\":\")([^\"]+)\"", "$1$2+rebuilt\"");
        assertThat(edited).isNotEqualTo(listing.out());
        Path listFile = work.resolve("kernels.json");
        Files.writeString(listFile, edited);
        Cmd.Result one = Cmd.dkmsDeb(null, env, "bmdeb", tree.toString(), "--kernels-from-archive", "--kernel-list", listFile.toString(),
                "--no-sign", "-o", out.toString(), "--log-dir", work.resolve("logs").toString(), "--json");
        assertThat(one.exit()).as(one.toString()).isZero();
        for (Object o : (List<?>) ((Map<?, ?>) Json.read(one.out())).get("kernels")) {
            Map<?, ?> k = (Map<?, ?>) o;
            assertThat(k.get("result")).as((String) k.get("kernel")).isEqualTo(k.get("kernel").equals(changed) ? "built" : "up-to-date");
        }
    }
}

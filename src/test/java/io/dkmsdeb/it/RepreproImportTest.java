package io.dkmsdeb.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packages of a dkms-deb repository (the -dkms, -modules-KVER and meta-packages) import into
 * reprepro with {@code includedeb}, without a warning, into the same pool paths.
 */
@Tag("tools")
@Tag("kernel")
class RepreproImportTest {
    @TempDir
    static Path tmp;
    private static RepoFixtures.Key key;

    @BeforeAll
    static void setUp() throws Exception {
        key = RepoFixtures.Key.create(tmp);
    }

    @AfterAll
    static void tearDown() {
        key.close();
    }

    @Test
    void everyPackageImportsIntoReprepro() throws Exception {
        Path dkms = RepoFixtures.helloDkms(Files.createDirectories(tmp.resolve("dkms")), HelloModules.EPOCH);
        Path listing = RepoFixtures.listing(tmp.resolve("listing.json"), "linux-image-amd64", "2", Kernels.newest612());
        Path repo = tmp.resolve("dkms-deb-repo");
        Cmd.Result made = RepoFixtures.repo(key, repo, List.of(dkms, HelloModules.deb(Kernels.newest61()), HelloModules.deb(Kernels.newest612())),
                "--suite", "bookworm", "--kernel-list", listing.toString());
        assertThat(made.exit()).as(made.toString()).isZero();
        List<Map<String, String>> stanzas = RepoFixtures.stanzas(repo.resolve("dists/bookworm/main/binary-amd64/Packages"));
        assertThat(stanzas).extracting(s -> s.get("Package")).contains("hello-modules-amd64");

        Path reprepro = Files.createDirectories(tmp.resolve("reprepro/conf"));
        Files.writeString(reprepro.resolve("distributions"), "Codename: bookworm\nArchitectures: amd64\nComponents: main\n", StandardCharsets.UTF_8);
        List<String> imported = new ArrayList<>();
        for (Map<String, String> s : stanzas) {
            Cmd.Result r = Cmd.run("reprepro", "-b", reprepro.getParent().toString(), "includedeb", "bookworm", repo.resolve(s.get("Filename")).toString());
            assertThat(r.exit()).as(s.get("Package") + ": " + r).isZero();
            assertThat(r.err()).as(s.get("Package") + ": " + r).isEmpty();
            assertThat(r.out().toLowerCase()).as(s.get("Package") + ": " + r).doesNotContain("warning", "error");
            // reprepro puts it where dkms-deb did
            assertThat(reprepro.getParent().resolve(s.get("Filename"))).isRegularFile();
            imported.add(s.get("Package"));
        }
        assertThat(imported).contains("hello-dkms", "hello-modules-" + Kernels.newest61(), "hello-modules-" + Kernels.newest612(), "hello-modules-amd64");
        String list = Cmd.ok("reprepro", "-b", reprepro.getParent().toString(), "list", "bookworm").out();
        assertThat(list).contains("hello-modules-amd64 " + stanzas.stream().filter(s -> s.get("Package").equals("hello-modules-amd64"))
                .findFirst().orElseThrow().get("Version"));
    }
}

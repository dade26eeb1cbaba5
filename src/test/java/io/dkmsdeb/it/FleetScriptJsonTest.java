package io.dkmsdeb.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ci/build-fleet.sh and ci/build-modules.sh read dkms-deb's JSON by key with jq, not as text: here a stand-in dkms-deb
 * prints bmdeb's golden report (src/test/resources/json-goldens/bmdeb.json: one kernel built, one failed) with its keys
 * sorted and spread over lines, and the scripts still count the kernels and pass on the package built. Without jq they
 * stop at once, saying so. No kernel is built: this takes a second.
 */
@Tag("tools")
class FleetScriptJsonTest {
    static final Path GOLDEN = Cmd.repo().resolve("src/test/resources/json-goldens/bmdeb.json");
    static final String DEB = "out/hello-modules-6.1.0-57-amd64_1.0_amd64.deb";

    @TempDir
    Path work;
    Path dkmsDeb;

    /**
     * A dkms-deb that logs its arguments to calls.log and prints: for bmdeb, the golden report re-ordered by jq -S (and
     * with only its first kernel and exit 0 when ONE_KERNEL is set), with the report's exit code; for kernels, an empty
     * listing; for repo, an empty object.
     */
    @BeforeEach
    void standIn() throws IOException {
        dkmsDeb = work.resolve("dkms-deb");
        Files.writeString(dkmsDeb, "#!/bin/sh\n"
                + "echo \"$*\" >> '" + work.resolve("calls.log") + "'\n"
                + "case \"$1\" in\n"
                + "  kernels) echo '{\"kernels\":[],\"metas\":[]}' ;;\n"
                + "  bmdeb) if [ -n \"${ONE_KERNEL:-}\" ]; then jq -S '.kernels |= .[:1] | .exitCode = 0' '" + GOLDEN + "'; exit 0; fi\n"
                + "         jq -S . '" + GOLDEN + "'; exit \"$(jq .exitCode '" + GOLDEN + "')\" ;;\n"
                + "  repo) echo '{}' ;;\n"
                + "  inspect) ;;\n"
                + "esac\n");
        Files.setPosixFilePermissions(dkmsDeb, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Cmd.Result run(String script, Map<String, String> env, String... args) {
        Map<String, String> e = new HashMap<>(Map.of("DKMS_DEB", dkmsDeb.toString(), "KERNEL_FILTER", "amd64", "OUT_DIR", "out"));
        e.putAll(env);
        List<String> cmd = new ArrayList<>(List.of(Cmd.repo().resolve(script).toString()));
        cmd.addAll(List.of(args));
        return Cmd.run(work, e, cmd);
    }

    private List<String> calls() throws IOException {
        return Files.readAllLines(work.resolve("calls.log"));
    }

    @Test
    void theFleetScriptCountsTheKernelsAndPublishesThePackageBuiltWhateverTheKeyOrder() throws IOException {
        // the stand-in's output really is in another order than dkms-deb's, over several lines
        assertThat(Cmd.ok("jq", "-S", ".", GOLDEN.toString()).out()).startsWith("{\n  \"certPackage\"");
        Cmd.Result r = run("ci/build-fleet.sh", Map.of(), "src");
        assertThat(r.exit()).as(r.toString()).isEqualTo(5);
        assertThat(r.out()).contains("build-fleet: 1 built, 0 up to date, 0 skipped (BUILD_EXCLUSIVE_*), 1 failed");
        assertThat(calls()).filteredOn(c -> c.startsWith("repo ")).containsExactly("repo repo " + DEB + " --kernel-list out/kernels.json --json");
        assertThat(r.err()).contains("bmdeb failed for 1 kernel(s) with exit code 5");
    }

    @Test
    void theModulesScriptInspectsThePackageItsSummaryNames() throws IOException {
        Cmd.Result r = run("ci/build-modules.sh", Map.of("ONE_KERNEL", "1"), "6.1.0-57-amd64", "src");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(calls()).filteredOn(c -> c.startsWith("inspect ")).containsExactly("inspect " + DEB);
        assertThat(r.err()).contains("build-modules: built " + DEB);
        assertThat(work.resolve("out/bmdeb-6.1.0-57-amd64.json")).content().startsWith("{\n  \"certPackage\"");
    }

    @Test
    void outputThatIsNoBmdebReportIsNoSummary() throws IOException {
        Files.writeString(dkmsDeb, "#!/bin/sh\necho '{\"command\":\"repo\",\"result\":\"built\"}'\nexit 0\n");
        Cmd.Result fleet = run("ci/build-fleet.sh", Map.of(), "src");
        assertThat(fleet.exit()).as(fleet.toString()).isEqualTo(1);
        assertThat(fleet.err()).contains("dkms-deb bmdeb printed no summary (exit 0)");
        Files.writeString(dkmsDeb, "#!/bin/sh\nexit 3\n");
        Cmd.Result one = run("ci/build-modules.sh", Map.of(), "6.1.0-57-amd64", "src");
        assertThat(one.exit()).as(one.toString()).isEqualTo(3);
        assertThat(work.resolve("out/bmdeb-6.1.0-57-amd64.json")).content()
                .isEqualTo("{\"command\":\"bmdeb\",\"module\":null,\"moduleVersion\":null,\"kernels\":[{\"kernel\":\"6.1.0-57-amd64\","
                        + "\"result\":\"failed\",\"exitCode\":3,\"package\":null,\"file\":null,\"seconds\":0,"
                        + "\"message\":\"dkms-deb printed no summary (exit 3); see the error above\"}],\"exitCode\":3,\"source\":\"src\"}\n");
    }

    @Test
    void withoutJqTheScriptsStopWithExit2AndSaySo() throws IOException {
        // a PATH without jq: the scripts need only shell builtins until they look for it
        Path empty = Files.createDirectories(work.resolve("empty-path"));
        for (List<String> args : List.of(List.of("ci/build-fleet.sh", "src"), List.of("ci/build-modules.sh", "6.1.0-57-amd64", "src"))) {
            String script = args.get(0);
            List<String> cmd = new ArrayList<>(List.of("/bin/sh", Cmd.repo().resolve(script).toString()));
            cmd.addAll(args.subList(1, args.size()));
            Cmd.Result r = Cmd.run(work, Map.of("PATH", empty.toString(), "DKMS_DEB", dkmsDeb.toString()), cmd);
            assertThat(r.exit()).as(script + "\n" + r).isEqualTo(2);
            assertThat(r.err()).as(script).contains("jq is required").contains("apt-get install jq");
        }
        assertThat(work.resolve("out")).doesNotExist();
    }

    /**
     * GitLab keeps a job's cache as a zip, which stores a file with several names (the header files the kernels share) once
     * per name. With HEADERS_ARCHIVE, ci/fleet-build.sh carries the header cache as one tar instead: read before the build,
     * written back after it with the links kept, and the unpacked cache removed so that only the tar goes into GitLab's zip.
     */
    @Test
    void theHeaderCacheTravelsBetweenRunsAsOneTarThatKeepsItsHardLinks() throws IOException {
        Path headers = work.resolve("cache/dkms-deb/headers");
        byte[] shared = new byte[1 << 20];
        new java.util.Random(1).nextBytes(shared);
        Path object = Files.createDirectories(headers.resolve(".objects/ab")).resolve("ab01-rw-r--r--");
        Files.write(object, shared);
        for (String k : List.of("6.1.0-57-amd64", "6.1.0-57-cloud-amd64")) {
            Path f = Files.createDirectories(headers.resolve(k + "/usr/src/linux-headers-" + k)).resolve("Module.symvers");
            Files.createLink(f, object);
            Files.writeString(headers.resolve(k + "/.complete"), "");
        }
        Files.createDirectories(headers.resolve(".tmp-6.1.0-58-amd64-999999"));
        Files.writeString(headers.resolve("6.1.0-57-amd64.lock"), "");
        Path symvers = headers.resolve("6.1.0-57-amd64/usr/src/linux-headers-6.1.0-57-amd64/Module.symvers");
        // the stand-in bmdeb notes how many names the shared file has while it builds
        Files.writeString(dkmsDeb, Files.readString(dkmsDeb).replace("  bmdeb)", "  bmdeb) stat -c 'links %h' '" + symvers
                + "' >> '" + work.resolve("calls.log") + "' 2>&1\n        "));
        Path archive = work.resolve("ci-cache/dkms-deb-headers.tar");
        Files.writeString(Files.createDirectories(work.resolve("out")).resolve("kernels.json"), "{\"kernels\":[],\"metas\":[]}\n");
        Map<String, String> env = Map.of("XDG_CACHE_HOME", work.resolve("cache").toString(), "HEADERS_ARCHIVE", archive.toString(),
                "ONE_KERNEL", "1");

        Cmd.Result first = run("ci/fleet-build.sh", env, "1/2", "src");
        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(headers).as("only the tar is left for the CI cache").doesNotExist();
        assertThat(archive).isRegularFile();
        assertThat(Files.size(archive)).as("the shared file is stored once").isBetween((long) shared.length, 3L * shared.length / 2);
        String listing = Cmd.ok("tar", "-tvf", archive.toString()).out();
        assertThat(listing).contains("link to").doesNotContain(".tmp-").doesNotContain(".lock");

        // the next run on a fresh runner: only the tar came back
        Cmd.Result second = run("ci/fleet-build.sh", env, "1/2", "src");
        assertThat(second.exit()).as(second.toString()).isZero();
        assertThat(calls()).as("the first build saw the cache as it was made, the second the one read back from the tar, links and all")
                .filteredOn(c -> c.startsWith("links ")).containsExactly("links 3", "links 3");
        assertThat(second.err()).contains("fleet-build: header cache read from " + archive);
        assertThat(Files.size(archive)).isBetween((long) shared.length, 3L * shared.length / 2);
    }
}

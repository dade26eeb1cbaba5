package io.dkmsdeb.cli;

import io.dkmsdeb.pipeline.bmdeb.BmdebResult;
import io.dkmsdeb.pipeline.bmdeb.KernelResult;
import io.dkmsdeb.pipeline.bmdeb.KernelOutcome;
import io.dkmsdeb.cli.json.BmdebReport;
import io.dkmsdeb.cli.json.InspectReport;
import io.dkmsdeb.cli.json.KernelsReport;
import io.dkmsdeb.cli.json.RepoReport;
import io.dkmsdeb.cli.json.SourceReport;
import io.dkmsdeb.cli.json.VerifyRepoReport;
import io.dkmsdeb.model.kernel.KernelListing;
import io.dkmsdeb.support.Json;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@code --json} output of each command is an interface with users' scripts: each report record, with fixed
 * values, is written and compared byte for byte with its golden file in src/test/resources/json-goldens/, so that
 * a key renamed, moved or dropped fails here. After an intended change (tell the users: their scripts read these
 * keys), rewrite the files with {@code mvn -B test -Dtest=JsonReportGoldensTest -Dgolden.update=true} and review the diff.
 */
@Tag("unit")
class JsonReportGoldensTest {
    static final Path GOLDEN = Path.of("src/test/resources/json-goldens");
    static final boolean UPDATE = Boolean.getBoolean("golden.update");

    static final String K61 = "6.1.0-57-amd64";
    static final String K612 = "6.12.117+deb12-amd64";

    /** Each command with --json and its report, with values of a real run. */
    static Map<String, Object> reports() {
        Map<String, Object> r = new TreeMap<>();
        Map<String, Double> phases = new LinkedHashMap<>();
        phases.put("prepare", 0.02);
        phases.put("copy", 0.01);
        phases.put("make", 3.41);
        phases.put("modules", 0.12);
        phases.put("package", 0.05);
        r.put("bmdeb", new BmdebReport("hello", "1.0", List.of(
                new BmdebReport.Kernel(K61, "built", 0, "hello-modules-" + K61, "out/hello-modules-" + K61 + "_1.0_amd64.deb", 3.62,
                        phases, null),
                new BmdebReport.Kernel(K612, "failed", 4, null, null, 0.01, Map.of(), "no kernel headers for " + K612
                        + " at /lib/modules/" + K612 + "/build; install them with 'apt-get install linux-headers-" + K612 + "'")),
                "out/hello-modules-cert_1.0_all.deb", "xz-utils 5.4.1", "3.0.10", true, 5, 3.71));
        r.put("source", new SourceReport("hello", "1.0", false, List.of(
                new SourceReport.Package("out/hello-dkms_1.0-1_all.deb", "hello-dkms", "1.0-1", "all", 3572)), "xz-utils 5.4.1", "3.0.10", 0.397));
        r.put("kernels", new KernelsReport("bookworm", List.of(
                new KernelsReport.Kernel(K61, "6.1", "amd64", "amd64", "linux-headers-" + K61, "6.1.176-1", null),
                new KernelsReport.Kernel(K612, "6.12", "amd64", "amd64", "linux-headers-" + K612, "6.12.117-1~deb12u1", null)),
                List.of(new KernelsReport.Meta("linux-image-amd64", "amd64", "6.1.176-1", K61),
                        new KernelsReport.Meta("linux-image-6.12-amd64", "6.12-amd64", "6.12.117-1~deb12u1", K612)), null));
        r.put("repo", new RepoReport("/srv/apt", "bookworm", "main", List.of("pool/main/h/hello-dkms-bin/hello-modules-" + K61 + "_1.0_amd64.deb"),
                List.of("pool/main/h/hello-dkms-bin/hello-modules-cert_1.0_all.deb"), List.of("hello-modules-amd64"), List.of(),
                List.of("dists/bookworm/main/binary-amd64/Packages", "dists/bookworm/main/binary-amd64/Packages.xz", "dists/bookworm/Release",
                        "dists/bookworm/InRelease", "dists/bookworm/Release.gpg"), true, false, 0.27));
        r.put("verify-repo", new VerifyRepoReport("/srv/apt", "bookworm", false, true, 6, 3,
                List.of("dists/bookworm/main/binary-amd64/Packages: size 1203, Release says 1204")));
        r.put("inspect", new InspectReport("out/hello-dkms_1.0-1_all.deb", "Package: hello-dkms\nVersion: 1.0-1\nArchitecture: all\n",
                null, List.of(new InspectReport.File("usr", "d", "0755", 0, null),
                        new InspectReport.File("usr/src/hello-1.0/hello.c", "f", "0644", 549, null),
                        new InspectReport.File("usr/share/doc/hello-dkms/README", "l", "0777", 0, "../hello/README")),
                List.of(new InspectReport.Check("md5sums", true, "8 files match"),
                        new InspectReport.Check("maintainer scripts", false, "postinst: sh -n: line 3: syntax error")), false));
        return r;
    }

    @Test
    void eachReportIsWrittenAsItsGoldenFile() throws IOException {
        for (Map.Entry<String, Object> e : reports().entrySet()) {
            Path file = GOLDEN.resolve(e.getKey() + ".json");
            String actual = Json.write(e.getValue()) + "\n";
            if (UPDATE) {
                Files.createDirectories(GOLDEN);
                Files.writeString(file, actual, StandardCharsets.UTF_8);
            }
            assertThat(file).as("golden file (create it with -Dgolden.update=true)").exists();
            assertThat(actual).as("the --json of %s differs from %s; users' scripts read these keys: if the change is intended, "
                    + "rerun with -Dgolden.update=true", e.getKey(), file).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
        }
    }

    @Test
    void everyCommandWithJsonHasAGoldenAndEveryGoldenACommand() throws IOException {
        TreeSet<String> withJson = new TreeSet<>();
        for (Map.Entry<String, CommandLine> c : Main.commandLine().getSubcommands().entrySet()) {
            if (c.getValue().getCommandSpec().findOption("--json") != null) {
                withJson.add(c.getKey());
            }
        }
        assertThat(withJson).containsExactlyElementsOf(reports().keySet());
        try (var files = Files.list(GOLDEN)) {
            assertThat(files.map(p -> p.getFileName().toString().replaceFirst("\\.json$", "")).sorted().toList())
                    .containsExactlyElementsOf(withJson);
        }
    }

    @Test
    void theParserReadsBackWhatTheWriterWrote() throws Exception {
        for (Map.Entry<String, Object> e : reports().entrySet()) {
            String written = Json.write(e.getValue());
            Object back = Json.read(written);
            assertThat(back).as(e.getKey()).isInstanceOf(Map.class);
            // the same keys in the same order, the same values and types: written again, the same bytes
            assertThat(Json.write(back)).as(e.getKey()).isEqualTo(written);
        }
        Map<String, Object> bmdeb = object(Json.read(Json.write(reports().get("bmdeb"))));
        assertThat(bmdeb.get("command")).isEqualTo("bmdeb");
        Map<String, Object> built = object(((List<?>) bmdeb.get("kernels")).get(0));
        assertThat(built).containsEntry("result", "built").containsEntry("exitCode", 0L)
                .containsEntry("file", "out/hello-modules-" + K61 + "_1.0_amd64.deb");
        assertThat(object(built.get("phases")).keySet()).containsExactly("prepare", "copy", "make", "modules", "package");
        Map<String, Object> failed = object(((List<?>) bmdeb.get("kernels")).get(1));
        assertThat(failed).containsEntry("package", null).containsEntry("file", null).containsEntry("exitCode", 4L);
        List<?> files = (List<?>) object(Json.read(Json.write(reports().get("inspect")))).get("files");
        assertThat(object(files.get(0))).doesNotContainKey("target");
        assertThat(object(files.get(2))).containsEntry("target", "../hello/README");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @Test
    void bmdebsReportOfAResultNamesTheFilesAndRoundsTheTimes() {
        KernelResult.ModuleId hello = new KernelResult.ModuleId("hello", "1.0");
        BmdebResult r = new BmdebResult("hello", "1.0", List.of(
                new KernelResult(K61, KernelOutcome.UP_TO_DATE, 0, null, null,
                        new KernelResult.PackageFile(Path.of("repo/hello-modules-" + K61 + "_1.0_amd64.deb"), "hello-modules-" + K61), hello,
                        new KernelResult.Time(0.0349, Map.of())),
                new KernelResult(K612, KernelOutcome.SKIPPED, 77, "excluded", null, new KernelResult.PackageFile(null, "hello-modules-" + K612),
                        hello, new KernelResult.Time(0.005, Map.of()))), 0, 1.234567, null, false);
        BmdebReport report = BmdebReport.of(r, "xz-java", "3.0.10");
        assertThat(report.sandbox()).as("built with --no-sandbox: the report says so").isFalse();
        assertThat(report.kernels()).extracting(BmdebReport.Kernel::result).containsExactly("up-to-date", "skipped");
        assertThat(report.kernels().get(0).file()).isEqualTo("repo/hello-modules-" + K61 + "_1.0_amd64.deb");
        assertThat(report.kernels().get(1).file()).isNull();
        assertThat(report.kernels()).extracting(BmdebReport.Kernel::seconds).containsExactly(0.03, 0.01);
        assertThat(report.seconds()).isEqualTo(1.23);
        assertThat(report.certPackage()).isNull();
        assertThat(report.command()).isEqualTo("bmdeb");
    }

    @Test
    void aReportCarriesOnlyItsOwnCommand() {
        assertThatThrownBy(() -> new RepoReport("source", "/srv/apt", "bookworm", "main", List.of(), List.of(), List.of(), List.of(),
                List.of(), false, false, 0)).isInstanceOf(IllegalArgumentException.class).hasMessage("command must be \"repo\" in its report, got source");
    }

    @Test
    void theListingThatKernelsPrintsIsTheOneKernelListReads() {
        KernelListing.Listing l = new KernelListing.Listing(List.of(new KernelListing.Kernel(K61, "6.1", "amd64", "amd64",
                "linux-headers-" + K61, "6.1.176-1")), List.of(new KernelListing.Meta("linux-image-amd64", "amd64", "6.1.176-1", K61)));
        assertThat(Json.write(KernelsReport.of(l))).isEqualTo("{\"kernels\":[{\"release\":\"" + K61 + "\",\"series\":\"6.1\",\"flavour\":"
                + "\"amd64\",\"arch\":\"amd64\",\"headersPackage\":\"linux-headers-" + K61 + "\",\"headersVersion\":\"6.1.176-1\"}],"
                + "\"metas\":[{\"package\":\"linux-image-amd64\",\"flavour\":\"amd64\",\"version\":\"6.1.176-1\",\"release\":\"" + K61 + "\"}]}");
    }

    @Test
    void withShardsEachKernelCarriesItsShardAndTheListingN() {
        KernelListing.Listing l = new KernelListing.Listing(List.of(new KernelListing.Kernel(K61, "6.1", "amd64", "amd64",
                "linux-headers-" + K61, "6.1.176-1")), List.of());
        // kernels --shards 2 --json: the shard of each kernel (the one bmdeb --shard I/2 builds), and N; still a listing
        assertThat(Json.write(KernelsReport.of(l, 2))).isEqualTo("{\"kernels\":[{\"release\":\"" + K61 + "\",\"series\":\"6.1\",\"flavour\":"
                + "\"amd64\",\"arch\":\"amd64\",\"headersPackage\":\"linux-headers-" + K61 + "\",\"headersVersion\":\"6.1.176-1\","
                + "\"shard\":2}],\"metas\":[],\"shards\":2}");
    }

    private record Hidden(String a) {
    }

    @Test
    void aRecordTheWriterCannotReadIsRefusedNamingIt() {
        assertThatThrownBy(() -> Json.write(new Hidden("x"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("JsonReportGoldensTest$Hidden").hasMessageContaining("must be public");
    }
}

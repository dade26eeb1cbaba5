package io.dkmsdeb.it;

import io.dkmsdeb.it.ConformanceHarness.Outcome;
import io.dkmsdeb.it.ConformanceHarness.Row;
import io.dkmsdeb.it.ConformanceHarness.SourceCheck;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The harness's judgement without building anything: a disagreement is found, explained or not, and reported. */
@Tag("unit")
class ConformanceReportTest {
    @TempDir
    Path dir;

    private static Outcome built(String... modules) {
        return new Outcome("built", 0, "", 1, new java.util.TreeSet<>(Set.of(modules)), ".ko");
    }

    private static Row row(String pkg, Outcome dkms, Outcome ours, List<ConformanceLoad.ModuleLoad> loads) {
        return new Row(pkg, "6.1.0-56-amd64", "m", "1", dkms, ours, ".ko", ours.result().equals("built") ? true : null, "",
                ours.result().equals("built") ? true : null, "", loads, List.of(), "", null, "6.1.0-56-amd64");
    }

    private static ConformanceHarness.Result result(List<SourceCheck> sources, List<Row> rows) {
        return new ConformanceHarness.Result(ConformanceHarness.Config.of(List.of(), List.of("6.1.0-56-amd64"), Path.of("/nonexistent")),
                sources, rows, Duration.ofSeconds(1), Instant.EPOCH);
    }

    private static SourceCheck same(String pkg) {
        return new SourceCheck(pkg, "1-1", "usr/src/m-1", "m", "1", 3, true, true, "");
    }

    @Test
    void agreementIsNoDisagreement() throws IOException {
        var r = result(List.of(same("a-dkms")), List.of(row("a-dkms", built("x"), built("x"),
                List.of(new ConformanceLoad.ModuleLoad("x", ConformanceLoad.LOADED, "")))));
        assertThat(ConformanceReport.disagreements(r)).isEmpty();
        assertThat(ConformanceReport.summary(r)).contains("build outcome agrees with dkms in 1/1, module set in 1/1").contains("disagreements 0");
        Path md = dir.resolve("c.md");
        ConformanceReport.write(r, md, "test", "env");
        assertThat(Files.readString(md)).contains("| a-dkms | 6.1.0-56-amd64 | built | built | yes | x |");
    }

    @Test
    void differentOutcomeModulesAndLoadFailuresAreDisagreementsAndUnexplainedOnesAreMarked() throws IOException {
        Outcome failed = new Outcome("failed", 5, "make exited with status 2", 1, Set.of(), "");
        Outcome skipped = new Outcome("skipped", 77, "BUILD_EXCLUSIVE", 1, Set.of(), "");
        var r = result(List.of(same("a-dkms"), same("b-dkms"), same("c-dkms")), List.of(
                row("a-dkms", built("x"), failed, List.of()),
                row("b-dkms", built("x", "y"), built("x"), List.of(new ConformanceLoad.ModuleLoad("x", ConformanceLoad.FAILED, "(ENOEXEC)"))),
                row("c-dkms", skipped, built("x"), List.of())));
        assertThat(ConformanceReport.disagreements(r)).extracting(d -> d.pkg() + " " + d.aspect())
                .containsExactly("a-dkms outcome", "a-dkms modules", "b-dkms modules", "b-dkms load", "c-dkms outcome", "c-dkms modules");
        assertThat(ConformanceReport.disagreements(r)).noneMatch(ConformanceReport.Disagreement::explained);
        assertThat(ConformanceReport.summary(r)).contains("outcome agrees with dkms in 1/3").contains("6 NOT EXPLAINED");
        Path md = dir.resolve("c.md");
        ConformanceReport.write(r, md, "test", "env");
        assertThat(Files.readString(md)).contains("**outcome differs, NOT EXPLAINED**").contains("dkms: x, y; dkms-deb: x");
    }

    @Test
    void aKnownDisagreementIsExplainedWithTheDkmsBehaviourAndOurIssue() throws IOException {
        var r = result(List.of(new SourceCheck("iptables-netflow-dkms", "2.6-4", "usr/src/ipt-netflow-2.6", "ipt-netflow", "2.6", 10,
                false, true, "only in Debian's: README.gz")), List.of());
        assertThat(ConformanceReport.disagreements(r)).singleElement().satisfies(d -> {
            assertThat(d.explained()).isTrue();
            assertThat(d.known().dkmsBehaviour()).contains("cp -a");
        });
        Path md = dir.resolve("c.md");
        ConformanceReport.write(r, md, "test", "env");
        assertThat(Files.readString(md)).contains("The dkms behaviour it comes from:").contains("Our issue it exposes:");
    }

    /** An arm64 row is judged against dkms on the amd64 kernel of its series; an unexplained difference is marked. */
    @Test
    void aCrossBuiltRowIsJudgedAgainstDkmsOnTheHostKernelOfItsSeries() throws IOException {
        var config = ConformanceHarness.Config.of(List.of(), List.of("6.1.0-56-amd64", "6.12.9+deb12-amd64", "6.1.0-57-arm64",
                "6.12.10+deb12-arm64"), Path.of("/nonexistent"));
        assertThat(config.reference("6.1.0-57-arm64")).isEqualTo("6.1.0-56-amd64");
        assertThat(config.reference("6.12.10+deb12-arm64")).isEqualTo("6.12.9+deb12-amd64");
        assertThat(config.reference("6.1.0-56-amd64")).isEqualTo("6.1.0-56-amd64");
        var only61 = ConformanceHarness.Config.of(List.of(), List.of("6.1.0-56-amd64", "6.12.10+deb12-arm64"), Path.of("/nonexistent"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> only61.reference("6.12.10+deb12-arm64"))
                .hasMessageContaining("series 6.12");

        Outcome failed = new Outcome("failed", 5, "make exited with status 2", 1, Set.of(), "");
        Row same = new Row("a-dkms", "6.1.0-57-arm64", "m", "1", built("x"), built("x"), ".ko", true, "", true, "", List.of(), List.of(), "",
                null, "6.1.0-56-amd64");
        Row differs = new Row("b-dkms", "6.1.0-57-arm64", "m", "1", built("x"), failed, ".ko", null, "", null, "", List.of(), List.of(), "",
                null, "6.1.0-56-amd64");
        assertThat(same.cross()).isTrue();
        var r = new ConformanceHarness.Result(config, List.of(same("a-dkms"), same("b-dkms")), List.of(same, differs), Duration.ofSeconds(1),
                Instant.EPOCH);
        assertThat(ConformanceReport.disagreements(r)).extracting(d -> d.pkg() + " " + d.kernel() + " " + d.aspect() + ": " + d.what())
                .containsExactly("b-dkms 6.1.0-57-arm64 outcome: dkms on 6.1.0-56-amd64 built, dkms-deb failed (5)",
                        "b-dkms 6.1.0-57-arm64 modules: dkms on 6.1.0-56-amd64 built x, dkms-deb none");
        assertThat(ConformanceReport.summary(r)).contains("arm64 rows (cross-built, judged against dkms on the amd64 kernel of the same "
                + "series): outcome as there in 1/2, module set in 1/2");
        Path md = dir.resolve("c.md");
        ConformanceReport.write(r, md, "test", "env");
        assertThat(Files.readString(md)).contains("| a-dkms | 6.1.0-57-arm64 | on 6.1.0-56-amd64: built | built | yes | x |")
                .contains("**outcome differs, NOT EXPLAINED**");
    }

    @Test
    void softDependenciesAndModuleNames() {
        assertThat(ConformanceLoad.softPre("pre: crc32c post: foo")).containsExactly("crc32c");
        assertThat(ConformanceLoad.softPre("post: foo pre: a b")).containsExactly("a", "b");
        assertThat(ConformanceLoad.modName("kernel/lib/dm-writeboost.ko.xz")).isEqualTo("dm_writeboost");
        assertThat(ConformanceHarness.basePackage("acpi-call-dkms+only-6.1.")).isEqualTo("acpi-call-dkms");
        assertThat(ConformanceHarness.series("6.12.117+deb12-arm64")).isEqualTo("6.12");
        assertThat(ConformanceHarness.series("6.1.0-57-amd64")).isEqualTo("6.1");
    }

    @Test
    void theKernelOfBmdebsReportIsReadByKey() throws IOException {
        String report = Files.readString(Path.of("src/test/resources/json-goldens/bmdeb.json"));
        assertThat(ConformanceHarness.bmdebKernel(report, "6.12.117+deb12-amd64")).containsEntry("result", "failed")
                .containsEntry("exitCode", 4L).extractingByKey("message").asString().contains("'apt-get install linux-headers-");
        assertThat(ConformanceHarness.bmdebKernel(report, "6.1.0-57-amd64")).containsEntry("result", "built").containsEntry("message", null);
        assertThat(ConformanceHarness.bmdebKernel(report, "6.1.0-1-amd64")).isNull();
        assertThat(ConformanceHarness.bmdebKernel("", "6.1.0-57-amd64")).as("no report printed").isNull();
    }
}

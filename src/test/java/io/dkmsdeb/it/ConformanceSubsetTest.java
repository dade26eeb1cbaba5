package io.dkmsdeb.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CI part of the conformance harness ({@link ConformanceHarness}): fast Debian *-dkms packages on
 * both kernels (the 6.1 and 6.12 kernels with headers), real dkms as the oracle, the load check under
 * qemu. Must agree with dkms everywhere, with no explanation allowed; the report goes to
 * target/conformance-subset/CONFORMANCE-subset.md.
 */
class ConformanceSubsetTest {
    /** Small, fast trees covering MAKE forms, BUILD_EXCLUSIVE, several modules, subdirectories, and one that fails to compile. */
    static final List<String> SUBSET = List.of("vpoll-dkms", "acpi-call-dkms", "nat-rtsp-dkms", "tp-smapi-dkms", "ddcci-dkms",
            "dm-writeboost-dkms", "rapiddisk-dkms", "v4l2loopback-dkms", "librem-ec-acpi-dkms");

    static ConformanceHarness.Result result;

    @BeforeAll
    static void run() throws IOException {
        assumeTrue(Cmd.isRoot(), "the dkms oracle needs a private mount namespace: root");
        Path dir = Cmd.repo().resolve("target/conformance-subset");
        ConformanceHarness.Config config = new ConformanceHarness.Config(SUBSET,
                List.of(BmdebCommandTest.K61, BmdebCommandTest.kernel612()), dir, 2, true, false, 900, java.time.Duration.ofSeconds(240));
        result = new ConformanceHarness(config).run();
        Path report = dir.resolve("CONFORMANCE-subset.md");
        ConformanceReport.write(result, report, "mvn -B test -Dtest=ConformanceSubsetTest", ConformanceReport.environment(result));
        System.out.println("conformance subset: " + report + "\n" + ConformanceReport.summary(result));
    }

    @Test
    void everyPackageOnBothKernels() {
        assertThat(result.rows()).hasSize(SUBSET.size() * 2);
        assertThat(result.rows().stream().map(ConformanceHarness.Row::kernel).distinct())
                .containsExactlyInAnyOrder(BmdebCommandTest.K61, BmdebCommandTest.kernel612());
    }

    @Test
    void buildOutcomeAndModuleSetAgreeWithDkms() {
        for (ConformanceHarness.Row row : result.rows()) {
            String what = row.pkg() + " on " + row.kernel() + ": dkms " + ConformanceReport.outcome(row.dkms()) + " " + row.dkms().modules()
                    + " (" + row.dkms().reason() + "), dkms-deb " + ConformanceReport.outcome(row.ours()) + " " + row.ours().modules()
                    + " (" + row.ours().reason() + ")";
            assertThat(row.ours().result()).as(what).isEqualTo(row.dkms().result());
            assertThat(row.ours().modules()).as(what).isEqualTo(row.dkms().modules());
        }
        // the subset must exercise both outcomes, or agreeing would prove little
        assertThat(result.rows()).as("built rows").anyMatch(ConformanceHarness.Row::built);
        assertThat(result.rows()).as("failed rows").anyMatch(r -> r.dkms().result().equals("failed"));
    }

    @Test
    void everyPackageWrittenPassesInspectAndIsCompressedAsTheKernel() {
        for (ConformanceHarness.Row row : result.rows()) {
            if (row.built()) {
                assertThat(row.inspectOk()).as(row.pkg() + " on " + row.kernel() + ": inspect " + row.inspect()).isTrue();
                assertThat(row.compressionOk()).as(row.pkg() + " on " + row.kernel() + ": " + row.compression()).isTrue();
                assertThat(row.ours().suffix()).as(row.pkg() + " on " + row.kernel()).isEqualTo(row.expectedSuffix());
            }
        }
        assertThat(result.rows()).filteredOn(r -> r.kernel().startsWith("6.12.") && r.built()).isNotEmpty()
                .allMatch(r -> r.ours().suffix().equals(".ko.xz"));
        assertThat(result.rows()).filteredOn(r -> r.kernel().startsWith("6.1.") && r.built()).isNotEmpty()
                .allMatch(r -> r.ours().suffix().equals(".ko"));
    }

    @Test
    void sourcePackageHasDebiansFilesAndDkmsConf() {
        assertThat(result.sources()).hasSize(SUBSET.size());
        for (ConformanceHarness.SourceCheck s : result.sources()) {
            assertThat(s.same()).as(s.pkg() + ": " + s.detail()).isTrue();
        }
    }

    @Test
    void modulesLoadInTheirKernel() {
        for (ConformanceHarness.Row row : result.rows()) {
            if (!row.built()) {
                continue;
            }
            assertThat(row.loads()).as(row.pkg() + " on " + row.kernel() + ": a load result per module").hasSize(row.ours().modules().size());
            for (ConformanceLoad.ModuleLoad l : row.loads()) {
                assertThat(l.status()).as(row.pkg() + " on " + row.kernel() + ": " + l.module() + " " + l.text() + "; " + row.boot())
                        .isIn(EXPECTED_LOAD.getOrDefault(l.module(), List.of(ConformanceLoad.LOADED)));
            }
        }
    }

    /** Modules for hardware qemu does not have: their init may refuse (ENODEV); everything else must load. */
    static final java.util.Map<String, List<String>> EXPECTED_LOAD = java.util.Map.of();
}

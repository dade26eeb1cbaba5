package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The full conformance run: every Debian *-dkms package, every kernel given (default: the 6.1
 * and 6.12 amd64 kernels with headers, and the newest 6.1 and 6.12 arm64 kernels of the archive, cross-built
 * and judged against dkms on the amd64 kernel of the same series; {@code -Dconformance.arm64=false} leaves
 * them out), dkms as the oracle, the load check; writes docs/CONFORMANCE.md. {@code -Dconformance.trixie=true} adds the
 * trixie column: every trixie *-dkms package (or those of {@code conformance.packages}) for the current trixie kernel,
 * judged against trixie's dkms in a trixie root of its own ({@link TrixieOracle}).
 * Off in a plain {@code mvn -B test}; the one command is {@code conformance/run.sh}, i.e.
 * {@code mvn -B test -Dtest=ConformanceFullTest -Dconformance.full=true} (20 to 60 minutes on 2 cores).
 * Fails when a disagreement has no explanation in {@link ConformanceKnown}.
 */
@Tag("kernel")
@Tag("tools")
@Tag("root")
@Tag("qemu")
@Tag("network")
class ConformanceFullTest {
    @Test
    void everyDebianDkmsPackageOnEveryKernel() throws IOException {
        assumeTrue(Boolean.getBoolean("conformance.full"), "the full run: -Dconformance.full=true (conformance/run.sh)");
        assumeTrue(Cmd.isRoot(), "the dkms oracle needs a private mount namespace: root");
        List<String> all = new java.util.ArrayList<>(ConformanceHarness.allDebianDkmsPackages());
        all.add(PROBE);
        ConformanceHarness.Config config = ConformanceHarness.Config.fromSystemProperties(all, Cmd.repo().resolve("target/conformance"));
        List<String> trixie = ConformanceHarness.trixiePackagesFromSystemProperties(config.packages(), true);
        ConformanceHarness.Result r = new ConformanceHarness(config, trixie).run();
        Path report = Path.of(System.getProperty("conformance.report", Cmd.repo().resolve("docs/CONFORMANCE.md").toString()));
        ConformanceReport.write(r, report, "conformance/run.sh", ConformanceReport.environment(r));
        System.out.println("conformance report: " + report + "\n" + ConformanceReport.summary(r));

        assertThat(config.packages()).as("apt-cache search --names-only -- '-dkms$' (run apt-get update)").hasSizeGreaterThanOrEqualTo(
                System.getProperty("conformance.packages", "").isBlank() ? 21 : 1);
        assertThat(r.rows().stream().filter(x -> config.kernels().contains(x.kernel()))).hasSize(config.packages().size() * config.kernels().size());
        if (!trixie.isEmpty()) {
            // the trixie column: a row for each of the packages trixie has
            assertThat(r.rows().stream().filter(x -> !config.kernels().contains(x.kernel())))
                    .allMatch(x -> ConformanceHarness.isTrixie(x.kernel()) && trixie.contains(x.pkg())).isNotEmpty();
        }
        assertThat(ConformanceReport.disagreements(r)).as("disagreements without an explanation in ConformanceKnown; see " + report)
                .allMatch(ConformanceReport.Disagreement::explained);
        // every module that did not load has its reason recorded
        for (ConformanceHarness.Row row : r.rows()) {
            for (ConformanceLoad.ModuleLoad l : row.loads()) {
                if (!l.status().equals(ConformanceLoad.LOADED) && !l.status().equals(ConformanceLoad.FAILED)) {
                    assertThat(ConformanceKnown.loadNote(l.module(), row.kernel()))
                            .as("why %s of %s is %s in %s (%s): add a note to ConformanceKnown.LOAD_NOTES", l.module(), row.pkg(), l.status(),
                                    row.kernel(), l.detail()).isNotNull();
                }
            }
        }
    }

    /** The skipped outcome (exit 77) too: no Debian 12 package excludes these kernels, so one is derived (see ConformanceHarness). */
    static final String PROBE = "acpi-call-dkms+only-6.1.";
}

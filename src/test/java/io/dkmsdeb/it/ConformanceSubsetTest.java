package io.dkmsdeb.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CI part of the conformance harness ({@link ConformanceHarness}, issue 5): fast Debian *-dkms packages
 * on both kernels (the newest 6.1 and 6.12 kernels with headers), real dkms as the oracle, and the load
 * check under qemu. No disagreement is allowed here, explained or not. The report goes to
 * target/conformance-subset/CONFORMANCE-subset.md; the full run is conformance/run.sh.
 */
@Tag("kernel")
@Tag("tools")
@Tag("root")
@Tag("qemu")
@Tag("network")
class ConformanceSubsetTest {
    /**
     * Small trees that cover: MAKE forms (none, scalar, -C into the build dir), several modules, in-kernel
     * dependencies and a soft one (nat-rtsp, dm-writeboost: libcrc32c needs crc32c first), modules that build
     * for 6.12 too (acpi-call, dpdk-kmods, rtpengine-kernel), hardware that qemu lacks (tp-smapi: ENODEV), a
     * compile failure on both kernels (librem-ec-acpi), and a BUILD_EXCLUSIVE probe: acpi-call restricted to
     * 6.1.* kernels, which dkms and bmdeb must both skip (77) on 6.12.
     */
    static final List<String> SUBSET = List.of("vpoll-dkms", "acpi-call-dkms", "nat-rtsp-dkms", "tp-smapi-dkms", "dm-writeboost-dkms",
            "rapiddisk-dkms", "dpdk-kmods-dkms", "rtpengine-kernel-dkms", "v4l2loopback-dkms", "librem-ec-acpi-dkms",
            "acpi-call-dkms+only-6.1.");

    /** Modules whose init refuses in the guest for want of hardware (see ConformanceKnown.LOAD_NOTES); all others must load. */
    static final Map<String, String> MAY_BE_REFUSED = Map.of("thinkpad_ec", "no ThinkPad EC", "hdaps", "needs thinkpad_ec",
            "tp_smapi", "needs thinkpad_ec");

    static ConformanceHarness.Result result;
    static String k61;
    static String k612;

    @BeforeAll
    static void run() throws IOException {
        assumeTrue(Cmd.isRoot(), "the dkms oracle needs a private mount namespace: root");
        k61 = Kernels.newest61();
        k612 = Kernels.newest612();
        Path dir = Cmd.repo().resolve("target/conformance-subset");
        result = new ConformanceHarness(ConformanceHarness.Config.of(SUBSET, List.of(k61, k612), dir)).run();
        Path report = dir.resolve("CONFORMANCE-subset.md");
        ConformanceReport.write(result, report, "mvn -B test -Dtest=ConformanceSubsetTest", ConformanceReport.environment(result));
        System.out.println("conformance subset: " + report + "\n" + ConformanceReport.summary(result));
    }

    private static String describe(ConformanceHarness.Row row) {
        return row.pkg() + " on " + row.kernel() + ": dkms " + ConformanceReport.outcome(row.dkms()) + " " + row.dkms().modules() + " ("
                + row.dkms().reason() + "), dkms-deb " + ConformanceReport.outcome(row.ours()) + " " + row.ours().modules() + " ("
                + row.ours().reason() + ")";
    }

    @Test
    void everyPackageOnBothKernels() {
        assertThat(result.rows()).hasSize(SUBSET.size() * 2);
        assertThat(result.rows().stream().map(ConformanceHarness.Row::kernel).distinct()).containsExactlyInAnyOrder(k61, k612);
    }

    @Test
    void buildOutcomeAndModuleSetAgreeWithDkms() {
        for (ConformanceHarness.Row row : result.rows()) {
            assertThat(row.ours().result()).as(describe(row)).isEqualTo(row.dkms().result());
            assertThat(row.ours().modules()).as(describe(row)).isEqualTo(row.dkms().modules());
        }
        assertThat(ConformanceReport.disagreements(result)).isEmpty();
        // every outcome occurs, or agreeing would prove little
        assertThat(result.rows()).as("built on 6.1").anyMatch(r -> r.built() && r.kernel().equals(k61));
        assertThat(result.rows()).as("built on 6.12").anyMatch(r -> r.built() && r.kernel().equals(k612));
        assertThat(result.rows()).as("failed").anyMatch(r -> r.dkms().result().equals("failed"));
        assertThat(result.rows()).as("the BUILD_EXCLUSIVE probe").filteredOn(r -> r.pkg().equals("acpi-call-dkms+only-6.1."))
                .anySatisfy(r -> assertThat(r.kernel() + " " + r.dkms().exit() + " " + r.ours().exit()).isEqualTo(k612 + " 77 77"))
                .anySatisfy(r -> assertThat(r.kernel() + " " + r.ours().result()).isEqualTo(k61 + " built"));
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
        assertThat(result.rows()).filteredOn(r -> r.kernel().equals(k612) && r.built()).isNotEmpty()
                .allMatch(r -> r.ours().suffix().equals(".ko.xz"));
        assertThat(result.rows()).filteredOn(r -> r.kernel().equals(k61) && r.built()).isNotEmpty()
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
        int loaded = 0;
        for (ConformanceHarness.Row row : result.rows()) {
            if (!row.built()) {
                assertThat(row.loads()).isEmpty();
                continue;
            }
            assertThat(row.loads()).as(row.pkg() + " on " + row.kernel() + ": a load result per module").hasSize(row.ours().modules().size());
            for (ConformanceLoad.ModuleLoad l : row.loads()) {
                String what = row.pkg() + " on " + row.kernel() + ": " + l.module() + " " + l.text() + "; " + row.boot();
                if (MAY_BE_REFUSED.containsKey(l.module())) {
                    assertThat(l.status()).as(what).isIn(ConformanceLoad.LOADED, ConformanceLoad.REFUSED);
                } else {
                    assertThat(l.status()).as(what).isEqualTo(ConformanceLoad.LOADED);
                    loaded++;
                }
            }
        }
        assertThat(loaded).as("modules loaded").isGreaterThanOrEqualTo(10);
        // in-kernel dependencies were loaded first, from the kernel's own modules
        assertThat(result.rows()).filteredOn(r -> r.pkg().equals("nat-rtsp-dkms") && r.kernel().equals(k61)).singleElement()
                .satisfies(r -> assertThat(r.kernelDeps()).contains("nf_conntrack", "nf_nat", "libcrc32c", "crc32c_generic"));
        assertThat(result.rows()).filteredOn(r -> r.pkg().equals("tp-smapi-dkms") && r.kernel().equals(k61)).singleElement()
                .satisfies(r -> assertThat(r.loads()).anySatisfy(l -> assertThat(l.text()).contains("thinkpad_ec").contains("ENODEV")));
    }
}

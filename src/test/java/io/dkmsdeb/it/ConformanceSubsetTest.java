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
 * The CI part of the conformance harness ({@link ConformanceHarness}): fast Debian *-dkms packages
 * on both kernels (the newest 6.1 and 6.12 kernels with headers), real dkms as the oracle, and the load
 * check under qemu. No disagreement is allowed here, explained or not, on those kernels. The arm64 column
 * too: the same trees cross-built for the archive's newest 6.1 and 6.12 arm64 kernels, judged against dkms
 * on the amd64 kernel of the series, where only a difference that the architecture makes and that
 * ConformanceKnown explains is allowed, and loaded under qemu-system-aarch64. The report goes to
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
    static String a61;
    static String a612;

    @BeforeAll
    static void run() throws IOException {
        assumeTrue(Cmd.isRoot(), "the dkms oracle needs a private mount namespace: root");
        k61 = Kernels.newest61();
        k612 = Kernels.newest612();
        a61 = Kernels.newestArm64InArchive("6.1.");
        a612 = Kernels.newestArm64InArchive("6.12.");
        Path dir = Cmd.repo().resolve("target/conformance-subset");
        result = new ConformanceHarness(ConformanceHarness.Config.of(SUBSET, List.of(k61, k612, a61, a612), dir),
                ConformanceHarness.trixiePackagesFromSystemProperties(SUBSET, false)).run();
        Path report = dir.resolve("CONFORMANCE-subset.md");
        ConformanceReport.write(result, report, "mvn -B test -Dtest=ConformanceSubsetTest", ConformanceReport.environment(result));
        System.out.println("conformance subset: " + report + "\n" + ConformanceReport.summary(result));
    }

    private static String describe(ConformanceHarness.Row row) {
        return row.pkg() + " on " + row.kernel() + ": dkms " + ConformanceReport.outcome(row.dkms()) + " " + row.dkms().modules() + " ("
                + row.dkms().reason() + "), dkms-deb " + ConformanceReport.outcome(row.ours()) + " " + row.ours().modules() + " ("
                + row.ours().reason() + ")";
    }

    static List<ConformanceHarness.Row> amd64Rows() {
        return result.rows().stream().filter(r -> !r.cross()).toList();
    }

    /** The rows of the host's kernels and of the arm64 ones, without the trixie column ({@code -Dconformance.trixie=true}). */
    static List<ConformanceHarness.Row> hostColumns() {
        return result.rows().stream().filter(r -> !ConformanceHarness.isTrixie(r.kernel())).toList();
    }

    static List<ConformanceHarness.Row> arm64Rows() {
        return result.rows().stream().filter(ConformanceHarness.Row::cross).toList();
    }

    @Test
    void everyPackageOnEveryKernel() {
        assertThat(hostColumns()).hasSize(SUBSET.size() * 4);
        assertThat(hostColumns().stream().map(ConformanceHarness.Row::kernel).distinct()).containsExactlyInAnyOrder(k61, k612, a61, a612);
        assertThat(arm64Rows()).hasSize(SUBSET.size() * 2).allSatisfy(r -> assertThat(r.reference()).isEqualTo(r.kernel().startsWith("6.1.")
                ? k61 : k612));
    }

    @Test
    void buildOutcomeAndModuleSetAgreeWithDkms() {
        for (ConformanceHarness.Row row : amd64Rows()) {
            assertThat(row.ours().result()).as(describe(row)).isEqualTo(row.dkms().result());
            assertThat(row.ours().modules()).as(describe(row)).isEqualTo(row.dkms().modules());
        }
        assertThat(ConformanceReport.disagreements(result)).filteredOn(d -> d.kernel() == null || !ConformanceHarness.isCross(d.kernel()))
                .isEmpty();
        // every outcome occurs, or agreeing would prove little
        assertThat(result.rows()).as("built on 6.1").anyMatch(r -> r.built() && r.kernel().equals(k61));
        assertThat(result.rows()).as("built on 6.12").anyMatch(r -> r.built() && r.kernel().equals(k612));
        assertThat(result.rows()).as("failed").anyMatch(r -> r.dkms().result().equals("failed"));
        assertThat(result.rows()).as("the BUILD_EXCLUSIVE probe").filteredOn(r -> r.pkg().equals("acpi-call-dkms+only-6.1."))
                .anySatisfy(r -> assertThat(r.kernel() + " " + r.dkms().exit() + " " + r.ours().exit()).isEqualTo(k612 + " 77 77"))
                .anySatisfy(r -> assertThat(r.kernel() + " " + r.ours().result()).isEqualTo(k61 + " built"));
    }

    /**
     * arm64 rows: dkms-deb's outcome and modules on the arm64 kernel are dkms's on the amd64 kernel of the series,
     * unless the architecture makes the difference and ConformanceKnown says why (tp-smapi includes an x86-only
     * header: it must fail on arm64, which shows this check can fail).
     */
    @Test
    void arm64RowsAreAsOnAmd64UnlessTheArchitectureExplainsTheDifference() {
        for (ConformanceHarness.Row row : arm64Rows()) {
            for (String aspect : row.problems()) {
                assertThat(ConformanceKnown.explain(row.pkg(), row.kernel(), aspect)).as("%s differs: %s", aspect, describe(row))
                        .hasValueSatisfying(k -> assertThat(k.arch()).isEqualTo("arm64"));
            }
        }
        assertThat(ConformanceReport.disagreements(result)).allMatch(ConformanceReport.Disagreement::explained);
        assertThat(arm64Rows()).as("built on arm64 6.1").anyMatch(r -> r.built() && r.kernel().equals(a61));
        assertThat(arm64Rows()).as("built on arm64 6.12").anyMatch(r -> r.built() && r.kernel().equals(a612));
        assertThat(arm64Rows()).filteredOn(r -> r.pkg().equals("tp-smapi-dkms") && r.kernel().equals(a61)).singleElement()
                .satisfies(r -> {
                    assertThat(r.dkms().result()).as(describe(r)).isEqualTo("built");
                    assertThat(r.ours().result()).as(describe(r)).isEqualTo("failed");
                    assertThat(r.ours().reason()).contains("asm/mc146818rtc.h");
                });
        assertThat(arm64Rows()).as("the BUILD_EXCLUSIVE probe on arm64").filteredOn(r -> r.pkg().equals("acpi-call-dkms+only-6.1."))
                .anySatisfy(r -> assertThat(r.kernel() + " " + r.ours().exit()).isEqualTo(a612 + " 77"));
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
        for (String k : List.of(k612, a612)) {
            assertThat(result.rows()).filteredOn(r -> r.kernel().equals(k) && r.built()).isNotEmpty()
                    .allMatch(r -> r.ours().suffix().equals(".ko.xz"));
        }
        for (String k : List.of(k61, a61)) {
            assertThat(result.rows()).filteredOn(r -> r.kernel().equals(k) && r.built()).isNotEmpty()
                    .allMatch(r -> r.ours().suffix().equals(".ko"));
        }
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
        for (ConformanceHarness.Row row : hostColumns()) { // the trixie column is not loaded
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
        assertThat(arm64Rows()).as("loaded under qemu-system-aarch64").filteredOn(ConformanceHarness.Row::built).isNotEmpty()
                .allSatisfy(r -> assertThat(r.boot()).contains("booted " + r.kernel()));
        // in-kernel dependencies were loaded first, from the kernel's own modules
        assertThat(result.rows()).filteredOn(r -> r.pkg().equals("nat-rtsp-dkms") && r.kernel().equals(k61)).singleElement()
                .satisfies(r -> assertThat(r.kernelDeps()).contains("nf_conntrack", "nf_nat", "libcrc32c", "crc32c_generic"));
        assertThat(result.rows()).filteredOn(r -> r.pkg().equals("tp-smapi-dkms") && r.kernel().equals(k61)).singleElement()
                .satisfies(r -> assertThat(r.loads()).anySatisfy(l -> assertThat(l.text()).contains("thinkpad_ec").contains("ENODEV")));
    }
}

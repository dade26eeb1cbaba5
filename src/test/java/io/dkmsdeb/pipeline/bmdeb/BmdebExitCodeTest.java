package io.dkmsdeb.pipeline.bmdeb;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The exit code of a bmdeb call from the results of its kernels. */
@Tag("unit")
class BmdebExitCodeTest {
    private static KernelResult k(KernelOutcome outcome, int code) {
        return new KernelResult("6.1.0-1-amd64", outcome, code, "", null, null, null, new KernelResult.Time(0, java.util.Map.of()));
    }

    private static final KernelResult BUILT = k(KernelOutcome.BUILT, 0);
    private static final KernelResult SKIPPED = k(KernelOutcome.SKIPPED, 77);

    @Test
    void oneKernelGivesItsOwnCode() {
        assertThat(BmdebJob.exitCode(List.of(BUILT))).isZero();
        assertThat(BmdebJob.exitCode(List.of(SKIPPED))).isEqualTo(77);
        for (int code : new int[] {1, 2, 3, 4, 5}) {
            assertThat(BmdebJob.exitCode(List.of(k(KernelOutcome.FAILED, code)))).isEqualTo(code);
        }
    }

    @Test
    void severalKernelsSucceedWhenEachIsBuiltOrSkippedAndOneBuilt() {
        assertThat(BmdebJob.exitCode(List.of(BUILT, BUILT))).isZero();
        assertThat(BmdebJob.exitCode(List.of(SKIPPED, BUILT))).isZero();
    }

    @Test
    void severalKernelsAllSkippedGive77() {
        assertThat(BmdebJob.exitCode(List.of(SKIPPED, SKIPPED))).isEqualTo(77);
    }

    @Test
    void anyFailureAmongOthersGives5() {
        assertThat(BmdebJob.exitCode(List.of(BUILT, k(KernelOutcome.FAILED, 1)))).isEqualTo(5);
        assertThat(BmdebJob.exitCode(List.of(k(KernelOutcome.FAILED, 4), BUILT))).isEqualTo(5);
        assertThat(BmdebJob.exitCode(List.of(SKIPPED, k(KernelOutcome.FAILED, 3)))).isEqualTo(5);
        assertThat(BmdebJob.exitCode(List.of(k(KernelOutcome.FAILED, 3), k(KernelOutcome.FAILED, 4)))).isEqualTo(5);
    }

    @Test
    void allFailedAlikeGiveTheirCommonCode() {
        assertThat(BmdebJob.exitCode(List.of(k(KernelOutcome.FAILED, 3), k(KernelOutcome.FAILED, 3)))).isEqualTo(3);
        assertThat(BmdebJob.exitCode(List.of(k(KernelOutcome.FAILED, 4), k(KernelOutcome.FAILED, 4), k(KernelOutcome.FAILED, 4)))).isEqualTo(4);
        assertThat(BmdebJob.exitCode(List.of(k(KernelOutcome.FAILED, 1), k(KernelOutcome.FAILED, 1)))).isEqualTo(1);
    }
}

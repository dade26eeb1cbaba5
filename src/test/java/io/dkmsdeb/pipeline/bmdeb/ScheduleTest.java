package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.model.UsageException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How many kernels are built at once and make -j of each, for machines of 1, 2 and 16 CPUs. */
@Tag("unit")
class ScheduleTest {
    private static final OptionalInt FREE = OptionalInt.empty();

    @Test
    void oneCpuBuildsOneKernelAtATimeWithOneJob() {
        assertThat(Schedule.of(1, 1, 1, FREE)).isEqualTo(new Schedule(1, 1));
        assertThat(Schedule.of(1, 1, 30, FREE)).isEqualTo(new Schedule(1, 1));
        assertThat(Schedule.of(1, 4, 3, FREE)).as("-j above the CPUs: kernels at once, one make job each").isEqualTo(new Schedule(3, 1));
    }

    @Test
    void twoCpus() {
        assertThat(Schedule.of(2, 2, 1, FREE)).as("one kernel gets both CPUs").isEqualTo(new Schedule(1, 2));
        assertThat(Schedule.of(2, 2, 2, FREE)).isEqualTo(new Schedule(2, 1));
        assertThat(Schedule.of(2, 2, 3, FREE)).isEqualTo(new Schedule(2, 1));
        assertThat(Schedule.of(2, 1, 3, FREE)).as("-j1: one kernel at a time, every CPU for its make").isEqualTo(new Schedule(1, 2));
    }

    @Test
    void sixteenCpus() {
        assertThat(Schedule.of(16, 16, 1, FREE)).isEqualTo(new Schedule(1, 16));
        assertThat(Schedule.of(16, 16, 4, FREE)).isEqualTo(new Schedule(4, 4));
        assertThat(Schedule.of(16, 16, 3, FREE)).as("the CPUs not divisible: the rest unused").isEqualTo(new Schedule(3, 5));
        assertThat(Schedule.of(16, 16, 30, FREE)).isEqualTo(new Schedule(16, 1));
        assertThat(Schedule.of(16, 4, 30, FREE)).isEqualTo(new Schedule(4, 4));
    }

    @Test
    void kernelsFoundUpToDateLeaveTheirCpusToTheOthers() {
        int kernels = 30;
        // checks run at the call's width, builds at the width of what is left
        assertThat(Schedule.of(16, 16, kernels, FREE).kernels()).isEqualTo(16);
        assertThat(Schedule.of(16, 16, kernels - 29, FREE)).as("29 up to date, 1 new").isEqualTo(new Schedule(1, 16));
        assertThat(Schedule.of(16, 16, kernels - 22, FREE)).as("22 up to date, 8 new").isEqualTo(new Schedule(8, 2));
        assertThat(Schedule.of(2, 2, kernels - 30, FREE)).as("all up to date: nothing to build, a schedule of one all the same")
                .isEqualTo(new Schedule(1, 2));
    }

    @Test
    void theMakeJobsVariableOverridesTheDivision() {
        OptionalInt forced = Schedule.forcedMakeJobs(Host.of(Map.of("DKMS_DEB_MAKE_JOBS", "3")));
        assertThat(forced).hasValue(3);
        assertThat(Schedule.of(16, 16, 8, forced)).isEqualTo(new Schedule(8, 3));
        assertThat(Schedule.of(1, 1, 1, forced)).isEqualTo(new Schedule(1, 3));
        assertThat(Schedule.forcedMakeJobs(Host.of(Map.of()))).isEmpty();
        assertThat(Schedule.forcedMakeJobs(Host.of(Map.of("DKMS_DEB_MAKE_JOBS", "")))).isEmpty();
        for (String bad : new String[] {"0", "-2", "four", "1000"}) {
            assertThatThrownBy(() -> Schedule.forcedMakeJobs(Host.of(Map.of("DKMS_DEB_MAKE_JOBS", bad))))
                    .isInstanceOf(UsageException.class).hasMessageContaining("DKMS_DEB_MAKE_JOBS=" + bad);
        }
    }
}

package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.model.UsageException;

import java.util.OptionalInt;

/**
 * How many kernels are built at once, and make -j of each: a pure function of the CPUs, -j, the
 * kernels to build (those found up to date left out) and DKMS_DEB_MAKE_JOBS. A call where one kernel
 * of thirty is new builds it with every CPU, not with the share it would have had beside twenty-nine others.
 *
 * @param kernels  kernels built at the same time
 * @param makeJobs make -j of each
 */
public record Schedule(int kernels, int makeJobs) {
    /** The variable that sets make -j of every build, whatever the number of kernels. */
    public static final String MAKE_JOBS_VARIABLE = "DKMS_DEB_MAKE_JOBS";

    public Schedule {
        if (kernels < 1 || makeJobs < 1) {
            throw new IllegalArgumentException("a schedule runs at least one kernel with make -j1: " + kernels + ", " + makeJobs);
        }
    }

    /**
     * @param cpus     the CPUs of the machine
     * @param jobs     -j: kernels at once, at most
     * @param toBuild  the kernels to build (0 is taken as 1)
     * @param forced   make -j of every build, from {@link #forcedMakeJobs}
     */
    public static Schedule of(int cpus, int jobs, int toBuild, OptionalInt forced) {
        int kernels = Math.max(1, Math.min(jobs, toBuild));
        int makeJobs = forced.orElse(Math.max(1, cpus / kernels));
        return new Schedule(kernels, makeJobs);
    }

    /** DKMS_DEB_MAKE_JOBS (1 to 999) when set; a usage error when it is set to anything else. */
    public static OptionalInt forcedMakeJobs(Host host) {
        String forced = host.get(MAKE_JOBS_VARIABLE, "");
        if (forced.isEmpty()) {
            return OptionalInt.empty();
        }
        if (!forced.matches("[1-9][0-9]{0,2}")) {
            throw new UsageException(MAKE_JOBS_VARIABLE + "=" + forced + " is not a number of make jobs from 1 to 999; "
                    + "unset it to let dkms-deb divide the CPUs among the kernels");
        }
        return OptionalInt.of(Integer.parseInt(forced));
    }
}

package io.dkmsdeb.pipeline;

import io.dkmsdeb.kernel.ArchiveKernels;
import io.dkmsdeb.kernel.ReleaseApt;
import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.model.kernel.KernelListing;

import java.nio.file.Path;
import java.util.Map;

/**
 * The kernel listing a command works from: a file written by {@code kernels --json}, else apt-cache's word now, on the
 * host's apt configuration or on the archive of a release or of apt source lines (a private apt state).
 */
public final class ArchiveListing {
    private ArchiveListing() {
    }

    /** {@code listFile} when given, else what apt-cache says; {@code env} is the environment of apt-cache (null: ours). */
    public static KernelListing.Listing load(Path listFile, Map<String, String> env) {
        return listFile != null ? ArchiveKernels.read(listFile) : ArchiveKernels.query(env);
    }

    /** The listing {@code origin} names, apt run with {@code host}'s environment. */
    public static KernelListing.Listing load(KernelListing.Origin origin, Host host) {
        if (origin.file() != null || origin.host()) {
            return load(origin.file(), host.env());
        }
        Map<String, String> env = new java.util.HashMap<>(host.env());
        env.putIfAbsent("PATH", Host.DEFAULT_PATH + ":/usr/sbin:/sbin");
        String arch = ReleaseApt.nativeArch(env);
        ReleaseApt archive = (origin.aptSources().isEmpty() ? ReleaseApt.ofRelease(origin.release(), arch, host)
                : ReleaseApt.ofSources(origin.aptSources(), origin.release(), arch, host)).withForeign(ReleaseApt.foreignArchs(env));
        return ArchiveKernels.query(env, archive);
    }
}

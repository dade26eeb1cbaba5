package io.dkmsdeb.pipeline;

import io.dkmsdeb.kernel.ArchiveKernels;
import io.dkmsdeb.model.KernelListing;

import java.nio.file.Path;
import java.util.Map;

/** The kernel listing a command works from: a file written by {@code kernels --json}, else apt-cache's word now. */
public final class ArchiveListing {
    private ArchiveListing() {
    }

    /** {@code listFile} when given, else what apt-cache says; {@code env} is the environment of apt-cache (null: ours). */
    public static KernelListing.Listing load(Path listFile, Map<String, String> env) {
        return listFile != null ? ArchiveKernels.read(listFile) : ArchiveKernels.query(env);
    }
}

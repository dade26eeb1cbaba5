package io.dkmsdeb.cli.json;

import io.dkmsdeb.pipeline.repo.RepoJob;


import java.util.List;

/**
 * {@code repo --json}: what a publish changed. Files are named relative to the repository root.
 *
 * @param added        pool files added
 * @param unchanged    pool files that were there with the same bytes
 * @param metaPackages the NAME-modules-FLAVOUR meta-packages written
 * @param removed      pool files taken out (--prune-kernels, --keep-builds)
 * @param indices      the index files written
 * @param signed       whether Release was signed
 * @param dryRun       whether nothing was changed (--dry-run)
 * @param seconds      the time of the call, in hundredths
 */
public record RepoReport(String command, String repository, String suite, String component, List<String> added, List<String> unchanged,
                         List<String> metaPackages, List<String> removed, List<String> indices, boolean signed, boolean dryRun,
                         double seconds) {
    public static final String COMMAND = "repo";

    public RepoReport {
        Reports.command(command, COMMAND);
        added = List.copyOf(added);
        unchanged = List.copyOf(unchanged);
        metaPackages = List.copyOf(metaPackages);
        removed = List.copyOf(removed);
        indices = List.copyOf(indices);
    }

    public RepoReport(String repository, String suite, String component, List<String> added, List<String> unchanged,
                      List<String> metaPackages, List<String> removed, List<String> indices, boolean signed, boolean dryRun, double seconds) {
        this(COMMAND, repository, suite, component, added, unchanged, metaPackages, removed, indices, signed, dryRun, seconds);
    }

    public static RepoReport of(RepoJob.Result r) {
        return new RepoReport(r.repoDir().toString(), r.suite(), r.component(), r.added(), r.unchanged(), r.metaPackages(), r.removed(),
                r.indices(), r.signed(), r.dryRun(), Reports.hundredths(r.seconds()));
    }
}

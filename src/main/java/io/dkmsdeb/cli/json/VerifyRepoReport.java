package io.dkmsdeb.cli.json;

import io.dkmsdeb.pipeline.repo.RepoVerifier;


import java.nio.file.Path;
import java.util.List;

/**
 * {@code verify-repo --json}: whether a suite checks out as apt would see it.
 *
 * @param ok              no problem found
 * @param signed          whether InRelease and Release.gpg are there and verify
 * @param filesChecked    the index files checked
 * @param packagesChecked the Packages entries whose pool file was checked
 * @param problems        one line per fault
 */
public record VerifyRepoReport(String command, String repository, String suite, boolean ok, boolean signed, int filesChecked,
                               int packagesChecked, List<String> problems) {
    public static final String COMMAND = "verify-repo";

    public VerifyRepoReport {
        Reports.command(command, COMMAND);
        problems = List.copyOf(problems);
    }

    public VerifyRepoReport(String repository, String suite, boolean ok, boolean signed, int filesChecked, int packagesChecked,
                            List<String> problems) {
        this(COMMAND, repository, suite, ok, signed, filesChecked, packagesChecked, problems);
    }

    /** The report of {@code r}, the check of {@code suite} in {@code repository}. */
    public static VerifyRepoReport of(Path repository, String suite, RepoVerifier.Report r) {
        return new VerifyRepoReport(repository.toString(), suite, r.ok(), r.signed(), r.filesChecked(), r.packagesChecked(), r.problems());
    }
}

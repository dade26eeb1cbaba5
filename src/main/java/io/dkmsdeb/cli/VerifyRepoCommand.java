package io.dkmsdeb.cli;

import io.dkmsdeb.pipeline.repo.RepoJob;
import io.dkmsdeb.pipeline.repo.RepoVerifier;
import io.dkmsdeb.cli.json.VerifyRepoReport;
import io.dkmsdeb.support.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code dkms-deb verify-repo}: check a repository as apt would, for monitoring and after any fault. */
@Command(name = "verify-repo", sortOptions = false,
        description = {"Check an apt repository as a client would, for monitoring.",
            "",
            "Checks the signatures of InRelease and Release.gpg (gpgv, against "
                + "--keyring, else the repository's own KEY.gpg), every file Release lists (size, MD5, SHA256), their by-hash "
                + "copies when Release says Acquire-By-Hash, and every pool file a Packages entry names (size, MD5, SHA256).",
            "",
            "Prints one line per fault and exits 1 when there is any; prints a summary and exits 0 when there is none. "
                    + "Reads only; while a dkms-deb publisher works on the repository it waits for it, so as to read one "
                    + "generation (a reader's lock on REPODIR/.dkms-deb/lock, taken when that file can be read)."},
        footer = {"", "Exit codes: 0 the suite checks out, 1 it does not (or cannot be read), 2 usage, "
                + "75 a publisher held the repository past --lock-timeout."})
final class VerifyRepoCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(index = "0", paramLabel = "REPODIR", description = "The repository root (where dists/ and pool/ are).")
    Path repoDir;

    @Option(names = "--suite", paramLabel = "SUITE",
            description = "The suite to check (default: this host's VERSION_CODENAME from /etc/os-release, else stable).")
    String suite;

    @Option(names = "--keyring", paramLabel = "FILE",
            description = "The public key the signatures must verify with, as apt's signed-by file (default: REPODIR/KEY.gpg, "
                    + "which only proves the repository agrees with itself).")
    Path keyring;

    @Option(names = "--lock-timeout", paramLabel = "SECONDS",
            description = "Wait up to SECONDS for a publish at work to finish (default: ${DEFAULT-VALUE}); then exit 75.")
    long lockTimeout = 600;

    @Option(names = "--by-hash", description = "Check only what a client that fetches by hash (apt 1.2 and later) reads: "
            + "when Release says Acquire-By-Hash, the indices at their plain names are left out.")
    boolean byHash;

    @Option(names = "--json", description = "Print the result as JSON on standard output.")
    boolean json;

    @Override
    public Integer call() {
        String s = suite != null ? suite : RepoJob.defaultSuite(HostEnvironment.get());
        if (keyring != null && !Files.isRegularFile(keyring)) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--keyring " + keyring + " is not a file; give the key that apt's signed-by names");
        }
        RepoVerifier.Report r = RepoVerifier.verify(repoDir, s, keyring, Duration.ofSeconds(lockTimeout), byHash);
        if (json) {
            System.out.println(Json.write(VerifyRepoReport.of(repoDir, s, r)));
        }
        if (!r.ok()) {
            r.problems().forEach(p -> System.err.println("dkms-deb: verify-repo: " + p));
            System.err.println("dkms-deb: error: suite " + s + " of " + repoDir + " has " + r.problems().size()
                    + " fault(s); apt clients may fail to update or install from it; publish again with 'dkms-deb repo "
                    + repoDir + "' to write its indices anew");
            return 1;
        }
        if (!json) {
            System.err.println("dkms-deb: suite " + s + " of " + repoDir + " checks out: " + r.filesChecked() + " index file(s), "
                    + r.packagesChecked() + " package entr(ies), " + (r.signed() ? "signature good" : "NOT signed"));
        }
        return 0;
    }
}

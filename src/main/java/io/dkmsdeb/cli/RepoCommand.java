package io.dkmsdeb.cli;

import io.dkmsdeb.pipeline.repo.RepoJob;
import io.dkmsdeb.pipeline.repo.Retention;
import io.dkmsdeb.cli.json.RepoReport;
import io.dkmsdeb.support.Json;
import io.dkmsdeb.model.kernel.DebianRelease;
import io.dkmsdeb.model.kernel.KernelListing;
import io.dkmsdeb.model.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code dkms-deb repo}: parse, delegate to {@link RepoJob}, report. */
@Command(name = "repo", sortOptions = false,
        description = {"Publish packages as a signed apt repository with per-flavour meta-packages.",
            "",
            "The packages are copied into REPODIR/pool/COMPONENT/ as reprepro lays it out (a package already there with "
                    + "the same bytes changes nothing; with other bytes it is refused), and the suite's indices are written "
                    + "again from the pool: dists/SUITE/COMPONENT/binary-ARCH/Packages and Packages.xz, dists/SUITE/Release "
                    + "with sizes and checksums, and, with --sign-key, InRelease and Release.gpg signed by gpg and the public "
                    + "key as REPODIR/KEY.gpg and KEY.asc for apt's signed-by. With SOURCE_DATE_EPOCH the Date and the "
                    + "signatures carry that time, and the same packages give the same bytes.",
            "",
            "Publishing never breaks a client: the new pool files, indices, their by-hash copies (Acquire-By-Hash), "
                    + "Release and its signatures are written to REPODIR/.dkms-deb/staging/ and checked there as apt would "
                    + "(sizes, hashes, gpgv), then renamed into place with InRelease last. A failure or a kill before that leaves "
                    + "what clients are served as it was; the next run cleans up. One publisher at a time holds "
                    + "REPODIR/.dkms-deb/lock; the by-hash files of the newest --keep-generations Release files stay, so clients "
                    + "that read an older InRelease still get what it names.",
            "",
            "Retention: --prune-kernels takes out NAME-modules-KVER packages whose kernel the listing (--kernel-list, else "
                    + "apt-cache) no longer has; --keep-builds N keeps the newest N versions of each package. Nothing a "
                    + "meta-package depends on is taken out; a pool file is deleted once no kept generation names it. "
                    + "--dry-run lists what would go.",
            "",
            "Meta-packages: for each NAME-modules-KVER package (made by bmdeb) whose kernel a meta-package of the kernel "
                    + "listing depends on (linux-image-amd64, linux-image-6.12-cloud-amd64, ...), NAME-modules-FLAVOUR "
                    + "(hello-modules-amd64) depends on it, so that a machine with linux-image-FLAVOUR and "
                    + "NAME-modules-FLAVOUR gets the module for each new kernel with apt upgrade."},
        footer = {"", "Exit codes: 0 written, 2 usage, 75 another publisher held the lock past --lock-timeout (nothing changed), "
                + "1 anything else (a bad package, a conflicting package, gpg failed; nothing served changed)."})
final class RepoCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(index = "0", paramLabel = "REPODIR", description = "The repository root (created when missing).")
    Path repoDir;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "FILE.deb", description = "Packages to add (none: write the indices again).")
    List<Path> debs = List.of();

    @Option(names = "--suite", paramLabel = "SUITE",
            description = "Suite and codename (default: this host's VERSION_CODENAME from /etc/os-release, else stable).")
    String suite;

    @Option(names = "--component", paramLabel = "COMPONENT", description = "Component (default: ${DEFAULT-VALUE}).")
    String component = "main";

    @Option(names = "--origin", paramLabel = "TEXT", description = "Origin field of Release.")
    String origin;

    @Option(names = "--label", paramLabel = "TEXT", description = "Label field of Release.")
    String label;

    @Option(names = "--sign-key", paramLabel = "KEYID", description = "The gpg key that signs Release (fingerprint, key id or user id).")
    String signKey;

    @Option(names = "--gpg-homedir", paramLabel = "DIR", description = "gpg's home directory (default: GNUPGHOME, else ~/.gnupg).")
    Path gpgHome;

    @Option(names = "--kernel-list", paramLabel = "FILE",
            description = "The kernel meta-packages from FILE (written by 'kernels --json') instead of apt-cache.")
    Path kernelList;

    @Option(names = "--release", paramLabel = "RELEASE",
            description = "The kernel meta-packages of this Debian release's archive (trixie, or 13), as 'dkms-deb kernels --release' "
                    + "lists them, instead of the host's apt-cache: for the suite of another release than the host's.")
    String release;

    @Option(names = "--apt-source", paramLabel = "LINE",
            description = "The kernel meta-packages of the archive of this apt source line ('deb [signed-by=KEYRING] URI SUITE "
                    + "COMPONENT...'), as 'dkms-deb kernels --apt-source' lists them; repeat for several.")
    List<String> aptSources = List.of();

    @Option(names = "--no-meta-packages", description = "Make no NAME-modules-FLAVOUR meta-packages.")
    boolean noMetaPackages;

    @Option(names = "--lock-timeout", paramLabel = "SECONDS",
            description = "Wait up to SECONDS for another publisher of this repository (default: ${DEFAULT-VALUE}); then exit 75.")
    long lockTimeout = 600;

    @Option(names = "--keep-generations", paramLabel = "N",
            description = "Keep the by-hash files of the newest N Release files served (default: ${DEFAULT-VALUE}).")
    int keepGenerations = 3;

    @Option(names = "--prune-kernels", description = "Take out module packages of kernels the kernel listing no longer has.")
    boolean pruneKernels;

    @Option(names = "--keep-builds", paramLabel = "N", description = "Keep only the newest N versions of each package (default: all).")
    int keepBuilds;

    @Option(names = "--dry-run", description = "Say what would be added and taken out; change nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print a machine-readable summary on standard output.")
    boolean json;

    @Override
    public Integer call() {
        RepoJob.Target target = new RepoJob.Target(repoDir, suite != null ? suite : RepoJob.defaultSuite(HostEnvironment.get()), component, origin, label);
        RepoJob.Policy policy = new RepoJob.Policy(Duration.ofSeconds(lockTimeout), keepGenerations, pruneKernels, keepBuilds, dryRun);
        if (kernelList != null && release != null) {
            throw new UsageException("--kernel-list reads a listing written earlier and --release lists a release's archive now; give one of them");
        }
        KernelListing.Origin kernels = new KernelListing.Origin(kernelList, release == null ? null : DebianRelease.parse(release), aptSources);
        RepoJob.Result r = new RepoJob().run(new RepoJob.Request(target, debs, signKey, gpgHome, kernels, !noMetaPackages, policy,
                HostEnvironment.get().env()));
        if (json) {
            System.out.println(Json.write(RepoReport.of(r)));
        } else {
            System.err.println("dkms-deb: " + (r.dryRun() ? "dry run, nothing changed: " : "") + r.added().size() + " package(s) added, "
                    + r.metaPackages().size() + " meta-package(s), " + r.unchanged().size() + " already there, " + r.removed().size()
                    + " taken out; suite " + r.suite() + (r.signed() ? ", signed" : ", NOT signed")
                    + ", in " + r.repoDir());
        }
        return 0;
    }
}

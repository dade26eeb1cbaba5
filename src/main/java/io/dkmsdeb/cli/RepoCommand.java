package io.dkmsdeb.cli;

import io.dkmsdeb.pipeline.repo.RepoJob;
import io.dkmsdeb.support.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
            "Meta-packages: for each NAME-modules-KVER package (made by bmdeb) whose kernel a meta-package of the kernel "
                    + "listing depends on (linux-image-amd64, linux-image-6.12-cloud-amd64, ...), NAME-modules-FLAVOUR "
                    + "(hello-modules-amd64) depends on it, so that a machine with linux-image-FLAVOUR and "
                    + "NAME-modules-FLAVOUR gets the module for each new kernel with apt upgrade."},
        footer = {"", "Exit codes: 0 written, 2 usage, 1 anything else (a bad package, a conflicting package, gpg failed)."})
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

    @Option(names = "--no-meta-packages", description = "Make no NAME-modules-FLAVOUR meta-packages.")
    boolean noMetaPackages;

    @Option(names = "--json", description = "Print a machine-readable summary on standard output.")
    boolean json;

    @Override
    public Integer call() {
        RepoJob.Result r = new RepoJob().run(new RepoJob.Request(repoDir, debs, suite != null ? suite : RepoJob.hostCodename(),
                component, origin, label, signKey, gpgHome, kernelList, !noMetaPackages, System.getenv()));
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("command", "repo");
            out.put("repository", r.repoDir().toString());
            out.put("suite", r.suite());
            out.put("component", r.component());
            out.put("added", r.added());
            out.put("unchanged", r.unchanged());
            out.put("metaPackages", r.metaPackages());
            out.put("indices", r.indices());
            out.put("signed", r.signed());
            out.put("seconds", Math.round(r.seconds() * 100) / 100.0);
            System.out.println(Json.write(out));
        } else {
            System.err.println("dkms-deb: " + r.added().size() + " package(s) added, " + r.metaPackages().size() + " meta-package(s), "
                    + r.unchanged().size() + " already there; suite " + r.suite() + (r.signed() ? ", signed" : ", NOT signed")
                    + ", in " + r.repoDir());
        }
        return 0;
    }
}

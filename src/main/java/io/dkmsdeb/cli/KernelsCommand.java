package io.dkmsdeb.cli;

import io.dkmsdeb.pipeline.ArchiveListing;
import io.dkmsdeb.cli.json.KernelsReport;
import io.dkmsdeb.model.kernel.DebianRelease;
import io.dkmsdeb.model.kernel.KernelListing;
import io.dkmsdeb.model.kernel.KernelShard;
import io.dkmsdeb.model.UsageException;
import io.dkmsdeb.pipeline.CachePruning;
import io.dkmsdeb.support.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code dkms-deb kernels}: the kernels the apt archive serves, as a table or JSON. */
@Command(name = "kernels", sortOptions = false,
        description = {"List the kernels the configured apt archive serves headers for.",
            "",
            "Every linux-headers-KVER package of a kernel ABI that apt-cache knows (run apt-get update first), with "
                    + "the version apt would fetch, and the kernel meta-packages (linux-image-amd64, "
                    + "linux-image-6.12-cloud-amd64, ...) with the ABI each one depends on now. Nothing is downloaded "
                    + "or installed. 'bmdeb --kernels-from-archive FILTER' builds for the same list; the --json output "
                    + "can be saved and given to 'bmdeb --kernel-list' and 'repo --kernel-list'.",
            "",
            "FILTER is words separated by spaces or commas: a series (6.1, 6.12), a flavour (amd64, cloud-amd64, "
                    + "rt-amd64, arm64; matched exactly), arch=ARCH (the Debian architecture), or a kernel release. "
                    + "'current' keeps the ABIs the kernel meta-packages (linux-image-amd64, ...) depend on now, 'current+N' "
                    + "also the N ABIs before each. Words of one kind are alternatives; all kinds given must match. "
                    + "No filter: every kernel.",
            "",
            "--release RELEASE lists the kernels of another Debian release's archive (on a bookworm host, trixie's +deb13 kernels "
                    + "and trixie's meta-packages, so 'current' means trixie's), --apt-source LINE the archive of an apt source line; "
                    + "their package lists are kept in a private apt state (docs/TRIXIE.md).",
            "",
            "For a build agent: --prune-cache removes the fetched headers of every kernel this listing (after FILTER) does not "
                    + "have (with --release, only that release's kernels), --prune-logs DAYS the build logs older than DAYS days."},
        footer = {"", "Exit codes: 0 listed, 2 usage (also a filter that matches no kernel, and a release the archive does not have), "
                + "4 apt-cache failed or the archive of --release or --apt-source could not be reached."})
final class KernelsCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(arity = "0..*", paramLabel = "FILTER", description = "Series, flavours, arch=ARCH or releases (default: all).")
    List<String> filter = List.of();

    @Option(names = "--kernel-list", paramLabel = "FILE",
            description = "Read the listing from FILE (written by 'kernels --json') instead of asking apt-cache.")
    Path listFile;

    @Option(names = "--release", paramLabel = "RELEASE",
            description = "List the kernels of this Debian release's archive (trixie, or 13: its suite, -updates and -security, from "
                    + "DKMS_DEB_MIRROR, else deb.debian.org) instead of the host's apt sources: its package lists are fetched into "
                    + "$XDG_CACHE_HOME/dkms-deb/apt/RELEASE-ARCH (no root needed; again when a day old), and the meta-packages are "
                    + "that release's. The listing records the release.")
    String release;

    @Option(names = "--apt-source", paramLabel = "LINE",
            description = "List the archive of this apt source line instead ('deb [signed-by=KEYRING] URI SUITE COMPONENT...'; "
                    + "without signed-by, checked with Debian's archive keys); repeat for several. Its release is --release, else "
                    + "the first line's suite (trixie-backports: trixie).")
    List<String> aptSources = List.of();

    @Option(names = "--json", description = "Print the listing as JSON on standard output.")
    boolean json;

    @Option(names = "--shards", paramLabel = "N",
            description = "Show each kernel's shard of N (what 'bmdeb --shard I/N' builds; a hash of the release, so a kernel "
                    + "keeps its shard as kernels come and go) and the size of each shard.")
    Integer shards;

    @Option(names = "--prune-cache",
            description = "Remove from the header cache ($XDG_CACHE_HOME/dkms-deb/headers) the headers of every kernel not in "
                    + "this listing (after FILTER), and the stored files no kernel uses any more. A listing of --release R prunes only "
                    + "the kernels of R: the headers of kernels of other releases are kept.")
    boolean pruneCache;

    @Option(names = "--prune-logs", paramLabel = "DAYS", description = "Remove build logs older than DAYS days from --log-dir.")
    Integer pruneLogs;

    @Option(names = "--log-dir", paramLabel = "DIR",
            description = "The build logs --prune-logs prunes (default: dkms-deb/logs in $XDG_CACHE_HOME, else in ~/.cache).")
    Path logDir;

    @Override
    public Integer call() {
        if (shards != null && (shards < 1 || shards > KernelShard.MAX)) {
            throw new UsageException("--shards must be from 1 to " + KernelShard.MAX + ", got " + shards);
        }
        if (pruneLogs != null && pruneLogs < 0) {
            throw new UsageException("--prune-logs takes a number of days, 0 or more, got " + pruneLogs);
        }
        KernelListing.Origin origin = new KernelListing.Origin(listFile, release == null ? null : DebianRelease.parse(release), aptSources);
        if (listFile != null && origin.release() != null) {
            throw new UsageException("--kernel-list reads a listing written earlier and --release lists a release's archive now; give one of them");
        }
        KernelListing.Listing all = ArchiveListing.load(origin, HostEnvironment.get());
        KernelListing.Listing l = all.filterMatching(String.join(" ", filter));
        if (pruneCache) {
            CachePruning.headers(l, HostEnvironment.get());
        }
        if (pruneLogs != null) {
            CachePruning.logs(logDir, pruneLogs, HostEnvironment.get());
        }
        if (json) {
            System.out.println(Json.write(KernelsReport.of(l, shards)));
            return 0;
        }
        if (shards != null) {
            printShards(l);
            return 0;
        }
        System.out.printf("%-34s %-6s %-14s %-6s %-22s %-9s %s%n", "KERNEL", "SERIES", "FLAVOUR", "ARCH", "HEADERS VERSION",
                "INSTALLED", "META-PACKAGES");
        for (KernelListing.Kernel k : l.kernels()) {
            String metas = l.metas().stream().filter(m -> m.release().equals(k.release())).map(KernelListing.Meta::pkg)
                    .collect(Collectors.joining(" "));
            boolean installed = HostEnvironment.get().headersInstalled(k.release());
            System.out.printf("%-34s %-6s %-14s %-6s %-22s %-9s %s%n", k.release(), k.series(), k.flavour(), k.arch(), k.headersVersion(),
                    installed ? "headers" : "-", metas.isEmpty() ? "-" : metas);
        }
        System.err.println("dkms-deb: " + l.kernels().size() + " kernel" + (l.kernels().size() == 1 ? "" : "s")
                + (filter.isEmpty() ? "" : " match '" + String.join(" ", filter) + "'") + " (of " + all.kernels().size() + " in " + all.archive() + ")");
        return 0;
    }

    /** The partition: each shard with its kernels, and the sizes. */
    private void printShards(KernelListing.Listing l) {
        System.out.printf("%-6s %-34s %-14s %s%n", "SHARD", "KERNEL", "FLAVOUR", "ARCH");
        int[] sizes = new int[shards + 1];
        for (int i = 1; i <= shards; i++) {
            for (KernelListing.Kernel k : l.kernels()) {
                if (KernelShard.of(k.release(), shards) == i) {
                    sizes[i]++;
                    System.out.printf("%-6s %-34s %-14s %s%n", i + "/" + shards, k.release(), k.flavour(), k.arch());
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= shards; i++) {
            sb.append(i == 1 ? "" : ", ").append(i).append(": ").append(sizes[i]);
        }
        System.err.println("dkms-deb: " + l.kernels().size() + " kernel" + (l.kernels().size() == 1 ? "" : "s") + " in " + shards
                + " shard" + (shards == 1 ? "" : "s") + " (" + sb + ")");
    }
}

package io.dkmsdeb.cli;

import io.dkmsdeb.pipeline.ArchiveListing;
import io.dkmsdeb.cli.json.KernelsReport;
import io.dkmsdeb.model.KernelListing;
import io.dkmsdeb.model.KernelListing;
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
                    + "Words of one kind are alternatives; all kinds given must match. No filter: every kernel."},
        footer = {"", "Exit codes: 0 listed, 2 usage (also a filter that matches no kernel), 4 apt-cache failed."})
final class KernelsCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(arity = "0..*", paramLabel = "FILTER", description = "Series, flavours, arch=ARCH or releases (default: all).")
    List<String> filter = List.of();

    @Option(names = "--kernel-list", paramLabel = "FILE",
            description = "Read the listing from FILE (written by 'kernels --json') instead of asking apt-cache.")
    Path listFile;

    @Option(names = "--json", description = "Print the listing as JSON on standard output.")
    boolean json;

    @Override
    public Integer call() {
        KernelListing.Listing all = ArchiveListing.load(listFile, HostEnvironment.get().env());
        KernelListing.Listing l = all.filterMatching(String.join(" ", filter));
        if (json) {
            System.out.println(Json.write(KernelsReport.of(l)));
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
                + (filter.isEmpty() ? "" : " match '" + String.join(" ", filter) + "'") + " (of " + all.kernels().size() + " in the archive)");
        return 0;
    }
}

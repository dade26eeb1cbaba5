package io.dkmsdeb.cli;

import io.dkmsdeb.pipeline.inspect.InspectJob;
import io.dkmsdeb.cli.json.InspectReport;
import io.dkmsdeb.support.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code dkms-deb inspect}: control fields, file list and checks of a package. */
@Command(name = "inspect",
        description = {"Show a package's control fields and files, and check them.",
            "",
            "The checks: each kernel module's vermagic (read from the module's ELF modinfo section, compressed "
                    + "modules too) matches the kernel directory it is installed in, the md5sums match the data, and "
                    + "the maintainer scripts parse (sh -n), and each line of the triggers file is DIRECTIVE NAME."},
        footer = {"", "Exit codes: 0 all checks passed, 1 a check failed or the file is not a valid package, 2 usage."})
final class InspectCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(index = "0", paramLabel = "FILE.deb", description = "The package to inspect.")
    Path deb;

    @Option(names = "--json", description = "Print a machine-readable report on standard output.")
    boolean json;

    @Override
    public Integer call() {
        InspectJob.Report r = new InspectJob().run(deb);
        if (json) {
            System.out.println(Json.write(InspectReport.of(deb, r)));
        } else {
            System.out.print(r.control());
            System.out.println();
            if (r.triggers() != null) {
                System.out.println("Triggers:");
                r.triggers().lines().forEach(l -> System.out.println("  " + l));
                System.out.println();
            }
            System.out.println("Files:");
            for (InspectJob.Entry e : r.files()) {
                System.out.printf("  %c %04o %10d  %s%s%n", e.type(), e.mode(), e.size(), e.path(),
                        e.linkTarget() == null ? "" : " -> " + e.linkTarget());
            }
            System.out.println();
            System.out.println("Checks:");
            for (InspectJob.Check c : r.checks()) {
                System.out.printf("  [%s] %s: %s%n", c.ok() ? "ok" : "FAIL", c.what(), c.detail());
            }
        }
        if (!r.ok()) {
            System.err.println("dkms-deb: error: " + r.checks().stream().filter(c -> !c.ok()).count() + " check(s) failed for " + deb
                    + "; see the FAIL lines above");
            return 1;
        }
        return 0;
    }
}

package io.dkmsdeb.cli;

import io.dkmsdeb.pipeline.Maintainer;
import io.dkmsdeb.pipeline.source.SourceJob;
import io.dkmsdeb.model.dkms.DkmsLevel;
import io.dkmsdeb.model.UsageException;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The options that {@code source} and {@code bmdeb} share, with one spelling and one meaning. */
final class CommonOptions {
    @Option(names = {"-o", "--output-dir"}, paramLabel = "OUTDIR",
            description = "Where to write the packages, created if missing (default: the current directory).")
    Path outDir = Path.of(".");

    @Option(names = {"-j", "--jobs"}, paramLabel = "N",
            description = "Work done at the same time (default: the number of CPUs): source compresses on N threads, "
                    + "bmdeb builds N kernels at once and gives make the CPUs divided among them (those up to date left out). "
                    + "The output is the same for any N.")
    int jobs = Runtime.getRuntime().availableProcessors();

    @Option(names = "--revision", paramLabel = "REV",
            description = "Debian revision (default for source: the one in debian/changelog, else " + SourceJob.DEFAULT_REVISION
                    + "; for bmdeb: none, "
                    + "the Version is PACKAGE_VERSION).")
    String revision;

    @Option(names = "--maintainer", paramLabel = "MAINTAINER",
            description = "Maintainer field, \"Full Name <mail@example.org>\" (default: the -dkms package's when bmdeb "
                    + "reads one or dpkg says which installed package put NAME/VERSION in /usr/src, else debian/control in the "
                    + "tree or its parent, else DEBFULLNAME and DEBEMAIL).")
    String maintainer;

    @Option(names = "--templates", paramLabel = "DIR", description = "Directory of maintainer-script templates that replace the shipped ones.")
    Path templates;

    @Option(names = "--dkms-level", paramLabel = "LEVEL",
            description = "The dkms release whose rules dkms.conf is read and built by, where dkms releases differ: a release "
                    + "from 3.0.10 to 3.4.3, or bookworm (3.0.10), trixie (3.2.2) or newest (default: for bmdeb, the dkms of each kernel's "
                    + "Debian release, which would otherwise build for it: bookworm for a 6.1.0-N or +deb12 kernel, trixie for a +deb13 "
                    + "one; for source, bookworm, the dkms of Debian 12, which the package meets on its targets). The rules and what "
                    + "each level does: docs/DKMS-LEVELS.md.")
    String dkmsLevel;

    @Option(names = "--json", description = "Print a machine-readable summary on standard output.")
    boolean json;

    /** --dkms-level, checked; bookworm when not given. */
    DkmsLevel level() {
        return dkmsLevel == null ? DkmsLevel.BOOKWORM : DkmsLevel.parse(dkmsLevel);
    }

    /** --dkms-level, checked, or null when not given. */
    DkmsLevel levelGiven() {
        return dkmsLevel == null ? null : DkmsLevel.parse(dkmsLevel);
    }

    /** Refuses values no command can use. */
    void check() {
        if (jobs < 1) {
            throw new UsageException("-j must be at least 1, got " + jobs);
        }
        level();
    }
}

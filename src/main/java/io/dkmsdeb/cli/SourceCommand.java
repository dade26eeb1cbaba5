package io.dkmsdeb.cli;

import io.dkmsdeb.pipeline.Encoders;
import io.dkmsdeb.pipeline.source.SourceJob;
import io.dkmsdeb.support.Json;
import io.dkmsdeb.model.deb.Compression;
import io.dkmsdeb.cli.json.SourceReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code dkms-deb source}: parse, delegate to {@link SourceJob}, report. */
@Command(name = "source", sortOptions = false,
        description = {"Package a module source tree as NAME-dkms for dkms to build on the target.",
            "",
            "The package, NAME-dkms_VERSION-REV_all.deb, holds the sources under /usr/src/NAME-VERSION/ with their "
                    + "dkms.conf, and maintainer scripts that hand the module to dkms on the target: what dh_dkms does "
                    + "in a dpkg-buildpackage run. Without a dkms.conf in DIR, one is generated from the Kbuild or "
                    + "Makefile obj-m lines.",
            "",
            "When DIR or its parent has a debian/ directory (changelog, control, a .dkms file, perhaps an .install file), "
                    + "the package is the one dpkg-buildpackage -b with dh and dh_dkms makes from it: name, version and "
                    + "fields from debian/, and the dkms configuration from the .dkms file with #MODULE_VERSION# filled in. What dkms-deb "
                    + "does not honour (debian/rules targets, patches, other packages) is named in a warning."},
        footer = {"", "Exit codes: 0 written, 2 usage, 3 bad module source or dkms.conf, 1 anything else."})
final class SourceCommand implements Callable<Integer> {
    // -V is the module version here (as in the design), so the standard -h/-V mixin is not used
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "Module source tree (default: the current directory).")
    Path dir = Path.of(".");

    @Option(names = {"-V", "--module-version"}, paramLabel = "VERSION",
            description = "Module version: for a tree without dkms.conf, or to fill a #MODULE_VERSION# placeholder "
                    + "(default with debian/: as dh_dkms -V, the changelog's upstream version).")
    String version;

    @Option(names = "--name", paramLabel = "NAME", description = "Base name of the package: NAME-dkms, as bmdeb's --name gives NAME-modules-KVER; "
                    + "a NAME ending in -dkms is the same (default: the package of debian/control that dh_dkms acts on, else PACKAGE_NAME "
                    + "lower-cased, '_' to '-', with -dkms).")
    String name;

    @Mixin
    CommonOptions common;

    @Option(names = "--compression", paramLabel = "xz|gzip|zstd|none", converter = CompressionOption.Member.class,
            description = "Compression of the package members (default: ${DEFAULT-VALUE}).")
    Compression compression = Compression.XZ;

    /** The spelling bmdeb had: an alias, not shown in the help. */
    @Option(names = "--compress", hidden = true, converter = CompressionOption.Member.class)
    void compressAlias(Compression c) {
        compression = c;
    }

    @Option(names = "--no-sandbox",
            description = "Read dkms.conf (a bash script: the module's code) as this user, with the network and every file this user "
                    + "may read. By default it is read in a bubblewrap sandbox (no network, the system read-only, /root, /home and the "
                    + "output directory hidden, as the user nobody when started by root); where that sandbox cannot be made, source "
                    + "stops (exit 69) before any of the module's code ran.")
    boolean noSandbox;

    @Override
    public Integer call() {
        common.check();
        SourceJob.Result r = new SourceJob().run(new SourceJob.Request(dir, common.outDir,
                new SourceJob.Packaging(version, common.revision, name, common.maintainer, common.templates), compression, common.jobs,
                HostEnvironment.get().env(), common.level(), !noSandbox));
        if (common.json) {
            System.out.println(Json.write(SourceReport.of(r, compression == Compression.XZ ? Encoders.xz() : null)));
        } else {
            for (SourceJob.Written w : r.written()) {
                System.out.printf("%s: %s %s (%d files, %d bytes)%n", w.deb(), w.pkg().packageName(), w.pkg().version(),
                        w.pkg().data().stream().filter(e -> e.type() != io.dkmsdeb.model.deb.DebEntry.Type.DIRECTORY).count(),
                        w.deb().toFile().length());
            }
        }
        return r.written().stream().allMatch(w -> Files.exists(w.deb())) ? 0 : 1;
    }
}

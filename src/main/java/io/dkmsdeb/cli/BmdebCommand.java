package io.dkmsdeb.cli;

import io.dkmsdeb.model.kernel.DebianRelease;

import io.dkmsdeb.pipeline.Encoders;
import io.dkmsdeb.pipeline.bmdeb.BmdebJob;
import io.dkmsdeb.pipeline.bmdeb.BmdebRequest;
import io.dkmsdeb.pipeline.bmdeb.BmdebResult;
import io.dkmsdeb.pipeline.bmdeb.KernelOutcome;
import io.dkmsdeb.pipeline.bmdeb.KernelResult;
import io.dkmsdeb.support.Json;
import io.dkmsdeb.model.deb.Compression;
import io.dkmsdeb.model.KernelExcludedException;
import io.dkmsdeb.model.UsageException;
import io.dkmsdeb.cli.json.BmdebReport;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code dkms-deb bmdeb}: parse, delegate to {@link BmdebJob}, report. */
@Command(name = "bmdeb", sortOptions = false,
        description = {"Compile a module for given kernels and package it for each as NAME-modules-KVER.",
            "",
            "Each package, NAME-modules-KVER_VERSION_ARCH.deb, holds only the .ko files (under "
                    + "/lib/modules/KVER/updates/dkms/) and depends on linux-image-KVER, so that the targets need no "
                    + "compiler and no dkms. This is what 'dkms mkbmdeb' did before dkms 3 removed it.",
            "",
            "SOURCE is a module directory, a -dkms package file (read in Java, nothing is installed), or NAME/VERSION, "
                    + "looked up in /usr/src/NAME-VERSION, then in /var/lib/dkms/NAME/VERSION/source.",
            "",
            "Only what is new is built: each package records the digest of its inputs (the module's files, the options, "
                    + "the kernel and its headers package version, dkms-deb itself) in its Dkms-Deb-Inputs field, and a kernel "
                    + "whose package with the same digest is in OUTDIR or a --reuse-from directory is up-to-date: nothing is "
                    + "fetched or compiled for it.",
            "",
            "A package name and version never stand for two contents: when a package of the same name and version with "
                    + "other inputs is in OUTDIR or a --reuse-from directory (a source fix without a new version, a new key, a "
                    + "dkms-deb upgrade), the new one is VERSION+bN, N one above the highest +bN of that version found (Debian's "
                    + "binNMU versions, which apt upgrades to); a file in OUTDIR is never overwritten with other bytes. VERSION is "
                    + "PACKAGE_VERSION, with --revision, else with the revision of the -dkms package SOURCE comes from (a .deb, or "
                    + "the installed package of NAME/VERSION) when its version is PACKAGE_VERSION-REVISION.",
            "",
            "Calls writing to one OUTDIR take a lock per kernel (OUTDIR/.dkms-deb-bmdeb-KVER.lock) before they look for an "
                    + "up-to-date package: a second call waits for the first (at most --lock-timeout), then finds its package "
                    + "up to date."},
        footer = {"", "Exit codes: 0 built or up-to-date (with several kernels: each one built, up-to-date or skipped, not all skipped), "
                + "2 usage, 3 bad module source, 4 kernel headers (or, for a kernel of another architecture, the cross compiler) missing, 5 build failed (the message names the log), "
                + "69 the module's code cannot run in a sandbox here (nothing of it ran; --no-sandbox opts out), "
                + "77 the module's BUILD_EXCLUSIVE_* excludes the kernel (with several kernels: all of them), "
                + "130 or 143 stopped by SIGINT or SIGTERM, 1 anything else. "
                + "With several kernels, one that fails does not stop the others; the code is 5 when any failed, "
                + "unless all failed with the same code, which is then the code of the call."})
final class BmdebCommand implements Callable<Integer> {
    // -V is the module version here, as in source; dkms-deb's own version is 'dkms-deb --version'
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    /** The top-level command, for --stacktrace. */
    @ParentCommand
    Main main;

    // optional for picocli, required by call(): a missing SOURCE after --kernels-from-archive gets its own message
    @Parameters(index = "0", arity = "0..1", paramLabel = "SOURCE", description = "NAME/VERSION, a module directory, or a NAME-dkms package file.")
    String source;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Kernels kernels;

    static final class Kernels {
        @Option(names = {"-k", "--kernel"}, paramLabel = "KVER", required = true,
                description = "Kernel release to build for, as uname -r prints it; repeat for several. The running kernel is never assumed.")
        List<String> releases = new ArrayList<>();

        @Option(names = "--all-kernels", required = true, description = "Build for every kernel under /lib/modules whose headers are installed.")
        boolean all;

        @Option(names = "--kernels-from-archive", required = true, arity = "0..1", fallbackValue = "", paramLabel = "FILTER",
                description = "Build for every kernel the apt archive serves headers for (see 'dkms-deb kernels'), or those FILTER "
                        + "selects: series (6.1), flavours (amd64, cloud-amd64), arch=ARCH, releases, separated by commas. "
                        + "Headers that are not installed are fetched as with --fetch-headers. Give SOURCE before this option.")
        String archiveFilter;
    }

    @Option(names = "--kernel-list", paramLabel = "FILE",
            description = "With --kernels-from-archive: take the archive's kernels from FILE (written by 'dkms-deb kernels --json') "
                    + "instead of asking apt-cache.")
    Path kernelList;

    @Option(names = "--apt-source", paramLabel = "LINE",
            description = "With --kernels-from-archive: list the archive of this apt source line ('deb [signed-by=KEYRING] URI SUITE "
                    + "COMPONENT...') instead of the host's apt sources, as 'dkms-deb kernels --apt-source' does; repeat for several.")
    List<String> aptSources = new ArrayList<>();

    @Option(names = "--shard", paramLabel = "I/N",
            description = "With --kernels-from-archive: build only shard I of N of the listing (1/4 to 4/4), for a job spread "
                    + "over N CI agents. A kernel's shard depends only on its release and N (a hash), so every kernel is in "
                    + "exactly one shard and stays in it when kernels come and go; 'dkms-deb kernels --shards N' shows them. "
                    + "An empty shard builds nothing and exits 0.")
    String shard;

    @Option(names = "--rebuild", description = "Build every kernel, even when a package built from the same inputs is already in the "
            + "output directory or a --reuse-from directory (the rebuild keeps that package's version, and its file when the bytes "
            + "are the same).")
    boolean rebuild;

    @Option(names = "--reuse-from", paramLabel = "DIR",
            description = "Also look in DIR (searched to a depth of 8 for .deb files and Packages indices: an apt repository, say) "
                    + "for packages built from the same inputs; such a kernel is up to date and not built again. Its packages also "
                    + "count for the version of a rebuild (VERSION+bN). Repeat for several.")
    List<Path> reuseFrom = new ArrayList<>();

    @Option(names = {"-V", "--module-version"}, paramLabel = "VERSION",
            description = "Module version: for a tree without dkms.conf, or to fill a #MODULE_VERSION# placeholder.")
    String moduleVersion;

    @Option(names = "--name", paramLabel = "NAME",
            description = "Base name of the packages: NAME-modules-KVER, providing NAME-modules "
                    + "(default: PACKAGE_NAME lower-cased, '_' to '-', without -dkms).")
    String name;

    @Option(names = "--kernel-source-dir", paramLabel = "DIR", description = "Kernel headers to build against (default: /lib/modules/KVER/build).")
    Path kernelSourceDir;

    @Option(names = "--release", paramLabel = "RELEASE",
            description = "The Debian release of the kernels (trixie, or 13), when their release does not say it (+deb13 is "
                    + "trixie, +deb12 and 6.1.0-N bookworm; default: that, else this host's). A kernel of another release than this "
                    + "host's is built in a minimal root of its release (its compiler and headers; made with debootstrap and cached "
                    + "per release: docs/TRIXIE.md); its dkms level follows the release unless --dkms-level is given. With "
                    + "--kernels-from-archive, the kernels are those of this release's archive, as 'dkms-deb kernels --release' lists "
                    + "them (with --kernel-list: the listing must be of this release, when it records one).")
    String release;

    @Option(names = "--fetch-headers", description = "When a kernel's headers are not installed, download linux-headers-KVER and the "
            + "packages it needs with apt-get download (no root, nothing installed) into $XDG_CACHE_HOME/dkms-deb/headers.")
    boolean fetchHeaders;

    @Option(names = "--arch", paramLabel = "ARCH", description = "Debian architecture of the target kernel (default: from the kernel's .config).")
    String arch;

    @Mixin
    CommonOptions common;

    @Option(names = "--compression", paramLabel = "auto|none|xz|zstd|gzip", converter = CompressionOption.Module.class,
            defaultValue = "auto",
            description = "Module compression (default: auto, as the kernel's own modules, else its CONFIG_MODULE_COMPRESS_*).")
    Compression compression;

    /** The spelling of dkms-deb 1: an alias, not shown in the help. */
    @Option(names = "--compress", hidden = true, converter = CompressionOption.Module.class)
    void compressAlias(Compression c) {
        compression = c;
    }

    @Option(names = "--no-strip", description = "Keep debug symbols (dkms.conf STRIP=no does this per module).")
    boolean noStrip;

    @Option(names = "--compile-debug-info",
            description = "Compile with the kernel's debug-info flags even when every module is stripped afterwards, as dkms does. "
                    + "By default such a build compiles without debug info (KCFLAGS=-g0), which is faster and gives the same code "
                    + "(not for kernels whose headers make BTF for modules: they need it).")
    boolean compileDebugInfo;

    @Option(names = "--sign-key", paramLabel = "KEY",
            description = "Sign the modules with this private key, before compression, with the kernel's CONFIG_MODULE_SIG_HASH: a PEM "
                    + "file, or a PKCS#11 URI (pkcs11:token=...;object=...) of a key on a token (an HSM, a smart card, SoftHSM), used "
                    + "through OpenSSL's pkcs11 engine, so that the key never exists as a file here; the token's PIN comes from "
                    + "DKMS_DEB_PKCS11_PIN or the file DKMS_DEB_PKCS11_PIN_FILE names, its library from DKMS_DEB_PKCS11_MODULE "
                    + "(default: p11-kit's proxy). Default: dkms's /var/lib/dkms/mok.key when it and mok.pub exist. Signing runs in "
                    + "dkms-deb's own process, outside the sandbox: the key is never handed to the module's code. Signed modules "
                    + "come with NAME-modules-cert_VERSION_all.deb, the certificate for mokutil --import.")
    String signKey;

    @Option(names = "--sign-cert", paramLabel = "CERT", description = "The key's X.509 certificate (PEM or DER). Default: /var/lib/dkms/mok.pub.")
    Path signCert;

    @Option(names = "--no-sign", description = "Do not sign, even when dkms's MOK key exists.")
    boolean noSign;

    @Option(names = "--no-sandbox",
            description = "Run the module's code (dkms.conf, PRE_BUILD, make, POST_BUILD) as this user with the network and every file "
                    + "this user may read, the signing key included. By default it runs in a bubblewrap sandbox: no network, the system "
                    + "read-only, the key, /root, /home and the output directories hidden, as the user nobody when started by root; "
                    + "where that sandbox cannot be made, bmdeb stops (exit 69) before any of the module's code ran.")
    boolean noSandbox;

    @Option(names = "--build-timeout", paramLabel = "SECONDS", description = "Time limit of each build step (default: ${DEFAULT-VALUE}).")
    long buildTimeout = 3600;

    @Option(names = "--lock-timeout", paramLabel = "SECONDS",
            description = "How long a kernel waits for another bmdeb that holds its lock in OUTDIR (default: the --build-timeout); "
                    + "past it, that kernel fails.")
    Long lockTimeout;

    @Option(names = "--log-dir", paramLabel = "DIR",
            description = "Where build logs go (default: dkms-deb/logs in $XDG_CACHE_HOME, else in ~/.cache).")
    Path logDir;

    @Override
    public Integer call() {
        common.check();
        if (source == null) {
            throw new UsageException(kernels.archiveFilter != null && !kernels.archiveFilter.isEmpty()
                    ? "no SOURCE given: --kernels-from-archive took '" + kernels.archiveFilter + "' as its FILTER; give SOURCE before "
                    + "the option (bmdeb " + kernels.archiveFilter + " --kernels-from-archive), or the filter as --kernels-from-archive=FILTER"
                    : "no SOURCE given: pass NAME/VERSION, a module directory or a NAME-dkms package file");
        }
        BmdebRequest request = BmdebRequest.builder(source)
                .kernels(kernels.releases).allKernels(kernels.all).kernelsFromArchive(kernels.archiveFilter, kernelList).aptSources(aptSources).shard(shard)
                .kernelSourceDir(kernelSourceDir).fetchHeaders(fetchHeaders)
                .revision(common.revision).moduleVersion(moduleVersion).name(name).maintainer(common.maintainer).templates(common.templates)
                .dkmsLevel(common.levelGiven()).release(release == null ? null : DebianRelease.parse(release)).arch(arch).jobs(common.jobs).compression(compression).strip(!noStrip).compileDebugInfo(compileDebugInfo)
                .buildTimeoutSeconds(buildTimeout).sandbox(!noSandbox)
                .signWith(signKey, signCert).noSign(noSign)
                .outDir(common.outDir).logDir(logDir).lockTimeout(lockTimeout == null ? null : Duration.ofSeconds(lockTimeout))
                .rebuild(rebuild).reuseFrom(reuseFrom)
                .host(HostEnvironment.get())
                .build();
        BmdebResult r = new BmdebJob().run(request);
        if (common.json) {
            System.out.println(Json.write(BmdebReport.of(r, Encoders.xz(), levels(request, r))));
        } else {
            printTable(r);
        }
        printErrors(r);
        return r.exitCode();
    }

    /** The dkms level of the call: --dkms-level, else the levels of its kernels' releases (one, or several separated by spaces). */
    private static String levels(BmdebRequest request, BmdebResult r) {
        java.util.Set<String> levels = new java.util.TreeSet<>();
        r.kernels().forEach(k -> levels.add(request.levelFor(k.kernel()).release()));
        return levels.isEmpty() ? request.levelFor("").release() : String.join(" ", levels);
    }

    /** Several kernels: a table of them; one: the file written. Then the certificate package, when written. */
    private static void printTable(BmdebResult r) {
        if (r.kernels().size() > 1) {
            System.out.printf("%-32s %-10s %-60s %8s%n", "KERNEL", "RESULT", "PACKAGE", "SECONDS");
            for (KernelResult k : r.kernels()) {
                System.out.printf("%-32s %-10s %-60s %8.1f%n", k.kernel(), k.result().word(), k.deb() == null ? "-" : k.deb().getFileName(), k.seconds());
            }
        } else if (!r.kernels().isEmpty() && r.kernels().get(0).deb() != null) {
            System.out.println(r.kernels().get(0).deb());
        }
        if (r.certPackage() != null) {
            System.out.println(r.certPackage());
        }
    }

    /** Each failed kernel's message (with its stack trace under --stacktrace); the skip of a single kernel. */
    private void printErrors(BmdebResult r) {
        for (KernelResult k : r.kernels()) {
            if (k.result() == KernelOutcome.FAILED) {
                System.err.println("dkms-deb: error: " + (r.kernels().size() > 1 ? "[" + k.kernel() + "] " : "") + k.message());
                if (main != null && main.stacktrace && k.error() != null) {
                    k.error().printStackTrace(System.err);
                }
            } else if (k.result() == KernelOutcome.SKIPPED && r.kernels().size() == 1) {
                System.err.println("dkms-deb: " + k.message());
            }
        }
        if (r.kernels().size() > 1 && r.exitCode() == KernelExcludedException.EXIT_CODE) {
            System.err.println("dkms-deb: no package written: the module's BUILD_EXCLUSIVE_* rules exclude every kernel given (exit 77)");
        }
    }

}

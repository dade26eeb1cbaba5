package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.pipeline.ArchiveListing;
import io.dkmsdeb.pipeline.Maintainer;
import io.dkmsdeb.pipeline.ModuleSourceLoader;
import io.dkmsdeb.pipeline.OutputDir;
import io.dkmsdeb.pipeline.SourceDateEpoch;
import io.dkmsdeb.pipeline.SourceTree;
import io.dkmsdeb.kernel.KernelBuild;
import io.dkmsdeb.kernel.KernelHeaders;
import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.model.kernel.KernelListing;
import io.dkmsdeb.model.kernel.KernelShard;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.model.UsageException;
import io.dkmsdeb.process.Sandbox;
import io.dkmsdeb.templates.ScriptTemplates;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a bmdeb run decides once, before any kernel: the output directory checked, the kernels,
 * the module tree, the Maintainer, the signing key, the log directory, how many kernels are built
 * at a time and with how many make jobs each, the inputs every kernel shares. Nothing here reads
 * dkms.conf: each kernel reads it for itself ({@link KernelRun}).
 *
 * @param request  the options
 * @param targets  the kernel releases, in the order given, and the archive's listing of each taken from it
 * @param tree     the module tree
 * @param stamp    what every package of the call is stamped with
 * @param logDir   where the build logs go (created)
 * @param schedule kernels checked at the same time, and built at the same time when none is up to date
 *                 (BmdebJob asks {@link #scheduleFor} for the kernels left to build), make -j of each
 * @param signing  the module signing key and certificate, or null
 * @param inputs   the part of the inputs digest every kernel shares
 */
record BmdebPlan(BmdebRequest request, Kernels targets, Tree tree, Stamp stamp, Path logDir, Schedule schedule,
                 KernelBuild.Signing signing, BuildInputs inputs) {
    /**
     * The kernels of the call, and those of them the archive listing describes (--kernels-from-archive).
     *
     * @param releases in the order given
     * @param listed   by release: the archive's headers package of each kernel taken from it
     */
    record Kernels(List<String> releases, Map<String, KernelListing.Kernel> listed) {
        Kernels {
            releases = List.copyOf(releases);
            listed = Map.copyOf(listed);
        }
    }

    /**
     * The module tree.
     *
     * @param dir         where it is
     * @param dkmsVersion the Version of the -dkms package it comes from (a .deb given, or the installed
     *                    package that owns /usr/src/NAME-VERSION), or null; see {@link #revision}
     */
    record Tree(Path dir, String dkmsVersion) {
    }

    /**
     * @param maintainer the Maintainer field
     * @param templates  the templates (--templates first)
     * @param epoch      SOURCE_DATE_EPOCH
     */
    record Stamp(String maintainer, ScriptTemplates templates, long epoch) {
    }

    List<String> kernels() {
        return targets.releases();
    }

    Map<String, KernelListing.Kernel> listed() {
        return targets.listed();
    }

    Path dir() {
        return tree.dir();
    }

    String maintainer() {
        return stamp.maintainer();
    }

    ScriptTemplates templates() {
        return stamp.templates();
    }

    long epoch() {
        return stamp.epoch();
    }

    Host host() {
        return request.host();
    }

    /**
     * The Debian revision of the -modules packages of PACKAGE_VERSION {@code packageVersion}: --revision,
     * else that of the -dkms package the tree comes from when its Version is PACKAGE_VERSION-REVISION
     * ({@link ModulesVersion#dkmsRevision}), else none.
     */
    String revision(String packageVersion) {
        if (request.packaging().revision() != null) {
            return request.packaging().revision();
        }
        String dkmsVersion = tree.dkmsVersion();
        java.util.Optional<String> followed = ModulesVersion.dkmsRevision(dkmsVersion, packageVersion);
        if (followed.isEmpty() && dkmsVersion != null && dkmsVersion.contains("-")) {
            Log.info("the -dkms package's version " + dkmsVersion + " is not PACKAGE_VERSION-REVISION for PACKAGE_VERSION " + packageVersion
                    + ": the modules' version is " + packageVersion + " without its revision (give one with --revision)");
        }
        return followed.orElse(null);
    }

    /**
     * The checks that need no module: output directory, the kernel list. Usage errors surface here,
     * before a module is unpacked or a kernel looked at.
     */
    static Kernels kernels(BmdebRequest r) {
        OutputDir.check(r.output().dir());
        BmdebRequest.KernelChoice choice = r.kernels();
        if (choice.archiveFilter() != null) {
            Path listFile = choice.archiveList();
            KernelListing.Listing listing = ArchiveListing.load(choice.archive(), r.host()).filter(choice.archiveFilter());
            if (choice.release() != null && listing.release() != null && !listing.release().equals(choice.release())) {
                throw new UsageException("the kernel listing " + listFile + " is of " + listing.archive() + ", not of " + choice.release()
                        + "'s (--release " + choice.release() + "); give the listing of " + choice.release() + " ('dkms-deb kernels --release "
                        + choice.release() + " --json'), or leave out --release");
            }
            if (listing.kernels().isEmpty()) {
                throw new UsageException("no kernel of " + listing.archive() + (listFile == null ? "" : " listing " + listFile)
                        + " matches '" + choice.archiveFilter() + "'; see 'dkms-deb kernels' for what it serves");
            }
            Map<String, KernelListing.Kernel> listed = new LinkedHashMap<>();
            KernelShard shard = choice.shard();
            listing.kernels().stream().filter(k -> shard == null || shard.contains(k.release())).forEach(k -> listed.put(k.release(), k));
            if (shard != null) {
                Log.info("shard " + shard + ": " + listed.size() + " of the " + listing.kernels().size() + " kernel"
                        + (listing.kernels().size() == 1 ? "" : "s") + " listed" + (listed.isEmpty() ? "; nothing to build" : ""));
                return new Kernels(List.copyOf(listed.keySet()), listed);
            }
            Log.info(listing.archive() + " serves " + listed.size() + " kernel" + (listed.size() == 1 ? "" : "s")
                    + (choice.archiveFilter().isBlank() ? "" : " matching '" + choice.archiveFilter() + "'") + ": "
                    + String.join(" ", listed.keySet()));
            return new Kernels(List.copyOf(listed.keySet()), listed);
        }
        List<String> kernels = choice.all() ? KernelHeaders.installedWithHeaders(r.host()) : choice.releases();
        if (kernels.isEmpty()) {
            throw new UsageException("--all-kernels found no kernel with headers under " + r.host().libModules()
                    + "; install linux-headers-*");
        }
        return new Kernels(kernels, Map.of());
    }

    /** The plan for the module tree {@code located} found. */
    static BmdebPlan of(BmdebRequest r, Kernels ks, ModuleLocator located) {
        SourceTree.list(located.dir(), null); // file names and readability checked as 'source' checks them, before any build
        BmdebRequest.Packaging p = r.packaging();
        Stamp stamp = new Stamp(Maintainer.resolve(p.maintainer() != null ? p.maintainer() : located.packageMaintainer(), located.dir(),
                r.host().env()), new ScriptTemplates(p.templates()), SourceDateEpoch.from(r.host().env()));
        Tree tree = new Tree(located.dir(), located.packageVersion());
        KernelBuild.Signing signing = signing(r);
        BuildInputs inputs = BuildInputs.of(r, tree.dir(), tree.dkmsVersion(), stamp.maintainer(), stamp.epoch(), signing);
        return new BmdebPlan(r, ks, tree, stamp, logDir(r), scheduleFor(r, ks.releases().size()), signing, inputs);
    }

    /** The schedule of {@code toBuild} kernels: the CPUs divided among them, at most -j at once. */
    Schedule scheduleFor(int toBuild) {
        return scheduleFor(request, toBuild);
    }

    private static Schedule scheduleFor(BmdebRequest r, int toBuild) {
        return Schedule.of(Runtime.getRuntime().availableProcessors(), r.build().jobs(), toBuild, Schedule.forcedMakeJobs(r.host()));
    }

    /**
     * Where the module's code runs: a sandbox that hides the signing key and certificate, the output
     * and --reuse-from directories, the logs and dkms-deb's cache, GNUPGHOME and HOME (and what
     * {@link Sandbox#hiding} always hides); none with --no-sandbox.
     */
    Sandbox sandbox() {
        if (!request.build().sandbox()) {
            return Sandbox.none();
        }
        List<Path> hidden = new ArrayList<>();
        hidden.add(request.output().dir().toAbsolutePath());
        request.reuse().from().forEach(d -> hidden.add(d.toAbsolutePath()));
        hidden.add(logDir);
        hidden.add(request.host().cacheDir());
        if (signing != null) {
            if (signing.keyFile() != null) {
                hidden.add(signing.keyFile());
            }
            hidden.add(signing.cert());
        }
        for (String var : List.of("GNUPGHOME", "HOME")) {
            String dir = request.host().get(var, "");
            if (dir.startsWith("/") && !dir.equals("/")) {
                hidden.add(Path.of(dir));
            }
        }
        return Sandbox.hiding(hidden);
    }

    /** Where the build of {@code module} {@code version} for {@code kernel} happens (a value; see {@link KernelBuild.Layout}). */
    KernelBuild.Layout layout(String module, String version, String kernel) {
        return request.build().sandbox() ? KernelBuild.Layout.inSandbox(module, version, kernel)
                : KernelBuild.Layout.forUser(request.host().env(), module, version, kernel);
    }

    /** --name as the module name of a tree that does not tell its own (see ModuleSourceLoader). */
    String moduleNameOption() {
        String name = request.packaging().name();
        return name == null ? null : name.replaceFirst("-dkms$", "");
    }

    /** --sign-key and --sign-cert; else dkms's MOK key pair when both files exist (said so); never a key made up on the spot. */
    static KernelBuild.Signing signing(BmdebRequest r) {
        BmdebRequest.SignOptions o = r.signing();
        if (o.none()) {
            return null;
        }
        if (o.key() == null) {
            Path key = r.host().mokKey();
            Path cert = r.host().mokCert();
            if (Files.isReadable(key) && Files.isReadable(cert)) {
                Log.info("signing the modules with dkms's key " + key + " and certificate " + cert
                        + " (pass --sign-key/--sign-cert for another key, --no-sign to leave them unsigned)");
                return KernelBuild.Signing.ofFile(key, cert);
            }
            return null;
        }
        boolean onToken = o.key().startsWith(KernelBuild.Signing.PKCS11);
        List<Path> files = onToken ? List.of(o.cert()) : List.of(Path.of(o.key()), o.cert());
        for (Path p : files) {
            if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                throw new UsageException("cannot read " + p + " for signing; check the path given to --sign-key/--sign-cert");
            }
        }
        return onToken ? new KernelBuild.Signing(o.key(), o.cert().toAbsolutePath()) : KernelBuild.Signing.ofFile(Path.of(o.key()), o.cert());
    }

    private static Path logDir(BmdebRequest r) {
        Path dir = r.output().logDir() != null ? r.output().logDir() : r.host().cacheDir().resolve("logs");
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UsageException("cannot create the log directory " + dir + ": " + e.getMessage() + "; pass another with --log-dir", e);
        }
    }
}

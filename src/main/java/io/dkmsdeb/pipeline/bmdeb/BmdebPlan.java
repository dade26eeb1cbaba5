package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.pipeline.ArchiveListing;
import io.dkmsdeb.pipeline.DebianNames;
import io.dkmsdeb.pipeline.Maintainer;
import io.dkmsdeb.pipeline.ModuleSourceLoader;
import io.dkmsdeb.pipeline.OutputDir;
import io.dkmsdeb.pipeline.SourceDateEpoch;
import io.dkmsdeb.pipeline.SourceTree;
import io.dkmsdeb.kernel.KernelBuild;
import io.dkmsdeb.kernel.KernelHeaders;
import io.dkmsdeb.model.KernelListing;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.model.UsageException;
import io.dkmsdeb.templates.ScriptTemplates;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a bmdeb run decides once, before any kernel: the output directory checked, the kernels,
 * the module tree, the Maintainer, the signing key, the log directory, how many kernels are built
 * at a time and with how many make jobs each. Nothing here reads dkms.conf: each kernel reads it
 * for itself ({@link KernelRun}).
 *
 * @param request          the options
 * @param kernels          the kernel releases, in the order given
 * @param dir              the module tree
 * @param maintainer       the Maintainer field
 * @param templates        the templates (--templates first)
 * @param epoch            SOURCE_DATE_EPOCH
 * @param logDir           where the build logs go (created)
 * @param threads          kernels checked at the same time, and built at the same time when none is up to date
 *                         (BmdebJob lowers it to the number of kernels left to build)
 * @param makeJobs         make -j of each when {@code threads} kernels are built at once (BmdebJob recomputes it
 *                         with {@link #makeJobs(java.util.Map, int)} for the kernels left to build)
 * @param signing          the module signing key and certificate, or null
 * @param dkmsVersion      the Version of the -dkms package the module tree comes from (a .deb given, or the installed
 *                         package that owns /usr/src/NAME-VERSION), or null; see {@link #revision}
 */
record BmdebPlan(BmdebJob.Request request, List<String> kernels, Map<String, KernelListing.Kernel> listed, Path dir, String maintainer,
                 ScriptTemplates templates, long epoch, Path logDir, int threads, int makeJobs, KernelBuild.Signing signing,
                 BuildInputs inputs, String dkmsVersion) {
    /** dkms's own signing key, used by default as dkms does. */
    static final Path MOK_KEY = Path.of("/var/lib/dkms/mok.key");
    static final Path MOK_CERT = Path.of("/var/lib/dkms/mok.pub");

    BmdebPlan {
        kernels = List.copyOf(kernels);
        listed = Map.copyOf(listed);
    }

    /** A plan of a module tree that comes from no -dkms package. */
    BmdebPlan(BmdebJob.Request request, List<String> kernels, Map<String, KernelListing.Kernel> listed, Path dir, String maintainer,
              ScriptTemplates templates, long epoch, Path logDir, int threads, int makeJobs, KernelBuild.Signing signing,
              BuildInputs inputs) {
        this(request, kernels, listed, dir, maintainer, templates, epoch, logDir, threads, makeJobs, signing, inputs, null);
    }

    /** How long a kernel waits for another call's lock on it ({@link BmdebLock}): --lock-timeout, else --build-timeout. */
    Duration lockTimeout() {
        return request.lockTimeout() != null ? request.lockTimeout() : Duration.ofSeconds(request.buildTimeoutSeconds());
    }

    /**
     * The Debian revision of the -modules packages of PACKAGE_VERSION {@code packageVersion}: --revision,
     * else that of the -dkms package the tree comes from when its Version is PACKAGE_VERSION-REVISION
     * ({@link ModulesVersion#dkmsRevision}), else none.
     */
    String revision(String packageVersion) {
        if (request.revision() != null) {
            return request.revision();
        }
        java.util.Optional<String> followed = ModulesVersion.dkmsRevision(dkmsVersion, packageVersion);
        if (followed.isEmpty() && dkmsVersion != null && dkmsVersion.contains("-")) {
            Log.info("the -dkms package's version " + dkmsVersion + " is not PACKAGE_VERSION-REVISION for PACKAGE_VERSION " + packageVersion
                    + ": the modules' version is " + packageVersion + " without its revision (give one with --revision)");
        }
        return followed.orElse(null);
    }

    /**
     * The kernels of the call, and those of them the archive listing describes (--kernels-from-archive).
     *
     * @param listed by release: the archive's headers package of each kernel taken from it
     */
    record Kernels(List<String> releases, Map<String, KernelListing.Kernel> listed) {
    }

    /**
     * The checks that need no module: output directory, --name, the kernel list. Usage errors
     * surface here, before a module is unpacked or a kernel looked at.
     */
    static Kernels kernels(BmdebJob.Request r) {
        OutputDir.check(r.outDir());
        if (r.name() != null) {
            DebianNames.providesBase(DebianNames.requirePackageName(r.name(), "--name"));
        }
        if (r.kernelList() != null && r.archiveFilter() == null) {
            throw new UsageException("--kernel-list is the archive listing of --kernels-from-archive; give both");
        }
        if (r.archiveFilter() != null) {
            if (r.kernelSourceDir() != null) {
                throw new UsageException("--kernel-source-dir names the headers of one kernel; it does not go with --kernels-from-archive");
            }
            KernelListing.Listing listing = ArchiveListing.load(r.kernelList(), r.env()).filter(r.archiveFilter());
            if (listing.kernels().isEmpty()) {
                throw new UsageException("no kernel of the archive" + (r.kernelList() == null ? "" : " listing " + r.kernelList())
                        + " matches '" + r.archiveFilter() + "'; see 'dkms-deb kernels' for what it serves");
            }
            Map<String, KernelListing.Kernel> listed = new LinkedHashMap<>();
            listing.kernels().forEach(k -> listed.put(k.release(), k));
            Log.info("the archive serves " + listed.size() + " kernel" + (listed.size() == 1 ? "" : "s")
                    + (r.archiveFilter().isBlank() ? "" : " matching '" + r.archiveFilter() + "'") + ": " + String.join(" ", listed.keySet()));
            return new Kernels(List.copyOf(listed.keySet()), listed);
        }
        List<String> kernels = r.allKernels() ? KernelHeaders.installedWithHeaders() : r.kernels();
        if (kernels.isEmpty()) {
            throw new UsageException(r.allKernels() ? "--all-kernels found no kernel with headers under /lib/modules; install linux-headers-*"
                    : "no kernel given: pass -k KVER (one or more) or --all-kernels");
        }
        if (r.kernelSourceDir() != null && kernels.size() > 1) {
            throw new UsageException("--kernel-source-dir names the headers of one kernel; give a single -k with it");
        }
        return new Kernels(kernels, Map.of());
    }

    /** The plan for the module tree {@code located} found. */
    static BmdebPlan of(BmdebJob.Request r, Kernels ks, ModuleLocator located) {
        List<String> kernels = ks.releases();
        SourceTree.list(located.dir(), null); // file names and readability checked as 'source' checks them, before any build
        long epoch = SourceDateEpoch.from(r.env());
        ScriptTemplates templates = new ScriptTemplates(r.templates());
        String maintainer = Maintainer.resolve(r.maintainer() != null ? r.maintainer() : located.packageMaintainer(), located.dir(), r.env());
        Path logDir = logDir(r);
        KernelBuild.Signing signing = signing(r);
        int threads = Math.max(1, Math.min(r.jobs(), kernels.size()));
        int makeJobs = makeJobs(r.env(), threads);
        BmdebPlan plan = new BmdebPlan(r, kernels, ks.listed(), located.dir(), maintainer, templates, epoch, logDir, threads, makeJobs,
                signing, null, located.packageVersion());
        return plan.withInputs(BuildInputs.of(plan));
    }

    /**
     * make -j of each kernel's build: the CPUs divided among the kernels built at once, at least 1; the
     * environment's DKMS_DEB_MAKE_JOBS (a number) overrides it.
     */
    static int makeJobs(Map<String, String> env, int threads) {
        String forced = env.getOrDefault("DKMS_DEB_MAKE_JOBS", "");
        if (forced.matches("[1-9][0-9]{0,2}")) {
            return Integer.parseInt(forced);
        }
        return Math.max(1, Runtime.getRuntime().availableProcessors() / threads);
    }

    private BmdebPlan withInputs(BuildInputs in) {
        return new BmdebPlan(request, kernels, listed, dir, maintainer, templates, epoch, logDir, threads, makeJobs, signing, in,
                dkmsVersion);
    }


    /** Where the build of {@code module} {@code version} for {@code kernel} happens (a value; see {@link KernelBuild.Layout}). */
    KernelBuild.Layout layout(String module, String version, String kernel) {
        return KernelBuild.Layout.forUser(request.env(), module, version, kernel);
    }

    /** --name as the module name of a tree that does not tell its own (see ModuleSourceLoader). */
    String moduleNameOption() {
        return request.name() == null ? null : request.name().replaceFirst("-dkms$", "");
    }

    /** --sign-key and --sign-cert; else dkms's MOK key pair when both files exist (said so); never a key made up on the spot. */
    static KernelBuild.Signing signing(BmdebJob.Request r) {
        if (r.noSign()) {
            if (r.signKey() != null || r.signCert() != null) {
                throw new UsageException("--no-sign contradicts --sign-key/--sign-cert; give one or the other");
            }
            return null;
        }
        if (r.signKey() == null && r.signCert() == null) {
            if (Files.isReadable(MOK_KEY) && Files.isReadable(MOK_CERT)) {
                Log.info("signing the modules with dkms's key " + MOK_KEY + " and certificate " + MOK_CERT
                        + " (pass --sign-key/--sign-cert for another key, --no-sign to leave them unsigned)");
                return new KernelBuild.Signing(MOK_KEY, MOK_CERT);
            }
            return null;
        }
        if (r.signKey() == null || r.signCert() == null) {
            throw new UsageException("signing needs both --sign-key KEY and --sign-cert CERT");
        }
        for (Path p : List.of(r.signKey(), r.signCert())) {
            if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                throw new UsageException("cannot read " + p + " for signing; check the path given to --sign-key/--sign-cert");
            }
        }
        return new KernelBuild.Signing(r.signKey().toAbsolutePath(), r.signCert().toAbsolutePath());
    }

    private static Path logDir(BmdebJob.Request r) {
        Path dir = r.logDir();
        if (dir == null) {
            String cache = r.env().getOrDefault("XDG_CACHE_HOME", "");
            dir = (cache.isEmpty() ? Path.of(System.getProperty("user.home"), ".cache") : Path.of(cache)).resolve("dkms-deb/logs");
        }
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UsageException("cannot create the log directory " + dir + ": " + e.getMessage() + "; pass another with --log-dir", e);
        }
    }
}

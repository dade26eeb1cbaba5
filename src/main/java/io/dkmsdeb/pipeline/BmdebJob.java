package io.dkmsdeb.pipeline;

import io.dkmsdeb.deb.AtomicOutput;
import io.dkmsdeb.deb.Compression;
import io.dkmsdeb.deb.DebWriter;
import io.dkmsdeb.dkmsconf.DkmsConfReader;
import io.dkmsdeb.kernel.BuildExclusive;
import io.dkmsdeb.kernel.DkmsStyleBuild;
import io.dkmsdeb.kernel.KernelBuild;
import io.dkmsdeb.kernel.HeadersFetcher;
import io.dkmsdeb.kernel.KernelHeaders;
import io.dkmsdeb.model.BuiltModule;
import io.dkmsdeb.model.DebPackage;
import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.model.KernelExcludedException;
import io.dkmsdeb.model.KernelTarget;
import io.dkmsdeb.model.Log;
import io.dkmsdeb.model.ModuleSource;
import io.dkmsdeb.model.ModuleSourceException;
import io.dkmsdeb.model.UsageException;
import io.dkmsdeb.templates.ScriptTemplates;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The {@code bmdeb} use case: compile a module for each requested kernel and write one
 * {@code NAME-modules-KVER} package per kernel. Kernels are built in parallel ({@code jobs});
 * a kernel that fails or is excluded does not stop the others.
 */
public final class BmdebJob {
    private final KernelBuild builder;

    public BmdebJob() {
        this(new DkmsStyleBuild());
    }

    public BmdebJob(KernelBuild builder) {
        this.builder = builder;
    }

    /**
     * The options of one bmdeb call.
     *
     * @param moduleVersion -V: the version of a tree without dkms.conf, or of a #MODULE_VERSION# placeholder; or null
     * @param name          --name: the base of the package names (NAME-modules-KVER), or null for PACKAGE_NAME's
     */
    public record Request(String source, List<String> kernels, boolean allKernels, Path kernelSourceDir, String arch, Path outDir,
                          int jobs, String compress, boolean strip, String revision, String moduleVersion, String name,
                          String maintainer, Path templates,
                          long buildTimeoutSeconds, Path logDir, Path signKey, Path signCert, boolean noSign, boolean fetchHeaders,
                          Map<String, String> env) {
    }

    /** dkms's own signing key, used by default as dkms does. */
    static final Path MOK_KEY = Path.of("/var/lib/dkms/mok.key");
    static final Path MOK_CERT = Path.of("/var/lib/dkms/mok.pub");

    /** What happened for one kernel. */
    public record KernelResult(String kernel, String result, int exitCode, Path deb, String packageName, String message, double seconds) {
    }

    /** All kernels, and the exit code of the whole call. */
    public record Result(String module, String version, List<KernelResult> kernels, int exitCode, double seconds) {
    }

    public Result run(Request r) {
        long start = System.nanoTime();
        OutputDir.check(r.outDir());
        if (r.name() != null) {
            DebianNames.providesBase(DebianNames.requirePackageName(r.name(), "--name"));
        }
        List<String> kernels = r.allKernels() ? KernelHeaders.installedWithHeaders() : r.kernels();
        if (kernels.isEmpty()) {
            throw new UsageException(r.allKernels() ? "--all-kernels found no kernel with headers under /lib/modules; install linux-headers-*"
                    : "no kernel given: pass -k KVER (one or more) or --all-kernels");
        }
        if (r.kernelSourceDir() != null && kernels.size() > 1) {
            throw new UsageException("--kernel-source-dir names the headers of one kernel; give a single -k with it");
        }
        long epoch = SourceDateEpoch.from(r.env());
        ScriptTemplates templates = new ScriptTemplates(r.templates());
        try (ModuleLocator located = ModuleLocator.locate(r.source())) {
            String maintainer = r.maintainer() != null ? r.maintainer()
                    : located.packageMaintainer() != null ? located.packageMaintainer() : null;
            maintainer = Maintainer.resolve(maintainer, located.dir(), r.env());
            Path logDir = logDir(r);
            KernelBuild.Signing signing = signing(r);
            // the name and version, read once: they place the build; each kernel then reads
            // dkms.conf again with its own kernelver, $dkms_tree and $source_tree
            ModuleSource named = new ModuleSourceLoader(templates).load(located.dir(), r.moduleVersion(), moduleNameOption(r), SourceJob.HostContext.forSource());
            int makeJobs = Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, Math.min(r.jobs(), kernels.size())));
            Context ctx = new Context(r, named.dir(), maintainer, templates, epoch, logDir, makeJobs, signing,
                    named.conf().packageName(), named.conf().packageVersion());
            List<KernelResult> results = runAll(ctx, kernels);
            return new Result(ctx.module(), ctx.version(), results, exitCode(results), (System.nanoTime() - start) / 1e9);
        }
    }

    /** --name as the module name of a tree that does not tell its own (see ModuleSourceLoader). */
    private static String moduleNameOption(Request r) {
        return r.name() == null ? null : r.name().replaceFirst("-dkms$", "");
    }

    private record Context(Request request, Path dir, String maintainer, ScriptTemplates templates, long epoch, Path logDir, int makeJobs,
                           KernelBuild.Signing signing, String module, String version) {
    }

    /** --sign-key and --sign-cert; else dkms's MOK key pair when both files exist (said so); never a key made up on the spot. */
    static KernelBuild.Signing signing(Request r) {
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

    private List<KernelResult> runAll(Context ctx, List<String> kernels) {
        int threads = Math.max(1, Math.min(ctx.request().jobs(), kernels.size()));
        if (kernels.size() > 1) {
            Log.info("building for " + kernels.size() + " kernels, " + threads + " at a time (make -j" + ctx.makeJobs() + " each)");
        }
        java.util.concurrent.atomic.AtomicInteger finished = new java.util.concurrent.atomic.AtomicInteger();
        java.util.function.Function<String, KernelResult> one = k -> {
            KernelResult result = buildOne(ctx, k);
            if (kernels.size() > 1) {
                Log.info(String.format("[%d/%d] %s: %s in %.1f s", finished.incrementAndGet(), kernels.size(), k, result.result(), result.seconds()));
            }
            return result;
        };
        if (threads == 1) {
            return kernels.stream().map(one).toList();
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<KernelResult>> futures = kernels.stream().map(k -> pool.submit(() -> one.apply(k))).toList();
            List<KernelResult> results = new ArrayList<>();
            for (Future<KernelResult> f : futures) {
                try {
                    results.add(f.get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DkmsDebException("interrupted while building");
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException re ? re : new DkmsDebException(e.getCause().toString(), e.getCause());
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private KernelResult buildOne(Context ctx, String kernel) {
        long start = System.nanoTime();
        Request r = ctx.request();
        try {
            Path headers = r.kernelSourceDir();
            if (headers == null && r.fetchHeaders() && !Files.exists(Path.of("/lib/modules", kernel, "build", "Makefile"))) {
                headers = HeadersFetcher.fetch(kernel, r.env());
            }
            KernelTarget k = KernelHeaders.locate(kernel, headers, r.arch(), r.compress());
            ModuleSourceLoader loader = new ModuleSourceLoader(ctx.templates());
            KernelBuild.Layout layout = builder.layout(ctx.module(), ctx.version(), k);
            ModuleSource source = loader.load(ctx.dir(), r.moduleVersion(), moduleNameOption(r), new DkmsConfReader.Context(k.release(), k.unameArch(),
                    k.headersDir().toString(), layout.dkmsTree().toString(), layout.sourceTree().toString(),
                    ctx.module(), ctx.version()));
            var conf = source.conf();
            var excluded = BuildExclusive.reason(conf.exclusive(), k);
            if (excluded.isPresent()) {
                throw new KernelExcludedException(conf.packageName() + " " + conf.packageVersion() + " is not built for " + k.release()
                        + ": " + excluded.get() + " (dkms skips it too, exit 77)");
            }
            checkBuildDepends(conf.buildDepends(), k.release(), conf.packageName());
            Path log = ctx.logDir().resolve(conf.packageName() + "-" + conf.packageVersion() + "_" + k.release() + ".log");
            // names checked now, so that a bad version fails before the compile; while make runs,
            // on the core it leaves free: the package writer is warmed up, doc files and scripts rendered
            ModulesPackagePlanner.Names names = ModulesPackagePlanner.names(conf, k, r.revision(), r.name());
            ModulesPackagePlanner planner = new ModulesPackagePlanner(ctx.templates());
            CompletableFuture<ModulesPackagePlanner.Prepared> prepared = CompletableFuture.supplyAsync(() -> {
                new DebWriter(Compression.XZ, ctx.epoch(), 1).warmUp();
                return planner.prepare(names, conf, k, ctx.maintainer(), ctx.dir(), ctx.epoch());
            });
            List<BuiltModule> modules = builder.build(new KernelBuild.Request(ctx.dir(), source.dkmsConfText(), conf, k,
                    ctx.makeJobs(), r.strip(), log, r.buildTimeoutSeconds(), ctx.epoch(), ctx.signing()));
            DebPackage pkg = planner.complete(conf, k, ctx.maintainer(), join(prepared), modules);
            Path target = OutputDir.prepare(r.outDir()).resolve(pkg.conventionalFileName());
            AtomicOutput.write(target, out -> new DebWriter(Compression.XZ, ctx.epoch(), 1).write(pkg, out));
            double seconds = (System.nanoTime() - start) / 1e9;
            Log.info(String.format("[%s] wrote %s (%d module%s) in %.1f s", k.release(), target, modules.size(),
                    modules.size() == 1 ? "" : "s", seconds));
            return new KernelResult(kernel, "built", 0, target, pkg.packageName(), "", seconds);
        } catch (KernelExcludedException e) {
            Log.info("[" + kernel + "] skipped: " + e.getMessage());
            return new KernelResult(kernel, "skipped", e.exitCode(), null, null, e.getMessage(), (System.nanoTime() - start) / 1e9);
        } catch (DkmsDebException e) {
            return new KernelResult(kernel, "failed", e.exitCode(), null, null, e.getMessage(), (System.nanoTime() - start) / 1e9);
        } catch (IOException e) {
            return new KernelResult(kernel, "failed", DkmsDebException.EXIT_OTHER, null, null,
                    "cannot write the package for " + kernel + ": " + e.getClass().getSimpleName() + ": " + e.getMessage()
                            + "; check free space and permissions of " + r.outDir(),
                    (System.nanoTime() - start) / 1e9);
        }
    }

    private static ModulesPackagePlanner.Prepared join(CompletableFuture<ModulesPackagePlanner.Prepared> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new DkmsDebException(String.valueOf(e.getCause()), e.getCause());
        }
    }

    private static void checkBuildDepends(List<String> deps, String kernel, String module) {
        for (String dep : deps) {
            Path built = Path.of("/var/lib/dkms", dep);
            boolean found = false;
            if (Files.isDirectory(built)) {
                try (var s = Files.list(built)) {
                    found = s.anyMatch(v -> Files.isDirectory(v.resolve(kernel)));
                } catch (IOException ignored) {
                    found = false;
                }
            }
            if (!found) {
                throw new ModuleSourceException(module + " needs the dkms module " + dep + " built for " + kernel
                        + " (BUILD_DEPENDS), and dkms has not built it (/var/lib/dkms/" + dep + "); build and install " + dep + " first");
            }
        }
    }

    private static Path logDir(Request r) {
        Path dir = r.logDir();
        if (dir == null) {
            String cache = r.env().getOrDefault("XDG_CACHE_HOME", "");
            dir = (cache.isEmpty() ? Path.of(System.getProperty("user.home"), ".cache") : Path.of(cache)).resolve("dkms-deb/logs");
        }
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UsageException("cannot create the log directory " + dir + ": " + e.getMessage() + "; pass another with --log-dir");
        }
    }

    /**
     * One kernel: its own code. Several: 5 when any failed, 77 when all were skipped (nothing was
     * built, and a CI job must not mistake that for success), else 0.
     */
    static int exitCode(List<KernelResult> results) {
        if (results.size() == 1) {
            return results.get(0).exitCode();
        }
        if (results.stream().anyMatch(k -> k.result().equals("failed"))) {
            return 5;
        }
        return results.stream().allMatch(k -> k.result().equals("skipped")) ? KernelExcludedException.EXIT_CODE : 0;
    }
}

package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.pipeline.Background;
import io.dkmsdeb.model.deb.Compression;
import io.dkmsdeb.deb.DebWriter;
import io.dkmsdeb.kernel.KernelBuild;
import io.dkmsdeb.model.dkms.BuiltModule;
import io.dkmsdeb.model.dkms.DkmsConf;
import io.dkmsdeb.model.dkms.DkmsLevel;
import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.model.KernelExcludedException;
import io.dkmsdeb.model.kernel.KernelTarget;
import io.dkmsdeb.support.IoErrors;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.support.Phases;
import io.dkmsdeb.model.dkms.ModuleSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One kernel of a bmdeb run, from its headers to its package. Whatever goes wrong here is this
 * kernel's failure, reported in its {@link KernelResult}: the other kernels are built
 * all the same. dkms.conf is read for this kernel only, as dkms reads it: once to learn
 * PACKAGE_NAME and PACKAGE_VERSION, which place the build, then with the build's
 * {@code $dkms_tree}, {@code $source_tree}, {@code $module} and {@code $module_version}.
 */
final class KernelRun {
    private final BmdebPlan plan;
    private final KernelBuild builder;
    private final String kernel;
    /** When this kernel's work began; {@link #build} moves it on by the time the kernel waited after {@link #check}. */
    private long start = System.nanoTime();
    /** How long {@link #check} took. */
    private long checkNanos;
    private final Phases phases = new Phases();
    /** Where this kernel is built: its headers, its release's build root. */
    private final KernelPlace place;
    /** The digest of this kernel's inputs, once {@link #check} has named them. */
    private String digest;
    /** Headers that {@link #check} fetched to name them, else null. */
    private KernelTarget fetched;
    /** PACKAGE_NAME and PACKAGE_VERSION once this kernel's dkms.conf has been read, else null. */
    private String module;
    private String version;
    /** Where the build happens, once the name and version are known. */
    private KernelBuild.Layout layout;
    /** This kernel's lock on the output directory, held from {@link #check} to the package written; else null. */
    private BmdebLock lock;
    /** True when {@link #check} found the lock held by another call: {@link #awaitCheck} comes next. */
    private boolean busy;
    /** The packages for this kernel built before (output directory, --reuse-from), as {@link #check} found them. */
    private List<BmdebPackages.Known> known = List.of();

    KernelRun(BmdebPlan plan, KernelBuild builder, String kernel) {
        this.plan = plan;
        this.builder = builder;
        this.kernel = kernel;
        this.place = new KernelPlace(plan, kernel);
    }

    /** Builds and packages at the plan's make -j; never throws for this kernel's failures (a JVM {@link Error} still ends the run). */
    KernelResult run() {
        Optional<KernelResult> done = check();
        if (done.isEmpty() && busy) {
            done = awaitCheck();
        }
        return done.orElseGet(() -> build(plan.schedule().makeJobs()));
    }

    /**
     * Takes this kernel's lock on the output directory without waiting, names the kernel's inputs
     * and looks for a package built from the same ones: the kernel's result when its work ends here
     * (up to date, or its headers could not be named), else empty, and {@link #build} comes next,
     * or, when another call holds the lock ({@link #busy}), {@link #awaitCheck}. Never throws for
     * this kernel's failures.
     */
    Optional<KernelResult> check() {
        start = System.nanoTime();
        Optional<KernelResult> done = Optional.ofNullable(guarded(() -> {
            lock = BmdebLock.tryAcquire(plan.request().output().dir(), kernel).orElse(null);
            busy = lock == null;
            return busy ? null : upToDate();
        }));
        if (done.isPresent()) {
            unlock();
        }
        checkNanos = System.nanoTime() - start;
        return done;
    }

    /** True when {@link #check} found this kernel's lock held by another call. */
    boolean busy() {
        return busy;
    }

    /**
     * After {@link #check} found the lock held: waits for it (at most {@link BmdebRequest#lockTimeout}), then
     * checks as {@link #check} does; the other call's package is then found up to date. Call it
     * holding no other lock of this kernel's call, so that two calls never wait for each other.
     */
    Optional<KernelResult> awaitCheck() {
        start = System.nanoTime();
        Optional<KernelResult> done = Optional.ofNullable(guarded(() -> {
            lock = BmdebLock.acquire(plan.request().output().dir(), kernel, plan.request().lockTimeout());
            busy = false;
            return upToDate();
        }));
        if (done.isPresent()) {
            unlock();
        }
        checkNanos = System.nanoTime() - start;
        return done;
    }

    /** Compiles with make -j{@code makeJobs} and packages, after {@link #check}; never throws for this kernel's failures. */
    KernelResult build(int makeJobs) {
        start = System.nanoTime() - checkNanos;    // the time it waited for a free slot is not this kernel's
        try {
            return guarded(() -> compile(makeJobs));
        } finally {
            unlock();
        }
    }

    private void unlock() {
        if (lock != null) {
            try {
                lock.close();
            } catch (IOException e) {
                Log.info("[" + kernel + "] cannot release " + BmdebLock.file(plan.request().output().dir(), kernel) + ": " + e.getMessage());
            }
            lock = null;
        }
    }

    /** Work of this kernel that ends in its result (or in null: not done yet). */
    @FunctionalInterface
    private interface Work {
        KernelResult run() throws IOException;
    }

    /** {@code work}'s result, or the result of its failure: one kernel's failures stay its own. */
    private KernelResult guarded(Work work) {
        try {
            return work.run();
        } catch (KernelExcludedException e) {
            Log.info("[" + kernel + "] skipped: " + e.getMessage());
            return result(KernelOutcome.SKIPPED, e.exitCode(), null, null, e.getMessage(), null);
        } catch (DkmsDebException e) {
            return result(KernelOutcome.FAILED, e.exitCode(), null, null, e.getMessage(), e);
        } catch (IOException e) {
            return result(KernelOutcome.FAILED, DkmsDebException.EXIT_OTHER, null, null, "cannot write the package for " + kernel + ": "
                    + IoErrors.file(e, plan.request().output().dir()) + ": " + IoErrors.reason(e) + "; check free space and permissions of "
                    + plan.request().output().dir(), e);
        } catch (RuntimeException e) {
            // the boundary of one kernel: an error no layer foresaw fails this kernel, not the others
            Throwable shown = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            return result(KernelOutcome.FAILED, DkmsDebException.EXIT_OTHER, null, null, "building "
                    + (module == null ? "the module" : module + " " + version) + " for " + kernel + " failed: "
                    + shown.getClass().getSimpleName() + ": " + shown.getMessage() + " (run again with --stacktrace for details)", e);
        }
    }

    /** The result of an up-to-date kernel, else null (the digest and any fetched headers kept for {@link #compile}). */
    private KernelResult upToDate() {
        BmdebRequest r = plan.request();
        // the inputs are named before any download, so that an unchanged kernel costs no headers
        Optional<String> headersId = r.buildRootOf(kernel).isPresent() ? Optional.empty()
                : BuildInputs.headersId(kernel, r.kernels().headersDir(), plan.listed().get(kernel), r.host());
        if (headersId.isEmpty() && r.buildRootOf(kernel).isPresent()) {
            // the headers and the compiler of the release's root: the root is made or refreshed first
            KernelTarget got = place.headers();
            headersId = Optional.of("linux-headers-" + kernel + "=" + place.root().installedVersion(kernel).orElse("?")
                    + " in the " + r.buildRootOf(kernel).get() + " build root");
            fetched = got;
        } else if (headersId.isEmpty()) {
            KernelTarget got = place.headers();
            headersId = Optional.of(BuildInputs.headersId(kernel, r.kernels().headersDir(), plan.listed().get(kernel), r.host())
                    .orElseGet(() -> BuildInputs.treeId(got.headersDir())));
            fetched = got;
        }
        // a level that follows the kernel's release, other than the default, is an input of this kernel
        String level = r.build().dkmsLevel() == null && !r.levelFor(kernel).equals(DkmsLevel.BOOKWORM) ? " dkms-level="
                + r.levelFor(kernel).release() : "";
        digest = headersId.map(id -> plan.inputs().forKernel(kernel, id + level)).orElse(null);
        known = BmdebPackages.forKernel(r.output().dir(), r.reuse().from(), kernel);
        if (digest != null && !r.reuse().rebuild()) {
            Optional<Path> done = BmdebPackages.withInputs(known, digest);
            if (done.isPresent()) {
                Log.info("[" + kernel + "] up to date: " + done.get() + " was built from the same inputs (" + digest.substring(0, 19)
                        + "...); --rebuild builds it again");
                return result(KernelOutcome.UP_TO_DATE, 0, done.get(), packageName(done.get()), "up to date", null);
            }
        }
        return null;
    }

    private KernelResult compile(int makeJobs) throws IOException {
        BmdebRequest r = plan.request();
        KernelTarget k = fetched != null ? fetched : place.headers();
        ModuleSource source = read(k);
        DkmsConf conf = KernelDkmsConf.forBuild(source.conf(), k, plan.host().dkmsTree());
        Path log = plan.logDir().resolve(conf.packageName() + "-" + conf.packageVersion() + "_" + k.release() + ".log");
        // names checked now, so that a bad version fails before the compile; while make runs,
        // on the core it leaves free: the package writer is warmed up, doc files and scripts rendered
        ModulesPackageFile file = new ModulesPackageFile(plan, kernel, digest, known);
        ModulesPackageFile.Versioned v = file.versioned(conf, k);
        CompletableFuture<ModulesPackagePlanner.Prepared> prepared = CompletableFuture.supplyAsync(() -> {
            new DebWriter(Compression.XZ, plan.epoch(), 1).warmUp();
            return v.planner().prepare(v.names(), conf, k, plan.maintainer(), source.dir(), plan.epoch());
        });
        phases.since("prepare", start);
        List<BuiltModule> modules = builder.build(new KernelBuild.Request(
                new KernelBuild.Module(source.dir(), source.dkmsConfText(), conf), k,
                new KernelBuild.Options(makeJobs, r.build().strip(), r.build().compileDebugInfo(), r.build().timeoutSeconds(), plan.epoch(),
                        plan.signing(), r.host(), plan.sandbox()),
                log, layout, phases));
        long packaging = System.nanoTime();
        Path target = file.write(v, conf, k, source.dir(), Background.join(prepared), modules);
        phases.since("package", packaging);
        KernelResult built = result(KernelOutcome.BUILT, 0, target, packageName(target), "", null);
        Log.info(String.format("[%s] wrote %s (%d module%s) in %.1f s: %s", k.release(), target, modules.size(),
                modules.size() == 1 ? "" : "s", built.seconds(), phases.describe()));
        return built;
    }

    /** The Package field of a package file, from its name (NAME_VERSION_ARCH.deb). */
    private static String packageName(Path deb) {
        String n = deb.getFileName().toString();
        return n.contains("_") ? n.substring(0, n.indexOf('_')) : n;
    }

    /**
     * dkms.conf for this kernel ({@link KernelDkmsConf}); the name and version are this kernel's as soon as the first
     * read gives them, so that a failure of the second is reported with them.
     */
    private ModuleSource read(KernelTarget k) {
        KernelDkmsConf reading = new KernelDkmsConf(plan, kernel, k);
        ModuleSource first = reading.first();
        module = first.conf().packageName();
        version = first.conf().packageVersion();
        layout = plan.layout(module, version, k.release());
        ModuleSource source = reading.withTrees(first, layout);
        module = source.conf().packageName();
        version = source.conf().packageVersion();
        return source;
    }

    private KernelResult result(KernelOutcome outcome, int exitCode, Path deb, String packageName, String message, Throwable error) {
        return new KernelResult(kernel, outcome, exitCode, message, error, deb == null ? null : new KernelResult.PackageFile(deb, packageName),
                module == null ? null : new KernelResult.ModuleId(module, version),
                new KernelResult.Time((System.nanoTime() - start) / 1e9, phases.seconds()));
    }
}

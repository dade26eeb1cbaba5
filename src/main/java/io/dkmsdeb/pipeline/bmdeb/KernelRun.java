package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.pipeline.Background;
import io.dkmsdeb.pipeline.ModuleSourceLoader;
import io.dkmsdeb.model.Compression;
import io.dkmsdeb.deb.DebWriter;
import io.dkmsdeb.dkmsconf.DkmsConfReader;
import io.dkmsdeb.kernel.BuildExclusive;
import io.dkmsdeb.kernel.BuildRoot;
import io.dkmsdeb.kernel.CrossToolchain;
import io.dkmsdeb.model.DebianRelease;
import io.dkmsdeb.model.KernelHeadersException;
import io.dkmsdeb.model.KernelListing;
import io.dkmsdeb.kernel.HeadersFetcher;
import io.dkmsdeb.kernel.KernelBuild;
import io.dkmsdeb.kernel.KernelHeaders;
import io.dkmsdeb.model.BuiltModule;
import io.dkmsdeb.model.DkmsConf;
import io.dkmsdeb.model.DkmsModule;
import io.dkmsdeb.model.DkmsLevel;
import io.dkmsdeb.model.DkmsRule;
import io.dkmsdeb.model.BuildFailedException;
import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.model.KernelExcludedException;
import io.dkmsdeb.model.KernelTarget;
import io.dkmsdeb.support.IoErrors;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.support.Phases;
import io.dkmsdeb.model.ModuleSource;
import io.dkmsdeb.model.ModuleSourceException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
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
            KernelTarget got = headers();
            headersId = Optional.of("linux-headers-" + kernel + "=" + rootRelease(got).installedVersion(kernel).orElse("?")
                    + " in the " + r.buildRootOf(kernel).get() + " build root");
            fetched = got;
        } else if (headersId.isEmpty()) {
            KernelTarget got = headers();
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
        KernelTarget k = fetched != null ? fetched : headers();
        ModuleSource source = read(k);
        DkmsConf read = source.conf();
        BuildExclusive.reason(read.exclusive(), k).ifPresent(why -> {
            throw new KernelExcludedException(read.packageName() + " " + read.packageVersion() + " is not built for " + k.release()
                    + ": " + why + " (dkms skips it too, exit 77)");
        });
        DkmsConf conf = withoutExcludedModules(read, k);
        levelled(conf, k);
        if (conf.level().applies(DkmsRule.BUILD_DEPENDS)) {
            checkBuildDepends(plan.host().dkmsTree(), conf.buildDepends(), k.release(), conf.packageName());
        }
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

    /**
     * The dkms.conf with only the records whose own BUILD_EXCLUSIVE_*[i] (dkms 3.3.0 and later) let {@code k} through:
     * the build still runs whole, as dkms's does, and the package holds the others' modules. No record left: the kernel
     * is excluded, as dkms excludes it (exit 77).
     */
    private static DkmsConf withoutExcludedModules(DkmsConf conf, KernelTarget k) {
        Map<DkmsModule, String> excluded = BuildExclusive.excludedModules(conf, k);
        if (excluded.isEmpty()) {
            return conf;
        }
        if (excluded.size() == conf.modules().size()) {
            throw new KernelExcludedException(conf.packageName() + " " + conf.packageVersion() + " is not built for " + k.release()
                    + ": each module record excludes it (" + String.join("; ", excluded.values()) + "); dkms " + conf.level()
                    + " skips it too, exit 77");
        }
        excluded.forEach((m, why) -> Log.info("[" + k.release() + "] module " + m.destName() + " (record " + m.index()
                + ") is not built for this kernel: " + why + "; dkms " + conf.level() + " leaves it out too"));
        return conf.withModules(conf.modules().stream().filter(m -> !excluded.containsKey(m)).toList());
    }

    /**
     * --kernel-source-dir, else for a kernel of another Debian release than this host's its headers in that release's
     * build root ({@link BuildRoot}), else /lib/modules/KVER/build, else (--fetch-headers) the downloaded headers.
     */
    private KernelTarget headers() {
        BmdebRequest r = plan.request();
        Optional<DebianRelease> release = r.buildRootOf(kernel);
        if (release.isPresent()) {
            BuildRoot root = new BuildRoot(release.get(), rootArch(), r.host());
            Path dir = root.withHeaders(kernel);
            Log.info("[" + kernel + "] a " + release.get() + " kernel: built in the " + release.get() + " build root " + dir);
            return KernelHeaders.locate(kernel, root.headersOf(kernel), r.build().arch(), r.build().compression(), r.host()).inRoot(dir);
        }
        Path headers = r.kernels().headersDir();
        if (headers == null && r.kernels().fetches() && !r.host().headersInstalled(kernel)) {
            headers = HeadersFetcher.fetch(kernel, r.host().env());
        }
        return KernelHeaders.locate(kernel, headers, r.build().arch(), r.build().compression(), r.host());
    }

    /** The build root of a kernel {@link #headers} placed in one. */
    private BuildRoot rootRelease(KernelTarget k) {
        return new BuildRoot(plan.request().buildRootOf(kernel).orElseThrow(), rootArch(), plan.request().host());
    }

    /**
     * The architecture of this kernel's build root: this machine's; a kernel of another architecture (by --arch, the
     * archive's listing or its flavour) is refused, as a root does not cross-build.
     */
    private String rootArch() {
        String host = CrossToolchain.buildHostArch();
        KernelListing.Kernel listed = plan.listed().get(kernel);
        String arch = plan.request().build().arch() != null ? plan.request().build().arch()
                : listed != null ? listed.arch() : kernel.substring(kernel.lastIndexOf('-') + 1);
        if (!arch.equals(host)) {
            throw new KernelHeadersException(kernel + " is a " + arch + " kernel of " + plan.request().buildRootOf(kernel).orElseThrow()
                    + ", built in a build root of that release, and a build root is of this machine's architecture (" + host
                    + "); build it on a " + arch + " machine of that release, or give its headers and cross compiler with --kernel-source-dir");
        }
        return arch;
    }

    /**
     * dkms.conf for this kernel. The first read, with dkms's own trees, gives the name and
     * version that place the build; the second is read with the build's trees, as dkms reads it
     * in {@code $dkms_tree/NAME/VERSION/source}. A dkms.conf that names none of the values that
     * differ between the two is read once (a bash run saved).
     */
    /**
     * What a dkms.conf that the second read could see differently names: the variables whose values
     * differ between the reads, or a way to reach them unnamed (eval, source, '.', indirection).
     */
    private static final Pattern TREE_NAMES = Pattern.compile(
            "\\b(dkms_tree|source_tree|module|module_version|eval|source|declare|typeset|compgen|set)\\b|\\$\\{!|(^|[;&|(\\s])\\.\\s",
            Pattern.MULTILINE);

    /** True when a second read, with the build's trees, would give what the first gave. */
    static boolean readsAlike(byte[] dkmsConfText) {
        return !TREE_NAMES.matcher(new String(dkmsConfText, StandardCharsets.ISO_8859_1)).find();
    }

    private ModuleSource read(KernelTarget k) {
        ModuleSourceLoader loader;
        try {
            loader = new ModuleSourceLoader(plan.templates(), io.dkmsdeb.kernel.DkmsStyleBuild.forReading(plan.sandbox(), k));
        } catch (java.io.IOException e) {
            throw new io.dkmsdeb.model.KernelHeadersException("cannot read the headers of " + k.release() + " at " + k.headersDir() + ": "
                    + io.dkmsdeb.support.IoErrors.reason(e) + "; fetch or install them again", e);
        }
        String versionOption = plan.request().packaging().moduleVersion();
        DkmsLevel level = plan.request().levelFor(kernel);
        ModuleSource first = loader.load(plan.dir(), versionOption, plan.moduleNameOption(), DkmsConfReader.Context.onTarget(k.release(),
                k.unameArch(), k.headersSeen().toString()).at(level));
        DkmsConf named = first.conf();
        module = named.packageName();
        version = named.packageVersion();
        layout = plan.layout(module, version, k.release());
        if (readsAlike(first.dkmsConfText())) {
            return first;
        }
        ModuleSource source = loader.load(plan.dir(), versionOption, plan.moduleNameOption(), new DkmsConfReader.Context(k.release(),
                k.unameArch(), k.headersSeen().toString(), layout.dkmsTree().toString(), layout.sourceTree().toString(), module, version, level));
        module = source.conf().packageName();
        version = source.conf().packageVersion();
        return source;
    }

    /** The Package field of a package file, from its name (NAME_VERSION_ARCH.deb). */
    private static String packageName(Path deb) {
        String n = deb.getFileName().toString();
        return n.contains("_") ? n.substring(0, n.indexOf('_')) : n;
    }

    /**
     * The level-dependent rules this dkms.conf meets, told in the log; a CRLF file whose values keep
     * their carriage returns under the level's dkms fails as that dkms's build does (BUILT_MODULE_NAME
     * "hello\r" is never built), before any compile.
     */
    private static void levelled(DkmsConf conf, KernelTarget k) {
        for (DkmsRule.Note note : conf.reading().notes()) {
            Log.info("[" + k.release() + "] dkms level " + conf.level() + ": " + note.detail());
            if (DkmsConfReader.breaksBuild(note)) {
                throw new BuildFailedException("building " + conf.packageName() + " " + conf.packageVersion() + " for " + k.release()
                        + " failed at dkms level " + conf.level().describe() + ": " + note.detail()
                        + "; convert dkms.conf to LF line endings (sed -i 's/\\r$//' dkms.conf), "
                        + "or pass --dkms-level " + DkmsRule.CRLF.since() + " (or later) when the targets' dkms is that new");
            }
        }
    }

    private static void checkBuildDepends(Path dkmsTree, List<String> deps, String kernel, String module) {
        for (String dep : deps) {
            Path built = dkmsTree.resolve(dep);
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
                        + " (BUILD_DEPENDS), and dkms has not built it (" + built + "); build and install " + dep + " first");
            }
        }
    }

    private KernelResult result(KernelOutcome outcome, int exitCode, Path deb, String packageName, String message, Throwable error) {
        return new KernelResult(kernel, outcome, exitCode, message, error, deb == null ? null : new KernelResult.PackageFile(deb, packageName),
                module == null ? null : new KernelResult.ModuleId(module, version),
                new KernelResult.Time((System.nanoTime() - start) / 1e9, phases.seconds()));
    }
}

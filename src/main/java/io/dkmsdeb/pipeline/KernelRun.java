package io.dkmsdeb.pipeline;

import io.dkmsdeb.deb.AtomicOutput;
import io.dkmsdeb.model.Compression;
import io.dkmsdeb.deb.DebWriter;
import io.dkmsdeb.dkmsconf.DkmsConfReader;
import io.dkmsdeb.kernel.BuildExclusive;
import io.dkmsdeb.kernel.HeadersFetcher;
import io.dkmsdeb.kernel.KernelBuild;
import io.dkmsdeb.kernel.KernelHeaders;
import io.dkmsdeb.model.BuiltModule;
import io.dkmsdeb.model.DebPackage;
import io.dkmsdeb.model.DkmsConf;
import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.model.KernelExcludedException;
import io.dkmsdeb.model.KernelTarget;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.support.Phases;
import io.dkmsdeb.model.ModuleSource;
import io.dkmsdeb.model.ModuleSourceException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One kernel of a bmdeb run, from its headers to its package. Whatever goes wrong here is this
 * kernel's failure, reported in its {@link BmdebJob.KernelResult}: the other kernels are built
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

    KernelRun(BmdebPlan plan, KernelBuild builder, String kernel) {
        this.plan = plan;
        this.builder = builder;
        this.kernel = kernel;
    }

    /** Builds and packages at the plan's make -j; never throws for this kernel's failures (a JVM {@link Error} still ends the run). */
    BmdebJob.KernelResult run() {
        return check().orElseGet(() -> build(plan.makeJobs()));
    }

    /**
     * Names this kernel's inputs and looks for a package built from the same ones: the kernel's
     * result when its work ends here (up to date, or its headers could not be named), else empty,
     * and {@link #build} comes next. Never throws for this kernel's failures.
     */
    Optional<BmdebJob.KernelResult> check() {
        start = System.nanoTime();
        Optional<BmdebJob.KernelResult> done = Optional.ofNullable(guarded(this::upToDate));
        checkNanos = System.nanoTime() - start;
        return done;
    }

    /** Compiles with make -j{@code makeJobs} and packages, after {@link #check}; never throws for this kernel's failures. */
    BmdebJob.KernelResult build(int makeJobs) {
        start = System.nanoTime() - checkNanos;    // the time it waited for a free slot is not this kernel's
        return guarded(() -> compile(makeJobs));
    }

    /** Work of this kernel that ends in its result (or in null: not done yet). */
    @FunctionalInterface
    private interface Work {
        BmdebJob.KernelResult run() throws IOException;
    }

    /** {@code work}'s result, or the result of its failure: one kernel's failures stay its own. */
    private BmdebJob.KernelResult guarded(Work work) {
        try {
            return work.run();
        } catch (KernelExcludedException e) {
            Log.info("[" + kernel + "] skipped: " + e.getMessage());
            return result(KernelOutcome.SKIPPED, e.exitCode(), null, null, e.getMessage(), null);
        } catch (DkmsDebException e) {
            return result(KernelOutcome.FAILED, e.exitCode(), null, null, e.getMessage(), e);
        } catch (IOException e) {
            return result(KernelOutcome.FAILED, DkmsDebException.EXIT_OTHER, null, null, "cannot write the package for " + kernel + ": "
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + "; check free space and permissions of "
                    + plan.request().outDir(), e);
        } catch (RuntimeException e) {
            // the boundary of one kernel: an error no layer foresaw fails this kernel, not the others
            Throwable shown = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            return result(KernelOutcome.FAILED, DkmsDebException.EXIT_OTHER, null, null, "building "
                    + (module == null ? "the module" : module + " " + version) + " for " + kernel + " failed: "
                    + shown.getClass().getSimpleName() + ": " + shown.getMessage() + " (run again with --stacktrace for details)", e);
        }
    }

    /** The result of an up-to-date kernel, else null (the digest and any fetched headers kept for {@link #compile}). */
    private BmdebJob.KernelResult upToDate() {
        BmdebJob.Request r = plan.request();
        // the inputs are named before any download, so that an unchanged kernel costs no headers
        Optional<String> headersId = BuildInputs.headersId(kernel, r.kernelSourceDir(), plan.listed().get(kernel), r.env());
        if (headersId.isEmpty()) {
            KernelTarget got = headers();
            headersId = Optional.of(BuildInputs.headersId(kernel, r.kernelSourceDir(), plan.listed().get(kernel), r.env())
                    .orElseGet(() -> BuildInputs.treeId(got.headersDir())));
            fetched = got;
        }
        digest = headersId.map(id -> plan.inputs().forKernel(kernel, id)).orElse(null);
        if (digest != null && !r.rebuild()) {
            Optional<Path> done = BuildInputs.find(r.outDir(), r.reuseFrom(), kernel, digest);
            if (done.isPresent()) {
                Log.info("[" + kernel + "] up to date: " + done.get() + " was built from the same inputs (" + digest.substring(0, 19)
                        + "...); --rebuild builds it again");
                return result(KernelOutcome.UP_TO_DATE, 0, done.get(), packageName(done.get()), "up to date", null);
            }
        }
        return null;
    }

    private BmdebJob.KernelResult compile(int makeJobs) throws IOException {
        BmdebJob.Request r = plan.request();
        KernelTarget k = fetched != null ? fetched : headers();
        ModuleSource source = read(k);
        DkmsConf conf = source.conf();
        BuildExclusive.reason(conf.exclusive(), k).ifPresent(why -> {
            throw new KernelExcludedException(conf.packageName() + " " + conf.packageVersion() + " is not built for " + k.release()
                    + ": " + why + " (dkms skips it too, exit 77)");
        });
        checkBuildDepends(conf.buildDepends(), k.release(), conf.packageName());
        Path log = plan.logDir().resolve(conf.packageName() + "-" + conf.packageVersion() + "_" + k.release() + ".log");
        // names checked now, so that a bad version fails before the compile; while make runs,
        // on the core it leaves free: the package writer is warmed up, doc files and scripts rendered
        ModulesPackagePlanner.Names names = ModulesPackagePlanner.names(conf, k, r.revision(), r.name());
        ModulesPackagePlanner planner = new ModulesPackagePlanner(plan.templates(), plan.signing() != null);
        CompletableFuture<ModulesPackagePlanner.Prepared> prepared = CompletableFuture.supplyAsync(() -> {
            new DebWriter(Compression.XZ, plan.epoch(), 1).warmUp();
            return planner.prepare(names, conf, k, plan.maintainer(), source.dir(), plan.epoch());
        });
        phases.since("prepare", start);
        List<BuiltModule> modules = builder.build(new KernelBuild.Request(source.dir(), source.dkmsConfText(), conf, k,
                makeJobs, r.strip(), log, r.buildTimeoutSeconds(), plan.epoch(), plan.signing(), layout, phases,
                r.compileDebugInfo()));
        long packaging = System.nanoTime();
        DebPackage pkg = planner.complete(conf, k, plan.maintainer(), Background.join(prepared), modules, digest);
        Path target = OutputDir.prepare(r.outDir()).resolve(pkg.conventionalFileName());
        AtomicOutput.write(target, out -> new DebWriter(Compression.XZ, plan.epoch(), 1).write(pkg, out));
        phases.since("package", packaging);
        BmdebJob.KernelResult built = result(KernelOutcome.BUILT, 0, target, pkg.packageName(), "", null);
        Log.info(String.format("[%s] wrote %s (%d module%s) in %.1f s: %s", k.release(), target, modules.size(),
                modules.size() == 1 ? "" : "s", built.seconds(), phases.describe()));
        return built;
    }

    /** --kernel-source-dir, else /lib/modules/KVER/build, else (--fetch-headers) the downloaded headers. */
    private KernelTarget headers() {
        BmdebJob.Request r = plan.request();
        Path headers = r.kernelSourceDir();
        if (headers == null && r.fetches() && !Files.exists(Path.of("/lib/modules", kernel, "build", "Makefile"))) {
            headers = HeadersFetcher.fetch(kernel, r.env());
        }
        return KernelHeaders.locate(kernel, headers, r.arch(), r.compression());
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
        ModuleSourceLoader loader = new ModuleSourceLoader(plan.templates());
        String versionOption = plan.request().moduleVersion();
        ModuleSource first = loader.load(plan.dir(), versionOption, plan.moduleNameOption(), new DkmsConfReader.Context(k.release(),
                k.unameArch(), k.headersDir().toString(), "/var/lib/dkms", "/usr/src", "", ""));
        DkmsConf named = first.conf();
        module = named.packageName();
        version = named.packageVersion();
        layout = plan.layout(module, version, k.release());
        if (readsAlike(first.dkmsConfText())) {
            return first;
        }
        ModuleSource source = loader.load(plan.dir(), versionOption, plan.moduleNameOption(), new DkmsConfReader.Context(k.release(),
                k.unameArch(), k.headersDir().toString(), layout.dkmsTree().toString(), layout.sourceTree().toString(), module, version));
        module = source.conf().packageName();
        version = source.conf().packageVersion();
        return source;
    }

    /** The Package field of a package file, from its name (NAME_VERSION_ARCH.deb). */
    private static String packageName(Path deb) {
        String n = deb.getFileName().toString();
        return n.contains("_") ? n.substring(0, n.indexOf('_')) : n;
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

    private BmdebJob.KernelResult result(KernelOutcome outcome, int exitCode, Path deb, String packageName, String message, Throwable error) {
        return new BmdebJob.KernelResult(kernel, outcome, exitCode, deb, packageName, message, (System.nanoTime() - start) / 1e9,
                module, version, error, phases.seconds());
    }
}

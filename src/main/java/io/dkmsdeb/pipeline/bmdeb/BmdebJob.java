package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.pipeline.OutputDir;
import io.dkmsdeb.kernel.DkmsStyleBuild;
import io.dkmsdeb.kernel.KernelBuild;
import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.model.KernelExcludedException;
import io.dkmsdeb.support.IoErrors;
import io.dkmsdeb.support.TempFiles;
import io.dkmsdeb.support.Log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The {@code bmdeb} use case: compile a module for each requested kernel and write one
 * {@code NAME-modules-KVER} package per kernel. The run is planned once ({@link BmdebPlan}),
 * then each kernel is built by a {@link KernelRun}, several in parallel ({@code jobs}, those up to
 * date left out); a kernel that fails or is excluded, for whatever reason, does not stop the others.
 */
public final class BmdebJob {
    /** The exit code of a run of several kernels when some failed and the others did not all fail alike. */
    static final int EXIT_SOME_FAILED = 5;

    private final KernelBuild builder;

    public BmdebJob() {
        this(new DkmsStyleBuild());
    }

    public BmdebJob(KernelBuild builder) {
        this.builder = builder;
    }

    public BmdebResult run(BmdebRequest r) {
        long start = System.nanoTime();
        TempFiles.removeLeftovers(null);                 // what killed runs left in the temporary directory
        TempFiles.removeLeftovers(r.output().dir());     // and in the output directory
        BmdebPlan.Kernels kernels = BmdebPlan.kernels(r);
        // made now, so that a directory that cannot be made fails before the builds, not after them; a call that
        // writes nothing removes what it made, and leaves no new directory behind
        Path created = OutputDir.missing(r.output().dir());
        try {
            OutputDir.prepare(r.output().dir());
            try (ModuleLocator located = ModuleLocator.locate(r.source(), r.host())) {
                BmdebPlan plan = BmdebPlan.of(r, kernels, located);
                // before any of the module's code runs: no silent fallback to a build without one
                plan.sandbox().requireAvailable();
                // read before any build, so that a file that is no certificate fails in a second, not after the compiles
                CertPackagePlanner.Certificate cert = plan.signing() == null ? null : CertPackagePlanner.read(plan.signing().cert());
                List<KernelResult> results = runAll(plan);
                KernelResult named = results.stream().filter(k -> k.module() != null).findFirst().orElse(null);
                Path certPackage = cert == null ? null : writeCertPackage(plan, cert, results);
                return new BmdebResult(named == null ? null : named.moduleName(), named == null ? null : named.moduleVersion(), results,
                        exitCode(results), (System.nanoTime() - start) / 1e9, certPackage, r.build().sandbox());
            }
        } finally {
            if (created != null) {
                OutputDir.removeEmpty(r.output().dir(), created);
            }
        }
    }

    /**
     * Every kernel's result, in the order of the kernels. With several kernels, each one's inputs are
     * named and looked up first (a few at a time); only then are the kernels that are not up to date
     * built, as many at a time as there are of them up to the plan's number, and make -j of each is
     * the CPUs divided among those. A call where one kernel of thirty is new builds it with every CPU,
     * not with the share it would have had beside twenty-nine others.
     */
    private List<KernelResult> runAll(BmdebPlan plan) {
        List<String> kernels = plan.kernels();
        if (kernels.isEmpty()) {
            return List.of();
        }
        if (kernels.size() == 1) {
            return List.of(new KernelRun(plan, builder, kernels.get(0)).run());
        }
        AtomicInteger finished = new AtomicInteger();
        Consumer<KernelResult> progress = k -> Log.info(String.format("[%d/%d] %s: %s in %.1f s", finished.incrementAndGet(), kernels.size(),
                k.kernel(), k.result().word(), k.seconds()));
        List<KernelRun> runs = kernels.stream().map(k -> new KernelRun(plan, builder, k)).toList();
        List<Optional<KernelResult>> checked = inParallel(plan.schedule().kernels(), runs, run -> {
            Optional<KernelResult> done = run.check();
            done.ifPresent(progress);
            return done;
        });
        List<KernelRun> left = new ArrayList<>();
        List<KernelRun> busy = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            if (checked.get(i).isEmpty()) {
                (runs.get(i).busy() ? busy : left).add(runs.get(i));
            }
        }
        Schedule building = plan.scheduleFor(left.size());
        int threads = building.kernels();
        int makeJobs = building.makeJobs();
        if (!left.isEmpty()) {
            // "building for 1 of 3 kernels (2 up-to-date), ...": how the others ended
            Map<String, Long> ended = checked.stream().flatMap(Optional::stream)
                    .collect(Collectors.groupingBy(k -> k.result().word(), TreeMap::new, Collectors.counting()));
            String which = ended.isEmpty() ? left.size() + " kernels" : left.size() + " of " + kernels.size() + " kernels ("
                    + ended.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", ")) + ")";
            Log.info("building for " + which + ", " + threads + " at a time (make -j" + makeJobs + " each)");
        }
        Map<KernelRun, KernelResult> built = new java.util.IdentityHashMap<>();
        List<KernelResult> own = inParallel(threads, left, run -> {
            KernelResult k = run.build(makeJobs);
            progress.accept(k);
            return k;
        });
        for (int i = 0; i < left.size(); i++) {
            built.put(left.get(i), own.get(i));
        }
        // kernels another call is building in the output directory: waited for only now, holding no lock of this call,
        // so that two calls never wait for each other; most are then up to date
        if (!busy.isEmpty()) {
            Log.info("waiting for another bmdeb that is building for " + busy.size() + " of these kernels in " + plan.request().output().dir());
        }
        Schedule waitingFor = plan.scheduleFor(busy.size());
        int waiting = waitingFor.kernels();
        int waitingJobs = waitingFor.makeJobs();
        List<KernelResult> after = inParallel(waiting, busy, run -> {
            KernelResult k = run.awaitCheck().orElseGet(() -> run.build(waitingJobs));
            progress.accept(k);
            return k;
        });
        for (int i = 0; i < busy.size(); i++) {
            built.put(busy.get(i), after.get(i));
        }
        List<KernelResult> results = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            results.add(checked.get(i).isPresent() ? checked.get(i).get() : built.get(runs.get(i)));
        }
        return results;
    }

    /** {@code work} applied to each of {@code items} on {@code threads} threads; the results in the items' order. */
    private static <T, R> List<R> inParallel(int threads, List<T> items, Function<T, R> work) {
        if (threads <= 1 || items.size() <= 1) {
            return items.stream().map(work).toList();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, items.size()));
        try {
            List<Future<R>> futures = items.stream().map(item -> pool.submit(() -> work.apply(item))).toList();
            List<R> results = new ArrayList<>();
            for (Future<R> f : futures) {
                results.add(await(f));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The certificate package, once for the call, with the name and version of the first kernel built
     * (in the order given); null when none was built.
     */
    private static Path writeCertPackage(BmdebPlan plan, CertPackagePlanner.Certificate certificate, List<KernelResult> results) {
        KernelResult built = results.stream().filter(k -> k.result() == KernelOutcome.BUILT).findFirst().orElse(null);
        if (built == null) {
            return null;
        }
        BmdebRequest r = plan.request();
        ModulesPackagePlanner.Names names = ModulesPackagePlanner.names(built.moduleName(), built.moduleVersion(), built.kernel(),
                plan.revision(built.moduleVersion()), r.packaging().name());
        BmdebCertPackage.Planned cert = BmdebCertPackage.plan(plan, certificate, names, built.moduleName(), built.moduleVersion());
        Path target = OutputDir.prepare(r.output().dir()).resolve(cert.pkg().conventionalFileName());
        OutputDir.Written w;
        try {
            w = OutputDir.writeNew(target, cert.bytes());
        } catch (IOException e) {
            throw new DkmsDebException("cannot write the certificate package " + target + ": " + IoErrors.reason(e)
                    + "; check free space and permissions of " + r.output().dir(), e);
        }
        if (w == OutputDir.Written.TAKEN) {
            throw new DkmsDebException(target + " appeared with other bytes while this call ran (another bmdeb with another signing "
                    + "key?); it is left as it is; run bmdeb again to give the certificate package a new version");
        }
        Log.info((w == OutputDir.Written.WRITTEN ? "wrote " : "up to date: ") + target + " (the signing certificate, for mokutil --import)");
        return target;
    }

    /**
     * What a kernel's task returned (its check or its result); a KernelRun returns every failure of its kernel
     * as a result, so only a JVM Error arrives here.
     */
    private static <R> R await(Future<R> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DkmsDebException("interrupted while building", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new DkmsDebException("building a kernel failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * The exit code of the call. One kernel: its own code. Several: 77 when all were skipped
     * (nothing was built, and a CI job must not mistake that for success); when some failed,
     * the code they share if every kernel failed alike (3 for a dkms.conf none can use, 4 when
     * no kernel has headers), else 5; else 0.
     */
    static int exitCode(List<KernelResult> results) {
        if (results.isEmpty()) {
            return 0; // an empty shard (--shard) of the listing: nothing to do is done
        }
        if (results.size() == 1) {
            return results.get(0).exitCode();
        }
        List<KernelResult> failed = results.stream().filter(k -> k.result() == KernelOutcome.FAILED).toList();
        if (!failed.isEmpty()) {
            boolean allAlike = failed.size() == results.size()
                    && failed.stream().map(KernelResult::exitCode).distinct().count() == 1;
            return allAlike ? failed.get(0).exitCode() : EXIT_SOME_FAILED;
        }
        return results.stream().allMatch(k -> k.result() == KernelOutcome.SKIPPED) ? KernelExcludedException.EXIT_CODE : 0;
    }
}

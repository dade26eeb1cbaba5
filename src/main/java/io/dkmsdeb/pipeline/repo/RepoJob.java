package io.dkmsdeb.pipeline.repo;

import io.dkmsdeb.pipeline.ArchiveListing;
import io.dkmsdeb.pipeline.DebianNames;
import io.dkmsdeb.pipeline.SourceDateEpoch;
import io.dkmsdeb.deb.AptIndex;
import io.dkmsdeb.deb.ControlFile;
import io.dkmsdeb.deb.DebWriter;
import io.dkmsdeb.model.deb.Compression;
import io.dkmsdeb.model.kernel.DebianRelease;
import io.dkmsdeb.model.deb.DebPackage;
import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.model.kernel.KernelListing;
import io.dkmsdeb.model.UsageException;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.templates.ScriptTemplates;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code repo} use case: packages join the pool of an apt repository, the per-flavour
 * meta-packages follow the kernel listing, retention takes out what is no longer wanted, and the
 * suite's indices are published again, so that a client never sees a broken repository:
 * <ol>
 *   <li>one publisher at a time ({@link RepoLock}); what a publisher killed earlier left is cleaned
 *       ({@link RepoState#recover});</li>
 *   <li>every package is read and checked; a package already in the pool with the same bytes
 *       changes nothing, one with other bytes under the same name, version and architecture is
 *       refused;</li>
 *   <li>new pool files, {@code Packages}, {@code Packages.xz}, their {@code by-hash/} copies,
 *       {@code Release}, {@code InRelease} and {@code Release.gpg} are written to
 *       {@code .dkms-deb/staging/} and checked there as a client would ({@link RepoVerifier});</li>
 *   <li>then they are renamed into place: pool files, by-hash files, indices, Release, Release.gpg,
 *       and {@code InRelease} last; a client holding the previous InRelease still finds what it names
 *       by hash;</li>
 *   <li>by-hash files and retired pool files that none of the newest generations names go.</li>
 * </ol>
 * A failure or a kill before the renames leaves what clients are served as it was.
 */
public final class RepoJob {
    /** Suite and component names: what reprepro and apt accept in a path. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");

    /**
     * Where the packages go.
     *
     * @param repoDir   the repository root (created when missing)
     * @param suite     the suite (also its Codename)
     * @param component the component
     * @param origin    Origin of Release, or null
     * @param label     Label of Release, or null
     */
    public record Target(Path repoDir, String suite, String component, String origin, String label) {
        public Target {
            requireName(suite, "--suite");
            requireName(component, "--component");
        }
    }

    /**
     * How a publish behaves towards other publishers, older clients and old packages.
     *
     * @param lockTimeout     how long to wait for another publisher
     * @param keepGenerations how many Release generations (with their by-hash files) stay fetchable, at least 1
     * @param pruneKernels    remove module packages of kernels the listing no longer has
     * @param keepBuilds      keep only the newest N versions of each package (0: all)
     * @param dryRun          say what would be added and removed, change nothing
     */
    public record Policy(Duration lockTimeout, int keepGenerations, boolean pruneKernels, int keepBuilds, boolean dryRun) {
        public Policy {
            if (keepGenerations < 1) {
                throw new UsageException("--keep-generations " + keepGenerations + " must be at least 1 (the generation being served)");
            }
            if (keepBuilds < 0) {
                throw new UsageException("--keep-builds " + keepBuilds + " must be 0 (keep all) or more");
            }
            if (lockTimeout.isNegative()) {
                throw new UsageException("--lock-timeout must be 0 seconds or more");
            }
        }

        /** Wait up to 10 minutes, keep 3 generations, remove nothing. */
        public static Policy defaults() {
            return new Policy(Duration.ofMinutes(10), 3, false, 0, false);
        }
    }

    /**
     * @param target       where the packages go
     * @param debs         packages to add
     * @param signKey      the gpg key to sign with, or null for an unsigned repository
     * @param gpgHome      gpg's home directory, or null
     * @param kernels      where the kernel listing comes from: a file written by {@code kernels --json}, the archive of a
     *                     release or of apt source lines, or (null, or neither) the host's apt-cache
     * @param metaPackages whether to make the per-flavour meta-packages
     * @param policy       locking, generations and retention
     * @param env          the environment (SOURCE_DATE_EPOCH)
     */
    public record Request(Target target, List<Path> debs, String signKey, Path gpgHome, KernelListing.Origin kernels, boolean metaPackages,
                          Policy policy, Map<String, String> env) {
        public Request {
            debs = List.copyOf(debs);
            kernels = kernels == null ? KernelListing.Origin.of(null) : kernels;
        }
    }

    /**
     * What a publish did.
     *
     * @param target  the repository, suite and component
     * @param changes pool files by what happened to them (paths relative to the repository root), and the index files written
     * @param signed  whether the indices are signed
     * @param dryRun  --dry-run: nothing was changed
     * @param seconds the time of the call
     */
    public record Result(Target target, Changes changes, boolean signed, boolean dryRun, double seconds) {
        public Path repoDir() {
            return target.repoDir();
        }

        public String suite() {
            return target.suite();
        }

        public String component() {
            return target.component();
        }

        public List<String> added() {
            return changes.added();
        }

        public List<String> unchanged() {
            return changes.unchanged();
        }

        public List<String> metaPackages() {
            return changes.metaPackages();
        }

        public List<String> removed() {
            return changes.removed();
        }

        public List<String> indices() {
            return changes.indices();
        }
    }

    /** Pool files by what happened to them (paths relative to the repository root), and the index files written. */
    public record Changes(List<String> added, List<String> unchanged, List<String> metaPackages, List<String> removed, List<String> indices) {
        public Changes {
            added = List.copyOf(added);
            unchanged = List.copyOf(unchanged);
            metaPackages = List.copyOf(metaPackages);
            removed = List.copyOf(removed);
            indices = List.copyOf(indices);
        }
    }

    /** Called before each step of the switch: the seam where a test stops a publish as a kill would. */
    private final Consumer<String> beforeStep;

    public RepoJob() {
        this(step -> { });
    }

    RepoJob(Consumer<String> beforeStep) {
        this.beforeStep = beforeStep;
    }

    public Result run(Request r) {
        long start = System.nanoTime();
        Target t = r.target();
        Path repo = t.repoDir();
        if (Files.exists(repo, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(repo)) {
            throw new UsageException("repository directory " + repo + " exists and is not a directory; give a directory");
        }
        boolean fixedTime = !r.env().getOrDefault("SOURCE_DATE_EPOCH", "").isBlank();
        long epoch = SourceDateEpoch.from(r.env());
        long date = fixedTime ? epoch : System.currentTimeMillis() / 1000;
        RepoSigner signer = r.signKey() == null ? null : new RepoSigner(r.signKey(), r.gpgHome(), fixedTime ? epoch : null);
        if (signer != null) {
            signer.check();
        }
        // every package is read and checked before the repository is touched (or made)
        List<Arriving> arriving = new ArrayList<>();
        for (Path deb : r.debs()) {
            Map<String, String> fields = RepoPool.readControl(deb);
            String filename = RepoPool.directory(t.component(), fields) + "/" + RepoPool.fileName(fields);
            arriving.add(new Arriving(deb, new RepoPool.Entry(filename, RepoPool.checksums(deb), fields)));
        }
        boolean fresh = !Files.exists(repo, LinkOption.NOFOLLOW_LINKS);
        RepoState state = new RepoState(repo);
        try (RepoLock lock = RepoLock.acquire(state.lockFile(), r.policy().lockTimeout())) {
            state.recover();
            return publish(r, arriving, state, signer, epoch, date, start);
        } catch (RuntimeException e) {
            if (fresh && !Files.exists(repo.resolve("dists"))) {
                // a repository this run began and never served: nothing of it stays
                RepoState.deleteTree(repo);
            }
            throw e;
        }
    }

    /** A package given on the command line, read and checked. */
    private record Arriving(Path deb, RepoPool.Entry entry) {
    }

    private Result publish(Request r, List<Arriving> arriving, RepoState state, RepoSigner signer, long epoch, long date, long start) {
        Target t = r.target();
        Path repo = t.repoDir();
        RepoHistory history = new RepoHistory(state, t.suite());
        history.recordServed();
        Set<String> retired = state.retired();
        Path binaryDir = repo.resolve("dists").resolve(t.suite()).resolve(t.component());
        Map<String, Map<String, String>> known = knownStanzas(binaryDir);
        // one pool, a suite per release: a suite lists what it listed and what arrives now, never what another
        // suite lists (bookworm's kernels' packages are no trixie machine's); a pool file no suite lists joins it
        Set<String> elsewhere = listedByOtherSuites(repo, t.suite(), t.component());
        List<RepoPool.Entry> pool = RepoPool.scan(repo, t.component(), known, retired).stream()
                .filter(e -> known.containsKey(e.filename()) || !elsewhere.contains(e.filename())).toList();
        Map<String, RepoPool.Entry> byKey = new LinkedHashMap<>();
        pool.forEach(e -> byKey.put(e.key(), e));

        List<String> added = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        List<Incoming> incoming = new ArrayList<>();
        for (Arriving a : arriving) {
            Path deb = a.deb();
            RepoPool.Entry e = a.entry();
            String filename = e.filename();
            RepoPool.Entry there = byKey.get(e.key());
            if (there == null && retired.contains(filename) && sameBytes(repo.resolve(filename), e.sums())) {
                retired.remove(filename);
                byKey.put(e.key(), e);
                added.add(filename);
                continue;
            }
            if (there != null && !there.sums().sha256().equals(e.sums().sha256())) {
                throw new DkmsDebException("cannot add " + deb + ": the repository has " + e.key().replace(' ', '_') + " already ("
                        + there.filename() + ") with other content, and apt takes a package's name, version and architecture to mean "
                        + "the same bytes; give the new build a new version (e.g. bmdeb --revision), or remove the old file from the "
                        + "pool if no machine has it, then run again. Nothing was changed");
            }
            if (there != null) {
                unchanged.add(there.filename());
                continue;
            }
            requireFree(repo, filename, deb);
            byKey.put(e.key(), e);
            incoming.add(new Incoming(e, deb, null));
            added.add(filename);
        }
        KernelListing.Listing listing = r.metaPackages() || r.policy().pruneKernels() ? ArchiveListing.load(r.kernels(), Host.of(r.env())) : null;
        if (listing != null && listing.release() != null && t.suite().matches("[a-z]+") && !t.suite().equals(listing.release().codename())) {
            Log.warn("the kernel listing is of " + listing.archive() + " and the suite is " + t.suite() + ": the meta-packages of "
                    + t.suite() + " follow " + listing.release() + "'s kernels; give the listing of " + t.suite() + " if that is its release");
        }
        List<String> metas = r.metaPackages() ? planMetas(t, listing, byKey, incoming, epoch) : List.of();
        List<RepoPool.Entry> removals = Retention.plan(byKey.values(), r.policy().pruneKernels() ? listing : null, r.policy().keepBuilds());
        List<String> removed = removals.stream().map(RepoPool.Entry::filename).toList();
        for (RepoPool.Entry e : removals) {
            Log.info((r.policy().dryRun() ? "would remove " : "removing ") + e.pkg() + " " + e.version() + " (" + e.filename() + ")"
                    + Retention.kernelOf(e).map(k -> ": kernel " + k + " is no longer in the archive listing").orElse(""));
            byKey.remove(e.key());
            if (incoming.stream().noneMatch(in -> in.entry().equals(e))) {
                retired.add(e.filename());
            }
        }
        incoming.removeIf(in -> removals.contains(in.entry()));
        if (r.policy().dryRun()) {
            Log.info("dry run: nothing was changed");
            return new Result(t, new Changes(added, unchanged, metas, removed, List.of()), signer != null, true,
                    (System.nanoTime() - start) / 1e9);
        }
        Publication publication = new Publication(state, t.suite());
        IndexWriter.Staged staged;
        try {
            publication.stagePool(incoming);
            staged = new IndexWriter(repo, state.staging(), t.suite()).write(t.component(), new ArrayList<>(byKey.values()),
                    new AptIndex.ReleaseInfo(t.origin(), t.label(), t.suite(), List.of(), List.of(), null, date), signer);
            publication.check(staged, incoming);
        } catch (RuntimeException e) {
            // nothing of it was served: the staging area goes, and the repository is as it was
            RepoState.deleteTree(state.staging());
            throw e;
        }
        for (Publication.Step step : publication.switchSteps(staged, incoming, retired)) {
            beforeStep.accept(step.name());
            step.action().run();
        }
        if (signer != null) {
            Log.info("signed dists/" + t.suite() + "/Release with key " + signer.keyId() + "; apt needs KEY.gpg (or KEY.asc) as signed-by");
        } else {
            Log.warn("the repository is not signed (no --sign-key): apt refuses it unless its sources line says [trusted=yes], "
                    + "which trusts whatever a mirror or the network serves; sign it with --sign-key KEYID");
        }
        publication.prune(history, r.policy().keepGenerations(), retired);
        return new Result(t, new Changes(added, unchanged, metas, removed, staged.all()), signer != null, false,
                (System.nanoTime() - start) / 1e9);
    }

    private static boolean sameBytes(Path file, AptIndex.Checksums sums) {
        try {
            return Files.isRegularFile(file) && AptIndex.Checksums.of(file).sha256().equals(sums.sha256());
        } catch (IOException e) {
            return false;
        }
    }

    /** The meta-packages that the listing calls for and the pool lacks, planned and written to memory; adds them to incoming. */
    private List<String> planMetas(Target t, KernelListing.Listing listing, Map<String, RepoPool.Entry> byKey, List<Incoming> incoming,
                                   long epoch) {
        warnStaleMetas(listing, byKey.values());
        List<MetaPackagePlanner.Plan> plans = MetaPackagePlanner.plans(byKey.values().stream().map(RepoPool.Entry::fields).toList(), listing);
        MetaPackagePlanner planner = new MetaPackagePlanner(new ScriptTemplates(null));
        List<String> out = new ArrayList<>();
        for (MetaPackagePlanner.Plan plan : plans) {
            String key = plan.packageName() + " " + plan.version() + " " + plan.target().arch();
            if (byKey.containsKey(key)) {
                Log.info(plan.packageName() + " " + plan.version() + " is in the repository already (follows "
                        + plan.kernelMeta().pkg() + " " + plan.kernelMeta().version() + ")");
                continue;
            }
            DebPackage pkg = planner.plan(plan, epoch);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try {
                new DebWriter(Compression.XZ, epoch, 1).write(pkg, bytes);
            } catch (IOException e) {
                throw new DkmsDebException("cannot make " + pkg.conventionalFileName() + ": " + e.getMessage() + "; check free space in the temp directory", e);
            }
            byte[] deb = bytes.toByteArray();
            Map<String, String> fields = RepoPool.checkControl(new String(ControlFile.render(pkg.control()), StandardCharsets.UTF_8),
                    pkg.conventionalFileName());
            String filename = RepoPool.directory(t.component(), fields) + "/" + RepoPool.fileName(fields);
            requireFree(t.repoDir(), filename, Path.of(pkg.conventionalFileName()));
            RepoPool.Entry e = new RepoPool.Entry(filename, AptIndex.Checksums.of(deb), fields);
            byKey.put(key, e);
            incoming.add(new Incoming(e, null, deb));
            out.add(filename);
            Log.info(plan.packageName() + " " + plan.version() + " depends on " + plan.target().pkg() + " (= "
                    + plan.target().version() + "), following " + plan.kernelMeta().pkg() + " " + plan.kernelMeta().version());
        }
        return out;
    }

    /** A pool file name taken by another package (a file not listed by its content) is refused rather than overwritten. */
    private static void requireFree(Path repo, String filename, Path deb) {
        if (Files.exists(repo.resolve(filename), LinkOption.NOFOLLOW_LINKS)) {
            throw new DkmsDebException("cannot add " + deb + ": " + repo.resolve(filename) + " exists and holds another package; "
                    + "files in the pool are never overwritten: remove it if no machine needs it, then run again. Nothing was changed");
        }
    }

    /**
     * Says when a kernel meta-package of the listing points at a kernel this repository has no
     * module package for, although it has the module's meta-package for that flavour: the
     * meta-package stays on the older kernel, and machines that boot the new one lack the module.
     */
    private static void warnStaleMetas(KernelListing.Listing listing, Collection<RepoPool.Entry> entries) {
        Set<String> names = new HashSet<>();
        Set<String> modules = new TreeSet<>();
        for (RepoPool.Entry e : entries) {
            names.add(e.pkg());
            DebianNames.moduleOfSource(e.fields().get("Source")).ifPresent(modules::add);
        }
        for (KernelListing.Meta meta : listing.metas()) {
            for (String module : modules) {
                String wanted = DebianNames.modulesPackage(module, meta.release());
                String metaName = DebianNames.modulesMetaPackage(module, meta.flavour());
                if (names.contains(metaName) && !names.contains(wanted)) {
                    Log.warn(meta.pkg() + " " + meta.version() + " now depends on kernel " + meta.release() + ", but the repository has no "
                            + wanted + ": " + metaName + " stays on the kernel it followed, and machines that "
                            + "boot " + meta.release() + " will not have the module; build it (bmdeb -k " + meta.release()
                            + " or --kernels-from-archive) and publish it");
                }
            }
        }
    }

    /** The stanzas of the component's current Packages files, by Filename. */
    /** The pool files that the other suites of the repository list in {@code component}. */
    private static Set<String> listedByOtherSuites(Path repo, String suite, String component) {
        Set<String> listed = new HashSet<>();
        Path dists = repo.resolve("dists");
        if (Files.isDirectory(dists)) {
            try (var suites = Files.list(dists)) {
                for (Path other : suites.filter(d -> Files.isDirectory(d) && !d.getFileName().toString().equals(suite)).toList()) {
                    listed.addAll(knownStanzas(other.resolve(component)).keySet());
                }
            } catch (IOException e) {
                // an unreadable dists/ lists nothing: every pool file joins the suite, as before suites were kept apart
            }
        }
        return listed;
    }

    private static Map<String, Map<String, String>> knownStanzas(Path componentDir) {
        Map<String, Map<String, String>> known = new LinkedHashMap<>();
        if (Files.isDirectory(componentDir)) {
            try (var dirs = Files.list(componentDir)) {
                for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith("binary-")).sorted().toList()) {
                    known.putAll(RepoPool.stanzas(d.resolve("Packages")));
                }
            } catch (IOException e) {
                // unreadable indices are rebuilt from the packages themselves
            }
        }
        return known;
    }

    static void requireName(String value, String option) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new UsageException(option + " '" + value + "' is not a name apt and reprepro accept: use letters, digits, '.', '_', '+' and '-', e.g. bookworm or main");
        }
    }

    /** The suite a repository built on {@code host} is for: the Debian release it runs ({@code bookworm}), else {@code stable}. */
    public static String defaultSuite(Host host) {
        return host.debianRelease().map(DebianRelease::codename).orElse("stable");
    }
}

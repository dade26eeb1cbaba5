package io.dkmsdeb.it;

import io.dkmsdeb.kernel.CrossToolchain;
import io.dkmsdeb.support.Json;
import io.dkmsdeb.support.Trees;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The conformance harness: Debian's own *-dkms packages, each kernel with headers, real
 * dkms as the oracle.
 *
 * <p>For each package: apt-get download (nothing installed, {@link DebianDkmsPackagesTest#download}), the
 * module tree from usr/src/, {@code dkms-deb source} on it compared with Debian's package (/usr/src file
 * list with modes and link targets, dkms.conf bytes). For each (package, kernel): real {@code dkms build}
 * ({@link DkmsOracle}, private mount namespace) and {@code dkms-deb bmdeb} on the same tree and kernel,
 * compared: outcome (built, failed, skipped = BUILD_EXCLUSIVE exit 77), the .ko names, module compression
 * as the kernel's own modules, {@code dkms-deb inspect} of the package; then the package's modules are
 * loaded in that kernel under qemu ({@link ConformanceLoad}).
 *
 * <p>Each (package, kernel) row is kept as a properties file under {@code DIR/rows/}, so that a run can be
 * resumed ({@code -Dconformance.resume=true}: rows found are kept, except those of the packages in
 * {@code conformance.rerun}), and the report is written from the rows ({@link ConformanceReport}).
 *
 * <p>A package name {@code PKG+only-PREFIX} is a probe derived from a Debian package: PKG's tree with
 * {@code BUILD_EXCLUSIVE_KERNEL="^PREFIX"} appended to its dkms.conf, so that the skipped outcome (exit 77)
 * is compared too (no Debian 12 package excludes the 6.1 or 6.12 kernels). Settings (system properties): {@code conformance.packages} (comma list,
 * default: every {@code *-dkms} package apt knows, minus dh-dkms), {@code conformance.kernels} (default: the
 * newest installed 6.1 and 6.12 kernels), {@code conformance.jobs} (rows built at once, default 2),
 * {@code conformance.load} (default true), {@code conformance.resume}, {@code conformance.dir},
 * {@code conformance.buildTimeout} (seconds per build step of bmdeb; dkms's own limit is DkmsOracle's 900 s),
 * {@code conformance.bootTimeout} (seconds per qemu boot), {@code conformance.trixie} (true: the trixie column, see
 * {@link #ConformanceHarness(Config, List)}) and {@code conformance.trixie.packages} (its packages, or {@code all}).
 */
final class ConformanceHarness {
    static final String MAINTAINER = "Conformance <conformance@example.org>";
    static final String EPOCH = "1700000000";
    /** The build host's Debian architecture: dkms builds for it only. */
    static final String HOST_ARCH = CrossToolchain.buildHostArch();

    /** What to run and where. */
    record Config(List<String> packages, List<String> kernels, Path dir, int jobs, boolean load, boolean resume,
                  int buildTimeout, Duration bootTimeout, List<String> rerun) {

        /** Defaults: two rows at a time, the load check, nothing resumed, 900 s per build step, 240 s per boot. */
        static Config of(List<String> packages, List<String> kernels, Path dir) {
            return new Config(packages, kernels, dir, 2, true, false, 900, Duration.ofSeconds(240), List.of());
        }

        static Config fromSystemProperties(List<String> defaultPackages, Path defaultDir) {
            String pk = System.getProperty("conformance.packages", "").strip();
            List<String> packages = pk.isEmpty() ? defaultPackages : Arrays.stream(pk.split("[,\\s]+")).filter(s -> !s.isEmpty()).toList();
            String kk = System.getProperty("conformance.kernels", "").strip();
            List<String> kernels = kk.isEmpty() ? defaultKernels(!"false".equals(System.getProperty("conformance.arm64")))
                    : Arrays.stream(kk.split("[,\\s]+")).filter(s -> !s.isEmpty()).toList();
            String dir = System.getProperty("conformance.dir", "");
            return new Config(packages, kernels, dir.isEmpty() ? defaultDir : Path.of(dir).toAbsolutePath(),
                    Integer.getInteger("conformance.jobs", 2), !"false".equals(System.getProperty("conformance.load")),
                    Boolean.getBoolean("conformance.resume"), Integer.getInteger("conformance.buildTimeout", 900),
                    Duration.ofSeconds(Integer.getInteger("conformance.bootTimeout", 240)),
                    Arrays.stream(System.getProperty("conformance.rerun", "").split("[,\\s]+")).filter(s -> !s.isEmpty()).toList());
        }

        /**
         * The newest installed 6.1 and 6.12 amd64 kernels with headers and, with {@code arm64}, the newest 6.1
         * and 6.12 arm64 kernels of the archive (cross-built; their headers are fetched).
         */
        static List<String> defaultKernels(boolean arm64) {
            List<String> k = new ArrayList<>(List.of(Kernels.newest61(), Kernels.newest612()));
            if (arm64) {
                k.add(Kernels.newestArm64InArchive("6.1."));
                k.add(Kernels.newestArm64InArchive("6.12."));
            }
            return List.copyOf(k);
        }

        /**
         * The kernel whose dkms outcome a row is judged against: the kernel itself for one of the build host's
         * architecture; for a cross-built kernel (arm64 on this amd64 host, which dkms cannot build for), the
         * host-architecture kernel of the same series (major.minor) in the list.
         */
        String reference(String kernel) {
            if (!isCross(kernel)) {
                return kernel;
            }
            return kernels.stream().filter(k -> !isCross(k) && series(k).equals(series(kernel))).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("the " + QemuBoot.Machine.of(kernel).debArch() + " kernel " + kernel
                            + " is judged against the dkms outcome of a " + HOST_ARCH + " kernel of the series " + series(kernel)
                            + ", and conformance.kernels has none: " + kernels));
        }

        /** Keep the row found on disk for this package? */
        boolean keep(String pkg) {
            return resume && !rerun.contains(pkg);
        }

        /** Keep the row found on disk for this package and kernel? {@code conformance.rerun} may name PKG or PKG@KERNEL. */
        boolean keep(String pkg, String kernel) {
            return keep(pkg) && !rerun.contains(pkg + "@" + kernel);
        }
    }

    /** Is this kernel of another architecture than the build host (built with a cross compiler, no dkms oracle)? */
    static boolean isCross(String kernel) {
        return !QemuBoot.Machine.of(kernel).debArch().equals(HOST_ARCH);
    }

    /** "6.1" of "6.1.0-57-arm64", "6.12" of "6.12.117+deb12-amd64". */
    static String series(String kernel) {
        return kernel.replaceFirst("^(\\d+\\.\\d+)\\..*$", "$1");
    }

    /** Every *-dkms package apt knows of (apt-cache search --names-only -- '-dkms$'), minus dh-dkms, sorted. */
    static List<String> allDebianDkmsPackages() {
        Cmd.Result r = Cmd.ok("apt-cache", "search", "--names-only", "--", "-dkms$");
        return r.out().lines().map(l -> l.split(" ", 2)[0]).filter(n -> n.endsWith("-dkms") && !n.equals("dh-dkms")).sorted().distinct()
                .toList();
    }

    // ---------------------------------------------------------------- results

    /** The source comparison of one package (kernel-independent). */
    record SourceCheck(String pkg, String debVersion, String tree, String name, String version, int files, boolean filesSame,
                       boolean confSame, String detail) {
        boolean same() {
            return filesSame && confSame;
        }
    }

    /** One tool's outcome for one kernel: built, failed or skipped, its exit code and why. */
    record Outcome(String result, int exit, String reason, double seconds, Set<String> modules, String suffix) {
        String cls() {
            return result;
        }
    }

    /** One (package, kernel) row. */
    record Row(String pkg, String kernel, String name, String version, Outcome dkms, Outcome ours, String expectedSuffix,
               Boolean compressionOk, String compression, Boolean inspectOk, String inspect, List<ConformanceLoad.ModuleLoad> loads,
               List<String> kernelDeps, String boot, String sameError, String reference) {

        /** A cross-built row: {@link #dkms} is dkms's outcome on {@link #reference}, the build host's kernel of the same series. */
        boolean cross() {
            return !reference.isEmpty() && !reference.equals(kernel);
        }

        boolean outcomeAgrees() {
            return dkms.cls().equals(ours.cls());
        }

        boolean modulesAgree() {
            return dkms.modules().equals(ours.modules());
        }

        boolean built() {
            return ours.result().equals("built");
        }

        boolean loadFailed() {
            return loads.stream().anyMatch(l -> l.status().equals(ConformanceLoad.FAILED));
        }

        /** The aspects in which dkms-deb departs from dkms or from what the kernel needs. */
        List<String> problems() {
            List<String> p = new ArrayList<>();
            if (!outcomeAgrees()) {
                p.add("outcome");
            }
            if (!modulesAgree()) {
                p.add("modules");
            }
            if (Boolean.FALSE.equals(compressionOk)) {
                p.add("compression");
            }
            if (Boolean.FALSE.equals(inspectOk)) {
                p.add("inspect");
            }
            if (loadFailed()) {
                p.add("load");
            }
            return p;
        }
    }

    /** All rows and source checks of a run, and its wall time. */
    record Result(Config config, List<SourceCheck> sources, List<Row> rows, Duration wall, Instant finished) {
    }

    // ---------------------------------------------------------------- the run

    private final Config config;
    private final Path progress;
    private final List<String> trixie;

    ConformanceHarness(Config config) {
        this(config, List.of());
    }

    /**
     * With the trixie column: trixie's own versions of {@code trixiePackages} (those trixie has) built for the trixie
     * kernel of {@link TrixieOracle} by bmdeb (its trixie build root) and judged against trixie's dkms in the oracle's
     * root; empty: no trixie column.
     */
    ConformanceHarness(Config config, List<String> trixiePackages) {
        this.config = config;
        this.progress = config.dir().resolve("progress.log");
        this.trixie = List.copyOf(trixiePackages);
    }

    /**
     * The packages of the trixie column that {@code conformance.trixie=true} asks for: those {@code conformance.trixie.packages}
     * names (a comma list, or {@code all}: every trixie {@code *-dkms} package); else every trixie {@code *-dkms} package
     * when {@code conformance.packages} is not set and {@code all}, else those of {@code packages} that are not probes;
     * none without the setting.
     */
    static List<String> trixiePackagesFromSystemProperties(List<String> packages, boolean all) throws IOException {
        if (!Boolean.getBoolean("conformance.trixie")) {
            return List.of();
        }
        String named = System.getProperty("conformance.trixie.packages", "").strip();
        if (named.equals("all") || named.isEmpty() && all && System.getProperty("conformance.packages", "").isBlank()) {
            return TrixieOracle.get().dkmsPackages();
        }
        if (!named.isEmpty()) {
            return Arrays.stream(named.split("[,\\s]+")).filter(p -> !p.isEmpty()).toList();
        }
        return packages.stream().filter(p -> p.equals(basePackage(p))).toList();
    }

    /** A kernel of Debian 13 trixie ({@code +deb13}): its rows are the trixie column. */
    static boolean isTrixie(String kernel) {
        return kernel.matches(".*\\+deb13-[a-z0-9]+");
    }

    /** A package downloaded and unpacked: its module tree and what dkms.conf says of its name and version. */
    private record Prepared(String pkg, Path deb, Path tree, String name, String version, SourceCheck source, String error) {
    }

    Result run() throws IOException {
        long start = System.nanoTime();
        Files.createDirectories(config.dir().resolve("rows"));
        log("conformance: " + config.packages().size() + " packages x " + config.kernels() + ", jobs " + config.jobs() + ", load check "
                + config.load() + ", dir " + config.dir());
        // downloads one after the other (apt-get in one directory), the rest in the pool
        Map<String, Path> debs = new LinkedHashMap<>();
        for (String pkg : config.packages()) {
            debs.put(pkg, DebianDkmsPackagesTest.download(basePackage(pkg)));
        }
        if (config.load()) {
            for (String k : config.kernels()) {
                try {
                    ConformanceLoad.kernelModules(k); // the kernel image and its modules, once, before the pool
                } catch (AssertionError | IOException e) {
                    log("load check: no modules of " + k + ": " + ConformanceLoad.firstLine(e.getMessage()));
                }
            }
        }
        for (String k : config.kernels()) {
            if (isCross(k)) {
                config.reference(k); // fails early without a host kernel of the series
                fetchHeaders(k);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, config.jobs()));
        try {
            Map<String, Future<Prepared>> prepared = new LinkedHashMap<>();
            for (var e : debs.entrySet()) {
                prepared.put(e.getKey(), pool.submit(() -> prepare(e.getKey(), e.getValue())));
            }
            List<SourceCheck> sources = new ArrayList<>();
            Map<String, Prepared> byPkg = new LinkedHashMap<>();
            for (var e : prepared.entrySet()) {
                Prepared p = get(e.getValue());
                byPkg.put(e.getKey(), p);
                sources.add(p.source());
            }
            // the big trees first, so that the slowest builds do not start last
            List<String> order = new ArrayList<>(config.packages());
            order.sort(Comparator.comparingLong((String p) -> size(debs.get(p))).reversed());
            List<Future<Row>> futures = new ArrayList<>();
            for (String pkg : order) {
                for (String k : config.kernels()) {
                    futures.add(pool.submit(() -> rowOf(byPkg.get(pkg), k)));
                }
            }
            List<String> kernelOrder = new ArrayList<>(config.kernels());
            if (!trixie.isEmpty()) {
                TrixieOracle oracle = TrixieOracle.get();
                kernelOrder.add(oracle.kernel());
                log("trixie column: " + oracle.kernel() + ", judged against " + oracle.dkmsVersion() + " in " + oracle.root() + " ("
                        + oracle.made() + ")");
                Set<String> known = new TreeSet<>(oracle.dkmsPackages());
                for (String pkg : trixie) {
                    if (!known.contains(pkg)) {
                        log(String.format("%-28s %-22s not in trixie: no row", pkg, oracle.kernel()));
                        continue;
                    }
                    Path deb = trixieDeb(oracle, pkg);
                    futures.add(pool.submit(() -> trixieRow(oracle, pkg, deb)));
                }
            }
            List<Row> rows = new ArrayList<>();
            for (Future<Row> f : futures) {
                rows.add(get(f));
            }
            Map<String, Row> byKey = new LinkedHashMap<>();
            rows.forEach(r -> byKey.put(r.pkg() + "@" + r.kernel(), r));
            rows.replaceAll(r -> isCross(r.kernel()) ? judged(r, byKey.get(r.pkg() + "@" + config.reference(r.kernel()))) : r);
            rows.sort(Comparator.comparing(Row::pkg).thenComparing(r -> kernelOrder.indexOf(r.kernel())));
            Duration wall = Duration.ofNanos(System.nanoTime() - start);
            log(String.format("conformance: done in %d min %02d s", wall.toMinutes(), wall.toSecondsPart()));
            return new Result(config, sources, rows, wall, Instant.now());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A cross-built kernel's headers into the run's cache, once, before rows are built two at a time: bmdeb of
     * debian-example with --fetch-headers (which also shows that the cross compiler is there).
     */
    private void fetchHeaders(String kernel) throws IOException {
        Path out = Files.createDirectories(config.dir().resolve("headers-check").resolve(kernel));
        Trees.delete(out);
        Files.createDirectories(out);
        long start = System.nanoTime();
        Cmd.Result r = Cmd.dkmsDeb(null, bmdebEnvironment(), "bmdeb", HelloModules.example(), "-k", kernel, "--fetch-headers", "--no-sign",
                "-o", out.toString(), "--log-dir", out.resolve("logs").toString());
        log(String.format("headers of %s fetched (debian-example built: exit %d, %.0f s)%s", kernel, r.exit(), (System.nanoTime() - start) / 1e9,
                r.exit() == 0 ? "" : ": " + ConformanceLoad.firstLine(r.err())));
    }

    private static <T> T get(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error er) {
                throw er;
            }
            throw new IOException(e.getCause());
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private Path pkgDir(String pkg) {
        return config.dir().resolve("work").resolve(pkg);
    }

    // ---------------------------------------------------------------- per package: tree and source check

    /** The Debian package a (possibly derived) package name comes from: "acpi-call-dkms+only-6.1." gives acpi-call-dkms. */
    static String basePackage(String pkg) {
        int plus = pkg.indexOf('+');
        return plus < 0 ? pkg : pkg.substring(0, plus);
    }

    private Prepared prepare(String pkg, Path deb) throws IOException {
        Path dir = pkgDir(pkg);
        Path debian = dir.resolve("debian");
        Trees.delete(debian);
        Trees.delete(dir.resolve("derived"));
        Files.createDirectories(dir);
        Cmd.ok("dpkg-deb", "-x", deb.toString(), debian.toString());
        String debVersion = Cmd.ok("dpkg-deb", "--field", deb.toString(), "Version").out().strip();
        List<Path> trees;
        try (Stream<Path> s = Files.list(debian.resolve("usr/src"))) {
            trees = s.filter(Files::isDirectory).sorted().toList();
        }
        if (trees.size() != 1) {
            String why = "expected one module tree in usr/src, found " + trees;
            return new Prepared(pkg, deb, null, "", "", new SourceCheck(pkg, debVersion, "", "", "", 0, false, false, why), why);
        }
        Path tree = trees.get(0);
        String rel = debian.relativize(tree).toString();
        if (!pkg.equals(basePackage(pkg))) {
            String variant = pkg.substring(pkg.indexOf('+') + 1);
            if (!variant.matches("only-[0-9.]+")) {
                throw new IllegalArgumentException("unknown probe " + pkg + ": PKG+only-PREFIX (a kernel release prefix) is known");
            }
            Path derived = dir.resolve("derived").resolve(rel);
            Files.createDirectories(derived.getParent());
            Cmd.ok("cp", "-a", tree.toString(), derived.toString());
            Files.writeString(derived.resolve("dkms.conf"), "\n# conformance probe: build for " + variant.substring(5) + "* kernels only\n"
                    + "BUILD_EXCLUSIVE_KERNEL=\"^" + variant.substring(5).replace(".", "\\.") + "\"\n", StandardOpenOption.APPEND);
            tree = derived;
        }
        String[] nv = nameAndVersion(tree, config.kernels().get(0));
        Path sourceRow = config.dir().resolve("rows").resolve(pkg + ".source.properties");
        SourceCheck sc = config.keep(pkg) && Files.isRegularFile(sourceRow) ? readSource(sourceRow) : null;
        if (sc == null) {
            sc = sourceCheck(pkg, debVersion, deb, rel, tree, nv, dir.resolve("source"));
            writeProps(sourceRow, sourceProps(sc));
            log(String.format("%-28s source: %s", pkg, sc.same() ? "same /usr/src files and dkms.conf" : "DIFFERS: " + sc.detail()));
        }
        return new Prepared(pkg, deb, tree, nv[0], nv[1], sc, null);
    }

    /** PACKAGE_NAME and PACKAGE_VERSION as dkms reads them: dkms.conf sourced by bash, kernel variables set. */
    static String[] nameAndVersion(Path tree, String kernel) {
        Cmd.Result r = Cmd.run(tree, Map.of(), List.of("env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "bash", "-c",
                "kernelver=\"$1\" arch=x86_64 kernel_source_dir=\"/lib/modules/$1/build\" dkms_tree=/var/lib/dkms source_tree=/usr/src; "
                        + ". ./dkms.conf >/dev/null 2>&1; printf '%s\\n%s\\n' \"$PACKAGE_NAME\" \"$PACKAGE_VERSION\"", "bash", kernel));
        List<String> lines = r.out().lines().toList();
        return new String[] {lines.size() > 0 ? lines.get(0) : "", lines.size() > 1 ? lines.get(1) : ""};
    }

    /**
     * dkms-deb source on the tree against Debian's package: the /usr/src lists, and dkms.conf as in the tree
     * (for a Debian package, Debian's own dkms.conf; for a probe, the derived one).
     */
    private SourceCheck sourceCheck(String pkg, String debVersion, Path deb, String rel, Path tree, String[] nv, Path work)
            throws IOException {
        Trees.delete(work);
        Path out = Files.createDirectories(work.resolve("out"));
        int files;
        try (Stream<Path> s = Files.walk(tree)) {
            files = (int) s.filter(p -> !Files.isDirectory(p)).count();
        }
        Cmd.Result r = Cmd.dkmsDeb(null, Map.of("SOURCE_DATE_EPOCH", EPOCH), "source", tree.toString(), "-o", out.toString(),
                "--maintainer", MAINTAINER, "--json");
        Path ours;
        try (Stream<Path> s = Files.list(out)) {
            ours = s.filter(p -> p.toString().endsWith(".deb")).findFirst().orElse(null);
        }
        if (r.exit() != 0 || ours == null) {
            return new SourceCheck(pkg, debVersion, rel, nv[0], nv[1], files, false, false,
                    "dkms-deb source exited " + r.exit() + ": " + ConformanceLoad.firstLine(r.err()));
        }
        Map<String, String> theirs = usrSrc(DebInfo.of(deb));
        Map<String, String> mine = usrSrc(DebInfo.of(ours));
        List<String> diffs = new ArrayList<>();
        for (String p : new TreeSet<>(theirs.keySet())) {
            if (!mine.containsKey(p)) {
                diffs.add("only in Debian's: " + p + " (" + theirs.get(p) + ")");
            } else if (!mine.get(p).equals(theirs.get(p))) {
                diffs.add(p + " is " + mine.get(p) + " in ours, " + theirs.get(p) + " in Debian's");
            }
        }
        for (String p : new TreeSet<>(mine.keySet())) {
            if (!theirs.containsKey(p)) {
                diffs.add("only in ours: " + p + " (" + mine.get(p) + ")");
            }
        }
        Path x = work.resolve("x");
        Cmd.ok("dpkg-deb", "-x", ours.toString(), x.toString());
        Path ourConf = x.resolve(rel).resolve("dkms.conf");
        boolean confSame = Files.isRegularFile(ourConf)
                && Arrays.equals(Files.readAllBytes(ourConf), Files.readAllBytes(tree.resolve("dkms.conf")));
        List<String> warnings = r.err().lines().filter(l -> l.contains("warning")).map(l -> l.replace(" in " + tree, "").strip()).toList();
        String detail = (diffs.isEmpty() ? "" : String.join("; ", diffs.subList(0, Math.min(5, diffs.size()))))
                + (confSame ? "" : (diffs.isEmpty() ? "" : "; ") + "dkms.conf differs")
                + (warnings.isEmpty() || diffs.isEmpty() ? "" : "; dkms-deb said: " + String.join(" / ", warnings));
        return new SourceCheck(pkg, debVersion, rel, nv[0], nv[1], files, diffs.isEmpty(), confSame, detail);
    }

    private static Map<String, String> usrSrc(DebInfo info) {
        Map<String, String> files = new TreeMap<>(info.files());
        files.keySet().removeIf(k -> !k.startsWith("./usr/src/"));
        return files;
    }

    // ---------------------------------------------------------------- per (package, kernel)

    private Row rowOf(Prepared p, String kernel) throws IOException {
        Path rowFile = config.dir().resolve("rows").resolve(p.pkg() + "@" + kernel + ".properties");
        if (config.keep(p.pkg(), kernel) && Files.isRegularFile(rowFile)) {
            Row r = readRow(rowFile);
            log(String.format("%-28s %-22s kept from an earlier run", p.pkg(), kernel));
            return r;
        }
        long start = System.nanoTime();
        Row row;
        if (p.tree() == null) {
            Outcome none = new Outcome("failed", -1, p.error(), 0, Set.of(), "");
            row = new Row(p.pkg(), kernel, "", "", none, none, "", null, "", null, "", List.of(), List.of(), "", null,
                    config.reference(kernel));
        } else {
            row = build(p, kernel);
        }
        writeProps(rowFile, rowProps(row));
        log(String.format("%-28s %-22s dkms %-7s ours %-7s %s%s  (%.0f s: dkms %.0f s, bmdeb %.0f s%s)", p.pkg(), kernel,
                row.dkms().result(), row.ours().result(), isCross(kernel) ? "(judged against dkms on " + config.reference(kernel) + ")"
                        : row.problems().isEmpty() ? "agree" : "DIFFER " + row.problems(),
                row.loads().isEmpty() ? "" : ", load: " + ConformanceReport.loadSummary(row), (System.nanoTime() - start) / 1e9,
                row.dkms().seconds(), row.ours().seconds(), row.boot().isEmpty() ? "" : ", " + row.boot()));
        return row;
    }

    private Row build(Prepared p, String kernel) throws IOException {
        Path work = pkgDir(p.pkg()).resolve(kernel);
        Trees.delete(work);
        Files.createDirectories(work);

        boolean cross = isCross(kernel);
        Path dkmsBuild = dkmsBuildDir(p, kernel);
        Outcome dkms;
        List<Path> dkmsFiles;
        if (cross) {
            // dkms cannot build for another architecture: the row is judged against dkms on the host's kernel of the series
            dkms = new Outcome("not run", -1, "dkms cannot build for another architecture", 0, Set.of(), "");
            dkmsFiles = List.of();
        } else {
            // the oracle: real dkms build
            long t0 = System.nanoTime();
            DkmsOracle.Result d = DkmsOracle.build(p.tree(), p.name(), p.version(), kernel, work.resolve("oracle"));
            double dkmsSeconds = (System.nanoTime() - t0) / 1e9;
            dkmsFiles = moduleFiles(dkmsBuild.resolve(kernel), true);
            String dkmsResult = d.exit() == 0 ? "built" : d.exit() == 77 ? "skipped" : "failed";
            String dkmsReason = d.exit() == 0 ? "" : dkmsReason(d, dkmsBuild.resolve("build/make.log"));
            dkms = new Outcome(dkmsResult, d.exit(), dkmsReason, dkmsSeconds, d.modules(), suffixes(dkmsFiles));
        }

        // dkms-deb bmdeb on the same tree and kernel (a cross-built kernel's headers are fetched, once, into the run's cache)
        Path out = Files.createDirectories(work.resolve("out"));
        Path logs = Files.createDirectories(work.resolve("logs"));
        long t1 = System.nanoTime();
        List<String> args = new ArrayList<>(List.of("bmdeb", p.tree().toString(), "-k", kernel, "-o", out.toString(), "--maintainer",
                MAINTAINER, "--json", "--log-dir", logs.toString(), "--build-timeout", Integer.toString(config.buildTimeout())));
        if (cross) {
            args.add("--fetch-headers");
        }
        Cmd.Result b = Cmd.dkmsDeb(null, bmdebEnvironment(), args.toArray(String[]::new));
        double ourSeconds = (System.nanoTime() - t1) / 1e9;
        String result;
        int exit;
        String message;
        Map<String, Object> k = bmdebKernel(b.out(), kernel);
        if (k != null) {
            result = (String) k.get("result");
            exit = ((Number) k.get("exitCode")).intValue();
            message = k.get("message") instanceof String text ? text : "";
        } else {
            result = b.exit() == 77 ? "skipped" : b.exit() == 0 ? "built" : "failed";
            exit = b.exit();
            message = b.err().strip();
        }
        Path deb;
        try (Stream<Path> s = Files.list(out)) {
            // the -modules package; not the certificate package bmdeb adds when dkms's MOK key signs the modules
            deb = s.filter(f -> f.toString().endsWith(".deb") && !f.getFileName().toString().contains("-modules-cert_")).findFirst().orElse(null);
        }
        List<Path> ourFiles = List.of();
        if (deb != null) {
            Path x = work.resolve("ours-x");
            Cmd.ok("dpkg-deb", "-x", deb.toString(), x.toString());
            ourFiles = moduleFiles(x.resolve("lib/modules").resolve(kernel), false);
        }
        Set<String> ourModules = new TreeSet<>();
        ourFiles.forEach(f -> ourModules.add(DkmsOracle.stripSuffix(f.getFileName().toString())));
        String ourReason = result.equals("built") ? "" : ourReason(message, logs);
        Outcome ours = new Outcome(result, exit, ourReason, ourSeconds, ourModules, suffixes(ourFiles));

        String sameError = cross || dkms.result().equals("built") || ours.result().equals("built") ? null
                : sameErrors(dkmsBuild.resolve("build/make.log"), logs);

        // compression, inspect, load: only for a package we wrote
        String expected = expectedSuffix(kernel);
        Boolean compressionOk = null;
        String compression = "";
        Boolean inspectOk = null;
        String inspect = "";
        List<ConformanceLoad.ModuleLoad> loads = List.of();
        List<String> kernelDeps = List.of();
        String boot = "";
        if (deb != null) {
            compression = compressionProblem(ourFiles, expected);
            compressionOk = compression.isEmpty();
            inspect = inspectProblem(deb);
            inspectOk = inspect.isEmpty();
            if (config.load()) {
                ConformanceLoad.Outcome lo = ConformanceLoad.check(kernel, ourFiles, dkmsFiles, work.resolve("load"), config.bootTimeout());
                loads = lo.modules();
                kernelDeps = lo.kernelDeps();
                boot = lo.bootSummary();
            }
        } else if (result.equals("built")) {
            compressionOk = false;
            compression = "bmdeb said built but wrote no package";
        }
        return new Row(p.pkg(), kernel, p.name(), p.version(), dkms, ours, expected, compressionOk, compression, inspectOk, inspect.strip(),
                loads, kernelDeps, boot, sameError, config.reference(kernel));
    }

    /** trixie's PKG downloaded by the oracle root's apt into DIR/trixie-debs, once (kept for a resumed run). */
    private Path trixieDeb(TrixieOracle oracle, String pkg) throws IOException {
        Path dir = Files.createDirectories(config.dir().resolve("trixie-debs"));
        try (Stream<Path> s = Files.list(dir)) {
            var found = s.filter(p -> p.getFileName().toString().startsWith(pkg + "_") && p.toString().endsWith(".deb")).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
        }
        return oracle.download(List.of(pkg), dir).get(0);
    }

    /**
     * A row of the trixie column: trixie's package built for the oracle's trixie kernel by trixie's dkms in the oracle
     * root and by bmdeb (in its trixie build root, the shared {@code target/build-roots} cache); compression against the
     * kernel's .config in the root, inspect; no load check (the kernel's image is not booted).
     */
    private Row trixieRow(TrixieOracle oracle, String pkg, Path deb) throws IOException {
        String kernel = oracle.kernel();
        Path rowFile = config.dir().resolve("rows").resolve(pkg + "@" + kernel + ".properties");
        if (config.keep(pkg, kernel) && Files.isRegularFile(rowFile)) {
            log(String.format("%-28s %-22s kept from an earlier run", pkg, kernel));
            return readRow(rowFile);
        }
        long start = System.nanoTime();
        Path work = config.dir().resolve("work-trixie").resolve(pkg);
        Trees.delete(work);
        Path debian = Files.createDirectories(work).resolve("debian");
        Cmd.ok("dpkg-deb", "-x", deb.toString(), debian.toString());
        String debVersion = Cmd.ok("dpkg-deb", "--field", deb.toString(), "Version").out().strip();
        List<Path> trees;
        try (Stream<Path> s = Files.list(debian.resolve("usr/src"))) {
            trees = s.filter(Files::isDirectory).sorted().toList();
        }
        Row row;
        if (trees.size() != 1) {
            Outcome none = new Outcome("failed", -1, "expected one module tree in usr/src of " + deb.getFileName() + ", found " + trees, 0,
                    Set.of(), "");
            row = new Row(pkg, kernel, "", debVersion, none, none, "", null, "", null, "", List.of(), List.of(), "", null, kernel);
        } else {
            Path tree = trees.get(0);
            String[] nv = nameAndVersion(tree, kernel);
            long t0 = System.nanoTime();
            DkmsOracle.Result d = oracle.build(tree, nv[0], nv[1], work.resolve("oracle"), work.resolve("keys"));
            double dkmsSeconds = (System.nanoTime() - t0) / 1e9;
            Path dkmsBuild = work.resolve("oracle/dkmstree").resolve(nv[0]).resolve(nv[1]);
            List<Path> dkmsFiles = moduleFiles(dkmsBuild.resolve(kernel), true);
            Outcome dkms = new Outcome(d.exit() == 0 ? "built" : d.exit() == 77 ? "skipped" : "failed", d.exit(),
                    d.exit() == 0 ? "" : dkmsReason(d, dkmsBuild.resolve("build/make.log")), dkmsSeconds, d.modules(), suffixes(dkmsFiles));

            Path out = Files.createDirectories(work.resolve("out"));
            Path logs = Files.createDirectories(work.resolve("logs"));
            long t1 = System.nanoTime();
            Cmd.Result b = Cmd.dkmsDeb(null, Map.of("SOURCE_DATE_EPOCH", EPOCH, "XDG_CACHE_HOME", TrixieBuildRootTest.CACHE.toString()), "bmdeb",
                    tree.toString(), "-k", kernel, "-o", out.toString(), "--maintainer", MAINTAINER, "--json", "--log-dir", logs.toString(),
                    "--build-timeout", Integer.toString(config.buildTimeout()));
            double ourSeconds = (System.nanoTime() - t1) / 1e9;
            Map<String, Object> k = bmdebKernel(b.out(), kernel);
            String result = k != null ? (String) k.get("result") : b.exit() == 77 ? "skipped" : b.exit() == 0 ? "built" : "failed";
            int exit = k != null ? ((Number) k.get("exitCode")).intValue() : b.exit();
            String message = k != null ? (k.get("message") instanceof String text ? text : "") : b.err().strip();
            Path ourDeb = k != null && k.get("file") instanceof String f ? Path.of(f) : null;
            List<Path> ourFiles = List.of();
            if (ourDeb != null) {
                Path x = work.resolve("ours-x");
                Cmd.ok("dpkg-deb", "-x", ourDeb.toString(), x.toString());
                ourFiles = moduleFiles(x.resolve("lib/modules").resolve(kernel), false);
            }
            Set<String> ourModules = new TreeSet<>();
            ourFiles.forEach(f -> ourModules.add(DkmsOracle.stripSuffix(f.getFileName().toString())));
            Outcome ours = new Outcome(result, exit, result.equals("built") ? "" : ourReason(message, logs), ourSeconds, ourModules,
                    suffixes(ourFiles));
            String sameError = dkms.result().equals("built") || ours.result().equals("built") ? null
                    : sameErrors(dkmsBuild.resolve("build/make.log"), logs);
            String expected = suffixOfConfig(oracle.root().resolve("usr/src/linux-headers-" + kernel + "/.config"));
            Boolean compressionOk = null;
            String compression = "";
            Boolean inspectOk = null;
            String inspect = "";
            if (ourDeb != null) {
                compression = compressionProblem(ourFiles, expected);
                compressionOk = compression.isEmpty();
                inspect = inspectProblem(ourDeb);
                inspectOk = inspect.isEmpty();
            } else if (result.equals("built")) {
                compressionOk = false;
                compression = "bmdeb said built but wrote no package";
            }
            row = new Row(pkg, kernel, nv[0], nv[1], dkms, ours, expected, compressionOk, compression, inspectOk, inspect.strip(), List.of(),
                    List.of(), "", sameError, kernel);
        }
        writeProps(rowFile, rowProps(row));
        log(String.format("%-28s %-22s %s %s: dkms %-7s ours %-7s %s  (%.0f s: dkms %.0f s, bmdeb %.0f s)", pkg, kernel, debVersion,
                oracle.dkmsVersion(), row.dkms().result(), row.ours().result(), row.problems().isEmpty() ? "agree" : "DIFFER " + row.problems(),
                (System.nanoTime() - start) / 1e9, row.dkms().seconds(), row.ours().seconds()));
        return row;
    }

    /** dkms's build directory of a package for a kernel ($dkms_tree/NAME/VERSION of the oracle's private tree). */
    private Path dkmsBuildDir(Prepared p, String kernel) {
        return pkgDir(p.pkg()).resolve(kernel).resolve("oracle/dkmstree").resolve(p.name()).resolve(p.version());
    }

    /** bmdeb's environment: a fixed SOURCE_DATE_EPOCH, and the run's own cache for fetched headers. */
    private Map<String, String> bmdebEnvironment() {
        return Map.of("SOURCE_DATE_EPOCH", EPOCH, "XDG_CACHE_HOME", config.dir().resolve("cache").toString());
    }

    /**
     * When both builds failed: are dkms's compiler errors (its make.log) ours (bmdeb's log in {@code ourLogs})?
     * Null when neither log has one.
     */
    private static String sameErrors(Path dkmsMakeLog, Path ourLogs) {
        List<String> de = errors(dkmsMakeLog);
        List<String> oe = errorsInDir(ourLogs);
        if (de.isEmpty() && oe.isEmpty()) {
            return null;
        }
        // make -j may report the errors of several files in another order: compare the sets
        return new TreeSet<>(de).equals(new TreeSet<>(oe)) ? "same compiler errors (" + de.size() + "), the first: " + de.get(0)
                : !de.isEmpty() && oe.contains(de.get(0)) ? "dkms's first error is among ours"
                : "errors differ: dkms `" + (de.isEmpty() ? "none" : de.get(0)) + "`, ours `" + (oe.isEmpty() ? "none" : oe.get(0)) + "`";
    }

    /**
     * A cross-built row judged against dkms on its reference kernel: that row's dkms outcome, and when both failed,
     * whether the compiler errors are the same (from the logs both builds left in the work directory).
     */
    private Row judged(Row cross, Row ref) {
        Path ourLogs = config.dir().resolve("work").resolve(cross.pkg()).resolve(cross.kernel()).resolve("logs");
        Path dkmsLog = config.dir().resolve("work").resolve(cross.pkg()).resolve(ref.kernel()).resolve("oracle/dkmstree")
                .resolve(ref.name()).resolve(ref.version()).resolve("build/make.log");
        String same = cross.sameError();
        if (!ref.dkms().result().equals("built") && !cross.ours().result().equals("built") && Files.isDirectory(ourLogs)) {
            same = sameErrors(dkmsLog, ourLogs);
        }
        return new Row(cross.pkg(), cross.kernel(), cross.name(), cross.version(), ref.dkms(), cross.ours(), cross.expectedSuffix(),
                cross.compressionOk(), cross.compression(), cross.inspectOk(), cross.inspect(), cross.loads(), cross.kernelDeps(),
                cross.boot(), same, ref.kernel());
    }

    /** Module files under dir: dkms's $dkms_tree/NAME/VER/KVER/ARCH/module/, or the package's lib/modules/KVER/. */
    private static List<Path> moduleFiles(Path dir, boolean dkmsLayout) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().matches(".*\\.ko(\\.xz|\\.zst|\\.gz)?"))
                    .filter(p -> !dkmsLayout || p.getParent().getFileName().toString().equals("module")).sorted().toList();
        }
    }

    private static String suffixes(List<Path> files) {
        return files.stream().map(f -> f.getFileName().toString().replaceAll("^.*?(\\.ko(\\.xz|\\.zst|\\.gz)?)$", "$1")).distinct().sorted()
                .collect(Collectors.joining(","));
    }

    /** The suffix of the kernel's own modules (modules.dep of its image), else what its .config asks for. */
    static String expectedSuffix(String kernel) {
        try {
            ConformanceLoad.KernelModules km = ConformanceLoad.kernelModules(kernel);
            Map<String, Long> count = km.file().values().stream()
                    .collect(Collectors.groupingBy(f -> f.replaceAll("^.*?(\\.ko(\\.xz|\\.zst|\\.gz)?)$", "$1"), Collectors.counting()));
            return count.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        } catch (IOException | AssertionError | RuntimeException e) {
            return suffixOfConfig(Path.of("/lib/modules", kernel, "build/.config"));
        }
    }

    /** The module suffix a kernel's .config asks for (CONFIG_MODULE_COMPRESS_*). */
    static String suffixOfConfig(Path config) {
        Map<String, String> cfg = new LinkedHashMap<>();
        try {
            for (String l : Files.readAllLines(config)) {
                int eq = l.indexOf('=');
                if (!l.startsWith("#") && eq > 0) {
                    cfg.put(l.substring(0, eq), l.substring(eq + 1));
                }
            }
        } catch (IOException io) {
            throw new UncheckedIOException(io);
        }
        return "y".equals(cfg.get("CONFIG_MODULE_COMPRESS_XZ")) ? ".ko.xz" : "y".equals(cfg.get("CONFIG_MODULE_COMPRESS_ZSTD")) ? ".ko.zst"
                : "y".equals(cfg.get("CONFIG_MODULE_COMPRESS_GZIP")) ? ".ko.gz" : ".ko";
    }

    /** Null when the file has the kernel's suffix and content the kernel can read (xz: CRC32 or no check, as the in-kernel decompressor needs). */
    static String checkCompression(Path f, String expected) throws IOException {
        String name = f.getFileName().toString();
        if (!name.endsWith(expected)) {
            return name + ": the kernel's modules end in " + expected;
        }
        byte[] head = new byte[6];
        try (var in = Files.newInputStream(f)) {
            in.readNBytes(head, 0, 6);
        }
        switch (expected) {
            case ".ko" -> {
                if (!(head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F')) {
                    return name + ": not an ELF file";
                }
            }
            case ".ko.xz" -> {
                Cmd.Result r = Cmd.run("xz", "--robot", "--list", f.toString());
                String checks = r.out().lines().filter(l -> l.startsWith("totals")).findFirst().map(l -> l.split("\t")).map(a -> a.length > 6 ? a[6] : "")
                        .orElse("");
                if (r.exit() != 0 || Cmd.run("xz", "-t", f.toString()).exit() != 0) {
                    return name + ": not a valid xz file";
                }
                if (!checks.equals("CRC32") && !checks.equals("None")) {
                    return name + ": xz check " + checks + " (the kernel's decompressor takes CRC32 or none)";
                }
            }
            case ".ko.zst" -> {
                if (Cmd.run("zstd", "-t", "-q", f.toString()).exit() != 0) {
                    return name + ": not a valid zstd file";
                }
            }
            case ".ko.gz" -> {
                if (Cmd.run("gzip", "-t", f.toString()).exit() != 0) {
                    return name + ": not a valid gzip file";
                }
            }
            default -> {
                return name + ": unknown expected suffix " + expected;
            }
        }
        return null;
    }

    private static String dkmsReason(DkmsOracle.Result d, Path makeLog) {
        if (d.exit() == 124) {
            return "timed out (DkmsOracle's 900 s limit)";
        }
        String err = d.output().lines().filter(l -> l.startsWith("Error!")).findFirst().orElse("").strip();
        if (err.isEmpty()) {
            List<String> lines = d.output().lines().filter(l -> !l.isBlank()).toList();
            err = lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip();
        }
        String first = firstError(makeLog);
        return "exit " + d.exit() + ": " + err + (first.isEmpty() ? "" : "; " + first);
    }

    private static String ourReason(String message, Path logs) {
        List<String> errors = errorsInDir(logs);
        String first = errors.isEmpty() ? firstError(logFile(logs)) : errors.get(0);
        String m = ConformanceLoad.firstLine(message).replaceAll("; full log: \\S+", "");
        return m + (first.isEmpty() || m.contains(first) ? "" : "; " + first);
    }

    private static final Pattern GCC_ERROR = Pattern.compile("([^\\s:]+):(\\d+):(?:\\d+:)? (?:fatal )?error: (.*)");

    /** A build log's lines, UTF-8 (gcc's quotes in a UTF-8 locale made plain), or nothing. */
    private static List<String> lines(Path log) {
        if (log == null || !Files.isRegularFile(log)) {
            return List.of();
        }
        try {
            String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            return text.replace('\u2018', '\'').replace('\u2019', '\'').lines().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The compiler errors of a build log (file name without directories, line, message), in log order. */
    static List<String> errors(Path log) {
        List<String> out = new ArrayList<>();
        for (String l : lines(log)) {
            Matcher m = GCC_ERROR.matcher(l);
            if (m.find()) {
                String file = m.group(1).substring(m.group(1).lastIndexOf('/') + 1);
                String e = file + ":" + m.group(2) + ": error: " + m.group(3).strip();
                if (!out.contains(e)) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    /** The first compiler error, else the first make/script error line of a build log. */
    static String firstError(Path log) {
        List<String> errors = errors(log);
        if (!errors.isEmpty()) {
            return errors.get(0);
        }
        List<String> lines = lines(log);
        for (String l : lines) {
            if (l.contains("*** ") || l.toLowerCase(java.util.Locale.ROOT).contains("error")) {
                return l.strip().replaceAll("/\\S*/", "");
            }
        }
        return "";
    }

    private static Path logFile(Path logs) {
        try (Stream<Path> s = Files.list(logs)) {
            return s.filter(p -> p.toString().endsWith(".log")).findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static List<String> errorsInDir(Path logs) {
        return errors(logFile(logs));
    }

    /** The object of {@code kernel} in the JSON report bmdeb printed, or null when it printed none (or not that kernel). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> bmdebKernel(String stdout, String kernel) {
        Object report;
        try {
            report = Json.read(stdout.strip());
        } catch (Json.SyntaxException e) {
            return null;
        }
        if (report instanceof Map<?, ?> m && m.get("kernels") instanceof List<?> kernels) {
            for (Object o : kernels) {
                if (o instanceof Map<?, ?> k && kernel.equals(k.get("kernel"))) {
                    return (Map<String, Object>) k;
                }
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- rows on disk

    private static Map<String, String> sourceProps(SourceCheck s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("pkg", s.pkg());
        m.put("debVersion", s.debVersion());
        m.put("tree", s.tree());
        m.put("name", s.name());
        m.put("version", s.version());
        m.put("files", Integer.toString(s.files()));
        m.put("filesSame", Boolean.toString(s.filesSame()));
        m.put("confSame", Boolean.toString(s.confSame()));
        m.put("detail", s.detail());
        return m;
    }

    private static SourceCheck readSource(Path f) throws IOException {
        Properties p = readProps(f);
        return new SourceCheck(p.getProperty("pkg"), p.getProperty("debVersion"), p.getProperty("tree"), p.getProperty("name"),
                p.getProperty("version"), Integer.parseInt(p.getProperty("files")), Boolean.parseBoolean(p.getProperty("filesSame")),
                Boolean.parseBoolean(p.getProperty("confSame")), p.getProperty("detail"));
    }

    private static Map<String, String> rowProps(Row r) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("pkg", r.pkg());
        m.put("kernel", r.kernel());
        m.put("name", r.name());
        m.put("version", r.version());
        outcomeProps(m, "dkms", r.dkms());
        outcomeProps(m, "ours", r.ours());
        m.put("expectedSuffix", r.expectedSuffix());
        m.put("compressionOk", String.valueOf(r.compressionOk()));
        m.put("compression", r.compression());
        m.put("inspectOk", String.valueOf(r.inspectOk()));
        m.put("inspect", r.inspect());
        m.put("loads", Integer.toString(r.loads().size()));
        for (int i = 0; i < r.loads().size(); i++) {
            ConformanceLoad.ModuleLoad l = r.loads().get(i);
            m.put("load." + i + ".module", l.module());
            m.put("load." + i + ".status", l.status());
            m.put("load." + i + ".detail", l.detail());
        }
        m.put("kernelDeps", String.join(",", r.kernelDeps()));
        m.put("boot", r.boot());
        m.put("sameError", r.sameError() == null ? "" : r.sameError());
        m.put("reference", r.reference());
        return m;
    }

    private static void outcomeProps(Map<String, String> m, String who, Outcome o) {
        m.put(who + ".result", o.result());
        m.put(who + ".exit", Integer.toString(o.exit()));
        m.put(who + ".reason", o.reason());
        m.put(who + ".seconds", String.format(java.util.Locale.ROOT, "%.1f", o.seconds()));
        m.put(who + ".modules", String.join(",", o.modules()));
        m.put(who + ".suffix", o.suffix());
    }

    private static Outcome readOutcome(Properties p, String who) {
        String mods = p.getProperty(who + ".modules", "");
        return new Outcome(p.getProperty(who + ".result"), Integer.parseInt(p.getProperty(who + ".exit")), p.getProperty(who + ".reason"),
                Double.parseDouble(p.getProperty(who + ".seconds")),
                mods.isEmpty() ? Set.of() : new TreeSet<>(Arrays.asList(mods.split(","))), p.getProperty(who + ".suffix", ""));
    }

    private static Boolean bool(String s) {
        return s == null || s.equals("null") ? null : Boolean.valueOf(s);
    }

    static Row readRow(Path f) throws IOException {
        Properties p = readProps(f);
        List<ConformanceLoad.ModuleLoad> loads = new ArrayList<>();
        int n = Integer.parseInt(p.getProperty("loads", "0"));
        for (int i = 0; i < n; i++) {
            loads.add(new ConformanceLoad.ModuleLoad(p.getProperty("load." + i + ".module"), p.getProperty("load." + i + ".status"),
                    p.getProperty("load." + i + ".detail")));
        }
        String deps = p.getProperty("kernelDeps", "");
        String same = p.getProperty("sameError", "");
        return new Row(p.getProperty("pkg"), p.getProperty("kernel"), p.getProperty("name"), p.getProperty("version"), readOutcome(p, "dkms"),
                readOutcome(p, "ours"), p.getProperty("expectedSuffix"), bool(p.getProperty("compressionOk")), p.getProperty("compression"),
                bool(p.getProperty("inspectOk")), p.getProperty("inspect"), loads, deps.isEmpty() ? List.of() : Arrays.asList(deps.split(",")),
                p.getProperty("boot"), same.isEmpty() ? null : same, p.getProperty("reference", p.getProperty("kernel")));
    }

    private static Properties readProps(Path f) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }

    private static void writeProps(Path f, Map<String, String> values) throws IOException {
        Properties p = new Properties();
        values.forEach((k, v) -> p.setProperty(k, v == null ? "" : v));
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, null);
        }
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private synchronized void log(String line) {
        String stamped = java.time.LocalTime.now().withNano(0) + " " + line;
        System.out.println(stamped);
        try {
            Files.writeString(progress, stamped + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // progress log is a convenience
        }
    }

    /** What is wrong with the compression of our module files ("" when each is compressed as the kernel's own). */
    private static String compressionProblem(List<Path> files, String expected) throws IOException {
        List<String> bad = new ArrayList<>();
        for (Path f : files) {
            String problem = checkCompression(f, expected);
            if (problem != null) {
                bad.add(problem);
            }
        }
        return bad.isEmpty() ? (files.isEmpty() ? "no module files" : "") : String.join("; ", bad);
    }

    /** What {@code dkms-deb inspect} finds wrong with {@code deb} ("" when it passes). */
    private static String inspectProblem(Path deb) {
        Cmd.Result in = Cmd.dkmsDeb("inspect", deb.toString());
        boolean ok = in.exit() == 0 && !in.out().contains("[FAIL]");
        return ok ? "" : in.out().lines().filter(l -> l.contains("FAIL")).map(String::strip).collect(Collectors.joining("; "))
                + " " + ConformanceLoad.firstLine(in.err());
    }
}

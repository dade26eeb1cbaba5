package io.dkmsdeb.it;

import io.dkmsdeb.model.kernel.DebianRelease;
import io.dkmsdeb.model.kernel.Host;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian 13 trixie's own dkms as the oracle for trixie kernels ({@link TrixieOracle}: a trixie root of its own with
 * trixie's dkms and the headers of the kernel trixie's linux-headers-amd64 depends on, found at run time), against
 * {@code dkms-deb bmdeb -k KVER}, which builds in its trixie build root at the level of trixie's dkms (3.2.2):
 * <ul>
 *   <li>every fixture of {@link DkmsLevelsTest} (its list, one per changed dkms rule): the same outcome (built, refused,
 *       build failed, excluded) and the same .ko set;</li>
 *   <li>trixie's vpoll-dkms, acpi-call-dkms and v4l2loopback-dkms (downloaded by the root's apt, nothing installed) and
 *       debian-example/hello: the same outcome and .ko set; every module names the trixie kernel in its vermagic and
 *       trixie's gcc 14 in .comment; {@code dkms-deb inspect} passes on each package.</li>
 * </ul>
 * Nothing of trixie is installed on the host, and no mount is left.
 */
@Tag("kernel")
@Tag("network")
@Tag("root")
@Tag("tools")
class TrixieDkmsOracleTest {
    /** trixie's packages compared (their trixie versions). */
    static final List<String> PACKAGES = List.of("vpoll-dkms", "acpi-call-dkms", "v4l2loopback-dkms");

    static TrixieOracle oracle;
    static String kernel;

    @TempDir
    Path work;

    @BeforeAll
    static void oracle() throws IOException {
        assumeTrue(Cmd.isRoot(), "making the trixie root and running dkms in it needs root");
        assumeTrue(new Host(Map.of(), Path.of("/")).debianRelease().filter(r -> !r.equals(DebianRelease.TRIXIE)).isPresent(),
                "a host of another release than trixie");
        long t = System.nanoTime();
        oracle = TrixieOracle.get();
        kernel = oracle.kernel();
        System.out.printf("TrixieDkmsOracleTest: oracle root %s: %s (%.0f s in this run); %s; kernel %s%n", oracle.root(), oracle.made(),
                (System.nanoTime() - t) / 1e9, oracle.dkmsVersion(), kernel);
        assertThat(kernel).matches("[0-9.]+\\+deb13-amd64");
        assertThat(oracle.dkmsVersion()).as("trixie's dkms").startsWith("dkms-3.");
    }

    private static Map<String, String> env() {
        return Map.of("XDG_CACHE_HOME", TrixieBuildRootTest.CACHE.toString(), "SOURCE_DATE_EPOCH", HelloModules.EPOCH);
    }

    @Test
    void everyDkmsLevelFixtureAgreesWithTrixiesDkms() throws IOException {
        long start = System.nanoTime();
        List<String> rows = new ArrayList<>();
        List<String> disagreements = new ArrayList<>();
        Path keys = work.resolve("keys");
        int logs = 0;
        for (DkmsLevelsTest.Fixture f : DkmsLevelsTest.fixtures()) {
            Path tree = DkmsLevelsTest.tree(f, work);
            long t = System.nanoTime();
            DkmsOracle.Result d = oracle.build(tree, f.name(), "1.0", work.resolve("dkms").resolve(f.name()), keys);
            double dkmsSeconds = (System.nanoTime() - t) / 1e9;
            DkmsLevelsTest.Result theirs = classify(d);
            t = System.nanoTime();
            DkmsLevelsTest.Result ours = DkmsLevelsTest.bmdeb(work, env(), tree, f.name(), List.of("-k", kernel)).get(kernel);
            double oursSeconds = (System.nanoTime() - t) / 1e9;
            Path log = work.resolve("logs").resolve(f.name() + "-1.0_" + kernel + ".log");
            if (ours.outcome() == DkmsLevelsTest.Outcome.BUILT || ours.outcome() == DkmsLevelsTest.Outcome.BUILD_FAILED) {
                // a refused or excluded kernel has no build log
                assertThat(log).as(f.name() + ": bmdeb's build log").exists();
                assertThat(Files.readString(log)).as(f.name() + ": bmdeb's log").contains("by the rules of dkms 3.2.2");
                logs++;
            }
            DkmsLevelsTest.Result newest = DkmsLevelsTest.named(f.newest612(), f.name());
            rows.add(String.format("%-20s %s: %-26s bmdeb: %-26s (dkms exit %d%s; %.1f s / %.1f s; the newest level on 6.12: %s)", f.name(),
                    oracle.dkmsVersion(), theirs, ours, d.exit(), firstError(d.output())
                            + (d.exit() != 0 && !d.modules().isEmpty() ? ", its modules left in its tree: " + d.modules() : ""),
                    dkmsSeconds, oursSeconds, newest));
            if (!theirs.equals(ours)) {
                disagreements.add(f.name() + " on " + kernel + ": " + oracle.dkmsVersion() + " " + theirs + ", bmdeb " + ours + "\n" + d.output());
            }
        }
        System.out.println(String.join("\n", rows));
        System.out.printf("TrixieDkmsOracleTest: %d fixtures on %s in %.0f s%n", DkmsLevelsTest.fixtures().size(), kernel,
                (System.nanoTime() - start) / 1e9);
        assertThat(disagreements).as(String.join("\n", rows)).isEmpty();
        assertThat(logs).as("build logs that name trixie's level").isPositive();
        // every outcome occurs, or agreeing would prove little
        assertThat(String.join("\n", rows)).contains("BUILT", "REFUSED", "BUILD_FAILED", "EXCLUDED");
        assertNothingOfTrixieOnTheHost();
    }

    @Test
    void debianPackagesAndHelloAgreeWithTrixiesDkms() throws IOException {
        long start = System.nanoTime();
        List<Path> debs = oracle.download(PACKAGES, work.resolve("debs"));
        List<String[]> trees = new ArrayList<>();    // package, tree, its trixie version
        for (int i = 0; i < PACKAGES.size(); i++) {
            Path x = Files.createDirectories(work.resolve("x")).resolve(PACKAGES.get(i));
            Cmd.ok("dpkg-deb", "-x", debs.get(i).toString(), x.toString());
            try (Stream<Path> s = Files.list(x.resolve("usr/src"))) {
                List<Path> dirs = s.filter(Files::isDirectory).toList();
                assertThat(dirs).as("one module tree in " + debs.get(i)).hasSize(1);
                trees.add(new String[] {PACKAGES.get(i), dirs.get(0).toString(),
                        Cmd.ok("dpkg-deb", "-f", debs.get(i).toString(), "Version").out().strip()});
            }
        }
        trees.add(new String[] {"debian-example/hello", HelloModules.example(), "(this checkout)"});
        List<String> rows = new ArrayList<>();
        Path keys = work.resolve("keys");
        int built = 0;
        for (String[] p : trees) {
            Path tree = Path.of(p[1]);
            String[] nv = ConformanceHarness.nameAndVersion(tree, kernel);
            Path w = work.resolve("pkg").resolve(nv[0]);
            long t = System.nanoTime();
            DkmsOracle.Result d = oracle.build(tree, nv[0], nv[1], w.resolve("dkms"), keys);
            double dkmsSeconds = (System.nanoTime() - t) / 1e9;
            String theirs = d.exit() == 0 ? "built" : d.exit() == 77 ? "skipped" : "failed";

            Path out = Files.createDirectories(w.resolve("out"));
            t = System.nanoTime();
            Cmd.Result b = Cmd.dkmsDeb(null, env(), "bmdeb", tree.toString(), "-k", kernel, "-o", out.toString(), "--no-sign", "--maintainer",
                    "T <t@example.org>", "--log-dir", w.resolve("logs").toString(), "--json");
            double oursSeconds = (System.nanoTime() - t) / 1e9;
            Map<String, Object> k = ConformanceHarness.bmdebKernel(b.out(), kernel);
            assertThat(k).as(p[0] + ": bmdeb's --json report\n" + b).isNotNull();
            assertThat(b.out()).as(p[0] + ": bmdeb's level for a trixie kernel").contains("\"dkmsLevel\":\"3.2.2\"");
            String ours = (String) k.get("result");
            Set<String> ourModules = new TreeSet<>();
            String what = p[0] + " " + p[2] + " (" + nv[0] + "/" + nv[1] + ") on " + kernel;
            if (ours.equals("built")) {
                Path deb = Path.of((String) k.get("file"));
                Path x = Files.createDirectories(w).resolve("ours-x");
                Cmd.ok("dpkg-deb", "-x", deb.toString(), x.toString());
                for (Path ko : kos(x.resolve("lib/modules").resolve(kernel))) {
                    ourModules.add(DkmsOracle.stripSuffix(ko.getFileName().toString()));
                    assertTrixieModule(what + ", bmdeb's " + ko.getFileName(), ko);
                }
                Cmd.Result inspect = Cmd.dkmsDeb("inspect", deb.toString());
                assertThat(inspect.exit()).as(what + ": dkms-deb inspect\n" + inspect).isZero();
                assertThat(inspect.out()).as(what + ": dkms-deb inspect").doesNotContain("[FAIL]");
                built++;
            }
            for (Path ko : oracle.moduleFiles(w.resolve("dkms"), nv[0], nv[1])) {
                assertTrixieModule(what + ", " + oracle.dkmsVersion() + "'s " + ko.getFileName(), ko);
            }
            rows.add(String.format("%-22s %-20s %s: %-7s %-28s bmdeb: %-7s %-28s (%.0f s / %.0f s)%s", p[0], p[2], oracle.dkmsVersion(), theirs,
                    d.modules(), ours, ourModules, dkmsSeconds, oursSeconds, d.exit() == 0 ? "" : " dkms: " + firstError(d.output())));
            assertThat(ours).as(what + "\n" + d.output() + "\n" + b).isEqualTo(theirs);
            assertThat(ourModules).as(what).isEqualTo(d.modules());
        }
        System.out.println(String.join("\n", rows));
        System.out.printf("TrixieDkmsOracleTest: %d packages on %s in %.0f s%n", trees.size(), kernel, (System.nanoTime() - start) / 1e9);
        assertThat(built).as("packages built for the trixie kernel\n" + String.join("\n", rows)).isEqualTo(trees.size());
        assertNothingOfTrixieOnTheHost();
    }

    /** A module (maybe xz-compressed) for the trixie kernel: vermagic names it, trixie's gcc 14 compiled it. */
    private void assertTrixieModule(String what, Path ko) throws IOException {
        Path plain = ko;
        if (ko.toString().endsWith(".xz")) {
            plain = Files.createTempFile(work, "module", ".ko");
            Cmd.Result r = Cmd.run(null, null, List.of("sh", "-c", "xz -dc \"$1\" > \"$2\"", "unxz", ko.toString(), plain.toString()));
            assertThat(r.exit()).as(what + ": xz -dc\n" + r).isZero();
        }
        assertThat(Cmd.ok("modinfo", "-F", "vermagic", plain.toString()).out()).as(what + ": vermagic").startsWith(kernel + " ");
        assertThat(Cmd.ok("readelf", "-p", ".comment", plain.toString()).out()).as(what + ": .comment").contains("(Debian 14.")
                .doesNotContain("(Debian 12.");
    }

    private static List<Path> kos(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().matches(".*\\.ko(\\.xz|\\.zst|\\.gz)?")).sorted().toList();
        }
    }

    /**
     * dkms's outcome by its exit status: DkmsLevelsTest's reading, except that a build that exits with an error is not
     * built even when its modules are in dkms's tree: dkms 3.2.2 moves them there before it runs POST_BUILD (dkms.in
     * lines 1542-1547), and a failing POST_BUILD then makes {@code dkms build} exit with the script's status.
     */
    static DkmsLevelsTest.Result classify(DkmsOracle.Result d) {
        if (d.exit() != 0 && d.exit() != 77 && !d.modules().isEmpty()) {
            return new DkmsLevelsTest.Result(DkmsLevelsTest.Outcome.BUILD_FAILED, Set.of());
        }
        return DkmsLevelsTest.classify(d);
    }

    static String firstError(String output) {
        return output.lines().filter(l -> l.contains("Error") || l.contains("error")).findFirst().map(l -> ": " + l.strip()).orElse("");
    }

    /** The host keeps its own dkms and has none of the trixie kernel's headers; no mount of the roots is left. */
    private static void assertNothingOfTrixieOnTheHost() throws IOException {
        assertThat(Cmd.run("dpkg-query", "-W", "linux-headers-" + kernel).exit()).isNotZero();
        assertThat(Path.of("/usr/src/linux-headers-" + kernel)).doesNotExist();
        assertThat(Cmd.ok("dpkg-query", "-W", "-f=${Version}", "dkms").out()).as("the host's dkms").doesNotStartWith("3.2");
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        assertThat(mounts).doesNotContain(TrixieOracle.DIR.toString()).doesNotContain(TrixieBuildRootTest.CACHE.toString());
    }
}

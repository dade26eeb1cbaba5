package io.dkmsdeb.it;

import io.dkmsdeb.support.Json;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dkms level, proven per rule: one small fixture per behaviour of docs/DKMS-LEVELS.md (and the
 * two refusals no dkms release makes), each built on a 6.1 and a 6.12 kernel
 * <ul>
 *   <li>by the installed dkms 3.0.10 (private --dkmstree and --sourcetree) and by {@code bmdeb} at the
 *       3.0.10 level: the same outcome (built, refused, build failed, excluded) and the same .ko set,
 *       with no exception;</li>
 *   <li>by {@code bmdeb} at the newest level, judged against what dkms's own sources expect (the line
 *       of its run_test.sh, or of its dkms script where the test script has no case), cited per fixture.</li>
 * </ul>
 * The modules are one line of C, so that a build takes about a second. Also {@code source} on the
 * CRLF and KERNEL_MIN fixtures, installed on Debian 12's dkms in an {@link IsolatedRoot}.
 */
@Tag("kernel")
@Tag("tools")
@Tag("root")
class DkmsLevelsTest {
    static final String K61 = Kernels.newest61();
    static final String K612 = Kernels.newest612();

    enum Outcome { BUILT, REFUSED, BUILD_FAILED, EXCLUDED }

    /** An outcome and the modules built (names without .ko and compression suffix). */
    record Result(Outcome outcome, Set<String> modules) {
        static Result of(Outcome outcome, String... modules) {
            return new Result(outcome, new TreeSet<>(List.of(modules)));
        }

        @Override
        public String toString() {
            return outcome + (modules.isEmpty() ? "" : " " + modules);
        }
    }

    /**
     * @param conf   dkms.conf, with @M@ for the fixture's name
     * @param newest what dkms of the newest level gives on 6.1 and on 6.12
     * @param cited  where dkms's own sources say so
     */
    record Fixture(String name, String conf, List<String> sources, Result newest61, Result newest612, String cited) {
    }

    /**
     * dkms's run_test.sh of its public repository (dkms-project/dkms, commit 02e53f5b8e25d63c9c8993d7364935bdacbe9c7b,
     * newer than 3.2.2: it has the per-module tests; which release tag it belongs to could not be established, nor its
     * line numbers), cited by the test's own echo line; the 3.2.2 line numbers follow where they were read. The dkms
     * script is cited from dkms.in at commit 147cd61cdb77b5f7d5c8689376a4a3bec87af6af of the same repository.
     */
    static final String RUN_TEST = "dkms run_test.sh at 02e53f5b: ";
    static final String RUN_TEST_PER_MODULE = RUN_TEST + "section '*** Testing per-module BUILD_EXCLUSIVE directives': ";
    static final String PER_MODULE_ONE_BUILT = RUN_TEST_PER_MODULE + "'Testing per-module config exclusive test module build (one should "
            + "be built, one not)' expects exit 0, only _mod1.ko signed, status built; dkms.in at 147cd61c, check_build_exclusive_for_module "
            + "and the do_build loops that skip excluded records";
    static final String PER_MODULE_NONE_BUILT = RUN_TEST_PER_MODULE + "'Testing per-module kernel version test module build (should be "
            + "excluded due to kernel version restrictions)' expects exit 77 (BUILD_EXCLUSIVE directives which do not match this "
            + "kernel/arch/config for any modules)";

    private static final String BASE = "PACKAGE_NAME=\"@M@\"\nPACKAGE_VERSION=\"1.0\"\nBUILT_MODULE_NAME[0]=\"@M@\"\n"
            + "DEST_MODULE_LOCATION[0]=\"/updates/dkms\"\nAUTOINSTALL=\"yes\"\n";

    static List<Fixture> fixtures() {
        Result built = Result.of(Outcome.BUILT, "M");
        Result refused = Result.of(Outcome.REFUSED);
        Result failed = Result.of(Outcome.BUILD_FAILED);
        Result excluded = Result.of(Outcome.EXCLUDED);
        return List.of(
                new Fixture("lv_patch_subdir", BASE + "PATCH[0]=\"subdir/fix.patch\"\n", List.of("@M@"), built, built,
                        RUN_TEST + "'Building and installing the test module with patches' expects 'Applying patch subdir/patch2.patch... done.' "
                                + "(3.2.2: line 2378)"),
                new Fixture("lv_updates_prefix", BASE.replace("/updates/dkms", "/updates-dkms-test"), List.of("@M@"), built, built,
                        "dkms 3.2.2 dkms.in line 758 (DEST_MODULE_LOCATION case /updates*); the same case in read_conf of dkms.in at 147cd61c"),
                new Fixture("lv_kernel_min", BASE + "BUILD_EXCLUSIVE_KERNEL_MIN=\"6.5\"\n", List.of("@M@"), excluded, built,
                        "dkms 3.2.2 dkms.in line 816 (KERNEL_MIN sets build_exclude), 77 per its exit code list (line 77); dkms.in at 147cd61c: "
                                + "check_build_exclusive_for_module, do_build diewarn 77"),
                new Fixture("lv_kernel_max", BASE + "BUILD_EXCLUSIVE_KERNEL_MAX=\"6.5\"\n", List.of("@M@"), built, excluded,
                        "dkms 3.2.2 dkms.in line 817; dkms.in at 147cd61c: check_build_exclusive_for_module"),
                new Fixture("lv_obsolete_by", BASE + "OBSOLETE_BY=\"6.5\"\n", List.of("@M@"), built, excluded,
                        "dkms 3.2.2 dkms.in line 814 (OBSOLETE_BY is KERNEL_MAX when that is unset); dkms.in at 147cd61c: the same in read_conf, "
                                + "unless a record has a KERNEL_MAX of its own"),
                new Fixture("lv_build_depends", BASE + "BUILD_DEPENDS=\"lv_missing_dependency\"\n", List.of("@M@"), refused, refused,
                        RUN_TEST + "'Building the test module with unsatisfied dependencies (expected error)' expects exit 13, 'Aborting build of "
                                + "module ... due to missing BUILD_DEPENDS' (3.2.2: line 1684)"),
                new Fixture("lv_crlf", BASE.replace("\n", "\r\n"), List.of("@M@"), built, built,
                        RUN_TEST + "'Testing dkms.conf with CR/LF line endings' expects dkms_crlf_test installed (3.2.2: lines 3160-3167)"),
                new Fixture("lv_autoinstall", BASE.replace("AUTOINSTALL=\"yes\"", "AUTOINSTALL=\"maybe\""), List.of("@M@"), refused, refused,
                        RUN_TEST + "'Testing dkms.conf with invalid values (expected error)' expects exit 8 with 'Unsupported AUTOINSTALL value "
                                + "'maybe'' (3.2.2: line 2927)"),
                new Fixture("lv_pre_build_fails", BASE + "PRE_BUILD=\"fail.sh\"\n", List.of("@M@"), failed, failed,
                        "dkms 3.2.2 dkms.in lines 1459 and 1100-1103 (run_build_script exits with the script's status); the same run_build_script "
                                + "in dkms.in at 147cd61c"),
                new Fixture("lv_post_build_fails", BASE + "POST_BUILD=\"fail.sh\"\n", List.of("@M@"), failed, failed,
                        "dkms 3.2.2 dkms.in lines 1547 and 1100-1103; the same in dkms.in at 147cd61c"),
                new Fixture("lv_dup_dest", BASE + "BUILT_MODULE_NAME[1]=\"lv_dup_dest_b\"\nDEST_MODULE_NAME[1]=\"lv_dup_dest\"\n"
                        + "DEST_MODULE_LOCATION[1]=\"/updates/dkms\"\n", List.of("@M@", "lv_dup_dest_b"), refused, refused,
                        RUN_TEST + "'Testing dkms.conf specifying a module twice in DEST_MODULE_NAME[] (expected error)' expects exit 8 "
                                + "(3.2.2: line 3136)"),
                new Fixture("lv_dup_built", BASE + "DEST_MODULE_NAME[0]=\"lv_dup_one\"\nBUILT_MODULE_NAME[1]=\"lv_dup_built\"\n"
                        + "DEST_MODULE_NAME[1]=\"lv_dup_two\"\nDEST_MODULE_LOCATION[1]=\"/updates/dkms\"\n", List.of("@M@"), refused, refused,
                        RUN_TEST + "'Testing dkms.conf specifying a module twice in BUILT_MODULE_NAME[] (expected error)' expects exit 8 "
                                + "(3.2.2: line 3121)"),
                new Fixture("lv_per_module", BASE + "BUILT_MODULE_NAME[1]=\"lv_per_module_b\"\nDEST_MODULE_LOCATION[1]=\"/updates/dkms\"\n"
                        + "BUILD_EXCLUSIVE_KERNEL[1]=\"^6\\.1\\.\"\n", List.of("@M@", "lv_per_module_b"),
                        Result.of(Outcome.BUILT, "M", "lv_per_module_b"), built, PER_MODULE_ONE_BUILT),
                new Fixture("lv_per_module_all", BASE + "BUILD_EXCLUSIVE_KERNEL[0]=\"^6\\.1\\.\"\nBUILT_MODULE_NAME[1]=\"lv_per_module_all_b\"\n"
                        + "DEST_MODULE_LOCATION[1]=\"/updates/dkms\"\nBUILD_EXCLUSIVE_KERNEL[1]=\"^6\\.1\\.\"\n",
                        List.of("@M@", "lv_per_module_all_b"), Result.of(Outcome.BUILT, "M", "lv_per_module_all_b"), excluded,
                        PER_MODULE_NONE_BUILT));
    }

    @TempDir
    Path work;

    @Test
    void everyFixtureAgreesWithDkms3010AndWithTheNewestDkmsSources() throws IOException {
        assumeTrue(Cmd.isRoot(), "runs dkms in a private mount namespace: needs root");
        long start = System.nanoTime();
        Path keys = work.resolve("keys");
        List<String> rows = new ArrayList<>();
        List<String> disagreements = new ArrayList<>();
        for (Fixture f : fixtures()) {
            Path tree = tree(f);
            Map<String, Result> dkms = new LinkedHashMap<>();
            for (String k : List.of(K61, K612)) {
                DkmsOracle.Result r = DkmsOracle.build(tree, f.name(), "1.0", k, work.resolve("dkms").resolve(f.name() + "-" + k), keys);
                dkms.put(k, classify(r));
            }
            Map<String, Result> old = bmdeb(tree, f.name(), "3.0.10");
            Map<String, Result> newest = bmdeb(tree, f.name(), "newest");
            Map<String, Result> expectedNewest = Map.of(K61, named(f.newest61(), f.name()), K612, named(f.newest612(), f.name()));
            for (String k : List.of(K61, K612)) {
                rows.add(String.format("%-22s %-22s dkms 3.0.10: %-28s bmdeb 3.0.10: %-28s bmdeb newest: %-20s (want %s: %s)", f.name(), k,
                        dkms.get(k), old.get(k), newest.get(k), expectedNewest.get(k), f.cited()));
                if (!dkms.get(k).equals(old.get(k))) {
                    disagreements.add(f.name() + " on " + k + ": dkms 3.0.10 " + dkms.get(k) + ", bmdeb at 3.0.10 " + old.get(k));
                }
                if (!expectedNewest.get(k).equals(newest.get(k))) {
                    disagreements.add(f.name() + " on " + k + ": bmdeb at the newest level " + newest.get(k) + ", dkms's sources want "
                            + expectedNewest.get(k) + " (" + f.cited() + ")");
                }
            }
        }
        System.out.println(String.join("\n", rows));
        System.out.printf("DkmsLevelsTest: %d fixtures on 2 kernels in %.0f s%n", fixtures().size(), (System.nanoTime() - start) / 1e9);
        assertThat(disagreements).as(String.join("\n", rows)).isEmpty();
    }

    /**
     * source at the default level (Debian 12's dkms) on the CRLF and KERNEL_MIN fixtures: each says what the
     * target's dkms would do, and the package installed on Debian 12's dkms in an isolated root behaves as it said:
     * the CRLF one, shipped with LF endings, builds; the KERNEL_MIN one depends on dkms (>= 3.0.11), which dpkg
     * finds unmet.
     */
    @Test
    void sourceGuardsDebian12Targets() throws IOException {
        assumeTrue(Cmd.isRoot(), "installs packages in a private mount namespace: needs root");
        Fixture crlf = fixtures().stream().filter(f -> f.name().equals("lv_crlf")).findFirst().orElseThrow();
        Fixture min = fixtures().stream().filter(f -> f.name().equals("lv_kernel_min")).findFirst().orElseThrow();
        Path out = Files.createDirectories(work.resolve("source-out"));
        Cmd.Result c = Cmd.dkmsDeb(null, Map.of(), "source", tree(crlf).toString(), "-o", out.toString(), "--maintainer", "T <t@example.org>");
        assertThat(c.exit()).as(c.toString()).isZero();
        assertThat(c.err()).contains("dkms 3.0.10 keeps the carriage return in", "the package ships dkms.conf with LF line endings");
        Cmd.Result m = Cmd.dkmsDeb(null, Map.of(), "source", tree(min).toString(), "-o", out.toString(), "--maintainer", "T <t@example.org>");
        assertThat(m.exit()).as(m.toString()).isZero();
        assertThat(m.err()).contains("ignores it and builds for every kernel", "the package depends on dkms (>= 3.0.11)");
        Path minDeb = out.resolve("lv-kernel-min-dkms_1.0-1_all.deb");
        assertThat(Cmd.ok("dpkg-deb", "-f", minDeb.toString(), "Depends").out().strip()).isEqualTo("dkms (>= 3.0.11)");

        IsolatedRoot root = IsolatedRoot.in(work.resolve("root"));
        DkmsInstallTest.buildForEveryInstalledKernel(root);
        Cmd.Result install = root.exec("dpkg", "-i", out.resolve("lv-crlf-dkms_1.0-1_all.deb").toString());
        assertThat(install.exit()).as(install.toString()).isZero();
        assertThat(root.ok("dkms", "status", "-m", "lv_crlf").out()).contains("lv_crlf/1.0, " + K61 + ", x86_64: installed");
        Cmd.Result refused = root.exec("dpkg", "-i", minDeb.toString());
        assertThat(refused.exit()).as(refused.toString()).isNotZero();
        assertThat(refused.all()).contains("depends on dkms (>= 3.0.11)");
    }

    /**
     * A dkms.conf that names no module: the installed dkms 3.0.10 refuses it ("No 'DEST_MODULE_LOCATION' directive specified",
     * Bad conf file); dkms 3.0.11 and later accept it with a warning and build nothing (dkms.in at 147cd61c, read_conf_strict:
     * "Zero modules specified", and do_build, whose per-record loops then have nothing to check or copy; run_test.sh at
     * 02e53f5b: 'Testing add/build/install of a test module building zero kernel modules' expects exit 0 and the status
     * installed). bmdeb refuses it at both levels (exit 3, no package), saying what that level's dkms does.
     */
    @Test
    void aDkmsConfNamingNoModuleIsRefusedAsDkms3010DoesAndSaysNewerDkmsBuildsNothing() throws IOException {
        assumeTrue(Cmd.isRoot(), "runs dkms in a private mount namespace: needs root");
        Fixture none = new Fixture("lv_no_module", "PACKAGE_NAME=\"@M@\"\nPACKAGE_VERSION=\"1.0\"\nAUTOINSTALL=\"yes\"\n", List.of("@M@"),
                Result.of(Outcome.REFUSED), Result.of(Outcome.REFUSED), "dkms-deb refuses it at every level");
        Path tree = tree(none);
        DkmsOracle.Result dkms = DkmsOracle.build(tree, none.name(), "1.0", K61, work.resolve("dkms").resolve(none.name()), work.resolve("keys"));
        assertThat(classify(dkms)).as(dkms.output()).isEqualTo(Result.of(Outcome.REFUSED));
        assertThat(dkms.output()).contains("No 'DEST_MODULE_LOCATION' directive specified");
        for (String level : List.of("3.0.10", "newest")) {
            Path out = Files.createDirectories(work.resolve("out-none-" + level));
            Cmd.Result r = Cmd.dkmsDeb(null, Map.of(), "bmdeb", tree.toString(), "-k", K61, "-k", K612, "-o", out.toString(), "--no-sign",
                    "--maintainer", "T <t@example.org>", "--log-dir", work.resolve("logs").toString(), "--dkms-level", level);
            assertThat(r.exit()).as(r.toString()).isEqualTo(3);
            assertThat(r.err()).contains("names no module, so there is nothing to package", "add BUILT_MODULE_NAME[0]=")
                    .contains(level.equals("newest") ? "dkms 3.4.3 accepts it with a warning and builds nothing" : "dkms 3.0.10 refuses it too")
                    .doesNotContain("Exception");
            try (var files = Files.list(out)) {
                assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".deb")).toList()).isEmpty();
            }
        }
    }

    static Result named(Result r, String name) {
        Set<String> modules = new TreeSet<>();
        r.modules().forEach(m -> modules.add(m.equals("M") ? name : m));
        return new Result(r.outcome(), modules);
    }

    /** dkms's outcome: 77 excluded; modules saved: built; a dkms.conf error or a missing BUILD_DEPENDS: refused; else the build failed. */
    static Result classify(DkmsOracle.Result r) {
        if (r.exit() == 77) {
            return new Result(Outcome.EXCLUDED, Set.of());
        }
        if (!r.modules().isEmpty()) {
            return new Result(Outcome.BUILT, new TreeSet<>(r.modules()));
        }
        if (r.output().contains("Bad conf file") || r.output().contains("dkms.conf: Error") || r.exit() == 13) {
            return new Result(Outcome.REFUSED, Set.of());
        }
        return new Result(Outcome.BUILD_FAILED, Set.of());
    }

    /** bmdeb of the tree for both kernels at {@code level}: each kernel's outcome (exit 0, 3, 5, 77) and the modules its package holds. */
    private Map<String, Result> bmdeb(Path tree, String name, String level) throws IOException {
        return bmdeb(work, Map.of(), tree, name, List.of("-k", K61, "-k", K612, "--dkms-level", level));
    }

    /**
     * bmdeb of the tree with {@code options} (its kernels, a level), in {@code env}, its package and logs under {@code work}:
     * each kernel's outcome (exit 0, 3, 5, 77) and the modules its package holds.
     */
    static Map<String, Result> bmdeb(Path work, Map<String, String> env, Path tree, String name, List<String> options) throws IOException {
        Path out = Files.createDirectories(work.resolve("out-" + String.join("-", options).replaceAll("[^A-Za-z0-9.+-]", "_")).resolve(name));
        List<String> args = new ArrayList<>(List.of("bmdeb", tree.toString(), "-o", out.toString(), "--no-sign", "--maintainer",
                "T <t@example.org>", "--log-dir", work.resolve("logs").toString(), "--json"));
        args.addAll(options);
        Cmd.Result r = Cmd.dkmsDeb(null, env, args.toArray(String[]::new));
        assertThat(r.err()).as("no Java exception reaches the user\n" + r).doesNotContain("Exception", "\tat ");
        Map<String, Result> results = new LinkedHashMap<>();
        Map<?, ?> report;
        try {
            report = (Map<?, ?>) Json.read(r.out().strip());
        } catch (Json.SyntaxException e) {
            throw new AssertionError("bmdeb --json printed no report: " + r, e);
        }
        for (Object o : (List<?>) report.get("kernels")) {
            Map<?, ?> k = (Map<?, ?>) o;
            int exit = ((Number) k.get("exitCode")).intValue();
            Outcome outcome = switch (exit) {
                case 0 -> Outcome.BUILT;
                case 3 -> Outcome.REFUSED;
                case 5 -> Outcome.BUILD_FAILED;
                case 77 -> Outcome.EXCLUDED;
                default -> throw new AssertionError("bmdeb exit " + exit + " for " + k.get("kernel") + ": " + r);
            };
            Set<String> modules = new TreeSet<>();
            if (outcome == Outcome.BUILT) {
                for (String line : Cmd.ok("dpkg-deb", "-c", (String) k.get("file")).out().lines().toList()) {
                    String file = line.substring(line.lastIndexOf('/') + 1);
                    if (file.contains(".ko")) {
                        modules.add(DkmsOracle.stripSuffix(file));
                    }
                }
            }
            results.put((String) k.get("kernel"), new Result(outcome, modules));
        }
        return results;
    }

    private Path tree(Fixture f) throws IOException {
        return tree(f, work);
    }

    /** The fixture's tree under {@code work}: dkms.conf, a Makefile, one line of C per module, a patch in patches/subdir, a failing script. */
    static Path tree(Fixture f, Path work) throws IOException {
        Path tree = Files.createDirectories(work.resolve("trees").resolve(f.name()));
        List<String> objects = new ArrayList<>();
        for (String source : f.sources()) {
            String module = source.replace("@M@", f.name());
            objects.add(module + ".o");
            Files.writeString(tree.resolve(module + ".c"), "#include <linux/module.h>\n"
                    + (f.name().equals("lv_patch_subdir") ? "#error not patched\n" : "") + "MODULE_LICENSE(\"GPL\");\n");
        }
        Files.writeString(tree.resolve("Makefile"), "obj-m := " + String.join(" ", objects) + "\n");
        Files.writeString(tree.resolve("dkms.conf"), f.conf().replace("@M@", f.name()));
        Path patches = Files.createDirectories(tree.resolve("patches/subdir"));
        Files.writeString(patches.resolve("fix.patch"), "--- a/" + f.name() + ".c\n+++ b/" + f.name() + ".c\n@@ -1,3 +1,2 @@\n"
                + " #include <linux/module.h>\n-#error not patched\n MODULE_LICENSE(\"GPL\");\n");
        Path fail = tree.resolve("fail.sh");
        Files.writeString(fail, "#!/bin/sh\necho failing on purpose\nexit 1\n");
        Cmd.ok("chmod", "755", fail.toString());
        return tree;
    }
}

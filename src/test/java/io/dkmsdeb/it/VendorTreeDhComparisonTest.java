package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each vendor-style tree of src/test/vendor-trees/ packaged twice: by {@code dpkg-buildpackage -us -uc -b}
 * (debhelper with dh_dkms, the reference) and by {@code dkms-deb source}, each from its own copy.
 * The two packages must have the same file name, every control field equal, the same files with
 * the same modes and contents (gzip files compared decompressed), the same conffiles and
 * md5sums, maintainer scripts that make the same calls, and the same lintian tags. On the
 * dpkg-buildpackage side lintian --pedantic --display-info reports no tag at all, apart from
 * chime-dkms's overridden initial-upload-closes-no-bugs (src/test/vendor-trees/README.md).
 * dkms-deb must also warn about the debian/rules override targets it did not run.
 */
@Tag("tools")
class VendorTreeDhComparisonTest {
    private static final Pattern LINTIAN_TAG = Pattern.compile("^([EWIPXC]): (\\S+): (.*)$");

    @TempDir
    static Path work;

    /** Each tree is built once, on first use (all its packages by one dpkg-buildpackage and one dkms-deb source call); a failed build fails every test of that tree with the same error. */
    private static final Map<String, Object> RUNS = new HashMap<>();
    private static final Map<VendorTree, Built> BUILT = new HashMap<>();

    /** An mtime older than every changelog entry of the trees: files that have it keep it in both packages. */
    static final long OLD_MTIME = 1577836800L;    // 2020-01-01 00:00:00 UTC

    /** Both packages of one tree, extracted ({@code dpkg-deb -x}) and with their control members ({@code -e}). */
    record Built(Path dhDeb, Path ourDeb, Cmd.Result ours, Path dhData, Path ourData, Path dhControl, Path ourControl) {
    }

    /** One run of both tools on a tree: where their packages are, and dkms-deb's output. */
    record Run(Path base, Cmd.Result ours) {
    }

    static Stream<VendorTree> trees() {
        return VendorTree.ALL.stream();
    }

    static Stream<VendorTree> treesWithOverridesNotRun() {
        return VendorTree.ALL.stream().filter(t -> !t.overridesNotRun().isEmpty());
    }

    private static synchronized Built built(VendorTree tree) throws IOException {
        if (!RUNS.containsKey(tree.dir())) {
            try {
                RUNS.put(tree.dir(), run(tree));
            } catch (AssertionError | IOException | RuntimeException e) {
                RUNS.put(tree.dir(), e);
            }
        }
        Object r = RUNS.get(tree.dir());
        if (r instanceof AssertionError e) {
            throw new AssertionError("building " + tree.dir() + " failed: " + e.getMessage(), e);
        } else if (r instanceof IOException e) {
            throw new IOException("building " + tree.dir() + " failed: " + e.getMessage(), e);
        } else if (r instanceof RuntimeException e) {
            throw new IllegalStateException("building " + tree.dir() + " failed: " + e.getMessage(), e);
        }
        if (!BUILT.containsKey(tree)) {
            BUILT.put(tree, extract(tree, (Run) r));
        }
        return BUILT.get(tree);
    }

    private static Run run(VendorTree tree) throws IOException {
        Path base = work.resolve(tree.dir());
        Path dhTree = base.resolve("dh").resolve(tree.dir());
        SourceCommandTest.copyTree(tree.source(), dhTree, false);
        ageEveryOtherFile(dhTree);
        Cmd.Result dh = Cmd.run(dhTree, Map.of(), List.of("dpkg-buildpackage", "-us", "-uc", "-b"));
        assertThat(dh.exit()).as(dh.toString()).isZero();
        assertThat(debsIn(base.resolve("dh"))).as("what dpkg-buildpackage wrote").isEqualTo(tree.dhDebs());
        // dpkg-buildpackage exports the date of the latest changelog entry; so do we.
        String epoch = Cmd.run(dhTree, Map.of(), List.of("dpkg-parsechangelog", "-STimestamp")).out().strip();
        assertThat(epoch).matches("[0-9]+");

        Path ourTree = base.resolve("ours").resolve(tree.dir());
        SourceCommandTest.copyTree(tree.source(), ourTree, false);
        ageEveryOtherFile(ourTree);
        Path out = Files.createDirectories(base.resolve("out"));
        Cmd.Result ours = Cmd.dkmsDeb(null, Map.of("SOURCE_DATE_EPOCH", epoch), "source", ourTree.toString(), "-o", out.toString());
        assertThat(ours.exit()).as(ours.toString()).isZero();
        assertThat(debsIn(out)).as("what dkms-deb source wrote").isEqualTo(tree.ourDebs());
        return new Run(base, ours);
    }

    /**
     * Gives every other regular file of the copy (in path order, so both copies alike) an mtime older
     * than the changelog: dpkg-deb keeps such times and clamps the newer ones to SOURCE_DATE_EPOCH.
     */
    private static void ageEveryOtherFile(Path tree) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(tree)) {
            files = s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        for (int i = 0; i < files.size(); i += 2) {
            Files.setLastModifiedTime(files.get(i), java.nio.file.attribute.FileTime.from(OLD_MTIME + i, java.util.concurrent.TimeUnit.SECONDS));
        }
    }

    private static Built extract(VendorTree tree, Run run) throws IOException {
        Path base = run.base();
        Path dhDeb = base.resolve("dh").resolve(tree.debFile());
        Path ourDeb = base.resolve("out").resolve(tree.debFile());
        Path x = Files.createDirectories(base.resolve("x-" + tree.packageName()));
        Built b = new Built(dhDeb, ourDeb, run.ours(), x.resolve("dh-data"), x.resolve("our-data"),
                x.resolve("dh-control"), x.resolve("our-control"));
        Cmd.ok("dpkg-deb", "-x", dhDeb.toString(), b.dhData().toString());
        Cmd.ok("dpkg-deb", "-x", ourDeb.toString(), b.ourData().toString());
        Cmd.ok("dpkg-deb", "-e", dhDeb.toString(), b.dhControl().toString());
        Cmd.ok("dpkg-deb", "-e", ourDeb.toString(), b.ourControl().toString());
        return b;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trees")
    void sameFileName(VendorTree tree) throws IOException {
        Built b = built(tree);
        assertThat(b.ourDeb().getFileName()).isEqualTo(b.dhDeb().getFileName());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trees")
    void sameControlFields(VendorTree tree) throws IOException {
        Built b = built(tree);
        Map<String, String> dh = DebInfo.of(b.dhDeb()).fields();
        assertThat(dh).containsEntry("Package", tree.packageName()).containsKey("Installed-Size").containsKey("Description");
        assertThat(DebInfo.of(b.ourDeb()).fields()).isEqualTo(dh);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trees")
    void sameFilesUnderUsrSrcAndSameDkmsConf(VendorTree tree) throws IOException {
        Built b = built(tree);
        Map<String, String> dh = files(b.dhDeb(), true);
        assertThat(dh).containsKey("./" + tree.usrSrcDir() + "/dkms.conf");
        assertThat(files(b.ourDeb(), true)).isEqualTo(dh);

        String dkmsConf = tree.usrSrcDir() + "/dkms.conf";
        assertThat(Files.readString(b.dhData().resolve(dkmsConf)))
                .contains("PACKAGE_VERSION=\"" + tree.moduleVersion() + "\"").doesNotContain("#MODULE_VERSION#");
        assertThat(Files.readAllBytes(b.ourData().resolve(dkmsConf))).as(dkmsConf)
                .isEqualTo(Files.readAllBytes(b.dhData().resolve(dkmsConf)));
        assertSameContents(b, dh.keySet());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trees")
    void sameFilesOutsideUsrSrc(VendorTree tree) throws IOException {
        Built b = built(tree);
        Map<String, String> dh = files(b.dhDeb(), false);
        assertThat(dh).containsKeys("./usr/share/doc/" + tree.packageName() + "/copyright",
                "./usr/share/doc/" + tree.packageName() + "/changelog.Debian.gz");
        assertThat(files(b.ourDeb(), false)).isEqualTo(dh);
        assertSameContents(b, dh.keySet());
    }

    /** Every member has the same mtime: its source's when older than the changelog date (install -p, cp -a, gzip), else that date. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("trees")
    void sameMtimes(VendorTree tree) throws IOException {
        Built b = built(tree);
        Map<String, String> dh = DebInfo.mtimes(b.dhDeb());
        assertThat(dh.values()).as("members of the dpkg-buildpackage package that kept an older mtime")
                .anyMatch(t -> t.startsWith("2020-01-01"));
        assertThat(DebInfo.mtimes(b.ourDeb())).isEqualTo(dh);
    }

    /** The triggers control files list the same triggers (comments, and a trigger dh lists twice, do not count). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("trees")
    void sameTriggers(VendorTree tree) throws IOException {
        Built b = built(tree);
        assertThat(triggers(b.ourControl())).isEqualTo(triggers(b.dhControl()));
    }

    /** A package's own maintainer scripts are merged alike: the same text around the same number of added sections. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("trees")
    void ownMaintainerScriptsMergedAlike(VendorTree tree) throws IOException {
        Built b = built(tree);
        for (String script : List.of("preinst", "postinst", "prerm", "postrm")) {
            if (Files.exists(tree.source().resolve("debian").resolve(tree.packageName() + "." + script))) {
                assertThat(masked(b.ourControl().resolve(script))).as(script).isEqualTo(masked(b.dhControl().resolve(script)));
                assertThat(Files.readString(b.dhControl().resolve(script))).as(script).contains("# Automatically added by");
            }
        }
    }

    /** A script with each added section ("# Automatically added by ..." to "# End automatically added section") as one marker line. */
    private static String masked(Path script) throws IOException {
        return Files.readString(script).replaceAll("(?ms)^# Automatically added by .*?^# End automatically added section\n", "#ADDED#\n");
    }

    private static Set<String> triggers(Path controlDir) throws IOException {
        Path f = controlDir.resolve("triggers");
        if (!Files.exists(f)) {
            return Set.of();
        }
        return new TreeSet<>(Files.readAllLines(f).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList());
    }

    /** The control members (scripts, conffiles, md5sums) are the same set; conffiles and md5sums list the same. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("trees")
    void sameControlMembersConffilesAndMd5sums(VendorTree tree) throws IOException {
        Built b = built(tree);
        assertThat(names(b.ourControl())).isEqualTo(names(b.dhControl()));
        Path dhConffiles = b.dhControl().resolve("conffiles");
        Path ourConffiles = b.ourControl().resolve("conffiles");
        if (Files.exists(dhConffiles)) {
            assertThat(sortedLines(ourConffiles)).isEqualTo(sortedLines(dhConffiles));
        } else {
            assertThat(ourConffiles).doesNotExist();
        }
        assertThat(md5sums(b.ourControl())).isEqualTo(md5sums(b.dhControl()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trees")
    void maintainerScriptsMakeTheSameCalls(VendorTree tree) throws IOException {
        Built b = built(tree);
        ScriptCalls scripts = new ScriptCalls(work.resolve(tree.dir()));
        int callsSeen = scripts.assertSameCalls(b.dhControl(), b.ourControl(), tree.moduleName() + "/" + tree.moduleVersion() + ": added");
        assertThat(callsSeen).as("cases in which the scripts called something").isGreaterThanOrEqualTo(4);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trees")
    void sameLintianTagsAndNoErrorsOrWarnings(VendorTree tree) throws IOException {
        Built b = built(tree);
        Set<String> dh = lintianTags(b.dhDeb());
        Set<String> ours = lintianTags(b.ourDeb());
        assertThat(ours).isEqualTo(dh);
        assertThat(dh).noneMatch(t -> t.startsWith("E:") || t.startsWith("W:"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("treesWithOverridesNotRun")
    void warnsAboutRulesOverridesItDidNotRun(VendorTree tree) throws IOException {
        String err = built(tree).ours().err();
        List<String> warnings = Arrays.stream(err.split("(?m)^(?=dkms-deb: )"))
                .filter(m -> m.startsWith("dkms-deb: warning:")).toList();
        for (String target : tree.overridesNotRun()) {
            assertThat(warnings).as("warnings on standard error:\n" + err).anySatisfy(w -> assertThat(w).contains(target));
        }
    }

    /** Files of one side of the package ({@code /usr/src} or everything else) with type, mode and link target. */
    private static Map<String, String> files(Path deb, boolean usrSrc) {
        Map<String, String> files = new TreeMap<>(DebInfo.of(deb).files());
        files.keySet().removeIf(k -> k.startsWith("./usr/src/") != usrSrc);
        return files;
    }

    /** Every regular file among {@code paths} has the same bytes in both packages; .gz files compared decompressed. */
    private static void assertSameContents(Built b, Set<String> paths) throws IOException {
        int compared = 0;
        for (String p : paths) {
            Path dh = b.dhData().resolve(p);
            if (!Files.isRegularFile(dh, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Path ours = b.ourData().resolve(p);
            // Latin-1 maps each byte to one char: equal strings are equal bytes, and a text diff is readable.
            assertThat(new String(content(ours), StandardCharsets.ISO_8859_1)).as(p)
                    .isEqualTo(new String(content(dh), StandardCharsets.ISO_8859_1));
            compared++;
        }
        assertThat(compared).as("regular files compared").isPositive();
    }

    private static byte[] content(Path file) throws IOException {
        if (!file.getFileName().toString().endsWith(".gz")) {
            return Files.readAllBytes(file);
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }

    /** lintian's tags as "X: tag-name text after it", the package name left out. */
    private static Set<String> lintianTags(Path deb) {
        Cmd.Result r = Cmd.run(null, Map.of(), List.of("lintian", "--pedantic", "--display-info", deb.toString()));
        assertThat(r.exit()).as("lintian exits 0, or 1 when it found errors\n" + r).isBetween(0, 1);
        Set<String> tags = new TreeSet<>();
        for (String line : r.out().lines().toList()) {
            Matcher m = LINTIAN_TAG.matcher(line);
            if (m.matches()) {
                tags.add(m.group(1) + ": " + m.group(3));
            }
        }
        return tags;
    }

    private static List<String> debsIn(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".deb")).sorted().toList();
        }
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }

    /** md5sums lines, sorted, with the sums of .gz files left out: two gzip streams of the same text may differ. */
    private static List<String> md5sums(Path controlDir) throws IOException {
        return sortedLines(controlDir.resolve("md5sums")).stream()
                .map(l -> l.endsWith(".gz") ? "(gzip)" + l.substring(l.indexOf(' ')) : l).sorted().toList();
    }

    private static List<String> sortedLines(Path file) throws IOException {
        assertThat(file).exists();
        return Files.readAllLines(file).stream().sorted().toList();
    }
}

package io.dkmsdeb.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * dkms-deb itself on a Debian 13 trixie machine with trixie's Java 21: its own .deb (target/dkms-deb_VERSION_all.deb)
 * installed with {@code dpkg -i} and {@code apt-get -f install} from trixie's archive into a minimal trixie root, where
 * it runs on Java 21 with the class-data archive its postinst made, packages debian-example/hello for dkms and compiles
 * it, in its sandbox, for the trixie kernel whose headers are installed in that root (trixie is then the host's release:
 * no build root of another release), with trixie's gcc 14.
 *
 * <p>The trixie root ({@code debootstrap --variant=minbase trixie}, then {@code default-jre-headless} and
 * {@code linux-headers-amd64} from the archive) is made once under a temporary name, renamed into place and kept in
 * {@code target/trixie-self} for later runs. Each run works on an overlay of it (the root stays as made) and enters it as
 * the build roots are entered: bubblewrap with the root as {@code /}, with /proc, /dev and /tmp of its own, in a mount
 * namespace that ends with the command, so nothing stays mounted.
 */
@Tag("kernel")
@Tag("network")
@Tag("root")
@Tag("tools")
class SelfPackageTrixieTest {
    static final Path CACHE = Cmd.repo().resolve("target/trixie-self");
    static final Path BASE = CACHE.resolve("root");
    static final String MIRROR = "http://deb.debian.org/debian";
    /** Where the run's exchange directory (the .deb, the packages made) is in the root. */
    static final String X = "/mnt/x";
    static final String ROOT_MADE = "trixie root made (debootstrap, default-jre-headless, linux-headers-amd64; 0 when kept)";
    static Path deb;
    static String version;

    @TempDir
    Path work;

    private final Map<String, Double> seconds = new LinkedHashMap<>();

    @BeforeAll
    static void thePackage() {
        String p = System.getProperty("dkmsdeb.selfPackage");
        assumeTrue(p != null, "runs in 'mvn verify' (failsafe), after the package phase has made the .deb");
        assumeTrue(Cmd.isRoot(), "debootstrap, overlay mounts and apt-get in the root need root");
        deb = Path.of(p);
        assertThat(deb).isRegularFile();
        version = DebInfo.of(deb).fields().get("Version");
    }

    @Test
    void installedOnTrixieItRunsOnJava21AndBuildsHelloForTrixiesKernel() throws IOException {
        Path base = timed(ROOT_MADE, SelfPackageTrixieTest::baseRoot);
        Path x = Files.createDirectories(work.resolve("x"));
        Files.copy(deb, x.resolve("dkms-deb.deb"), StandardCopyOption.REPLACE_EXISTING);
        Files.createDirectories(x.resolve("out"));

        // the newest kernel of trixie's archive now, and its headers (already in the root unless the archive moved on)
        ok(timed("apt-get update", () -> in("apt-get", "-q", "update")));
        String depends = ok(in("apt-cache", "depends", "linux-headers-amd64")).out();
        String kernel = depends.lines().map(String::strip).filter(l -> l.matches("Depends: linux-headers-[0-9.]+\\+deb13-amd64"))
                .map(l -> l.substring("Depends: linux-headers-".length())).findFirst().orElseThrow(() -> new AssertionError(depends));
        ok(timed("linux-headers-" + kernel + " installed", () -> in("apt-get", "-q", "-y", "--no-install-recommends", "install",
                "linux-headers-" + kernel)));

        // dpkg -i stops at a dependency that is missing (bubblewrap); apt-get -f install brings every one from trixie
        timed("dpkg -i dkms-deb", () -> in("dpkg", "-i", X + "/dkms-deb.deb"));
        ok(timed("apt-get -f install", () -> in("apt-get", "-q", "-y", "-f", "install")));
        for (String pkg : List.of("dkms-deb", "default-jre-headless", "bubblewrap")) {
            assertThat(in("dpkg-query", "-W", "-f=${db:Status-Abbrev}", pkg).out()).as(pkg).startsWith("ii");
        }
        // apt-get -f install brings the Depends only; the Recommends (bmdeb's compiler, make, kmod, xz) come as a user
        // installs them, and every package the Suggests name is in trixie's archive too
        Map<String, String> fields = DebInfo.of(deb).fields();
        List<String> recommends = names(fields.get("Recommends"));
        assertThat(recommends).contains("build-essential");
        List<String> install = new ArrayList<>(List.of("apt-get", "-q", "-y", "--no-install-recommends", "install"));
        install.addAll(recommends);
        ok(timed("apt-get install " + String.join(" ", recommends), () -> in(install.toArray(String[]::new))));
        for (String pkg : recommends) {
            assertThat(in("dpkg-query", "-W", "-f=${db:Status-Abbrev}", pkg).out()).as(pkg).startsWith("ii");
        }
        for (String pkg : names(fields.get("Suggests"))) {
            Cmd.Result show = in("apt-cache", "show", "--no-all-versions", pkg);
            assertThat(show.exit()).as("Suggests: " + pkg + " in trixie: " + show).isZero();
        }
        Cmd.Result jre = ok(in("java", "-version"));
        assertThat(jre.err()).as("trixie's default Java runtime").containsPattern("version \"21[.\"]");

        Cmd.Result v = ok(timed("dkms-deb --version", () -> in("dkms-deb", "--version")));
        assertThat(v.out().strip()).isEqualTo("dkms-deb " + version);
        // the class-data archive postinst made for Java 21: it exists and fits this JVM and jar
        assertThat(in("test", "-s", "/var/cache/dkms-deb/dkms-deb.jsa").exit()).as("/var/cache/dkms-deb/dkms-deb.jsa").isZero();
        Cmd.Result on = in("java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:on", "-XX:SharedArchiveFile=/var/cache/dkms-deb/dkms-deb.jsa",
                "-jar", "/usr/share/dkms-deb/dkms-deb.jar", "--version");
        assertThat(on.exit()).as("the archive fits Java 21 and the jar: " + on).isZero();
        // source: a -dkms package that dpkg-deb and lintian accept; the launcher maps the archive (most classes of the
        // run, dkms-deb's own among them, come from its top layer)
        Cmd.Result source = timed("dkms-deb source", () -> in("env", "JDK_JAVA_OPTIONS=-Xlog:class+load=info:file=" + X + "/classes.log",
                "dkms-deb", "source", "/mnt/example/hello", "-o", X + "/out"));
        assertThat(source.exit()).as(source.toString()).isZero();
        List<String> fromArchive = Files.readAllLines(x.resolve("classes.log")).stream()
                .filter(l -> l.endsWith(" source: shared objects file (top)")).toList();
        assertThat(fromArchive).as("classes mapped from dkms-deb.jsa").hasSizeGreaterThan(500);
        assertThat(fromArchive).filteredOn(l -> l.contains(" io.dkmsdeb.")).as("dkms-deb's classes mapped from dkms-deb.jsa").hasSizeGreaterThan(50);
        Path dkmsDeb = x.resolve("out/hello-dkms_1.0-1_all.deb");
        assertThat(Cmd.ok("dpkg-deb", "-f", dkmsDeb.toString(), "Package").out().strip()).isEqualTo("hello-dkms");
        assertThat(Cmd.ok("dpkg-deb", "-c", dkmsDeb.toString()).out()).contains("./usr/src/hello-1.0/dkms.conf");
        Cmd.Result lintian = in("sh", "-c", "command -v lintian");
        Cmd.Result lint = lintian.exit() == 0
                ? in("lintian", "--pedantic", "--fail-on", "error,warning", X + "/out/hello-dkms_1.0-1_all.deb")
                : Cmd.run("lintian", "--pedantic", "--fail-on", "error,warning", dkmsDeb.toString());
        assertThat(lint.exit()).as(lint.toString()).isZero();
        assertThat(lint.out()).doesNotContainPattern("(?m)^[EW]: ");

        // bmdeb for trixie's kernel, on this trixie "host": its sandbox, no build root, trixie's dkms level and gcc 14
        Cmd.Result bmdeb = timed("dkms-deb bmdeb", () -> in("dkms-deb", "bmdeb", X + "/out/hello-dkms_1.0-1_all.deb", "-k", kernel,
                "--no-sign", "-o", X + "/out", "--log-dir", X + "/logs", "--json"));
        assertThat(bmdeb.exit()).as(bmdeb.toString()).isZero();
        assertThat(bmdeb.out()).contains("\"sandbox\":true").contains("\"dkmsLevel\":\"3.2.2\"");
        assertThat(bmdeb.err()).doesNotContain("build root").doesNotContain("debootstrap");
        List<Path> made;
        try (Stream<Path> s = Files.list(x.resolve("out"))) {
            made = s.filter(p -> p.getFileName().toString().matches("hello-modules-" + java.util.regex.Pattern.quote(kernel) + "_1\\.0.*_amd64\\.deb"))
                    .toList();
        }
        assertThat(made).as(bmdeb.toString()).hasSize(1);
        Path modules = made.get(0);
        Path unpacked = work.resolve("unpacked");
        Cmd.ok("dpkg-deb", "-x", modules.toString(), unpacked.toString());
        Path packed = unpacked.resolve("lib/modules/" + kernel + "/updates/dkms/hello.ko.xz");
        assertThat(packed).exists();
        Cmd.ok("xz", "-dk", packed.toString());
        Path ko = unpacked.resolve("lib/modules/" + kernel + "/updates/dkms/hello.ko");
        assertThat(Cmd.ok("modinfo", "-F", "vermagic", ko.toString()).out()).startsWith(kernel + " ");
        assertThat(Cmd.ok("readelf", "-p", ".comment", ko.toString()).out()).as("compiled by trixie's gcc 14").contains("(Debian 14.")
                .doesNotContain("(Debian 12.");

        // nothing stays mounted
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(CACHE.toString()).doesNotContain(work.toString());
        System.out.printf("SelfPackageTrixieTest: %s; trixie root %s, this run's changes %s%n", seconds, du(base), du(work.resolve("upper")));
    }

    /**
     * The trixie build image's one RUN step (docker/Dockerfile with DEBIAN_RELEASE=trixie) without a Docker engine:
     * docker/install-build-deps.sh on the trixie root, as on bookworm in {@link SelfPackageImageTest}. Every package it
     * names is in trixie's archive, the Java runtime is 21 and the compilers are trixie's gcc 14; a second run changes
     * nothing.
     */
    @Test
    void theBuildImagesInstallScriptWorksOnTrixie() throws IOException {
        timed(ROOT_MADE, SelfPackageTrixieTest::baseRoot);
        Path x = Files.createDirectories(work.resolve("x"));
        Files.copy(deb, x.resolve("dkms-deb.deb"));
        Files.copy(Cmd.repo().resolve("docker/install-build-deps.sh"), x.resolve("install-build-deps.sh"), StandardCopyOption.COPY_ATTRIBUTES);
        Cmd.Result first = timed("install-build-deps.sh", () -> in(X + "/install-build-deps.sh", X + "/dkms-deb.deb"));
        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(first.out().strip()).endsWith("dkms-deb " + version);
        for (String pkg : List.of("default-jre-headless", "build-essential", "kmod", "xz-utils", "pahole", "jq", "bubblewrap",
                "libengine-pkcs11-openssl", "gcc-aarch64-linux-gnu", "binutils-aarch64-linux-gnu", "libc6-dev-arm64-cross", "dkms-deb")) {
            assertThat(in("dpkg-query", "-W", "-f=${db:Status-Abbrev}", pkg).out()).as(pkg).startsWith("ii");
        }
        assertThat(ok(in("java", "-version")).err()).containsPattern("version \"21[.\"]");
        assertThat(ok(in("gcc", "-dumpversion")).out()).startsWith("14");
        assertThat(ok(in("aarch64-linux-gnu-gcc", "-dumpversion")).out()).startsWith("14");
        Cmd.Result second = timed("install-build-deps.sh again", () -> in(X + "/install-build-deps.sh", X + "/dkms-deb.deb"));
        assertThat(second.exit()).as(second.toString()).isZero();
        assertThat(second.out()).contains("0 upgraded, 0 newly installed, 0 to remove");
        System.out.printf("SelfPackageTrixieTest (image): %s; this run's changes %s%n", seconds, du(work.resolve("upper")));
    }

    /** The trixie root of these tests, made once: under a temporary name, renamed into place when complete. */
    static synchronized Path baseRoot() {
        if (Files.isDirectory(BASE)) {
            return BASE;
        }
        try {
            Files.createDirectories(CACHE);
            try (Stream<Path> s = Files.list(CACHE)) {
                for (Path half : s.filter(p -> p.getFileName().toString().startsWith(".root.new-")).toList()) {
                    Cmd.ok("rm", "-rf", "--one-file-system", half.toString());
                }
            }
            Path tmp = CACHE.resolve(".root.new-" + ProcessHandle.current().pid());
            Cmd.ok("unshare", "--mount", "--propagation", "private", "debootstrap", "--variant=minbase", "--arch=amd64", "trixie", tmp.toString(),
                    MIRROR);
            Files.writeString(tmp.resolve("etc/apt/sources.list"), "deb " + MIRROR + " trixie main\ndeb " + MIRROR + " trixie-updates main\n"
                    + "deb http://deb.debian.org/debian-security trixie-security main\n");
            ok(enter(tmp, null, List.of("apt-get", "-q", "update")));
            ok(enter(tmp, null, List.of("apt-get", "-q", "-y", "--no-install-recommends", "install", "default-jre-headless",
                    "linux-headers-amd64")));
            ok(enter(tmp, null, List.of("apt-get", "clean")));
            Files.move(tmp, BASE, StandardCopyOption.ATOMIC_MOVE);
            return BASE;
        } catch (IOException e) {
            throw new AssertionError("cannot make the trixie root in " + CACHE + ": " + e.getMessage(), e);
        }
    }

    /** {@code command} as root in this run's overlay of the trixie root. */
    private Cmd.Result in(String... command) {
        try {
            for (String d : List.of("upper", "ovl", "merged")) {
                Files.createDirectories(work.resolve(d));
            }
        } catch (IOException e) {
            throw new AssertionError(e.getMessage(), e);
        }
        return enter(BASE, work, List.of(command));
    }

    /**
     * {@code command} in {@code root} entered with bubblewrap as {@code /} (/proc, /dev, /tmp of its own; the host's
     * resolv.conf; debian-example at /mnt/example), in a mount namespace that ends with it. With {@code overlay}, the
     * root is the lower layer of an overlay whose changes go to {@code overlay/upper}, and {@code overlay/x} is {@link #X}.
     */
    static Cmd.Result enter(Path root, Path overlay, List<String> command) {
        String script = """
                set -e
                root=$1 overlay=$2 example=$3
                shift 3
                if [ -n "$overlay" ]; then
                    mount -t overlay overlay -o "lowerdir=$root,upperdir=$overlay/upper,workdir=$overlay/ovl" "$overlay/merged"
                    root=$overlay/merged
                    set -- --bind "$overlay/x" /mnt/x "$@"
                fi
                exec bwrap --die-with-parent --unshare-pid --unshare-ipc --unshare-uts --cap-add ALL --bind "$root" / \\
                    --dev /dev --proc /proc --perms 1777 --tmpfs /tmp --ro-bind /etc/resolv.conf /etc/resolv.conf \\
                    --ro-bind "$example" /mnt/example "$@"
                """;
        List<String> argv = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--fork", "--kill-child", "--",
                "sh", "-c", script, "sh", root.toString(), overlay == null ? "" : overlay.toString(),
                Cmd.repo().resolve("debian-example").toString(), "--chdir", "/", "--", "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                "HOME=/root", "LC_ALL=C.UTF-8", "DEBIAN_FRONTEND=noninteractive", "SOURCE_DATE_EPOCH=" + HelloModules.EPOCH));
        argv.addAll(command);
        return Cmd.run(null, null, argv);
    }

    private static Cmd.Result ok(Cmd.Result r) {
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    private <T> T timed(String step, java.util.function.Supplier<T> what) {
        long t = System.nanoTime();
        T r = what.get();
        seconds.put(step, Math.round((System.nanoTime() - t) / 1e8) / 10.0);
        return r;
    }

    /** The package names of a relation field ({@code a (>= 1) | b, c}: a, b, c). */
    static List<String> names(String relations) {
        return Stream.of(relations.split("[,|]")).map(r -> r.replaceAll("\\(.*\\)", "").strip()).filter(r -> !r.isEmpty()).toList();
    }

    private static String du(Path p) {
        return Cmd.run("du", "-sh", "--one-file-system", p.toString()).out().split("\t")[0];
    }
}

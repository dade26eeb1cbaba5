package io.dkmsdeb.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The kernels whose headers are installed under /lib/modules, for the tests that compile against
 * them (tag {@code kernel}). .ci/run installs the headers of a Debian 6.1 and a 6.12 kernel; a test
 * that needs one and finds none fails with a message that says so, rather than skipping.
 */
public final class Kernels {
    private static final Path MODULES = Path.of("/lib/modules");
    private static final Map<String, String> NEWEST = new ConcurrentHashMap<>();

    private Kernels() {
    }

    /** The newest installed Debian 6.1 kernel with headers (linux-headers-amd64 on Debian 12). */
    public static String newest61() {
        return newestInstalled("6.1.");
    }

    /** The newest installed Debian 6.12 kernel with headers (linux-headers-6.12-amd64). */
    public static String newest612() {
        return newestInstalled("6.12.");
    }

    /**
     * The newest kernel of the plain {@code -amd64} flavour (not cloud-amd64 or rt-amd64, whose
     * configurations leave out what some modules need) with configured headers whose release starts
     * with {@code prefix}; newest in version order (6.1.0-57 after 6.1.0-9).
     */
    public static String newestInstalled(String prefix) {
        return NEWEST.computeIfAbsent(prefix, p -> withHeaders().stream()
                .filter(n -> n.startsWith(p) && n.matches("[0-9.]+(-[0-9]+|\\+deb[0-9]+)-amd64")
                        && Files.exists(MODULES.resolve(n).resolve("build/.config")))
                .max(Kernels::compareReleases)
                .orElseThrow(() -> new AssertionError("no " + p + "x-amd64 kernel headers installed under " + MODULES
                        + " (want " + MODULES + "/" + p + "*-amd64/build/.config); .ci/run installs them "
                        + "(linux-headers-amd64, linux-headers-6.12-amd64)")));
    }

    /**
     * The newest arm64 kernel (the plain {@code -arm64} flavour) whose release starts with {@code prefix}
     * and whose headers the apt archive serves, from {@code apt-cache search --names-only '^linux-headers-.*-arm64$'}
     * (arm64 must be one of dpkg's architectures, with apt-get update run since: .ci/run does both).
     */
    public static String newestArm64InArchive(String prefix) {
        return NEWEST.computeIfAbsent("arm64:" + prefix, p -> {
            Cmd.Result r = Cmd.ok("apt-cache", "search", "--names-only", "^linux-headers-.*-arm64$");
            return r.out().lines().map(l -> l.split(" ")[0].substring("linux-headers-".length()))
                    .filter(k -> k.startsWith(prefix) && k.matches("[0-9.]+(-[0-9]+|\\+deb[0-9]+)-arm64"))
                    .max(Kernels::compareReleases)
                    .orElseThrow(() -> new AssertionError("the apt archive serves no linux-headers-" + prefix + "*-arm64; run "
                            + "dpkg --add-architecture arm64 && apt-get update (.ci/run does it). apt-cache search said: " + r));
        });
    }

    /** Version order of two kernel releases: digit runs compare as numbers. */
    static int compareReleases(String a, String b) {
        String[] x = a.split("(?<=\\d)(?=\\D)|(?<=\\D)(?=\\d)");
        String[] y = b.split("(?<=\\d)(?=\\D)|(?<=\\D)(?=\\d)");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = Character.isDigit(x[i].charAt(0)) && Character.isDigit(y[i].charAt(0))
                    ? new java.math.BigInteger(x[i]).compareTo(new java.math.BigInteger(y[i])) : x[i].compareTo(y[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    /**
     * The kernels this machine boots: headers configured (build/.config), the {@code linux-image-KVER}
     * (or {@code -unsigned}) package installed, and an initramfs {@code /boot/initrd.img-KVER}; in name order.
     */
    public static List<String> installedWithInitramfs() {
        return withHeaders().stream()
                .filter(k -> Files.exists(MODULES.resolve(k).resolve("build/.config")) && Files.isRegularFile(Path.of("/boot/initrd.img-" + k)))
                .filter(k -> installed("linux-image-" + k) || installed("linux-image-" + k + "-unsigned"))
                .toList();
    }

    private static boolean installed(String pkg) {
        Cmd.Result q = Cmd.run("dpkg-query", "-W", "-f=${db:Status-Abbrev}", pkg);
        return q.exit() == 0 && q.out().startsWith("ii");
    }

    /** Every kernel under /lib/modules with headers (a build/include directory), in name order. */
    public static List<String> withHeaders() {
        if (!Files.isDirectory(MODULES)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(MODULES)) {
            return s.filter(p -> Files.isDirectory(p.resolve("build/include"))).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

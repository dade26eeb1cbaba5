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

    /** The newest -amd64 kernel with configured headers whose release starts with {@code prefix}. */
    public static String newestInstalled(String prefix) {
        return NEWEST.computeIfAbsent(prefix, p -> withHeaders().stream()
                .filter(n -> n.startsWith(p) && n.endsWith("-amd64") && Files.exists(MODULES.resolve(n).resolve("build/.config")))
                .reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no " + p + "x-amd64 kernel headers installed under " + MODULES
                        + " (want " + MODULES + "/" + p + "*-amd64/build/.config); .ci/run installs them "
                        + "(linux-headers-amd64, linux-headers-6.12-amd64)")));
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

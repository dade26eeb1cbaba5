package io.dkmsdeb.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * debian-example/hello built once per test run: {@code dkms-deb bmdeb debian-example/hello -k K61 -k K612}
 * with SOURCE_DATE_EPOCH=1700000000, into a temporary directory that lives as long as the test JVM.
 * Test classes that check what that command makes use these packages instead of building their own;
 * tests that build with other options (signing, --fetch-headers, ci/build-modules.sh) still build.
 */
public final class HelloModules {
    /** The SOURCE_DATE_EPOCH of the shared build. */
    public static final String EPOCH = "1700000000";
    private static Path out;

    private HelloModules() {
    }

    /** debian-example/hello in this checkout. */
    public static String example() {
        return Cmd.repo().resolve("debian-example/hello").toString();
    }

    /** The directory holding hello-modules-KVER_1.0_amd64.deb for {@link Kernels#newest61()} and {@link Kernels#newest612()}. */
    public static synchronized Path dir() {
        if (out == null) {
            try {
                Path base = Files.createTempDirectory("dkms-deb-hello-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(base)));
                Path o = Files.createDirectories(base.resolve("out"));
                Cmd.Result r = Cmd.dkmsDeb(null, Map.of("SOURCE_DATE_EPOCH", EPOCH), "bmdeb", example(), "-k", Kernels.newest61(),
                        "-k", Kernels.newest612(), "-o", o.toString(), "--log-dir", base.resolve("logs").toString());
                assertThat(r.exit()).as("the shared build of debian-example/hello: " + r).isZero();
                out = o;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** hello-modules-KVER_1.0_amd64.deb of the shared build. */
    public static Path deb(String kernel) {
        Path deb = dir().resolve("hello-modules-" + kernel + "_1.0_amd64.deb");
        assertThat(deb).as("the shared build of debian-example/hello").isRegularFile();
        return deb;
    }

    /**
     * The file names a bmdeb run without --sign-key or --no-sign writes for hello: {@code modulesDeb},
     * and hello-modules-cert_1.0_all.deb when dkms's MOK key pair exists on this machine (bmdeb then
     * signs with it, as dkms does); sorted.
     */
    public static List<String> withCertWhenSigned(String modulesDeb) {
        boolean signs = Files.isReadable(Path.of("/var/lib/dkms/mok.key")) && Files.isReadable(Path.of("/var/lib/dkms/mok.pub"));
        return signs ? List.of("hello-modules-cert_1.0_all.deb", modulesDeb).stream().sorted().toList() : List.of(modulesDeb);
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is not worth failing the run for
        }
    }
}

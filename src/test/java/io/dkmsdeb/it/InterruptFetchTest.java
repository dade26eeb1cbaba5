package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGINT and SIGTERM while {@code bmdeb --fetch-headers} downloads the headers of a kernel that is not installed
 * (apt-get download running) and while it unpacks them (the unfinished tree {@code .tmp-KVER-PID} filling): exit
 * 130 or 143, no process of the run left, nothing temporary left, no half tree in the header cache. After SIGKILL
 * at either point, the next run removes what the killed one left, fetches, builds, and leaves a complete cache.
 */
@Tag("kernel")
@Tag("tools")
@Tag("network")
class InterruptFetchTest {
    @TempDir
    Path work;

    private String kernel;

    private Path headers(Path cache) {
        return cache.resolve("dkms-deb/headers");
    }

    private SignalledRun start(String name, Path cache) throws IOException {
        Path tmp = Files.createDirectories(work.resolve("tmp-" + name));
        return SignalledRun.start(tmp, Map.of("XDG_CACHE_HOME", cache.toString()), work.resolve(name + ".txt"),
                List.of("bmdeb", HelloModules.example(), "-k", kernel, "--fetch-headers", "--no-sign", "-o",
                        work.resolve("out-" + name).toString(), "--log-dir", work.resolve("logs-" + name).toString()));
    }

    /** The unfinished tree of a fetch in the cache, if there is one. */
    private Optional<Path> unfinished(Path cache) {
        if (!Files.isDirectory(headers(cache))) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(headers(cache))) {
            return s.filter(p -> p.getFileName().toString().startsWith(".tmp-" + kernel + "-")).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** apt-get download runs in the unfinished tree. */
    private BooleanSupplier downloading(Path cache) {
        return () -> unfinished(cache).map(t -> SignalledRun.processesNaming(List.of(t)).stream().anyMatch(p -> p.contains("apt-get")))
                .orElse(false);
    }

    /** The packages are being unpacked: the unfinished tree has its usr/src. */
    private BooleanSupplier unpacking(Path cache) {
        return () -> unfinished(cache).map(t -> Files.isDirectory(t.resolve("usr/src"))).orElse(false);
    }

    private void assertStoppedCleanly(String name, String signal, Path cache, SignalledRun run, int exit) throws IOException {
        String said = run.output();
        assertThat(exit).as(said).isEqualTo(signal.equals("INT") ? 130 : 143);
        assertThat(said).contains("dkms-deb: stopped by SIG" + signal + ":");
        Path tmp = work.resolve("tmp-" + name);
        Path out = work.resolve("out-" + name);
        assertThat(run.survivors()).as("processes dkms-deb started that still run").isEmpty();
        assertThat(SignalledRun.processesNaming(List.of(tmp, out, cache))).as("processes in or naming the run's directories").isEmpty();
        assertThat(SignalledRun.temporaryNames(tmp)).as("left in TMPDIR").isEmpty();
        assertThat(run.leftInDefaultTmp()).as("left outside TMPDIR").isEmpty();
        assertThat(SignalledRun.temporaryNames(out)).as("left in the output directory").isEmpty();
        assertThat(SignalledRun.temporaryNames(headers(cache))).as("unfinished trees left in the header cache").isEmpty();
        assertThat(headers(cache).resolve(kernel)).as("a half tree in the header cache").doesNotExist();
    }

    @Test
    void sigintAndSigtermWhileDownloadingAndUnpackingLeaveNoHalfTree() throws Exception {
        kernel = FetchHeadersTest.olderAbi();
        record Point(String name, String signal, boolean download) {
        }
        for (Point point : List.of(new Point("int-download", "INT", true), new Point("term-unpack", "TERM", false),
                new Point("term-download", "TERM", true), new Point("int-unpack", "INT", false))) {
            Path cache = work.resolve("cache-" + point.name());
            SignalledRun run = start(point.name(), cache);
            run.awaitPoint(point.download() ? "apt-get download running" : "the headers being unpacked", 600,
                    point.download() ? downloading(cache) : unpacking(cache));
            int exit = run.signalAndWait(point.signal());
            assertStoppedCleanly(point.name(), point.signal(), cache, run, exit);
        }
    }

    @Test
    void afterSigkillWhileDownloadingOrUnpackingTheNextRunFetchesAFullTree() throws Exception {
        kernel = FetchHeadersTest.olderAbi();
        Path cache = work.resolve("cache-kill");
        for (boolean download : List.of(true, false)) {
            String name = download ? "kill-download" : "kill-unpack";
            SignalledRun run = start(name, cache);
            run.awaitPoint(name, 600, download ? downloading(cache) : unpacking(cache));
            assertThat(run.signalAndWait("KILL")).isEqualTo(137);
            // apt-get, started by setsid, may finish its download after its parent is gone
            assertThat(SignalledRun.awaitNoProcessNaming(List.of(work), 120)).as("processes of the killed run").isEmpty();
            assertThat(SignalledRun.temporaryNames(headers(cache))).as("what the killed run left in the cache").isNotEmpty();
        }

        Path out = work.resolve("out-next");
        Cmd.Result next = Cmd.dkmsDeb(null, Map.of("XDG_CACHE_HOME", cache.toString(), "TMPDIR",
                Files.createDirectories(work.resolve("tmp-next")).toString()), "bmdeb", HelloModules.example(), "-k", kernel,
                "--fetch-headers", "--no-sign", "-o", out.toString(), "--log-dir", work.resolve("logs-next").toString());
        assertThat(next.exit()).as(next.toString()).isZero();
        assertThat(SignalledRun.temporaryNames(headers(cache))).as("unfinished trees after the next run").isEmpty();
        assertThat(headers(cache).resolve(kernel).resolve(".complete")).isRegularFile();
        assertThat(headers(cache).resolve(kernel).resolve("usr/src/linux-headers-" + kernel + "/Makefile")).isRegularFile();
        Path deb = out.resolve("hello-modules-" + kernel + "_1.0_amd64.deb");
        assertThat(deb).isRegularFile();
        Path x = work.resolve("x");
        Cmd.ok("dpkg-deb", "-x", deb.toString(), x.toString());
        try (Stream<Path> s = Files.walk(x)) {
            Path ko = s.filter(p -> p.getFileName().toString().startsWith("hello.ko")).findFirst().orElseThrow();
            assertThat(Cmd.ok("modinfo", "-F", "vermagic", ko.toString()).out()).startsWith(kernel + " ");
        }

        // the cache works: a second build uses it without fetching
        Cmd.Result again = Cmd.dkmsDeb(null, Map.of("XDG_CACHE_HOME", cache.toString(), "TMPDIR", work.resolve("tmp-next").toString()),
                "bmdeb", HelloModules.example(), "-k", kernel, "--fetch-headers", "--no-sign", "-o",
                work.resolve("out-again").toString(), "--log-dir", work.resolve("logs-again").toString());
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.all()).contains("using the headers fetched earlier").doesNotContain("apt-get download");
    }
}

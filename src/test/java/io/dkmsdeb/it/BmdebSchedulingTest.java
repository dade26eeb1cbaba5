package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How bmdeb shares the CPUs among the kernels of one call: the kernels that are up to date are
 * found first and take no share, so that a call where one kernel is new compiles it with make
 * -j(all CPUs), where it used to get the share of one kernel among all those of the call.
 */
@Tag("kernel")
@Tag("tools")
class BmdebSchedulingTest {
    private static final Pattern MAKE = Pattern.compile("\\[([^]]+)] building hello 1\\.0: make -j(\\d+) ");
    private static final int CPUS = Runtime.getRuntime().availableProcessors();

    @TempDir
    Path work;

    private Cmd.Result bmdeb(Path out, String... kernels) {
        List<String> args = new ArrayList<>(List.of("bmdeb", HelloModules.example(), "--no-sign", "-j", "2", "-o", out.toString(),
                "--log-dir", work.resolve("logs").toString()));
        for (String k : kernels) {
            args.add("-k");
            args.add(k);
        }
        Cmd.Result r = Cmd.dkmsDeb(null, Map.of("SOURCE_DATE_EPOCH", HelloModules.EPOCH), args.toArray(String[]::new));
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    /** make -j of each kernel that was compiled, from the progress lines. */
    private static Map<String, Integer> makeJobs(Cmd.Result r) {
        Map<String, Integer> jobs = new java.util.TreeMap<>();
        Matcher m = MAKE.matcher(r.err());
        while (m.find()) {
            jobs.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        return jobs;
    }

    @Test
    void theOneNewKernelOfACallGetsEveryCpuAndTwoNewOnesShareThem() throws Exception {
        String k61 = Kernels.newest61();
        String k612 = Kernels.newest612();
        Path out = Files.createDirectories(work.resolve("out"));

        // both new: two at a time (-j 2), the CPUs shared between them
        Cmd.Result both = bmdeb(out, k61, k612);
        assertThat(makeJobs(both)).as(both.err()).isEqualTo(Map.of(k61, Math.max(1, CPUS / 2), k612, Math.max(1, CPUS / 2)));
        assertThat(both.err()).contains("building for 2 kernels, 2 at a time (make -j" + Math.max(1, CPUS / 2) + " each)");

        // one of them new again: the other is up to date and takes no share
        Path gone = out.resolve("hello-modules-" + k612 + "_1.0_amd64.deb");
        byte[] shared = Files.readAllBytes(gone);
        Files.delete(gone);
        Cmd.Result one = bmdeb(out, k61, k612);
        assertThat(makeJobs(one)).as(one.err()).isEqualTo(Map.of(k612, CPUS));
        assertThat(one.err()).contains("[1/2] " + k61 + ": up-to-date")
                .contains("building for 1 of 2 kernels (1 up-to-date), 1 at a time (make -j" + CPUS + " each)")
                .contains("[2/2] " + k612 + ": built");
        assertThat(gone).isRegularFile();
        assertThat(Cmd.ok("modinfo", "-F", "vermagic", extractKo(gone, k612).toString()).out()).startsWith(k612 + " ");

        // built with every CPU or with its share, the package is the same, byte for byte
        assertThat(Files.readAllBytes(gone)).isEqualTo(shared);
    }

    /** The package's hello module (hello.ko, or hello.ko.xz for a kernel that compresses its modules). */
    private Path extractKo(Path deb, String kernel) throws java.io.IOException {
        Path x = work.resolve("x-" + kernel);
        Cmd.ok("dpkg-deb", "-x", deb.toString(), x.toString());
        try (var s = Files.list(x.resolve("lib/modules/" + kernel + "/updates/dkms"))) {
            List<Path> ko = s.filter(p -> p.getFileName().toString().startsWith("hello.ko")).toList();
            assertThat(ko).hasSize(1);
            return ko.get(0);
        }
    }
}

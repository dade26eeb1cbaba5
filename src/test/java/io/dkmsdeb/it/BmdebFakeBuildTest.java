package io.dkmsdeb.it;

import io.dkmsdeb.model.Compression;
import io.dkmsdeb.kernel.KernelBuild;
import io.dkmsdeb.model.BuiltModule;
import io.dkmsdeb.pipeline.BmdebJob;
import io.dkmsdeb.pipeline.KernelOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The bmdeb pipeline with a fake {@link KernelBuild}: what one kernel's failure does to the run. */
class BmdebFakeBuildTest {
    static final String K61 = BmdebCommandTest.K61;

    @TempDir
    Path work;

    /** Builds nothing: a .ko of a few bytes, or, for {@code failing}, an I/O error no layer turned into a dkms-deb error. */
    private static final class FakeBuild implements KernelBuild {
        final String failing;
        final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

        FakeBuild(String failing) {
            this.failing = failing;
        }

        @Override
        public List<BuiltModule> build(Request r) {
            requests.add(r);
            if (r.kernel().release().equals(failing)) {
                throw new UncheckedIOException(new IOException("No space left on device"));
            }
            var m = r.conf().modules().get(0);
            return List.of(new BuiltModule(m, m.destName() + ".ko", "not really a module".getBytes(StandardCharsets.UTF_8)));
        }
    }

    private BmdebJob.Request request(Path tree, List<String> kernels, int jobs) {
        return new BmdebJob.Request(tree.toString(), kernels, false, null, null, work.resolve("out"), jobs, Compression.NONE, true, null, null, null,
                "T <t@example.org>", null, 60, work.resolve("logs"), null, null, true, false, Map.of("SOURCE_DATE_EPOCH", "1700000000"));
    }

    private Path tree() throws IOException {
        Path tree = Files.createDirectories(work.resolve("fake"));
        Files.writeString(tree.resolve("dkms.conf"), "PACKAGE_NAME=fake\nPACKAGE_VERSION=0.1\nBUILT_MODULE_NAME[0]=fake\n"
                + "DEST_MODULE_LOCATION[0]=/updates/dkms\n");
        return tree;
    }

    @Test
    void aRuntimeErrorOfOneKernelFailsOnlyThatKernel() throws IOException {
        String k612 = BmdebCommandTest.kernel612();
        for (int jobs : new int[] {1, 2}) {
            FakeBuild fake = new FakeBuild(k612);
            BmdebJob.Result r = new BmdebJob(fake).run(request(tree(), List.of(k612, K61), jobs));
            assertThat(r.kernels()).extracting(BmdebJob.KernelResult::kernel).containsExactly(k612, K61);
            BmdebJob.KernelResult failed = r.kernels().get(0);
            assertThat(failed.result()).isEqualTo(KernelOutcome.FAILED);
            assertThat(failed.exitCode()).isEqualTo(1);
            assertThat(failed.message()).contains("fake 0.1 for " + k612 + " failed: UncheckedIOException")
                    .contains("No space left on device");
            assertThat(failed.error()).isInstanceOf(UncheckedIOException.class);
            assertThat(r.kernels().get(1).result()).isEqualTo(KernelOutcome.BUILT);
            assertThat(r.kernels().get(1).deb()).exists();
            assertThat(r.exitCode()).isEqualTo(5);
            assertThat(r.module()).isEqualTo("fake");
        }
    }

    @Test
    void theBuilderIsHandedTheLayoutDkmsConfWasReadWith() throws IOException {
        FakeBuild fake = new FakeBuild(null);
        Path tmp = Files.createDirectories(work.resolve("tmp dir"));
        BmdebJob.Request base = request(tree(), List.of(K61), 1);
        Map<String, String> env = Map.of("SOURCE_DATE_EPOCH", "1700000000", "TMPDIR", tmp.toString());
        BmdebJob.Result r = new BmdebJob(fake).run(new BmdebJob.Request(base.source(), base.kernels(), false, null, null, base.outDir(),
                1, Compression.NONE, true, null, null, null, base.maintainer(), null, 60, base.logDir(), null, null, true, false, env));
        assertThat(r.exitCode()).as(r.kernels().toString()).isZero();
        KernelBuild.Layout layout = fake.requests.get(0).layout();
        assertThat(layout).isEqualTo(KernelBuild.Layout.forUser(env, "fake", "0.1", K61));
        assertThat(layout.dir()).startsWithRaw(tmp);
        assertThat(layout.kbuildDir().toString()).doesNotContain(" ");
    }
}

package io.dkmsdeb.it;

import io.dkmsdeb.pipeline.bmdeb.BmdebJob;
import io.dkmsdeb.pipeline.bmdeb.BmdebRequest;
import io.dkmsdeb.pipeline.bmdeb.BmdebResult;
import io.dkmsdeb.pipeline.bmdeb.KernelResult;
import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.pipeline.bmdeb.KernelOutcome;
import io.dkmsdeb.model.deb.Compression;
import io.dkmsdeb.kernel.KernelBuild;
import io.dkmsdeb.model.dkms.BuiltModule;
import org.junit.jupiter.api.Tag;
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

/**
 * The bmdeb pipeline with a fake {@link KernelBuild}: what one kernel's failure does to the run. The single-kernel
 * test needs no kernel headers (tag unit): a made-up release whose "headers" are a Makefile and a .config given as
 * --kernel-source-dir. Several kernels need headers under /lib/modules (--kernel-source-dir takes one -k): tag kernel.
 */
class BmdebFakeBuildTest {
    static final String FAKE = "6.1.0-99-amd64";

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

    private BmdebRequest.Builder request(Path tree, List<String> kernels, int jobs) {
        return BmdebRequest.builder(tree.toString()).kernels(kernels).kernelSourceDir(kernels.equals(List.of(FAKE)) ? headers() : null)
                .outDir(work.resolve("out-j" + jobs)).jobs(jobs).compression(Compression.NONE).maintainer("T <t@example.org>")
                .buildTimeoutSeconds(60).logDir(work.resolve("logs")).noSign(true)
                .host(Host.of(Map.of("SOURCE_DATE_EPOCH", "1700000000")));
    }

    /** What the pipeline reads of a kernel's headers before it builds: a Makefile and an x86-64 .config. */
    private Path headers() {
        try {
            Path h = Files.createDirectories(work.resolve("headers"));
            Files.writeString(h.resolve("Makefile"), "# not a kernel tree\n");
            Files.writeString(h.resolve(".config"), "CONFIG_X86_64=y\nCONFIG_X86=y\nCONFIG_64BIT=y\nCONFIG_MODULES=y\n");
            return h;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path tree() throws IOException {
        Path tree = Files.createDirectories(work.resolve("fake"));
        Files.writeString(tree.resolve("dkms.conf"), "PACKAGE_NAME=fake\nPACKAGE_VERSION=0.1\nBUILT_MODULE_NAME[0]=fake\n"
                + "DEST_MODULE_LOCATION[0]=/updates/dkms\n");
        return tree;
    }

    @Test
    @Tag("kernel")
    void aRuntimeErrorOfOneKernelFailsOnlyThatKernel() throws IOException {
        String k612 = Kernels.newest612();
        String k61 = Kernels.newest61();
        for (int jobs : new int[] {1, 2}) {
            FakeBuild fake = new FakeBuild(k612);
            BmdebResult r = new BmdebJob(fake).run(request(tree(), List.of(k612, k61), jobs).build());
            assertThat(r.kernels()).extracting(KernelResult::kernel).containsExactly(k612, k61);
            KernelResult failed = r.kernels().get(0);
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
    @Tag("unit")
    void theBuilderIsHandedTheLayoutDkmsConfWasReadWith() throws IOException {
        String k61 = FAKE;
        FakeBuild fake = new FakeBuild(null);
        Path tmp = Files.createDirectories(work.resolve("tmp dir"));
        Map<String, String> env = Map.of("SOURCE_DATE_EPOCH", "1700000000", "TMPDIR", tmp.toString());
        // without the sandbox, the build happens where TMPDIR says (through a link when its path has a space)
        BmdebResult r = new BmdebJob(fake).run(request(tree(), List.of(k61), 1).host(Host.of(env)).sandbox(false).build());
        assertThat(r.exitCode()).as(r.kernels().toString()).isZero();
        KernelBuild.Layout layout = fake.requests.get(0).layout();
        assertThat(layout).isEqualTo(KernelBuild.Layout.forUser(env, "fake", "0.1", k61));
        assertThat(layout.dir()).startsWithRaw(tmp);
        assertThat(layout.kbuildDir().toString()).doesNotContain(" ");
        assertThat(fake.requests.get(0).sandbox().enabled()).isFalse();
        assertThat(r.sandboxed()).isFalse();

        // in the sandbox, at the same fixed paths whatever TMPDIR is: dkms.conf is read with them too
        BmdebResult in = new BmdebJob(fake).run(request(tree(), List.of(k61), 1).host(Host.of(env)).rebuild(true).build());
        assertThat(in.exitCode()).as(in.kernels().toString()).isZero();
        assertThat(fake.requests.get(1).layout()).isEqualTo(KernelBuild.Layout.inSandbox("fake", "0.1", k61));
        assertThat(fake.requests.get(1).sandbox().enabled()).isTrue();
        assertThat(in.sandboxed()).isTrue();
    }
}

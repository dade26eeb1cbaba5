package io.dkmsdeb.it;

import io.dkmsdeb.pipeline.bmdeb.BmdebJob;
import io.dkmsdeb.pipeline.bmdeb.BmdebRequest;
import io.dkmsdeb.pipeline.bmdeb.BmdebResult;
import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.model.deb.Compression;
import io.dkmsdeb.deb.DebReader;
import io.dkmsdeb.kernel.KernelBuild;
import io.dkmsdeb.model.dkms.BuiltModule;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The control file and maintainer scripts of the example packages, compared with the files kept in
 * src/test/resources/golden/: hello-dkms from {@code dkms-deb source debian-example/hello}, and
 * hello-modules-6.1.0-99-amd64 from the bmdeb pipeline with a fake build (no kernel), and hello-modules-cert of
 * the same build signed with the certificate in src/test/resources/certs. SOURCE_DATE_EPOCH is
 * fixed. After an intended change, rewrite them with {@code mvn -B test -Dtest=GoldenFilesTest -Dgolden.update=true}
 * and review the diff.
 */
@Tag("unit")
class GoldenFilesTest {
    static final Path GOLDEN = Cmd.repo().resolve("src/test/resources/golden");
    static final boolean UPDATE = Boolean.getBoolean("golden.update");
    static final String KERNEL = "6.1.0-99-amd64";
    static final Map<String, String> ENV = Map.of("SOURCE_DATE_EPOCH", HelloModules.EPOCH);

    @TempDir
    Path work;

    static void compare(DebReader.Control control, String member, String golden) throws IOException {
        String actual = control.text(member) != null ? control.text(member) : control.text("./" + member);
        assertThat(actual).as(member + " in the package").isNotNull();
        // the digest of the inputs covers dkms-deb's own code, so it changes with every build of dkms-deb: its form is checked
        actual = actual.replaceFirst("(?m)^(Dkms-Deb-Inputs: sha256:)[0-9a-f]{64}$", "$1<64 hex digits>");
        Path file = GOLDEN.resolve(golden);
        if (UPDATE) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, actual, StandardCharsets.UTF_8);
        }
        assertThat(file).as("golden file (create it with -Dgolden.update=true)").exists();
        assertThat(actual).as("%s differs from %s; if the change is intended, rerun with -Dgolden.update=true", member, file)
                .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    }

    static DebReader.Control control(Path deb) throws IOException {
        return DebReader.read(deb, DebReader.Limits.DEFAULT, e -> { });
    }

    @Test
    void helloDkms() throws IOException {
        Path out = Files.createDirectories(work.resolve("out"));
        Cmd.Result r = Cmd.dkmsDeb(null, ENV, "source", HelloModules.example(), "-o", out.toString(), "--maintainer",
                SourceCommandTest.MAINTAINER);
        assertThat(r.exit()).as(r.toString()).isZero();
        DebReader.Control c = control(out.resolve("hello-dkms_1.0-1_all.deb"));
        compare(c, "control", "hello-dkms/control");
        compare(c, "postinst", "hello-dkms/postinst");
        compare(c, "prerm", "hello-dkms/prerm");
    }

    /** Builds nothing: hello.ko of a few fixed bytes. */
    private static final class FakeBuild implements KernelBuild {
        @Override
        public List<BuiltModule> build(Request r) {
            var m = r.conf().modules().get(0);
            return List.of(new BuiltModule(m, m.destName() + ".ko", "not really a module".getBytes(StandardCharsets.UTF_8)));
        }
    }

    /**
     * Signed (the fake build signs nothing; the key file is only checked to exist): the certificate
     * package's control and README.Debian, and the -modules package's Suggests of it.
     */
    @Test
    void helloModulesCert() throws IOException {
        Path headers = Files.createDirectories(work.resolve("headers"));
        Files.writeString(headers.resolve("Makefile"), "# not a kernel tree\n");
        Files.writeString(headers.resolve(".config"), "CONFIG_X86_64=y\nCONFIG_X86=y\nCONFIG_64BIT=y\nCONFIG_MODULES=y\n");
        Path key = Files.writeString(work.resolve("unused.key"), "not read by the fake build\n");
        Path cert = Cmd.repo().resolve("src/test/resources/certs/signing-cert.pem");
        BmdebResult r = new BmdebJob(new FakeBuild()).run(goldenRequest(headers).signWith(key, cert).build());
        assertThat(r.exitCode()).as(r.kernels().toString()).isZero();
        assertThat(r.certPackage()).isEqualTo(work.resolve("out/hello-modules-cert_1.0_all.deb"));
        assertThat(control(r.kernels().get(0).deb()).text("control")).contains("\nSuggests: hello-modules-cert (= 1.0)\n");
        Map<String, String> docs = new java.util.TreeMap<>();
        DebReader.Control c = DebReader.read(r.certPackage(), DebReader.Limits.DEFAULT, e -> {
            if (e.path().endsWith("/README.Debian")) {
                docs.put("README.Debian", new String(e.content().readAllBytes(), StandardCharsets.UTF_8));
            }
        });
        compare(c, "control", "hello-modules-cert/control");
        compare(new DebReader.Control(Map.of("README.Debian", docs.get("README.Debian").getBytes(StandardCharsets.UTF_8)), Map.of()),
                "README.Debian", "hello-modules-cert/README.Debian");
    }

    private BmdebRequest.Builder goldenRequest(Path headers) {
        return BmdebRequest.builder(HelloModules.example()).kernels(List.of(KERNEL)).kernelSourceDir(headers).outDir(work.resolve("out"))
                .jobs(1).compression(Compression.NONE).maintainer(SourceCommandTest.MAINTAINER).buildTimeoutSeconds(60)
                .logDir(work.resolve("logs")).host(Host.of(ENV));
    }

    @Test
    void helloModules() throws IOException {
        Path headers = Files.createDirectories(work.resolve("headers"));
        Files.writeString(headers.resolve("Makefile"), "# not a kernel tree\n");
        Files.writeString(headers.resolve(".config"), "CONFIG_X86_64=y\nCONFIG_X86=y\nCONFIG_64BIT=y\nCONFIG_MODULES=y\n");
        BmdebResult r = new BmdebJob(new FakeBuild()).run(goldenRequest(headers).noSign(true).build());
        assertThat(r.exitCode()).as(r.kernels().toString()).isZero();
        assertThat(r.certPackage()).as("unsigned: no certificate package").isNull();
        DebReader.Control c = control(r.kernels().get(0).deb());
        compare(c, "control", "hello-modules/control");
        compare(c, "postinst", "hello-modules/postinst");
        compare(c, "postrm", "hello-modules/postrm");
        // no triggers file: the scripts rebuild their own kernel's initramfs (update-initramfs -u -k KVER)
        assertThat(c.modes()).doesNotContainKey("triggers");
    }
}

package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real modules nobody here wrote: the sources of Debian *-dkms packages are built by bmdeb for
 * the Debian 6.1 kernel and by real dkms (the oracle) for the same kernel; both must build, and
 * produce the same set of modules.
 */
@Tag("kernel")
@Tag("tools")
@Tag("root")
@Tag("network")
class DebianDkmsBuildTest {
    @TempDir
    Path work;

    @ParameterizedTest
    @ValueSource(strings = {"vpoll-dkms", "acpi-call-dkms", "nat-rtsp-dkms", "tp-smapi-dkms", "ddcci-dkms", "dm-writeboost-dkms", "rapiddisk-dkms"})
    void bmdebBuildsTheSameModulesAsDkms(String pkg) throws IOException {
        assumeTrue(Cmd.isRoot(), "the dkms oracle needs a private mount namespace: root");
        String kernel = Kernels.newest61();
        Path debianDeb = DebianDkmsPackagesTest.download(pkg);
        Path extracted = work.resolve("debian");
        Cmd.ok("dpkg-deb", "-x", debianDeb.toString(), extracted.toString());
        Path tree;
        try (Stream<Path> s = Files.list(extracted.resolve("usr/src"))) {
            tree = s.findFirst().orElseThrow();
        }
        Path out = Files.createDirectories(work.resolve("out"));
        Cmd.Result ours = Cmd.dkmsDeb("bmdeb", tree.toString(), "-k", kernel, "-o", out.toString(), "--maintainer", "T <t@example.org>",
                "--json", "--log-dir", work.resolve("logs").toString());
        assertThat(ours.exit()).as(ours.toString()).isZero();
        Matcher m = Pattern.compile("\"module\":\"([^\"]+)\",\"moduleVersion\":\"([^\"]+)\"").matcher(ours.out());
        assertThat(m.find()).as(ours.out()).isTrue();
        String name = m.group(1);
        String version = m.group(2);

        DkmsOracle.Result dkms = DkmsOracle.build(tree, name, version, kernel, Files.createDirectories(work.resolve("oracle")));
        assertThat(dkms.exit()).as("dkms build of " + pkg + "\n" + dkms.output()).isZero();

        Path deb;
        try (Stream<Path> s = Files.list(out)) {
            // the -modules package; not the certificate package bmdeb adds when dkms's MOK key signs the modules
            deb = s.filter(p -> p.toString().endsWith(".deb") && !p.getFileName().toString().contains("-modules-cert_")).findFirst().orElseThrow();
        }
        Set<String> ourModules = new TreeSet<>();
        for (String line : Cmd.ok("dpkg-deb", "--contents", deb.toString()).out().split("\n")) {
            int at = line.indexOf("/updates/dkms/");
            if (at > 0 && !line.endsWith("/")) {
                ourModules.add(DkmsOracle.stripSuffix(line.substring(at + "/updates/dkms/".length())));
            }
        }
        assertThat(ourModules).as("modules of " + pkg + " (dkms built " + dkms.modules() + ")").isEqualTo(dkms.modules()).isNotEmpty();
        Cmd.Result inspect = Cmd.dkmsDeb("inspect", deb.toString());
        assertThat(inspect.exit()).as(inspect.toString()).isZero();
        assertThat(List.of(inspect.out())).noneMatch(o -> o.contains("FAIL"));
    }
}

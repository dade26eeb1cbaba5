package io.dkmsdeb.it;

import io.dkmsdeb.pipeline.inspect.InspectJob;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** inspect reads a package's triggers member, shows it, and checks each line is DIRECTIVE NAME (deb-triggers(5)). */
@Tag("unit")
class InspectTriggersTest {
    private static final String CONTROL = "Package: t-modules-1\nVersion: 1.0\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: t\n";

    @TempDir
    Path tmp;

    private Path deb(String triggers) throws IOException {
        Path deb = tmp.resolve("t.deb");
        CraftedDeb.write(deb, List.of("debian-binary", "control.tar", "data.tar"), List.of("2.0\n".getBytes(StandardCharsets.US_ASCII),
                CraftedDeb.tar(List.of(CraftedDeb.Entry.file("./control", CONTROL), CraftedDeb.Entry.file("./triggers", triggers))),
                CraftedDeb.tar(List.of(CraftedDeb.Entry.dir("./")))));
        return deb;
    }

    private static InspectJob.Check triggersCheck(InspectJob.Report r) {
        return r.checks().stream().filter(c -> c.what().startsWith("triggers")).findFirst().orElseThrow();
    }

    @Test
    void wellFormedTriggersPassAndAreShown() throws IOException {
        InspectJob.Report r = new InspectJob().run(deb("# initramfs\nactivate-noawait update-initramfs\ninterest /usr/lib/x\n"));
        assertThat(r.triggers()).isEqualTo("# initramfs\nactivate-noawait update-initramfs\ninterest /usr/lib/x\n");
        assertThat(triggersCheck(r).ok()).as(triggersCheck(r).toString()).isTrue();
        assertThat(triggersCheck(r).detail()).isEqualTo("activate-noawait update-initramfs, interest /usr/lib/x");
        assertThat(r.ok()).isTrue();
    }

    @Test
    void aLineThatIsNotDirectiveNameFails() throws IOException {
        InspectJob.Report r = new InspectJob().run(deb("activate-noawait update-initramfs\nactivate-soon update-initramfs\n"));
        assertThat(triggersCheck(r).ok()).isFalse();
        assertThat(triggersCheck(r).detail()).contains("line 2 'activate-soon update-initramfs'");
        assertThat(r.ok()).isFalse();
        assertThat(triggersCheck(new InspectJob().run(deb("\n# nothing\n"))).ok()).isFalse();
    }

    @Test
    void aPackageWithoutTriggersHasNoSuchCheck() throws IOException {
        Path deb = tmp.resolve("n.deb");
        CraftedDeb.write(deb, List.of("debian-binary", "control.tar", "data.tar"), List.of("2.0\n".getBytes(StandardCharsets.US_ASCII),
                CraftedDeb.tar(List.of(CraftedDeb.Entry.file("./control", CONTROL))), CraftedDeb.tar(List.of(CraftedDeb.Entry.dir("./")))));
        InspectJob.Report r = new InspectJob().run(deb);
        assertThat(r.triggers()).isNull();
        assertThat(r.checks()).noneMatch(c -> c.what().startsWith("triggers"));
    }
}

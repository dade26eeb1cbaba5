package io.dkmsdeb.model.deb;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The triggers control file (deb-triggers(5)): written one line per trigger, read as dpkg reads it. */
@Tag("unit")
class TriggerTest {
    @Test
    void writtenOneLinePerTrigger() {
        assertThat(Trigger.file(List.of(Trigger.activateNoAwait("update-initramfs"), new Trigger(Trigger.Directive.INTEREST_AWAIT,
                "/usr/lib/x")))).isEqualTo("activate-noawait update-initramfs\ninterest-await /usr/lib/x\n");
    }

    @Test
    void everyDirectiveIsReadBackAndCommentsAndBlankLinesAreSkipped() {
        StringBuilder text = new StringBuilder("# a comment\n\n");
        for (Trigger.Directive d : Trigger.Directive.values()) {
            text.append("  ").append(d.word()).append(" \t name-").append(d.ordinal()).append(" \n");
        }
        List<Trigger> read = Trigger.parse(text.toString());
        assertThat(read).hasSize(6);
        assertThat(read.stream().map(Trigger::line)).containsExactly("interest name-0", "interest-await name-1", "interest-noawait name-2",
                "activate name-3", "activate-await name-4", "activate-noawait name-5");
    }

    @Test
    void badLinesAreRefusedNamingTheLine() {
        assertThatThrownBy(() -> Trigger.parse("activate-noawait update-initramfs\nactivate-later x\n"))
                .hasMessageContaining("triggers line 2 'activate-later x'").hasMessageContaining("activate-noawait");
        assertThatThrownBy(() -> Trigger.parse("activate-noawait\n")).hasMessageContaining("line 1");
        assertThatThrownBy(() -> Trigger.parse("activate a b\n")).hasMessageContaining("line 1");
        assertThatThrownBy(() -> Trigger.parse("activate na\u00efve\n")).hasMessageContaining("line 1").hasMessageContaining("printable ASCII");
        assertThatThrownBy(() -> Trigger.activateNoAwait("two words")).hasMessageContaining("without white space");
    }

    @Test
    void aPackageListsATriggerOnce() {
        List<ControlField> control = List.of(new ControlField("Package", "p"), new ControlField("Version", "1"),
                new ControlField("Architecture", "all"), new ControlField("Maintainer", "M <m@example.org>"),
                new ControlField("Description", "d"));
        Trigger t = Trigger.activateNoAwait("update-initramfs");
        assertThat(new DebPackage(control, java.util.Map.of(), List.of(), List.of(), List.of(t)).triggers()).containsExactly(t);
        assertThatThrownBy(() -> new DebPackage(control, java.util.Map.of(), List.of(), List.of(), List.of(t, t)))
                .hasMessageContaining("listed twice");
    }
}

package io.dkmsdeb.deb;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The deb822 parser: paragraphs, continuation lines, comments, case, and what it refuses. */
@Tag("unit")
class Deb822Test {
    @Test
    void paragraphsFieldsAndContinuations() throws Deb822.SyntaxException {
        List<Deb822.Paragraph> ps = Deb822.parse("# comment\nSource: hello\nBuild-Depends: debhelper-compat (= 13),\n dh-dkms   \n\n\n"
                + "Package: hello-dkms\nDescription: hi\n long text\n .\n more\n");
        assertThat(ps).hasSize(2);
        assertThat(ps.get(0).firstLine()).isEqualTo(2);
        assertThat(ps.get(0).get("build-depends")).hasValue("debhelper-compat (= 13),\n dh-dkms");
        assertThat(ps.get(0).folded("Build-Depends")).hasValue("debhelper-compat (= 13), dh-dkms");
        assertThat(ps.get(1).firstLine()).isEqualTo(7);
        assertThat(ps.get(1).get("Description")).hasValue("hi\n long text\n .\n more");
        assertThat(ps.get(1).get("Depends")).isEmpty();
        assertThat(ps.get(1).fields().keySet()).containsExactly("Package", "Description");
    }

    @Test
    void refusesWhatIsNotDeb822NamingTheLine() {
        assertThatThrownBy(() -> Deb822.parse(" starts with a continuation\n")).isInstanceOf(Deb822.SyntaxException.class)
                .hasMessageContaining("line 1");
        assertThatThrownBy(() -> Deb822.parse("Package: a\nno colon here\n")).isInstanceOf(Deb822.SyntaxException.class)
                .hasMessageContaining("line 2");
        assertThatThrownBy(() -> Deb822.parse("Package: a\npackage: b\n")).isInstanceOf(Deb822.SyntaxException.class)
                .hasMessageContaining("repeats the field package");
    }
}

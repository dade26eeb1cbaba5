package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A module tree with a UTF-8 file name, read by dkms-deb in the C locale (where Java cannot
 * turn that name into text): source and bmdeb give the same clear error, exit 3, before any
 * kernel is looked at, and write nothing.
 */
@Tag("cli")
class TreeFileNamesTest {
    /** A kernel that no machine has: bmdeb must stop at the tree, before looking for its headers (exit 4). */
    private static final String NO_SUCH_KERNEL = "6.1.0-99-amd64";

    @TempDir
    Path work;

    private Path treeWithUtf8Name() throws IOException {
        Path tree = ModuleTrees.write(work.resolve("accent"), "accent", ModuleTrees.GOOD_C, ModuleTrees.conf("accent", "1.0"));
        // the name is made by the shell from its bytes: this JVM's own locale may not be UTF-8
        Cmd.ok("sh", "-c", "printf 'x\\n' > \"$1/$(printf 'caf\\303\\251.txt')\"", "sh", tree.toString());
        try (Stream<Path> s = Files.list(tree)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("caf")).toList()).hasSize(1);
        }
        return tree;
    }

    private static void assertCLocaleNameError(Cmd.Result r) {
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).startsWith("dkms-deb: error: the file name ").contains("accent/caf")
                .contains("is not valid UTF-8 in this locale (run with LC_ALL=C.UTF-8)").contains("rename it or remove it from the tree")
                .doesNotContain("Exception").doesNotContain("\tat ");
    }

    private static void assertEmpty(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.toList()).as("output directory after a failed run").isEmpty();
        }
    }

    @Test
    void bmdebSaysWhatSourceSays() throws IOException {
        Path tree = treeWithUtf8Name();
        Path out = Files.createDirectories(work.resolve("out"));
        Map<String, String> cLocale = Map.of("LC_ALL", "C");
        List<String> common = List.of("-o", out.toString(), "--maintainer", SourceCommandTest.MAINTAINER);

        Cmd.Result source = Cmd.dkmsDeb(null, cLocale, Stream.concat(Stream.of("source", tree.toString()), common.stream()).toArray(String[]::new));
        assertCLocaleNameError(source);
        Cmd.Result bmdeb = Cmd.dkmsDeb(null, cLocale, Stream.concat(Stream.of("bmdeb", tree.toString(), "-k", NO_SUCH_KERNEL,
                "--log-dir", work.resolve("logs").toString()), common.stream()).toArray(String[]::new));
        assertCLocaleNameError(bmdeb);
        assertEmpty(out);
    }
}

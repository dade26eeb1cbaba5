package io.dkmsdeb;

import io.dkmsdeb.cli.Main;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README.md and docs/*.md: every relative link reaches a file (and its #anchor a heading there), README stays a
 * short page for users, the test command .ci/run calls is the one README gives, and every option a command line in
 * the documents uses exists.
 */
@Tag("unit")
class DocsTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    private static final Pattern INLINE_LINK = Pattern.compile("\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern REFERENCE_LINK = Pattern.compile("(?m)^ {0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s.*)?$");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");

    static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> s = Files.list(ROOT.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    /** The lines outside fenced code blocks (those inside are blank): what Markdown renders as text and headings. */
    static List<String> outsideCode(Path doc) throws IOException {
        List<String> out = new ArrayList<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(doc, StandardCharsets.UTF_8)) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                out.add("");
                continue;
            }
            out.add(fenced ? "" : line);
        }
        return out;
    }

    /** The text outside fenced code blocks with inline code spans blanked: where a link is a link. */
    static List<String> prose(Path doc) throws IOException {
        return outsideCode(doc).stream().map(l -> l.replaceAll("`[^`]*`", "``")).toList();
    }

    /** The lines inside fenced code blocks. */
    static List<String> code(Path doc) throws IOException {
        List<String> out = new ArrayList<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(doc, StandardCharsets.UTF_8)) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
            } else if (fenced) {
                out.add(line);
            }
        }
        return out;
    }

    /** GitHub's anchors of a document's headings: lower case, punctuation dropped, spaces to '-', repeats numbered. */
    static Set<String> anchors(Path doc) throws IOException {
        Set<String> anchors = new HashSet<>();
        for (String line : outsideCode(doc)) {
            Matcher m = HEADING.matcher(line);
            if (m.matches()) {
                String text = m.group(2).replace("`", "");
                String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
                String unique = slug;
                for (int n = 1; !anchors.add(unique); n++) {
                    unique = slug + "-" + n;
                }
            }
        }
        return anchors;
    }

    /** Relative links of a document, as written. */
    static List<String> links(Path doc) throws IOException {
        String text = String.join("\n", prose(doc));
        List<String> links = new ArrayList<>();
        for (Pattern p : List.of(INLINE_LINK, REFERENCE_LINK)) {
            Matcher m = p.matcher(text);
            while (m.find()) {
                String target = m.group(1);
                if (!target.matches("(?i)[a-z][a-z0-9+.-]*:.*")) {
                    links.add(target);
                }
            }
        }
        return links;
    }

    @Test
    void everyRelativeLinkReachesAFileAndItsHeading() throws IOException {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path doc : documents()) {
            for (String link : links(doc)) {
                checked++;
                int hash = link.indexOf('#');
                String file = hash < 0 ? link : link.substring(0, hash);
                Path target = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
                String where = ROOT.relativize(doc) + ": " + link;
                if (!target.startsWith(ROOT) || !Files.exists(target)) {
                    broken.add(where + " (no such file)");
                } else if (hash >= 0 && target.toString().endsWith(".md") && !anchors(target).contains(link.substring(hash + 1))) {
                    broken.add(where + " (no such heading; there are " + anchors(target) + ")");
                }
            }
        }
        assertThat(broken).isEmpty();
        assertThat(checked).as("links checked").isGreaterThan(10);
    }

    @Test
    void theLinkCheckerSeesWhatMarkdownRenders() throws IOException {
        Path doc = Files.createTempFile("docs-test", ".md");
        try {
            Files.writeString(doc, "# A title: with `code`\n\nSee [a](x.md#b), [c][d] and `[e](not-a-link.md)`.\n\n"
                    + "```\n[f](in-code.md)\n# not a heading\n```\n\n## A title: with `code`\n\n[d]: y.md\n[w]: https://example.org/\n");
            assertThat(links(doc)).containsExactly("x.md#b", "y.md");
            assertThat(anchors(doc)).containsExactlyInAnyOrder("a-title-with-code", "a-title-with-code-1");
        } finally {
            Files.delete(doc);
        }
    }

    @Test
    void readmeIsShort() throws IOException {
        assertThat(Files.readAllLines(ROOT.resolve("README.md"), StandardCharsets.UTF_8).size()).as("README.md lines").isLessThan(180);
    }

    /** README's quick start runs the tests with .ci/run, and says what test command that is: the one .ci/run runs. */
    @Test
    void ciRunsTheTestCommandReadmeGives() throws IOException {
        String command = "mvn -B verify";
        List<String> quickStart = code(ROOT.resolve("README.md"));
        assertThat(quickStart).anyMatch(l -> l.startsWith(".ci/run ") && l.endsWith("runs " + command));
        assertThat(Files.readString(ROOT.resolve("README.md"))).contains("The test command is `" + command + "`");
        assertThat(Files.readAllLines(ROOT.resolve(".ci/run"), StandardCharsets.UTF_8)).contains(command);
    }

    /** A command line in a code block of the documents uses only options its command has: no option text that drifted. */
    @Test
    void commandLinesInTheDocumentsUseRealOptions() throws IOException {
        CommandLine cli = Main.commandLine();
        Pattern line = Pattern.compile("(?:^|[;&|(]\\s*)(?:\\./)?dkms-deb\\s+([a-z-]+)((?:\\s+(?:'[^']*'|\"[^\"]*\"|[^\\s|;&#)]+))*)");
        List<String> wrong = new ArrayList<>();
        int seen = 0;
        for (Path doc : documents()) {
            for (String l : code(doc)) {
                Matcher m = line.matcher(l);
                while (m.find()) {
                    CommandLine sub = cli.getSubcommands().get(m.group(1));
                    if (sub == null) {
                        if (!m.group(1).startsWith("-")) {
                            wrong.add(ROOT.relativize(doc) + ": no command " + m.group(1) + " in: " + l.strip());
                        }
                        continue;
                    }
                    seen++;
                    Matcher o = Pattern.compile("(?<=\\s)(--?[a-zA-Z][a-zA-Z0-9-]*)").matcher(m.group(2));
                    while (o.find()) {
                        if (sub.getCommandSpec().findOption(o.group(1)) == null) {
                            wrong.add(ROOT.relativize(doc) + ": " + m.group(1) + " has no option " + o.group(1) + ": " + l.strip());
                        }
                    }
                }
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(seen).as("command lines checked").isGreaterThan(5);
    }
}

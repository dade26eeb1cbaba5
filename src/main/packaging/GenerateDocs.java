import io.dkmsdeb.cli.Main;
import io.dkmsdeb.cli.ManSections;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Build-time generator of the files that the dkms-deb .deb ships besides the jar, all from the
 * picocli model of {@link Main}, so they cannot drift from the code:
 * <ul>
 *   <li>{@code man/dkms-deb.1.gz} and {@code man/dkms-deb-COMMAND.1.gz}, one per subcommand (troff, written here:
 *       no asciidoctor needed), with the ENVIRONMENT, FILES and EXAMPLES sections of {@link ManSections};</li>
 *   <li>{@code bash-completion/dkms-deb} (picocli's {@link AutoComplete});</li>
 *   <li>{@code doc/changelog.gz} from {@code src/main/packaging/changelog} with the version filled in.</li>
 * </ul>
 * Run by exec-maven-plugin in prepare-package as a single-file source program:
 * {@code java -cp CLASSPATH src/main/packaging/GenerateDocs.java OUTDIR VERSION DATE}.
 * Output is reproducible: gzip headers carry no time or name, DATE comes from the build's outputTimestamp.
 */
public final class GenerateDocs {
    private GenerateDocs() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: GenerateDocs OUTDIR VERSION DATE(yyyy-mm-dd...)");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        String version = args[1].replace("-SNAPSHOT", "~SNAPSHOT");
        String date = args[2].length() >= 10 ? args[2].substring(0, 10) : args[2];
        CommandLine root = Main.commandLine();

        Path man = Files.createDirectories(out.resolve("man"));
        List<CommandSpec> pages = new ArrayList<>();
        pages.add(root.getCommandSpec());
        for (CommandLine sub : root.getSubcommands().values()) {
            // 'help COMMAND' prints what COMMAND's own page says: no page of its own
            if (!sub.getCommandSpec().usageMessage().hidden() && !sub.getCommandSpec().helpCommand()
                    && !pages.contains(sub.getCommandSpec())) {
                pages.add(sub.getCommandSpec());
            }
        }
        for (CommandSpec spec : pages) {
            String page = manPage(spec, root.getCommandSpec(), pages, version, date);
            gzip(page.getBytes(StandardCharsets.UTF_8), man.resolve(pageName(spec) + ".1.gz"));
        }

        Path completion = Files.createDirectories(out.resolve("bash-completion"));
        String script = AutoComplete.bash("dkms-deb", root);
        // a completion file is sourced, not run: no #! line (lintian, bash-completion's own files)
        script = script.replaceFirst("\\A#![^\n]*\n", "");
        Files.writeString(completion.resolve("dkms-deb"), script);

        Path doc = Files.createDirectories(out.resolve("doc"));
        String changelog = Files.readString(Path.of("src/main/packaging/changelog")).replace("@VERSION@", version);
        gzip(changelog.getBytes(StandardCharsets.UTF_8), doc.resolve("changelog.gz"));
        System.out.println("GenerateDocs: " + pages.size() + " man pages, bash completion, changelog in " + out);
    }

    static String pageName(CommandSpec spec) {
        return spec.qualifiedName("-");
    }

    static String manPage(CommandSpec spec, CommandSpec root, List<CommandSpec> pages, String version, String date) {
        StringBuilder m = new StringBuilder();
        String name = pageName(spec);
        m.append(".\\\" Generated from the picocli model of dkms-deb by src/main/packaging/GenerateDocs.java; do not edit.\n");
        m.append(".TH ").append(quote(name.toUpperCase(java.util.Locale.ROOT))).append(" 1 ").append(quote(date)).append(' ')
                .append(quote("dkms-deb " + version)).append(' ').append(quote("User Commands")).append('\n');

        m.append(".SH NAME\n").append(esc(name)).append(" \\- ").append(esc(whatis(spec))).append('\n');

        m.append(".SH SYNOPSIS\n.nh\n.ad l\n");
        m.append(synopsis(spec)).append('\n');
        m.append(".ad\n.hy\n");

        m.append(".SH DESCRIPTION\n");
        paragraphs(m, lines(spec.usageMessage().description()), ".PP");

        if (spec == root) {
            m.append(".SH COMMANDS\n");
            for (CommandSpec sub : pages) {
                if (sub != root) {
                    m.append(".TP\n\\fB").append(esc(sub.name())).append("\\fR\n").append(esc(whatis(sub)))
                            .append(". See \\fB").append(esc(pageName(sub))).append("\\fR(1).\n");
                }
            }
        }

        List<PositionalParamSpec> params = spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
        if (!params.isEmpty()) {
            m.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : params) {
                m.append(".TP\n\\fI").append(esc(p.paramLabel())).append("\\fR\n");
                paragraphs(m, lines(rendered(p)), ".IP");
            }
        }
        List<OptionSpec> options = spec.options().stream().filter(o -> !o.hidden()).toList();
        if (!options.isEmpty()) {
            m.append(".SH OPTIONS\n");
            for (OptionSpec o : options) {
                m.append(".TP\n");
                List<String> names = new ArrayList<>();
                for (String n : o.names()) {
                    names.add("\\fB" + esc(n) + "\\fR");
                }
                m.append(String.join(", ", names));
                if (o.arity().max() > 0) {
                    m.append(' ').append("\\fI").append(esc(o.paramLabel())).append("\\fR");
                }
                m.append('\n');
                paragraphs(m, lines(rendered(o)), ".IP");
            }
        }

        List<String> footer = lines(spec.usageMessage().footer());
        while (!footer.isEmpty() && footer.get(0).isBlank()) {
            footer.remove(0);
        }
        if (!footer.isEmpty()) {
            m.append(footer.get(0).startsWith("Exit codes") ? ".SH \"EXIT STATUS\"\n" : ".SH NOTES\n");
            paragraphs(m, footer, ".PP");
        }

        String key = spec == root ? "" : spec.name();
        definitions(m, "ENVIRONMENT", ManSections.ENVIRONMENT.getOrDefault(key, List.of()), "\\fB", "\\fR");
        definitions(m, "FILES", ManSections.FILES.getOrDefault(key, List.of()), "\\fI", "\\fR");
        List<ManSections.Item> examples = ManSections.EXAMPLES.getOrDefault(key, List.of());
        if (!examples.isEmpty()) {
            m.append(".SH EXAMPLES\n");
            for (ManSections.Item e : examples) {
                m.append(".PP\n").append(esc(e.text())).append('\n');
                m.append(".PP\n.RS 4\n.nf\n").append(esc(e.term())).append("\n.fi\n.RE\n");
            }
        }

        m.append(".SH \"SEE ALSO\"\n");
        List<String> see = new ArrayList<>();
        for (CommandSpec other : pages) {
            if (other != spec) {
                see.add("\\fB" + esc(pageName(other)) + "\\fR(1)");
            }
        }
        see.add("\\fBdkms\\fR(8)");
        see.add("\\fBdpkg\\-deb\\fR(1)");
        m.append(String.join(",\n", see)).append('\n');
        return m.toString();
    }

    /** A section of terms (.TP), each with its text: ENVIRONMENT, FILES. */
    static void definitions(StringBuilder m, String heading, List<ManSections.Item> items, String on, String off) {
        if (items.isEmpty()) {
            return;
        }
        m.append(".SH ").append(heading).append('\n');
        for (ManSections.Item i : items) {
            m.append(".TP\n").append(on).append(esc(i.term())).append(off).append('\n').append(esc(i.text())).append('\n');
        }
    }

    /** The one-line summary for NAME: the first sentence of the description, up to a colon or full stop. */
    static String whatis(CommandSpec spec) {
        List<String> d = lines(spec.usageMessage().description());
        StringBuilder first = new StringBuilder();
        for (String line : d) {
            if (line.isBlank() || (first.length() > 0 && Character.isWhitespace(line.charAt(0)))) {
                break;
            }
            first.append(first.length() == 0 ? "" : " ").append(line.strip());
        }
        String s = first.toString().replace("${ROOT-COMMAND-NAME:-the root command of this command}", "dkms-deb");
        int cut = s.length();
        for (String end : new String[] {": ", ". ", ":"}) {
            int i = s.indexOf(end);
            if (i > 0 && i < cut) {
                cut = i;
            }
        }
        s = s.substring(0, cut).replaceAll("[.:]$", "");
        return s.isEmpty() ? spec.name() : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    /** An option's description with picocli's ${DEFAULT-VALUE} and ${COMPLETION-CANDIDATES} filled in. */
    static String[] rendered(ArgSpec a) {
        String[] d = a.description() == null ? new String[0] : a.description().clone();
        List<String> candidates = new ArrayList<>();
        if (a.completionCandidates() != null) {
            a.completionCandidates().forEach(candidates::add);
        }
        for (int i = 0; i < d.length; i++) {
            d[i] = d[i].replace("${DEFAULT-VALUE}", String.valueOf(a.defaultValueString()))
                    .replace("${COMPLETION-CANDIDATES}", String.join(", ", candidates));
        }
        return d;
    }

    /**
     * picocli's synopsis on one line, for man to fill: the command name in bold, spaces inside brackets made
     * unbreakable so that an option and its value stay on one line; a line may break before a group's '|'.
     */
    static String synopsis(CommandSpec spec) {
        int width = spec.usageMessage().width();
        spec.usageMessage().width(10_000);
        String line;
        try {
            line = new CommandLine.Help(spec, CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF)).synopsis(0).strip();
        } finally {
            spec.usageMessage().width(width);
        }
        String name = spec.qualifiedName();
        String rest = line.startsWith(name) ? line.substring(name.length()).strip() : line;
        StringBuilder out = new StringBuilder("\\fB").append(esc(name)).append("\\fR");
        StringBuilder word = new StringBuilder();
        int depth = 0;
        for (char c : (rest + " ").toCharArray()) {
            if (c == '[' || c == '(') {
                depth++;
            } else if ((c == ']' || c == ')') && depth > 0) {
                depth--;
            }
            if (c == ' ' && depth == 0) {
                if (word.length() > 0) {
                    // an alternative of a group may start a new line (the kernels of bmdeb do not fit on one)
                    out.append('\n').append(esc(word.toString()).replace(" ", "\\ ").replace("\\ |\\ ", " | "));
                    word.setLength(0);
                }
            } else {
                word.append(c);
            }
        }
        return out.toString();
    }

    /** Description lines as picocli prints them: %n splits lines, variables of picocli filled in. */
    static List<String> lines(String[] text) {
        List<String> out = new ArrayList<>();
        for (String t : text == null ? new String[0] : text) {
            t = t.replace("${ROOT-COMMAND-NAME:-the root command of this command}", "dkms-deb").replace("%%", "\u0000");
            out.addAll(Arrays.asList(t.split("%n", -1)));
        }
        out.replaceAll(s -> s.replace('\u0000', '%'));
        return out;
    }

    /**
     * Blank lines separate paragraphs; a paragraph with indented lines keeps its line breaks (lists, commands to
     * type), others are filled by man.
     */
    static void paragraphs(StringBuilder m, List<String> lines, String separator) {
        List<List<String>> paras = new ArrayList<>();
        List<String> cur = new ArrayList<>();
        for (String l : lines) {
            if (l.isBlank()) {
                if (!cur.isEmpty()) {
                    paras.add(cur);
                    cur = new ArrayList<>();
                }
            } else {
                cur.add(l.stripTrailing());
            }
        }
        if (!cur.isEmpty()) {
            paras.add(cur);
        }
        boolean first = true;
        for (List<String> p : paras) {
            if (!first) {
                m.append(separator).append('\n');
            }
            first = false;
            boolean keepBreaks = p.stream().skip(1).anyMatch(l -> Character.isWhitespace(l.charAt(0)));
            if (keepBreaks) {
                for (int i = 0; i < p.size(); i++) {
                    if (i > 0) {
                        m.append(".br\n");
                    }
                    String l = p.get(i);
                    int indent = l.length() - l.stripLeading().length();
                    m.append("\\ ".repeat(indent)).append(esc(l.stripLeading())).append('\n');
                }
            } else {
                for (String l : p) {
                    m.append(esc(l.strip())).append('\n');
                }
            }
        }
    }

    /** troff text: backslash, minus signs, and a leading dot or quote that would start a request. */
    static String esc(String s) {
        String e = s.replace("\\", "\\e").replace("-", "\\-");
        if (e.startsWith(".") || e.startsWith("'")) {
            e = "\\&" + e;
        }
        return e;
    }

    static String quote(String s) {
        return "\"" + esc(s).replace("\"", "\\(dq") + "\"";
    }

    /** gzip -9n: no name, no time stamp, so the same input gives the same bytes. */
    static void gzip(byte[] data, Path target) throws IOException {
        Files.write(target, io.dkmsdeb.deb.Gzip.compress(data));
    }
}

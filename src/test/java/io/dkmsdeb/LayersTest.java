package io.dkmsdeb;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layer order of the code (docs/CONTRIBUTING.md, Layout): each package of {@code src/main/java} may use
 * only the packages listed for it here, by import or by a fully qualified name. A wrong import
 * fails the build, naming the file and the import.
 */
@Tag("unit")
class LayersTest {
    /** The layers under the use cases of pipeline. */
    /** The model: its shared floor (the exceptions, exit codes, name rules) and the values of dkms, of packages, of kernels. */
    private static final Set<String> MODEL = Set.of("model", "model.dkms", "model.deb", "model.kernel");
    private static final Set<String> BELOW_PIPELINE = with(MODEL, "debiandir", "dkmsconf", "kernel", "templates", "deb", "process",
            "support");

    /**
     * Package to the packages it may use. The order is cli, the use cases of pipeline (bmdeb, source with
     * its debian/ route, repo, inspect: none uses another), pipeline's shared floor, the middle layers, then
     * model and support.
     */
    static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("cli", with(MODEL, "cli.json", "pipeline", "pipeline.bmdeb", "pipeline.source", "pipeline.repo", "pipeline.inspect",
                    "support")),
            Map.entry("cli.json", with(MODEL, "pipeline", "pipeline.bmdeb", "pipeline.source", "pipeline.repo", "pipeline.inspect",
                    "support")),
            Map.entry("pipeline.bmdeb", with(BELOW_PIPELINE, "pipeline")),
            Map.entry("pipeline.source", with(BELOW_PIPELINE, "pipeline", "pipeline.source.debian")),
            Map.entry("pipeline.source.debian", with(BELOW_PIPELINE, "pipeline")),
            Map.entry("pipeline.repo", with(BELOW_PIPELINE, "pipeline")),
            Map.entry("pipeline.inspect", with(BELOW_PIPELINE, "pipeline")),
            Map.entry("pipeline", BELOW_PIPELINE),
            Map.entry("debiandir", with(MODEL, "deb", "support")),
            Map.entry("dkmsconf", with(MODEL, "process", "support")),
            Map.entry("kernel", with(MODEL, "deb", "process", "support")),
            Map.entry("templates", with(MODEL, "support")),
            Map.entry("deb", with(MODEL, "process", "support")),
            Map.entry("process", with(MODEL, "support")),
            Map.entry("model.kernel", Set.of("model", "model.dkms", "model.deb")),
            Map.entry("model.dkms", Set.of("model")),
            Map.entry("model.deb", Set.of("model")),
            Map.entry("model", Set.of()),
            Map.entry("support", Set.of()));

    private static Set<String> with(Set<String> base, String... more) {
        Set<String> all = new TreeSet<>(base);
        all.addAll(List.of(more));
        return Set.copyOf(all);
    }

    private static final Path MAIN = Path.of("src/main/java/io/dkmsdeb");
    /** A use of a dkms-deb class: its package, relative to io.dkmsdeb (the lower-case segments before the class's name). */
    private static final Pattern USE = Pattern.compile("\\bio\\.dkmsdeb\\.((?:[a-z0-9_]+\\.)*[a-z0-9_]+)\\.[A-Z*]");

    /** The uses of other dkms-deb packages in {@code source}, a file of package {@code layer}, that the table forbids. */
    static List<String> violations(String layer, String file, String source) {
        List<String> out = new ArrayList<>();
        Set<String> allowed = ALLOWED.get(layer);
        if (allowed == null) {
            out.add(file + ": package io.dkmsdeb." + layer + " is not in the layer table of LayersTest and docs/CONTRIBUTING.md");
            return out;
        }
        String[] lines = source.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("package ")) {
                continue;
            }
            Matcher m = USE.matcher(lines[i]);
            while (m.find()) {
                String used = m.group(1);
                if (!used.equals(layer) && !allowed.contains(used)) {
                    out.add(file + ":" + (i + 1) + ": " + layer + " may not use " + used + ": " + lines[i].strip());
                }
            }
        }
        return out;
    }

    @Test
    void everyPackageUsesOnlyTheLayersBelowIt() throws IOException {
        List<String> wrong = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                Path rel = MAIN.relativize(f);
                String layer = rel.getNameCount() > 1 ? rel.getParent().toString().replace('/', '.') : "";
                seen.add(layer);
                wrong.addAll(violations(layer, f.toString(), Files.readString(f, StandardCharsets.UTF_8)));
            }
        }
        assertThat(seen).as("packages found").contains("cli", "pipeline", "model");
        assertThat(wrong).as("imports across the layer order").isEmpty();
    }

    @Test
    void aWrongImportOrQualifiedNameIsFound() {
        String source = "package io.dkmsdeb.model;\n\nimport io.dkmsdeb.deb.DebWriter;\nimport java.util.List;\n\n"
                + "class X {\n    Object o = io.dkmsdeb.cli.Main.class;\n    Object ok = io.dkmsdeb.model.ExitCode.class;\n}\n";
        assertThat(violations("model", "X.java", source)).containsExactly(
                "X.java:3: model may not use deb: import io.dkmsdeb.deb.DebWriter;",
                "X.java:7: model may not use cli: Object o = io.dkmsdeb.cli.Main.class;");
        assertThat(violations("pipeline", "Y.java", "import io.dkmsdeb.cli.Main;\n")).hasSize(1);
        assertThat(violations("kernel", "Z.java", "import io.dkmsdeb.deb.Gzip;\nimport io.dkmsdeb.process.ProcessRunner;\n")).isEmpty();
        assertThat(violations("newlayer", "N.java", "")).singleElement().asString().contains("not in the layer table");
        assertThat(violations("model.dkms", "D.java", "import io.dkmsdeb.model.kernel.KernelTarget;\nimport io.dkmsdeb.model.UsageException;\n"))
                .singleElement().asString().contains("model.dkms may not use model.kernel");
        assertThat(violations("pipeline.bmdeb", "B.java", "import io.dkmsdeb.pipeline.repo.RepoJob;\nimport io.dkmsdeb.pipeline.OutputDir;\n"))
                .singleElement().asString().contains("pipeline.bmdeb may not use pipeline.repo");
    }

    /**
     * Inside pipeline and its use cases, no file refers to a file that refers back to it (comments aside): a
     * use case reads as plan, then run, then outcome, each file knowing only the ones after it.
     */
    @Test
    void noTwoFilesOfPipelineReferToEachOther() throws IOException {
        Map<String, String> code = new java.util.TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN.resolve("pipeline"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                code.put(f.getFileName().toString().replace(".java", ""), withoutComments(Files.readString(f, StandardCharsets.UTF_8)));
            }
        }
        assertThat(code).as("files of pipeline").hasSizeGreaterThan(20);
        assertThat(mutual(code)).as("pairs of pipeline files that refer to each other").isEmpty();
    }

    @Test
    void aPairThatRefersToEachOtherIsFound() {
        Map<String, String> code = Map.of("Job", "class Job { Plan p; }", "Plan", "record Plan(Job.Request r) {}",
                "Run", "class Run { Plan p; /* Job */ }");
        assertThat(mutual(Map.of("Job", "class Job { Plan p; }", "Plan", "record Plan(Job.Request r) {}")))
                .containsExactly("Job <-> Plan");
        assertThat(mutual(Map.of("Run", "class Run { Plan p; }", "Plan", withoutComments("record Plan() { /** {@link Run} */ }"))))
                .isEmpty();
        assertThat(code).hasSize(3);
    }

    /** "A <-> B" for each pair of the named sources where each names the other. */
    static List<String> mutual(Map<String, String> code) {
        List<String> pairs = new ArrayList<>();
        List<String> names = new ArrayList<>(new TreeSet<>(code.keySet()));
        for (int i = 0; i < names.size(); i++) {
            for (int j = i + 1; j < names.size(); j++) {
                String a = names.get(i);
                String b = names.get(j);
                if (names(code.get(a), b) && names(code.get(b), a)) {
                    pairs.add(a + " <-> " + b);
                }
            }
        }
        return pairs;
    }

    private static boolean names(String source, String type) {
        return Pattern.compile("(?<![\\w.])" + type + "\\b").matcher(source).find()
                || Pattern.compile("\\." + type + "\\b").matcher(source).find();
    }

    static String withoutComments(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
    }
}

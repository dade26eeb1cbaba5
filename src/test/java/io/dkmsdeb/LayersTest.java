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
 * The layer order of the code (README, Layout): each package of {@code src/main/java} may use
 * only the packages listed for it here, by import or by a fully qualified name. A wrong import
 * fails the build, naming the file and the import.
 */
@Tag("unit")
class LayersTest {
    /** Package to the packages it may use. The order is cli, pipeline, the middle layers, then model and support. */
    static final Map<String, Set<String>> ALLOWED = Map.of(
            "cli", Set.of("pipeline", "model", "support"),
            "pipeline", Set.of("debiandir", "dkmsconf", "kernel", "templates", "deb", "process", "model", "support"),
            "debiandir", Set.of("deb", "model", "support"),
            "dkmsconf", Set.of("process", "model", "support"),
            "kernel", Set.of("deb", "process", "model", "support"),
            "templates", Set.of("model", "support"),
            "deb", Set.of("process", "model", "support"),
            "process", Set.of("model", "support"),
            "model", Set.of(),
            "support", Set.of());

    private static final Path MAIN = Path.of("src/main/java/io/dkmsdeb");
    private static final Pattern USE = Pattern.compile("\\bio\\.dkmsdeb\\.([a-z0-9_]+)\\.");

    /** The uses of other dkms-deb packages in {@code source}, a file of package {@code layer}, that the table forbids. */
    static List<String> violations(String layer, String file, String source) {
        List<String> out = new ArrayList<>();
        Set<String> allowed = ALLOWED.get(layer);
        if (allowed == null) {
            out.add(file + ": package io.dkmsdeb." + layer + " is not in the layer table of LayersTest and README");
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
                String layer = rel.getNameCount() > 1 ? rel.getName(0).toString() : "";
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
                + "class X {\n    Object o = io.dkmsdeb.cli.Main.class;\n    Object ok = io.dkmsdeb.model.DebEntry.class;\n}\n";
        assertThat(violations("model", "X.java", source)).containsExactly(
                "X.java:3: model may not use deb: import io.dkmsdeb.deb.DebWriter;",
                "X.java:7: model may not use cli: Object o = io.dkmsdeb.cli.Main.class;");
        assertThat(violations("pipeline", "Y.java", "import io.dkmsdeb.cli.Main;\n")).hasSize(1);
        assertThat(violations("kernel", "Z.java", "import io.dkmsdeb.deb.Gzip;\nimport io.dkmsdeb.process.ProcessRunner;\n")).isEmpty();
        assertThat(violations("newlayer", "N.java", "")).singleElement().asString().contains("not in the layer table");
    }
}

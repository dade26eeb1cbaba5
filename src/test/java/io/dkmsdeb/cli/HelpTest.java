package io.dkmsdeb.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --help} of every command at 80 columns: no line longer, each description element a
 * paragraph for picocli to wrap (no hand-made line breaks that cut sentences), and each
 * subcommand's first description element, which {@code dkms-deb --help} lists as its summary,
 * a complete sentence. Only the top level has {@code --version}.
 */
@Tag("unit")
class HelpTest {
    private static List<CommandLine> everyCommand() {
        CommandLine root = Main.commandLine();
        List<CommandLine> all = new ArrayList<>();
        all.add(root);
        all.addAll(root.getSubcommands().values());
        return all;
    }

    @Test
    void everyUsageMessageFitsIn80Columns() {
        for (CommandLine cmd : everyCommand()) {
            cmd.setUsageHelpWidth(80);
            String usage = cmd.getUsageMessage(CommandLine.Help.Ansi.OFF);
            assertThat(usage.lines().filter(l -> l.length() > 80).toList()).as(cmd.getCommandName() + " --help:\n" + usage).isEmpty();
        }
    }

    @Test
    void subcommandSummariesAreCompleteSentences() {
        for (CommandLine sub : Main.commandLine().getSubcommands().values()) {
            String[] description = sub.getCommandSpec().usageMessage().description();
            assertThat(description).as(sub.getCommandName()).isNotEmpty();
            assertThat(description[0]).as(sub.getCommandName() + " summary").endsWith(".").doesNotContain("%n")
                    .matches("[A-Z].*");
            assertThat(description[0].length()).as(sub.getCommandName() + " summary length").isLessThanOrEqualTo(80);
        }
        String rootHelp = Main.commandLine().getUsageMessage(CommandLine.Help.Ansi.OFF);
        assertThat(rootHelp).contains("Package a module source tree as NAME-dkms for dkms to")
                .contains("Compile a module for given kernels and package it for");
    }

    @Test
    void descriptionsArePicocliWrappedParagraphs() {
        for (CommandLine cmd : everyCommand()) {
            CommandSpec spec = cmd.getCommandSpec();
            List<String> texts = new ArrayList<>(List.of(spec.usageMessage().description()));
            texts.addAll(List.of(spec.usageMessage().footer()));
            spec.options().forEach(o -> texts.addAll(List.of(o.description())));
            spec.positionalParameters().forEach(p -> texts.addAll(List.of(p.description())));
            for (String t : texts) {
                // a paragraph ends with a full stop (or a colon before a command), or is blank, or is a command to type (indented)
                assertThat(t.isEmpty() || t.startsWith("  ") || t.endsWith(".") || t.endsWith(":")).as(cmd.getCommandName() + ": '" + t + "'").isTrue();
            }
        }
    }

    @Test
    void onlyTheTopLevelHasVersion() {
        CommandLine root = Main.commandLine();
        assertThat(root.getCommandSpec().findOption("--version")).isNotNull();
        for (CommandLine sub : root.getSubcommands().values()) {
            assertThat(sub.getCommandSpec().findOption("--version")).as(sub.getCommandName()).isNull();
            assertThat(sub.getCommandSpec().findOption("--help")).as(sub.getCommandName()).isNotNull();
        }
        CommandSpec bmdeb = root.getSubcommands().get("bmdeb").getCommandSpec();
        assertThat(bmdeb.findOption("-V").longestName()).isEqualTo("--module-version");
        assertThat(root.getSubcommands().get("source").getCommandSpec().findOption("-V").longestName()).isEqualTo("--module-version");
    }
}

package io.dkmsdeb.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a new user meets first: {@code dkms-deb} alone names every command, and
 * {@code dkms-deb help COMMAND} prints that command's usage and exits 0, as {@code dkms-deb COMMAND --help} does.
 */
@Tag("unit")
class TopLevelTest {
    /** The visible commands, from the model: a command added later is expected in the same places. */
    private static List<String> commands() {
        return Main.commandLine().getSubcommands().entrySet().stream()
                .filter(e -> !e.getValue().getCommandSpec().usageMessage().hidden()).map(java.util.Map.Entry::getKey).toList();
    }

    /** Exit code, standard output and standard error of {@code dkms-deb ARGS}, run in this process. */
    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = Main.execute(args);
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theModelHasEveryCommand() {
        assertThat(commands()).contains("source", "bmdeb", "inspect", "kernels", "repo", "verify-repo", "generate-completion", "help");
    }

    @Test
    void noCommandIsAUsageErrorThatNamesEveryCommand() {
        Run r = run();
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        String first = r.err().lines().findFirst().orElse("");
        assertThat(first).startsWith("dkms-deb: error: a command is required");
        for (String c : commands()) {
            assertThat(first).as(c).containsPattern("[ ,]" + java.util.regex.Pattern.quote(c) + "(,|$)");
        }
        assertThat(r.err()).contains("Run 'dkms-deb --help' for usage.");
    }

    @Test
    void helpOfEachCommandIsItsUsage() {
        for (String c : commands()) {
            Run r = run("help", c);
            assertThat(r.exit()).as("dkms-deb help " + c + "\n" + r.err()).isZero();
            assertThat(r.err()).as("dkms-deb help " + c).isEmpty();
            CommandLine cmd = Main.commandLine().getSubcommands().get(c);
            String usage = cmd.getUsageMessage(CommandLine.Help.Ansi.OFF);
            assertThat(r.out()).as("dkms-deb help " + c).startsWith("Usage: dkms-deb " + c).isEqualTo(usage);
        }
    }

    @Test
    void helpAloneIsTheTopLevelUsage() {
        Run r = run("help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("Usage: dkms-deb").isEqualTo(Main.commandLine().getUsageMessage(CommandLine.Help.Ansi.OFF));
        for (String c : commands()) {
            assertThat(r.out()).as(c).containsPattern("(?m)^  " + java.util.regex.Pattern.quote(c) + " ");
        }
    }

    @Test
    void helpOfAnUnknownCommandIsAUsageError() {
        Run r = run("help", "mkbmdeb");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("dkms-deb: error:").contains("mkbmdeb");
    }
}

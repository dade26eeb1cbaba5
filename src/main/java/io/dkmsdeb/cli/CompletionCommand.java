package io.dkmsdeb.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * {@code dkms-deb generate-completion}: the bash/zsh completion script. Replaces picocli's own
 * command of that name, whose {@code -V} would print picocli's version and do nothing else. The
 * script is made from the whole command line, not from the one-subcommand model that
 * {@link Main} builds for this run.
 */
@Command(name = "generate-completion",
        description = {"Print a bash and zsh completion script for dkms-deb.",
            "",
            "To complete dkms-deb's commands and options in the current shell, run:",
            "",
            "  source <(dkms-deb generate-completion)"})
final class CompletionCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() {
        System.out.print(AutoComplete.bash("dkms-deb", Main.commandLine()));
        System.out.flush();
        return 0;
    }
}

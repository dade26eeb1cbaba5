package io.dkmsdeb.cli;

import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.model.Log;
import io.dkmsdeb.model.Version;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.UncheckedIOException;

/** The {@code dkms-deb} command: parses, hands each subcommand to its use case, maps errors to exit codes. */
@Command(name = "dkms-deb",
        mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        description = {
            "Turns an out-of-tree Linux kernel module into Debian packages:",
            "  source  the module's sources as NAME-dkms_VERSION-REV_all.deb, built by dkms on the target;",
            "  bmdeb   the module compiled for given kernels as NAME-modules-KVER_VERSION_ARCH.deb."},
        subcommands = {SourceCommand.class, BmdebCommand.class, InspectCommand.class, AutoComplete.GenerateCompletion.class},
        footer = {"", "Exit codes: 0 done, 2 usage, 3 bad module source or dkms.conf, 4 kernel headers missing,",
            "5 module build failed, 77 kernel excluded by BUILD_EXCLUSIVE_*, 1 anything else."})
public final class Main implements Runnable {
    @Option(names = "--stacktrace", description = "Print the stack trace of an error.", scope = CommandLine.ScopeType.INHERIT)
    boolean stacktrace;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: source, bmdeb or inspect (see --help)");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (tests call this). */
    public static int execute(String... args) {
        Log.to(System.err, false);
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(Main::handle);
        cli.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("dkms-deb: error: " + ex.getMessage().replaceFirst("^Error: ", ""));
            err.println("Run '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            err.flush();
            return 2;
        });
        return cli.execute(args);
    }

    private static int handle(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
        boolean trace = parsed.hasMatchedOption("--stacktrace")
                || parsed.subcommands().stream().anyMatch(s -> s.hasMatchedOption("--stacktrace"));
        PrintWriter err = cmd.getErr();
        if (ex instanceof DkmsDebException d) {
            err.println("dkms-deb: error: " + d.getMessage());
            if (trace) {
                d.printStackTrace(err);
            }
            err.flush();
            return d.exitCode();
        }
        Throwable shown = ex instanceof UncheckedIOException u ? u.getCause() : ex;
        err.println("dkms-deb: error: " + shown.getClass().getSimpleName() + ": " + shown.getMessage()
                + (trace ? "" : " (run again with --stacktrace for details)"));
        if (trace) {
            ex.printStackTrace(err);
        }
        err.flush();
        return DkmsDebException.EXIT_OTHER;
    }

    /** {@code --version}: dkms-deb's version from the jar. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"dkms-deb " + Version.get()};
        }
    }
}

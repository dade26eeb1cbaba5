package io.dkmsdeb.cli;

import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.support.Log;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The {@code dkms-deb} command: parses, hands each subcommand to its use case, maps errors to exit codes. */
@Command(name = "dkms-deb",
        mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        description = {
            "Turn an out-of-tree Linux kernel module into Debian packages.",
            "",
            "'source' packages the module's sources as NAME-dkms_VERSION-REV_all.deb, which dkms builds on the target; "
                    + "'bmdeb' compiles the module for given kernels, one NAME-modules-KVER_VERSION_ARCH.deb each, which "
                    + "needs neither a compiler nor dkms on the target; 'inspect' shows and checks a package. "
                    + "'kernels' lists the kernels the apt archive serves, 'repo' publishes packages as a signed apt repository "
                    + "and 'verify-repo' checks one as a client would. "
                    + "Neither debhelper, dpkg-dev nor fakeroot is needed. 'dkms-deb help COMMAND' (or 'dkms-deb COMMAND --help') "
                    + "describes each command."},
        footer = {"", "Exit codes: 0 done, 2 usage, 3 bad module source or dkms.conf, 4 kernel headers (or the cross compiler) missing, "
                + "5 module build failed, 69 no sandbox for the module's code (see --no-sandbox), 75 repository locked by another publisher, "
                + "77 kernel excluded by BUILD_EXCLUSIVE_*, 130 or 143 stopped by SIGINT or SIGTERM, 1 anything else."})
public final class Main implements Runnable {
    @Option(names = "--stacktrace", description = "Print the stack trace of an error.", scope = CommandLine.ScopeType.INHERIT)
    boolean stacktrace;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** No command given: an error that names every command (from the model, so that none is left out). */
    @Override
    public void run() {
        List<String> names = new ArrayList<>();
        spec.subcommands().forEach((name, sub) -> {
            if (!sub.getCommandSpec().usageMessage().hidden()) {
                names.add(name);
            }
        });
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required, one of: " + String.join(", ", names));
    }

    public static void main(String[] args) {
        useTmpdir(System.getenv("TMPDIR"));
        stopOnSignals();
        int code = execute(args);
        io.dkmsdeb.pipeline.Shutdown.awaitHaltIfStopping();
        System.exit(code);
    }

    /**
     * TMPDIR, when it names a directory, is where every temporary file of the run goes, those Java makes
     * (java.io.tmpdir, /tmp by default whatever TMPDIR says) included: a run and the next one that cleans up
     * after it look in the same place.
     */
    static void useTmpdir(String tmpdir) {
        if (tmpdir != null && tmpdir.startsWith("/") && java.nio.file.Files.isDirectory(java.nio.file.Path.of(tmpdir))) {
            System.setProperty("java.io.tmpdir", tmpdir);
        }
    }

    /**
     * SIGINT (Ctrl-C) and SIGTERM end the run at once, with nothing of it left: every process it
     * started ends (make, gcc, a sandbox with everything in it), its temporary files go, one line says
     * so, and the exit code is 130 or 143 as a shell reports a signal.
     */
    private static void stopOnSignals() {
        for (String name : new String[] {"INT", "TERM"}) {
            int code = name.equals("INT") ? io.dkmsdeb.model.ExitCode.INTERRUPTED : io.dkmsdeb.model.ExitCode.TERMINATED;
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    io.dkmsdeb.pipeline.Shutdown.begin();
                    // the clean-up gets a few seconds; the run ends then whatever it did
                    String[] done = {"the clean-up did not finish in time"};
                    Thread stop = new Thread(() -> done[0] = io.dkmsdeb.pipeline.Shutdown.stopEverything(), "dkms-deb-stop");
                    stop.setDaemon(true);
                    stop.start();
                    try {
                        stop.join(5000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    System.err.println("dkms-deb: stopped by SIG" + name + ": " + done[0]);
                    System.err.flush();
                    Runtime.getRuntime().halt(code);
                });
            } catch (IllegalArgumentException e) {
                // the signal is the JVM's own here (-Xrs): the default action stays
            }
        }
    }

    /** Runs the command line and returns the exit code (tests call this). */
    public static int execute(String... args) {
        Log.to(System.err, false);
        CommandLine cli = commandLine(args);
        cli.setExecutionExceptionHandler(Main::handle);
        cli.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("dkms-deb: error: " + ex.getMessage().replaceFirst("^Error: ", "") + versionHint(ex));
            err.println("Run '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            err.flush();
            return 2;
        });
        return cli.execute(args);
    }

    /**
     * A subcommand's {@code --version} is no option (its {@code -V} is the module version where it
     * has one): say where dkms-deb's version is.
     */
    private static String versionHint(CommandLine.ParameterException ex) {
        boolean sub = ex.getCommandLine().getCommandSpec().parent() != null;
        if (sub && ex instanceof CommandLine.UnmatchedArgumentException u && u.getUnmatched().contains("--version")) {
            return "; dkms-deb's own version is shown by 'dkms-deb --version'";
        }
        return "";
    }

    /** The subcommands, in the order of the help; each one's model is built only when needed. */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> m = new LinkedHashMap<>();
        m.put("source", SourceCommand::new);
        m.put("bmdeb", BmdebCommand::new);
        m.put("inspect", InspectCommand::new);
        m.put("kernels", KernelsCommand::new);
        m.put("repo", RepoCommand::new);
        m.put("verify-repo", VerifyRepoCommand::new);
        m.put("generate-completion", CompletionCommand::new);
        return m;
    }

    /** The whole command line, every subcommand included (help, man pages, completion). */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        SUBCOMMANDS.forEach((name, make) -> cli.addSubcommand(name, make.get()));
        cli.addSubcommand("help", helpCommand());
        return cli;
    }

    /**
     * picocli's {@code help} subcommand: {@code dkms-deb help COMMAND} prints that command's usage, as
     * {@code dkms-deb COMMAND --help} does. Its texts are set here in the style of the other commands.
     */
    private static CommandLine helpCommand() {
        CommandLine help = new CommandLine(new CommandLine.HelpCommand());
        CommandLine.Model.UsageMessageSpec usage = help.getCommandSpec().usageMessage();
        usage.header(new String[0]);
        usage.description("Print the usage of a command, or of dkms-deb when no command is given.");
        usage.synopsisHeading("Usage: ").descriptionHeading("").parameterListHeading("").optionListHeading("");
        return help;
    }

    /**
     * The command line for these arguments. When they name a subcommand (after nothing but
     * top-level options), only that subcommand's model is built: picocli builds a model by
     * reflection, and the others would cost every run a few tens of milliseconds. Anything else
     * (help, a typo, no command) gets the whole command line.
     */
    static CommandLine commandLine(String... args) {
        for (String a : args) {
            Supplier<Object> sub = SUBCOMMANDS.get(a);
            if (sub != null) {
                CommandLine cli = new CommandLine(new Main());
                cli.addSubcommand(a, sub.get());
                return cli;
            }
            if (!a.equals("--stacktrace")) {
                break;
            }
        }
        return commandLine();
    }

    private static int handle(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
        boolean trace = parsed.hasMatchedOption("--stacktrace")
                || parsed.subcommands().stream().anyMatch(s -> s.hasMatchedOption("--stacktrace"));
        PrintWriter err = cmd.getErr();
        if (io.dkmsdeb.pipeline.Shutdown.begun()) {
            // it failed because SIGINT or SIGTERM ended its processes or files: the stop says so, and sets the exit code
            return DkmsDebException.EXIT_OTHER;
        }
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
            return new String[] {Entry.versionLine()};
        }
    }
}

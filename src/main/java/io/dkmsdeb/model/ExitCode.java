package io.dkmsdeb.model;

/** The exit codes of the command-line contract (README.md, "Exit codes"), one name each. */
public final class ExitCode {
    /** Done. */
    public static final int OK = 0;
    /** Anything without a more specific code. */
    public static final int OTHER = 1;
    /** A command line that cannot be carried out as given. */
    public static final int USAGE = 2;
    /** The module source tree, its dkms.conf or its debian/ directory is unusable. */
    public static final int BAD_SOURCE = 3;
    /** The requested kernel's headers are missing. */
    public static final int NO_HEADERS = 4;
    /** Compiling the module failed. */
    public static final int BUILD_FAILED = 5;
    /**
     * The module's build code cannot run in a sandbox here (bubblewrap missing, user namespaces refused);
     * nothing of the module ran (sysexits' EX_UNAVAILABLE). {@code --no-sandbox} builds without one.
     */
    public static final int SANDBOX_UNAVAILABLE = 69;
    /** Another publisher held the repository's lock longer than the wait allowed; nothing was changed (sysexits' EX_TEMPFAIL). */
    public static final int LOCKED = 75;
    /** Ended by SIGINT (Ctrl-C): 128 + 2, as a shell reports it. */
    public static final int INTERRUPTED = 130;
    /** Ended by SIGTERM: 128 + 15. */
    public static final int TERMINATED = 143;
    /** The module's BUILD_EXCLUSIVE_* rules exclude the kernel or architecture (dkms's code). */
    public static final int EXCLUDED = 77;

    private ExitCode() {
    }
}

package io.dkmsdeb.model;

/**
 * The one exception family of dkms-deb. Each subclass stands for one exit code of the contract;
 * the message is written for a person: what went wrong, where, and what to do.
 */
public class DkmsDebException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Exit code for anything that has no more specific code. */
    public static final int EXIT_OTHER = ExitCode.OTHER;

    private final int exitCode;

    public DkmsDebException(String message) {
        this(EXIT_OTHER, message, null);
    }

    public DkmsDebException(String message, Throwable cause) {
        this(EXIT_OTHER, message, cause);
    }

    protected DkmsDebException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}

package io.dkmsdeb.model;

/** A command line that cannot be carried out as given (exit 2). */
public class UsageException extends DkmsDebException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(ExitCode.USAGE, message, null);
    }

    public UsageException(String message, Throwable cause) {
        super(ExitCode.USAGE, message, cause);
    }
}

package io.dkmsdeb.model;

/** Compiling the module failed (exit 5); the message names the log file and shows its tail. */
public class BuildFailedException extends DkmsDebException {
    private static final long serialVersionUID = 1L;

    public BuildFailedException(String message) {
        super(ExitCode.BUILD_FAILED, message, null);
    }

    public BuildFailedException(String message, Throwable cause) {
        super(ExitCode.BUILD_FAILED, message, cause);
    }
}

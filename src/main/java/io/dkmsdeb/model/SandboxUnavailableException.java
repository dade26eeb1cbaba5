package io.dkmsdeb.model;

/** The module's build code cannot run in a sandbox on this machine; nothing of it ran ({@link ExitCode#SANDBOX_UNAVAILABLE}). */
public class SandboxUnavailableException extends DkmsDebException {
    private static final long serialVersionUID = 1L;

    public SandboxUnavailableException(String message) {
        super(ExitCode.SANDBOX_UNAVAILABLE, message, null);
    }
}

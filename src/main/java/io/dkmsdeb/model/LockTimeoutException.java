package io.dkmsdeb.model;

/** Another process held a lock longer than the caller would wait; nothing was changed ({@link ExitCode#LOCKED}). */
public class LockTimeoutException extends DkmsDebException {
    private static final long serialVersionUID = 1L;

    public LockTimeoutException(String message) {
        super(ExitCode.LOCKED, message, null);
    }
}

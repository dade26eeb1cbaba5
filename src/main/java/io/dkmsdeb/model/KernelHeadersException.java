package io.dkmsdeb.model;

/** The headers of the requested kernel are not there (exit 4). */
public class KernelHeadersException extends DkmsDebException {
    private static final long serialVersionUID = 1L;

    public KernelHeadersException(String message) {
        super(ExitCode.NO_HEADERS, message, null);
    }

    public KernelHeadersException(String message, Throwable cause) {
        super(ExitCode.NO_HEADERS, message, cause);
    }
}

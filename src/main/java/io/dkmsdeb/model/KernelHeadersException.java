package io.dkmsdeb.model;

/** The headers of the requested kernel are not there (exit 4). */
public class KernelHeadersException extends DkmsDebException {
    private static final long serialVersionUID = 1L;

    public KernelHeadersException(String message) {
        super(4, message, null);
    }
}

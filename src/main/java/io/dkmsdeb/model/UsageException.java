package io.dkmsdeb.model;

/** A command line that cannot be carried out as given (exit 2). */
public class UsageException extends DkmsDebException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(2, message, null);
    }
}

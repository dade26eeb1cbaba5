package io.dkmsdeb.model;

/** The module source tree or its dkms.conf is unusable (exit 3). */
public class ModuleSourceException extends DkmsDebException {
    private static final long serialVersionUID = 1L;

    public ModuleSourceException(String message) {
        super(ExitCode.BAD_SOURCE, message, null);
    }

    public ModuleSourceException(String message, Throwable cause) {
        super(ExitCode.BAD_SOURCE, message, cause);
    }
}

package io.dkmsdeb.model;

/** The module's BUILD_EXCLUSIVE_* rules exclude this kernel or architecture (exit 77, as dkms). */
public class KernelExcludedException extends DkmsDebException {
    private static final long serialVersionUID = 1L;

    /** dkms's exit code for a kernel its BUILD_EXCLUSIVE_* rules exclude. */
    public static final int EXIT_CODE = ExitCode.EXCLUDED;

    public KernelExcludedException(String message) {
        super(EXIT_CODE, message, null);
    }

    public KernelExcludedException(String message, Throwable cause) {
        super(EXIT_CODE, message, cause);
    }
}

package io.dkmsdeb.model;

/** The module's BUILD_EXCLUSIVE_* rules exclude this kernel or architecture (exit 77, as dkms). */
public class KernelExcludedException extends DkmsDebException {
    private static final long serialVersionUID = 1L;

    public KernelExcludedException(String message) {
        super(77, message, null);
    }
}

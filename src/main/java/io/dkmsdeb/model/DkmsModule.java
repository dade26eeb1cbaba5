package io.dkmsdeb.model;

/**
 * One record of a dkms.conf's module arrays ({@code BUILT_MODULE_NAME[i]} and friends), with
 * dkms's defaults already applied: {@code destName} defaults to {@code builtName}, and
 * {@code builtLocation} is empty or ends in {@code /}.
 */
public record DkmsModule(int index, String builtName, String builtLocation, String destName,
                         String destLocation, boolean strip) {

    /** Path of the built module relative to the build directory, e.g. {@code src/hello.ko}. */
    public String builtPath() {
        return builtLocation + builtName + ".ko";
    }
}

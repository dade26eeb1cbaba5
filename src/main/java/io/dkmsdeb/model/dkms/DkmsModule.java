package io.dkmsdeb.model.dkms;

/**
 * One record of a dkms.conf's module arrays ({@code BUILT_MODULE_NAME[i]} and friends), with
 * dkms's defaults already applied: {@code destName} defaults to {@code builtName}, and
 * {@code builtLocation} is empty or ends in {@code /}.
 *
 * @param exclusive the record's own BUILD_EXCLUSIVE_*[i] rules (dkms 3.3.0 and later, records other than 0),
 *                  on top of the package's; all empty when it has none or the level's dkms does not read them
 */
public record DkmsModule(int index, String builtName, String builtLocation, String destName,
                         String destLocation, boolean strip, DkmsConf.BuildExclusive exclusive) {
    /** No rules of its own. */
    public static final DkmsConf.BuildExclusive NONE = new DkmsConf.BuildExclusive("", "", "", "", "");

    public DkmsModule {
        java.util.Objects.requireNonNull(exclusive, "exclusive");
    }

    /** A record without BUILD_EXCLUSIVE rules of its own. */
    public DkmsModule(int index, String builtName, String builtLocation, String destName, String destLocation, boolean strip) {
        this(index, builtName, builtLocation, destName, destLocation, strip, NONE);
    }

    /** Path of the built module relative to the build directory, e.g. {@code src/hello.ko}. */
    public String builtPath() {
        return builtLocation + builtName + ".ko";
    }
}

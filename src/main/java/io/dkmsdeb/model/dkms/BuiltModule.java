package io.dkmsdeb.model.dkms;

/**
 * A module built, stripped and compressed for one kernel, ready to be packaged.
 *
 * @param spec        its dkms.conf record
 * @param installName file name under {@code /lib/modules/KVER/updates/dkms/}, e.g. {@code hello.ko.xz}
 * @param content     the file's bytes
 */
public record BuiltModule(DkmsModule spec, String installName, byte[] content) {
    public BuiltModule {
        content = content.clone();
    }

    @Override
    public byte[] content() {
        return content.clone();
    }
}

package io.dkmsdeb.model.dkms;

import java.nio.file.Path;

/**
 * A module source tree and its dkms.conf.
 *
 * @param dir           the tree on disk
 * @param conf          dkms.conf as read (for the kernel the caller chose)
 * @param dkmsConfText  the dkms.conf bytes to ship, exactly as found or as generated
 * @param generated     true when the tree had no dkms.conf and one was generated from obj-m lines
 */
public record ModuleSource(Path dir, DkmsConf conf, byte[] dkmsConfText, boolean generated) {
    public ModuleSource {
        dkmsConfText = dkmsConfText.clone();
    }

    @Override
    public byte[] dkmsConfText() {
        return dkmsConfText.clone();
    }
}

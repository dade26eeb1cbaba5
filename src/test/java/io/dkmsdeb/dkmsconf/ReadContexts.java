package io.dkmsdeb.dkmsconf;

/**
 * Read contexts for tests that only source a dkms.conf: the kernel release is a name handed to
 * bash as {@code $kernelver}, never looked up, so it is a made-up ABI no archive serves.
 */
final class ReadContexts {
    static final String KERNEL = "6.1.0-99-amd64";

    private ReadContexts() {
    }

    static DkmsConfReader.Context of(String module, String version) {
        return new DkmsConfReader.Context(KERNEL, "x86_64", "/lib/modules/" + KERNEL + "/build", "/var/lib/dkms", "/usr/src",
                module, version);
    }
}

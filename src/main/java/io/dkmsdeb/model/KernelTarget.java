package io.dkmsdeb.model;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A kernel to build for: its release ({@code uname -r}), the headers to build against, its
 * architecture in Debian's words ({@code amd64}) and in the kernel's ({@code x86_64}, what dkms
 * calls {@code arch}), the compression of its own modules, and its configuration.
 *
 * @param release     e.g. {@code 6.1.0-56-amd64}
 * @param headersDir  the kbuild tree (e.g. {@code /lib/modules/6.1.0-56-amd64/build})
 * @param debArch     Debian architecture of the kernel's packages
 * @param unameArch   {@code uname -m} style architecture, dkms's {@code arch}
 * @param compression how the kernel's own modules are compressed
 * @param config      the kernel's .config as name to value ({@code CONFIG_X86_64} to {@code y})
 */
public record KernelTarget(String release, Path headersDir, String debArch, String unameArch, Compression compression,
                           Map<String, String> config) {
    public KernelTarget {
        config = Map.copyOf(config);
    }

    public Optional<String> configValue(String name) {
        return Optional.ofNullable(config.get(name));
    }

    /** {@code .ko}, {@code .ko.xz}, {@code .ko.zst} or {@code .ko.gz}. */
    public String moduleSuffix() {
        return compression.moduleSuffix();
    }
}

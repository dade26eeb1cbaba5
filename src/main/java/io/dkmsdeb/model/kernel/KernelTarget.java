package io.dkmsdeb.model.kernel;

import io.dkmsdeb.model.deb.Compression;

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
 * @param buildRoot   the root of another Debian release the module is built in (the kernel's release's compiler and
 *                    headers; {@code headersDir} is then in it), or null to build on this system
 */
public record KernelTarget(String release, Path headersDir, String debArch, String unameArch, Compression compression,
                           Map<String, String> config, Path buildRoot) {
    public KernelTarget {
        config = Map.copyOf(config);
        if (buildRoot != null && !headersDir.toAbsolutePath().normalize().startsWith(buildRoot)) {
            throw new IllegalArgumentException("the headers " + headersDir + " of a kernel built in the root " + buildRoot + " must be in it");
        }
    }

    /** A kernel built on this system. */
    public KernelTarget(String release, Path headersDir, String debArch, String unameArch, Compression compression, Map<String, String> config) {
        this(release, headersDir, debArch, unameArch, compression, config, null);
    }

    /** This kernel, built in the release root {@code root}, which holds its headers. */
    public KernelTarget inRoot(Path root) {
        return new KernelTarget(release, headersDir, debArch, unameArch, compression, config, root.toAbsolutePath().normalize());
    }

    /**
     * The headers as the build's steps see them: {@link #headersDir}, or in a release root the same place inside it
     * ({@code /usr/src/linux-headers-KVER}).
     */
    public Path headersSeen() {
        return buildRoot == null ? headersDir : Path.of("/").resolve(buildRoot.relativize(headersDir.toAbsolutePath().normalize()));
    }

    public Optional<String> configValue(String name) {
        return Optional.ofNullable(config.get(name));
    }

    /** {@code .ko}, {@code .ko.xz}, {@code .ko.zst} or {@code .ko.gz}. */
    public String moduleSuffix() {
        return compression.moduleSuffix();
    }
}

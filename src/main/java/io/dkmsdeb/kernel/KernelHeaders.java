package io.dkmsdeb.kernel;

import io.dkmsdeb.model.kernel.DebianRelease;
import io.dkmsdeb.model.NamePatterns;
import io.dkmsdeb.model.KernelHeadersException;
import io.dkmsdeb.model.deb.Compression;
import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.model.kernel.KernelTarget;
import io.dkmsdeb.model.UsageException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds a kernel's headers and reads what a build needs from them. {@code -k KVER} is always
 * taken as given: the running kernel is never consulted.
 */
public final class KernelHeaders {
    private KernelHeaders() {
    }

    /**
     * @param release          the kernel release
     * @param kernelSourceDir  --kernel-source-dir, or null for /lib/modules/KVER/build
     * @param archOverride     --arch (Debian architecture), or null to read it from the config
     * @param compressOption   the module compression, or null for the kernel's own (auto)
     * @param host             where /lib/modules is
     */
    public static KernelTarget locate(String release, Path kernelSourceDir, String archOverride, Compression compressOption, Host host) {
        if (!NamePatterns.matches(NamePatterns.KERNEL_RELEASE, release)) {
            throw new UsageException("kernel release '" + release + "' is not valid: use the form uname -r prints, e.g. 6.1.0-56-amd64");
        }
        Path dir = kernelSourceDir != null ? kernelSourceDir : host.installedHeaders(release);
        if (!Files.isDirectory(dir) || !Files.exists(dir.resolve("Makefile"))) {
            // a kernel of another release whose name does not say so (bookworm's 6.1.0-N on a trixie host): this host's
            // archive has no headers for it, its release's build root has
            String otherRelease = kernelSourceDir != null ? "" : DebianRelease.ofKernel(release)
                    .filter(r -> host.debianRelease().filter(r::equals).isEmpty())
                    .map(r -> ", or --release " + r + " to build it in a " + r + " build root (it is a " + r + " kernel)").orElse("");
            throw new KernelHeadersException("no kernel headers for " + release + " at " + dir + "; install them with "
                    + "'apt-get install linux-headers-" + release + "', or pass --kernel-source-dir DIR"
                    + ", or --fetch-headers to download them" + otherRelease);
        }
        Map<String, String> config = readConfig(dir.resolve(".config"));
        if (config.isEmpty()) {
            throw new KernelHeadersException("the kernel headers at " + dir + " have no .config; they are not a prepared kbuild tree. "
                    + "Install linux-headers-" + release + " or point --kernel-source-dir at a configured tree");
        }
        String debArch = archOverride != null ? archOverride : debianArch(config, dir);
        Compression compression = compressOption == null ? moduleCompression(host.libModules(), release, config) : compressOption;
        return new KernelTarget(release, dir, debArch, unameArch(debArch), compression, config);
    }

    /** Every kernel under /lib/modules whose headers are installed ({@link Host#headersInstalled}), for --all-kernels. */
    public static List<String> installedWithHeaders(Host host) {
        List<String> releases = new ArrayList<>();
        Path modules = host.libModules();
        if (!Files.isDirectory(modules)) {
            return releases;
        }
        try (Stream<Path> s = Files.list(modules)) {
            s.sorted().map(p -> p.getFileName().toString()).filter(host::headersInstalled).forEach(releases::add);
        } catch (IOException e) {
            throw new KernelHeadersException("cannot list " + modules + ": " + e.getMessage(), e);
        }
        return releases;
    }

    static Map<String, String> readConfig(Path file) {
        Map<String, String> config = new HashMap<>();
        if (!Files.isRegularFile(file)) {
            return config;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
                int eq = line.indexOf('=');
                if (line.startsWith("CONFIG_") && eq > 0) {
                    String value = line.substring(eq + 1);
                    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                        value = value.substring(1, value.length() - 1);
                    }
                    config.put(line.substring(0, eq), value);
                }
            }
        } catch (IOException e) {
            throw new KernelHeadersException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return config;
    }

    /** The Debian architecture of a kernel, from its configuration. */
    static String debianArch(Map<String, String> c, Path dir) {
        if (y(c, "CONFIG_X86_64")) {
            return "amd64";
        }
        if (y(c, "CONFIG_X86_32") || y(c, "CONFIG_X86")) {
            return "i386";
        }
        if (y(c, "CONFIG_ARM64")) {
            return "arm64";
        }
        if (y(c, "CONFIG_ARM")) {
            return "armhf";
        }
        if (y(c, "CONFIG_PPC64")) {
            return y(c, "CONFIG_CPU_LITTLE_ENDIAN") ? "ppc64el" : "ppc64";
        }
        if (y(c, "CONFIG_S390")) {
            return "s390x";
        }
        if (y(c, "CONFIG_RISCV")) {
            return "riscv64";
        }
        if (y(c, "CONFIG_LOONGARCH")) {
            return "loong64";
        }
        if (y(c, "CONFIG_MIPS")) {
            return y(c, "CONFIG_64BIT") ? "mips64el" : "mipsel";
        }
        throw new KernelHeadersException("cannot tell the architecture of the kernel headers at " + dir + " from their .config; pass --arch");
    }

    /** dkms's {@code arch} (uname -m) for a Debian architecture. */
    static String unameArch(String debArch) {
        return switch (debArch) {
            case "amd64" -> "x86_64";
            case "i386" -> "i686";
            case "arm64" -> "aarch64";
            case "armhf", "armel" -> "armv7l";
            case "ppc64el" -> "ppc64le";
            case "riscv64" -> "riscv64";
            case "loong64" -> "loongarch64";
            case "mips64el" -> "mips64";
            case "mipsel" -> "mips";
            default -> debArch;
        };
    }

    /**
     * How the kernel's own modules are compressed: from its installed modules when there are
     * any, else from CONFIG_MODULE_COMPRESS_*.
     */
    static Compression moduleCompression(Path libModules, String release, Map<String, String> config) {
        Path kernelDir = libModules.resolve(release).resolve("kernel");
        if (Files.isDirectory(kernelDir)) {
            try (Stream<Path> s = Files.walk(kernelDir, 6)) {
                var first = s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".ko")).findFirst();
                if (first.isPresent()) {
                    return Compression.ofModuleFile(first.get());
                }
            } catch (IOException ignored) {
                // fall back to the configuration
            }
        }
        for (Compression c : List.of(Compression.XZ, Compression.ZSTD, Compression.GZIP)) {
            if (y(config, "CONFIG_MODULE_COMPRESS_" + c.name())) {
                return c;
            }
        }
        return Compression.NONE;
    }

    private static boolean y(Map<String, String> c, String name) {
        return "y".equals(c.get(name));
    }
}

package io.dkmsdeb.kernel;

import io.dkmsdeb.model.KernelHeadersException;
import io.dkmsdeb.model.kernel.KernelTarget;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The toolchain a build for a kernel needs. The kernel's architecture (from its .config) is the
 * target; when it is not the build host's, the module is cross-compiled as Debian's kernel
 * packaging does it: kbuild's {@code ARCH} and {@code CROSS_COMPILE=TRIPLET-}, the cross compiler
 * of the kernel's own gcc version ({@code aarch64-linux-gnu-gcc-12}) and the cross binutils
 * ({@code aarch64-linux-gnu-strip}); kbuild's host programs (fixdep, modpost, sign-file) are the
 * build host's, from its {@code linux-kbuild-*}. A native build sets nothing.
 *
 * @param targetArch   the kernel's Debian architecture
 * @param hostArch     the build host's Debian architecture
 * @param kbuildArch   kbuild's {@code ARCH} for the target ({@code arm64}, {@code x86}, ...)
 * @param crossCompile {@code CROSS_COMPILE} ({@code aarch64-linux-gnu-}), empty for a native build
 */
public record CrossToolchain(String targetArch, String hostArch, String kbuildArch, String crossCompile) {
    /** Debian architecture to GNU triplet and kbuild ARCH, for the architectures Debian has cross compilers for. */
    private static final Map<String, List<String>> ARCHES = Map.ofEntries(
            Map.entry("amd64", List.of("x86_64-linux-gnu", "x86")),
            Map.entry("i386", List.of("i686-linux-gnu", "x86")),
            Map.entry("arm64", List.of("aarch64-linux-gnu", "arm64")),
            Map.entry("armhf", List.of("arm-linux-gnueabihf", "arm")),
            Map.entry("armel", List.of("arm-linux-gnueabi", "arm")),
            Map.entry("ppc64el", List.of("powerpc64le-linux-gnu", "powerpc")),
            Map.entry("ppc64", List.of("powerpc64-linux-gnu", "powerpc")),
            Map.entry("s390x", List.of("s390x-linux-gnu", "s390")),
            Map.entry("riscv64", List.of("riscv64-linux-gnu", "riscv")),
            Map.entry("loong64", List.of("loongarch64-linux-gnu", "loongarch")),
            Map.entry("mips64el", List.of("mips64el-linux-gnuabi64", "mips")),
            Map.entry("mipsel", List.of("mipsel-linux-gnu", "mips")));

    /** The toolchain for kernel {@code k} built on this machine. */
    public static CrossToolchain forKernel(KernelTarget k) {
        return of(k.debArch(), buildHostArch());
    }

    /** The toolchain for a kernel of Debian architecture {@code target} built on a {@code host} machine. */
    public static CrossToolchain of(String target, String host) {
        List<String> t = ARCHES.get(target);
        if (target.equals(host) || t == null || (target.equals("i386") && host.equals("amd64"))) {
            // native, or a 32-bit x86 kernel on amd64 (gcc -m32, as kbuild's ARCH=x86 does itself)
            return new CrossToolchain(target, host, t == null ? "" : t.get(1), "");
        }
        return new CrossToolchain(target, host, t.get(1), t.get(0) + "-");
    }

    /** The Debian architecture of the running JVM's machine (never of a kernel). */
    public static String buildHostArch() {
        String os = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (os) {
            case "amd64", "x86_64" -> "amd64";
            case "x86", "i386", "i686" -> "i386";
            case "aarch64", "arm64" -> "arm64";
            case "arm" -> "armhf";
            case "ppc64le" -> "ppc64el";
            case "loongarch64" -> "loong64";
            default -> os;
        };
    }

    /** A cross build: the kernel is not of the build host's architecture. */
    public boolean cross() {
        return !crossCompile.isEmpty();
    }

    /** What kbuild is given on its command line and in its environment: ARCH and CROSS_COMPILE, none for a native build. */
    public Map<String, String> kbuildVariables() {
        return cross() ? Map.of("ARCH", kbuildArch, "CROSS_COMPILE", crossCompile) : Map.of();
    }

    /** {@link #kbuildVariables()} as make arguments, ARCH first. */
    public List<String> makeArguments() {
        return cross() ? List.of("ARCH=" + kbuildArch, "CROSS_COMPILE=" + crossCompile) : List.of();
    }

    /** A binutils or compiler program for the target: {@code strip} or {@code aarch64-linux-gnu-strip}. */
    public String tool(String name) {
        return crossCompile + name;
    }

    /**
     * The compiler the kernel was built with, for the target: the first word of its
     * CONFIG_CC_VERSION_TEXT ({@code gcc-12}) with the cross prefix, or empty when the config
     * does not name a plain program or the kernel was built with clang (one clang serves every target).
     */
    public String compiler(KernelTarget k) {
        String text = k.config().getOrDefault("CONFIG_CC_VERSION_TEXT", "");
        String cc = text.contains(" ") ? text.substring(0, text.indexOf(' ')) : text;
        if (cc.isEmpty() || !cc.matches("[A-Za-z0-9._+-]+") || "y".equals(k.config().get("CONFIG_CC_IS_CLANG"))) {
            return "";
        }
        return cc.startsWith(crossCompile) ? cc : crossCompile + cc;
    }

    /**
     * For a cross build, checks that the cross compiler and binutils are on {@code path}; throws
     * {@link KernelHeadersException} (exit 4) naming the Debian packages to install when they are not.
     */
    public void requireInstalled(KernelTarget k, String path) {
        if (!cross()) {
            return;
        }
        String cc = compiler(k);
        String triplet = crossCompile.substring(0, crossCompile.length() - 1);
        String gcc = cc.isEmpty() || !cc.startsWith(crossCompile + "gcc") ? "" : cc;
        if (!gcc.isEmpty() && !onPath(gcc, path)) {
            String version = gcc.substring((crossCompile + "gcc").length()).replaceFirst("^-", "");
            String pkg = version.isEmpty() ? "gcc-" + triplet : "gcc-" + version + "-" + triplet;
            throw new KernelHeadersException("building for the " + targetArch + " kernel " + k.release() + " on this " + hostArch
                    + " machine needs the cross compiler " + gcc + " (the kernel was built with " + cc.substring(crossCompile.length())
                    + "), and it is not on PATH; install it: apt-get install " + pkg + " binutils-" + triplet);
        }
        String strip = tool("strip");
        if (!onPath(strip, path)) {
            throw new KernelHeadersException("building for the " + targetArch + " kernel " + k.release() + " on this " + hostArch
                    + " machine needs the cross binutils (" + strip + "), and they are not on PATH; install them: apt-get install binutils-"
                    + triplet + (gcc.isEmpty() ? " gcc-" + triplet : ""));
        }
    }

    static boolean onPath(String program, String path) {
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}

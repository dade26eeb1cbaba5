package io.dkmsdeb.model.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The machine dkms-deb runs on, as one value: its environment, read once by the command line, and
 * the places where it keeps kernels, module sources and dkms's state. Code below the command line
 * asks this value, never the process environment or a hard-coded {@code /lib/modules}; a test points
 * {@code root} at a directory of its own.
 *
 * @param env  the environment variables (a copy)
 * @param root where the host's paths are looked up: {@code /}, or a test's directory
 */
public record Host(Map<String, String> env, Path root) {
    /** The search path of a step whose environment has none. */
    public static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

    public Host {
        env = Map.copyOf(env);
        if (!root.isAbsolute()) {
            throw new IllegalArgumentException("the host root must be absolute: " + root);
        }
    }

    /** This machine, with the environment {@code env}. */
    public static Host of(Map<String, String> env) {
        return new Host(env, Path.of("/"));
    }

    /** The variable {@code name}, or {@code fallback} when it is unset or empty. */
    public String get(String name, String fallback) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    /** {@code PATH}, else {@value #DEFAULT_PATH}. */
    public String searchPath() {
        return get("PATH", DEFAULT_PATH);
    }

    /** {@code $XDG_CACHE_HOME/dkms-deb}, else {@code ~/.cache/dkms-deb}: the headers fetched, the logs, apt's cache. */
    public Path cacheDir() {
        String cache = get("XDG_CACHE_HOME", "");
        Path base = cache.isEmpty() ? Path.of(System.getProperty("user.home"), ".cache") : Path.of(cache);
        return base.resolve("dkms-deb");
    }

    /** {@code /lib/modules}: a directory per installed kernel release. */
    public Path libModules() {
        return root.resolve("lib/modules");
    }

    /** {@code /lib/modules/KVER/build}: where a kernel's installed headers are. */
    public Path installedHeaders(String release) {
        return libModules().resolve(release).resolve("build");
    }

    /**
     * The one rule for "this kernel's headers are installed": {@code Makefile} and {@code .config} are
     * files in {@code /lib/modules/KVER/build} (following the {@code build} link, as linux-headers-KVER
     * installs it). {@code -k}, {@code --all-kernels}, {@code --fetch-headers} and {@code kernels} all ask this.
     */
    public boolean headersInstalled(String release) {
        Path build = installedHeaders(release);
        return Files.isRegularFile(build.resolve("Makefile")) && Files.isRegularFile(build.resolve(".config"));
    }

    /**
     * The Debian release this machine runs: {@code VERSION_CODENAME} of {@code /etc/os-release}; empty when the file
     * names none (not Debian, or sid before it has a codename).
     */
    public java.util.Optional<DebianRelease> debianRelease() {
        try {
            for (String line : Files.readAllLines(root.resolve("etc/os-release"), java.nio.charset.StandardCharsets.UTF_8)) {
                if (line.startsWith("VERSION_CODENAME=")) {
                    String v = line.substring("VERSION_CODENAME=".length()).replace("\"", "").replace("'", "").strip();
                    return v.matches("[a-z]+") ? java.util.Optional.of(new DebianRelease(v)) : java.util.Optional.empty();
                }
            }
        } catch (java.io.IOException e) {
            // no os-release: not known
        }
        return java.util.Optional.empty();
    }

    /** {@code /usr/src}: where -dkms packages put module sources. */
    public Path usrSrc() {
        return root.resolve("usr/src");
    }

    /** {@code /var/lib/dkms}: dkms's tree of modules, built modules and signing key. */
    public Path dkmsTree() {
        return root.resolve("var/lib/dkms");
    }

    /** dkms's module signing key, {@code /var/lib/dkms/mok.key}. */
    public Path mokKey() {
        return dkmsTree().resolve("mok.key");
    }

    /** The certificate of {@link #mokKey}, {@code /var/lib/dkms/mok.pub}. */
    public Path mokCert() {
        return dkmsTree().resolve("mok.pub");
    }
}

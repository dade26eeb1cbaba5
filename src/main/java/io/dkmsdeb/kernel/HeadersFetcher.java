package io.dkmsdeb.kernel;

import io.dkmsdeb.support.TempFiles;
import io.dkmsdeb.deb.Deb822;
import io.dkmsdeb.deb.DebReader;
import io.dkmsdeb.deb.SafeExtractor;
import io.dkmsdeb.model.KernelHeadersException;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.support.Trees;
import io.dkmsdeb.process.ProcessRunner;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code --fetch-headers}: downloads {@code linux-headers-KVER} and the packages it needs for a
 * build (its {@code -common} headers and {@code linux-kbuild-*}) from the configured apt archive
 * with {@code apt-get download} (no root, nothing installed), unpacks them in Java into a per-user
 * cache ({@code $XDG_CACHE_HOME/dkms-deb/headers/KVER}), and fixes what points outside: absolute
 * links become links inside the cache, and the headers' Makefile includes the unpacked
 * {@code -common} Makefile. A second call reuses the cache; concurrent calls for the same kernel
 * take turns through a lock and publish the tree with one rename.
 */
public final class HeadersFetcher {
    /** A relation on a headers or kbuild package: name, and the operator and version when it has them. */
    private static final Pattern DEP = Pattern.compile("(linux-(?:headers|kbuild)-[A-Za-z0-9.+~-]+)(?::[a-z0-9]+)?"
            + "(?:\\s*\\((=|>=|<=|>>|<<)\\s*([^)]+)\\))?(?:\\s*\\[[^\\]]*\\])?(?:\\s*<[^>]*>)*");
    /** Time allowed for one apt-get download. */
    private static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(10);

    private HeadersFetcher() {
    }

    /** The cache directory for fetched headers. */
    public static Path cacheRoot(Map<String, String> env) {
        String cache = env.getOrDefault("XDG_CACHE_HOME", "");
        return (cache.isEmpty() ? Path.of(System.getProperty("user.home"), ".cache") : Path.of(cache)).resolve("dkms-deb/headers");
    }

    /** Removes the unfinished trees ({@code .tmp-KVER-PID}) of fetches whose process is gone (killed). */
    static void removeLeftovers(Path root) {
        try (var entries = Files.newDirectoryStream(root, ".tmp-*")) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                String pid = name.substring(name.lastIndexOf('-') + 1);
                if (pid.matches("[0-9]{1,10}") && ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
                    Trees.deleteQuietly(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            // what cannot be listed stays
        }
    }

    /** The kbuild tree for {@code release}, fetched when not cached yet. */
    public static Path fetch(String release, Map<String, String> env) {
        Path root = cacheRoot(env);
        Path done = root.resolve(release);
        Path headers = done.resolve("usr/src/linux-headers-" + release);
        try {
            Files.createDirectories(root);
            if (Files.exists(done.resolve(".complete"))) {
                Log.info("[" + release + "] using the headers fetched earlier in " + done);
                return headers;
            }
            try (FileChannel ch = FileChannel.open(root.resolve(release + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = ch.lock()) {
                if (Files.exists(done.resolve(".complete"))) {
                    return headers;
                }
                removeLeftovers(root);
                Path tmp = TempFiles.track(root.resolve(".tmp-" + release + "-" + ProcessHandle.current().pid()));
                Trees.deleteQuietly(tmp);
                Trees.deleteQuietly(done);
                try {
                    build(release, tmp, done);
                    // marked before it is published: the one rename makes it whole, and nothing ends between the two
                    Files.writeString(tmp.resolve(".complete"), "fetched by dkms-deb\n");
                    Files.move(tmp, done, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    TempFiles.delete(tmp);
                }
            }
            return headers;
        } catch (IOException e) {
            throw new KernelHeadersException("cannot fetch the headers of " + release + " into " + root + ": " + e.getMessage()
                    + "; check free space and permissions, or install linux-headers-" + release, e);
        }
    }

    private static void build(String release, Path tmp, Path finalDir) throws IOException {
        Path debs = Files.createDirectories(tmp.resolve(".debs"));
        Log.info("[" + release + "] fetching linux-headers-" + release + " and its -common and kbuild packages with apt-get download");
        List<Path> files = new ArrayList<>();
        Deque<String> queue = new ArrayDeque<>(List.of("linux-headers-" + release));
        Set<String> seen = new LinkedHashSet<>();
        while (!queue.isEmpty()) {
            String spec = queue.removeFirst();
            String name = spec.contains("=") ? spec.substring(0, spec.indexOf('=')) : spec;
            if (!seen.add(name)) {
                continue;
            }
            Path deb = download(spec, debs, release, seen);
            files.add(deb);
            String control = DebReader.read(deb, DebReader.Limits.DEFAULT, e -> { }).text("control");
            if (files.size() == 1) {
                recordVersion(control, tmp);
            }
            try {
                queue.addAll(dependencies(control));
            } catch (Deb822.SyntaxException e) {
                throw new KernelHeadersException("the control file of " + deb.getFileName() + " is not valid: " + e.getMessage()
                        + "; the apt archive served a broken package, try another mirror", e);
            }
        }
        for (Path deb : files) {
            SafeExtractor.extract(deb, "", tmp, true);
        }
        Trees.deleteQuietly(debs);
        Path makefile = tmp.resolve("usr/src/linux-headers-" + release + "/Makefile");
        if (!Files.isRegularFile(makefile)) {
            throw new KernelHeadersException("linux-headers-" + release + " has no usr/src/linux-headers-" + release
                    + "/Makefile; it is not a Debian kernel headers package dkms-deb knows how to use");
        }
        // "include /usr/src/linux-headers-X-common/Makefile" -> the unpacked copy (its final place)
        String text = Files.readString(makefile, StandardCharsets.UTF_8);
        Files.writeString(makefile, text.replaceAll("(?m)^include /usr/src/", "include " + finalDir.toAbsolutePath() + "/usr/src/"));
        int shared = HeaderCache.share(finalDir.getParent(), tmp);
        Log.info("[" + release + "] " + shared + " files of the headers were in the cache already (the -common tree of the ABI, "
                + "files other ABIs have too): stored once");
    }

    /** The file in a fetched tree that names the headers package it came from, as {@code PACKAGE=VERSION}. */
    private static final String ID_FILE = ".headers-package";

    private static void recordVersion(String control, Path tmp) throws IOException {
        try {
            List<Deb822.Paragraph> p = Deb822.parse(control);
            String pkg = p.isEmpty() ? "" : p.get(0).get("Package").orElse("");
            String version = p.isEmpty() ? "" : p.get(0).get("Version").orElse("");
            if (!pkg.isEmpty() && !version.isEmpty()) {
                Files.writeString(tmp.resolve(ID_FILE), pkg + "=" + version + "\n");
            }
        } catch (Deb822.SyntaxException e) {
            throw new KernelHeadersException("the control file of linux-headers is not valid: " + e.getMessage()
                    + "; the apt archive served a broken package, try another mirror", e);
        }
    }

    /**
     * The {@code linux-headers-KVER=VERSION} of headers fetched earlier for {@code release}, if
     * they are in the cache (without fetching anything).
     */
    public static java.util.Optional<String> cachedPackage(String release, Map<String, String> env) {
        Path done = cacheRoot(env).resolve(release);
        try {
            if (Files.exists(done.resolve(".complete")) && Files.isRegularFile(done.resolve(ID_FILE))) {
                String id = Files.readString(done.resolve(ID_FILE), StandardCharsets.UTF_8).strip();
                return id.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(id);
            }
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.empty();
    }

    /**
     * What must be fetched besides a headers package: the {@code linux-headers-*} and
     * {@code linux-kbuild-*} packages its {@code Depends} names (continuation lines included),
     * each as {@code NAME=VERSION} when the relation pins the version with {@code =}, else as NAME.
     */
    static List<String> dependencies(String control) throws Deb822.SyntaxException {
        List<Deb822.Paragraph> paragraphs = Deb822.parse(control);
        String depends = paragraphs.isEmpty() ? "" : paragraphs.get(0).folded("Depends").orElse("");
        List<String> specs = new ArrayList<>();
        for (String relation : depends.split(",")) {
            for (String alternative : relation.split("\\|")) {
                Matcher m = DEP.matcher(alternative.strip());
                if (m.matches()) {
                    specs.add("=".equals(m.group(2)) ? m.group(1) + "=" + m.group(3).strip() : m.group(1));
                    break;
                }
            }
        }
        return specs;
    }

    /** For a kernel of a Debian architecture dpkg may not know yet (an -arm64 kernel on amd64): how to add it. */
    static String foreignArchHint(String release) {
        for (String arch : List.of("arm64", "armhf", "i386", "ppc64el", "s390x", "riscv64", "amd64", "loong64", "mips64el")) {
            if ((release.endsWith("-" + arch) || release.contains("-" + arch + "-")) && !arch.equals(hostArch())) {
                return "; for a kernel of another architecture than this machine's, apt must know that architecture first: "
                        + "dpkg --add-architecture " + arch + " && apt-get update (as root)";
            }
        }
        return "";
    }

    private static String hostArch() {
        try {
            return ProcessRunner.capture(List.of("dpkg", "--print-architecture"), null, null, Duration.ofSeconds(10)).stdoutText().strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static Path download(String spec, Path dir, String release, Set<String> tried) throws IOException {
        return download(List.of("apt-get", "download", "-q", spec), spec, dir, release, tried, DOWNLOAD_TIMEOUT);
    }

    /** Runs {@code command} (apt-get download SPEC, or a stand-in in tests) in {@code dir} and returns the .deb it wrote. */
    static Path download(List<String> command, String spec, Path dir, String release, Set<String> tried, Duration timeout)
            throws IOException {
        ProcessRunner.Captured run = ProcessRunner.capture(command, dir, null, timeout);
        if (run.timedOut()) {
            throw new KernelHeadersException("apt-get download " + spec + " did not finish within " + timeout.toSeconds()
                    + " s and was killed (kernel " + release + "); check the network and the apt sources, then try again");
        }
        if (run.exit() != 0) {
            throw new KernelHeadersException("apt-get download " + spec + " failed for kernel " + release + " (packages tried: "
                    + String.join(", ", tried) + "): " + run.lastLine() + "; check the kernel release (apt-cache search linux-headers-) "
                    + "or run apt-get update" + foreignArchHint(release));
        }
        String name = spec.contains("=") ? spec.substring(0, spec.indexOf('=')) : spec;
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().startsWith(name + "_") && f.toString().endsWith(".deb")).findFirst()
                    .orElseThrow(() -> new IOException("apt-get download " + spec + " wrote no .deb"));
        }
    }
}

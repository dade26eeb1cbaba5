package io.dkmsdeb.kernel;

import io.dkmsdeb.deb.DebReader;
import io.dkmsdeb.deb.SafeExtractor;
import io.dkmsdeb.model.KernelHeadersException;
import io.dkmsdeb.model.Log;
import io.dkmsdeb.model.Trees;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
    private static final Pattern DEP = Pattern.compile("(linux-(?:headers|kbuild)-[A-Za-z0-9.+~-]+)(?:\\s*\\((=|>=)\\s*([^)]+)\\))?");

    private HeadersFetcher() {
    }

    /** The cache directory for fetched headers. */
    public static Path cacheRoot(Map<String, String> env) {
        String cache = env.getOrDefault("XDG_CACHE_HOME", "");
        return (cache.isEmpty() ? Path.of(System.getProperty("user.home"), ".cache") : Path.of(cache)).resolve("dkms-deb/headers");
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
                Path tmp = root.resolve(".tmp-" + release + "-" + ProcessHandle.current().pid());
                Trees.deleteQuietly(tmp);
                Trees.deleteQuietly(done);
                try {
                    build(release, tmp, done);
                    Files.move(tmp, done, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Trees.deleteQuietly(tmp);
                }
                Files.writeString(done.resolve(".complete"), "fetched by dkms-deb\n");
            }
            return headers;
        } catch (IOException e) {
            throw new KernelHeadersException("cannot fetch the headers of " + release + " into " + root + ": " + e.getMessage()
                    + "; check free space and permissions, or install linux-headers-" + release);
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
            Matcher depends = Pattern.compile("(?m)^Depends:(.*)$").matcher(control);
            if (depends.find()) {
                Matcher m = DEP.matcher(depends.group(1));
                while (m.find()) {
                    queue.add("=".equals(m.group(2)) ? m.group(1) + "=" + m.group(3).strip() : m.group(1));
                }
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
    }

    private static Path download(String spec, Path dir, String release, Set<String> tried) throws IOException {
        Process p = new ProcessBuilder("apt-get", "download", "-q", spec).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new KernelHeadersException("apt-get download " + spec + " failed for kernel " + release + " (packages tried: "
                        + String.join(", ", tried) + "): " + lastLine(out) + "; check the kernel release (apt-cache search linux-headers-) "
                        + "or run apt-get update");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + spec);
        }
        String name = spec.contains("=") ? spec.substring(0, spec.indexOf('=')) : spec;
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().startsWith(name + "_") && f.toString().endsWith(".deb")).findFirst()
                    .orElseThrow(() -> new IOException("apt-get download " + spec + " wrote no .deb"));
        }
    }

    private static String lastLine(String out) {
        String[] lines = out.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1].strip();
    }
}

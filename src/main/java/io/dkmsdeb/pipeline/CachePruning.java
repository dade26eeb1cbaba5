package io.dkmsdeb.pipeline;

import io.dkmsdeb.kernel.HeaderCache;
import io.dkmsdeb.kernel.HeadersFetcher;
import io.dkmsdeb.model.kernel.DebianRelease;
import io.dkmsdeb.model.kernel.KernelListing;
import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.support.Log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a build agent's caches keep: the headers fetched for kernels the listing still has, and build logs of the last
 * days. Each kernel not installed costs the agent its headers (tens of MB even with the -common files stored once) and
 * a log per build; a fleet job that runs every night would otherwise keep every ABI it ever saw.
 */
public final class CachePruning {
    private CachePruning() {
    }

    /**
     * Removes the fetched headers of every kernel {@code listing} does not have; says what it removed and freed. A listing
     * of one release's archive ({@code kernels --release trixie}) speaks for that release only: the headers of kernels
     * whose name says another release ({@code +deb12}, {@code 6.1.0-N}) are kept.
     */
    public static HeaderCache.Pruned headers(KernelListing.Listing listing, Host host) {
        Set<String> keep = new HashSet<>(listing.kernels().stream().map(KernelListing.Kernel::release).toList());
        if (listing.release() != null) {
            Path root = HeadersFetcher.cacheRoot(host.env());
            if (Files.isDirectory(root)) {
                try (Stream<Path> s = Files.list(root)) {
                    s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("."))
                            .filter(n -> DebianRelease.ofKernel(n).filter(r -> !r.equals(listing.release())).isPresent())
                            .forEach(keep::add);
                } catch (IOException e) {
                    throw new DkmsDebException("cannot read the header cache " + root + ": " + e.getMessage()
                            + "; check the permissions of the cache directory (XDG_CACHE_HOME)", e);
                }
            }
        }
        return headers(keep, host);
    }

    /** Removes the fetched headers of every kernel not in {@code keep}; says what it removed and freed. */
    public static HeaderCache.Pruned headers(Set<String> keep, Host host) {
        try {
            HeaderCache.Pruned p = HeaderCache.prune(keep, host.env());
            Log.info("header cache: " + (p.releases().isEmpty() ? "no kernel to remove" : "removed the headers of " + p.releases().size()
                    + " kernel(s) no longer listed (" + String.join(" ", p.releases()) + ")") + ", " + p.bytesFreed() / (1024 * 1024)
                    + " MB freed");
            return p;
        } catch (IOException e) {
            throw new DkmsDebException("cannot prune the header cache: " + e.getMessage()
                    + "; check the permissions of the cache directory (XDG_CACHE_HOME)", e);
        }
    }

    /** Removes the {@code .log} files in {@code logDir} (null: the cache's log directory) older than {@code days} days; how many. */
    public static int logs(Path logDir, int days, Host host) {
        Path dir = logDir != null ? logDir : host.cacheDir().resolve("logs");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        Instant cut = Instant.now().minus(Duration.ofDays(days));
        int removed = 0;
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> logs = s.filter(p -> p.getFileName().toString().endsWith(".log") && Files.isRegularFile(p)).toList();
            for (Path p : logs) {
                if (Files.getLastModifiedTime(p).toInstant().isBefore(cut)) {
                    Files.deleteIfExists(p);
                    removed++;
                }
            }
        } catch (IOException e) {
            throw new DkmsDebException("cannot prune the build logs in " + dir + ": " + e.getMessage()
                    + "; check the permissions, or give the directory with --log-dir", e);
        }
        Log.info("build logs: removed " + removed + " older than " + days + " days from " + dir);
        return removed;
    }
}

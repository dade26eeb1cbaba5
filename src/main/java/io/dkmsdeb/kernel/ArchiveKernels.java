package io.dkmsdeb.kernel;

import io.dkmsdeb.model.KernelHeadersException;
import io.dkmsdeb.model.kernel.KernelListing;
import io.dkmsdeb.model.kernel.KernelListing.Kernel;
import io.dkmsdeb.model.kernel.KernelListing.Meta;
import io.dkmsdeb.model.kernel.KernelListing.Listing;
import io.dkmsdeb.model.UsageException;
import io.dkmsdeb.process.ProcessRunner;
import io.dkmsdeb.support.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The kernels the configured apt archive serves: every {@code linux-headers-KVER} package of a
 * kernel ABI (not the {@code -common} ones, not the meta-packages), with the version apt would
 * fetch, and the kernel meta-packages ({@code linux-image-amd64}, {@code linux-image-6.12-cloud-amd64},
 * ...) with the ABI each depends on now. Read with {@code apt-cache} (no root, nothing installed),
 * or from a listing written earlier as JSON (what {@code kernels --json} prints), which is also how a CI job
 * or a test hands over a listing of its own.
 */
public final class ArchiveKernels {
    /**
     * A Debian kernel release: {@code 6.1.0-57-cloud-amd64} (series 6.1, ABI 6.1.0-57), or
     * {@code 6.12.117+deb12-rt-amd64} (series 6.12, ABI 6.12.117+deb12); the flavour is the rest.
     */
    static final Pattern RELEASE = KernelListing.RELEASE;
    /** A kernel meta-package: {@code linux-image-FLAVOUR} or {@code linux-image-SERIES-FLAVOUR}. */
    private static final Pattern META = Pattern.compile("linux-image-((?:\\d+\\.\\d+-)?[a-z][a-z0-9-]*)");
    /** A line of {@code apt-cache depends}: the ABI image a kernel meta-package depends on. */
    private static final Pattern META_DEPENDS = Pattern.compile("\\|?Depends: linux-image-(\\S+?)(?:-unsigned)?(?::[a-z0-9]+)?");
    private static final Duration APT_TIMEOUT = Duration.ofMinutes(2);

    private ArchiveKernels() {
    }

    /** What apt-cache says now: every kernel ABI with headers, and the meta-packages pointing at one of them. */
    public static Listing query(Map<String, String> env) {
        Apt apt = Apt.configure(env);
        apt.warnOfStaleLists();
        return query(apt, null);
    }

    /**
     * What another archive serves (a release's, or that of apt source lines): its package lists fetched into a private
     * apt state when they are missing or a day old ({@link ReleaseApt}); the listing records its release.
     */
    public static Listing query(Map<String, String> env, ReleaseApt archive) {
        Map<String, String> e = env == null ? Map.of("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin") : env;
        return archive.use(e, aptEnv -> query(new Apt(aptEnv, List.of(), archive.arch()), archive.release().orElse(null)));
    }

    private static Listing query(Apt apt, io.dkmsdeb.model.kernel.DebianRelease release) {
        List<String> names = apt.lines(List.of("pkgnames", "linux-"));
        List<String> headerNames = names.stream().filter(n -> n.startsWith("linux-headers-")).filter(n -> {
            Matcher m = RELEASE.matcher(n.substring("linux-headers-".length()));
            return m.matches() && !m.group(4).startsWith("common");
        }).sorted().toList();
        List<String> metaNames = names.stream().filter(n -> META.matcher(n).matches()).sorted().toList();
        List<Kernel> kernels = new ArrayList<>();
        for (Candidate c : apt.candidates(headerNames)) {
            Matcher m = RELEASE.matcher(c.name().substring("linux-headers-".length()));
            if (m.matches()) {
                kernels.add(new Kernel(m.group(0), m.group(2) + "." + m.group(3), m.group(4), c.arch(), c.name(), c.version()));
            }
        }
        kernels = dedupe(kernels);
        Set<String> releases = kernels.stream().map(Kernel::release).collect(Collectors.toSet());
        Map<String, String> metaVersions = new TreeMap<>();
        for (Candidate c : apt.candidates(metaNames)) {
            metaVersions.putIfAbsent(c.name(), c.version());
        }
        List<Meta> metas = new ArrayList<>();
        Set<String> done = new java.util.HashSet<>();
        String current = null;
        for (String line : metaVersions.isEmpty() ? List.<String>of() : apt.lines(concat(List.of("depends", "--no-recommends",
                "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"), metaVersions.keySet()))) {
            if (!line.startsWith(" ")) {
                current = line.strip().replaceFirst(":[a-z0-9]+$", "");
                continue;
            }
            Matcher d = META_DEPENDS.matcher(line.strip());
            Matcher meta = META.matcher(current == null ? "" : current);
            if (meta.matches() && metaVersions.containsKey(current) && d.matches() && releases.contains(d.group(1)) && done.add(current)) {
                metas.add(new Meta(current, meta.group(1), metaVersions.get(current), d.group(1)));
            }
        }
        metas.sort(Comparator.comparing(Meta::pkg));
        return new Listing(kernels, metas, release);
    }

    private static List<String> concat(List<String> a, java.util.Collection<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** A package's candidate: the version and architecture apt would fetch. */
    private record Candidate(String name, String arch, String version) {
    }

    /**
     * apt-cache, run with a package cache of our own when the system's is switched off (as in
     * container images, where every apt-cache call would otherwise rebuild it: seconds each).
     */
    private record Apt(Map<String, String> env, List<String> options, String nativeArch) {
        static Apt configure(Map<String, String> env) {
            Map<String, String> e = env == null ? Map.of("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin") : env;
            String dump = run(List.of("apt-config", "dump"), e);
            List<String> options = new ArrayList<>();
            if (dump.lines().anyMatch(l -> l.equals("Dir::Cache::pkgcache \"\";"))) {
                Path dir = HeadersFetcher.cacheRoot(e).resolveSibling("apt");
                try {
                    Files.createDirectories(dir);
                    options = List.of("-o", "Dir::Cache::pkgcache=" + dir.resolve("pkgcache.bin"),
                            "-o", "Dir::Cache::srcpkgcache=" + dir.resolve("srcpkgcache.bin"));
                } catch (IOException ignored) {
                    // no cache of our own: slower, not wrong
                }
            }
            String arch = run(List.of("dpkg", "--print-architecture"), e).strip();
            return new Apt(e, options, arch);
        }

        /**
         * A warning when apt has no package lists (apt-get update never ran, or the lists were cleaned, as in container
         * images): apt-cache then knows only what dpkg has installed, and the listing would pass the installed headers off
         * as what the archive serves; or when the newest list is older than a week.
         */
        void warnOfStaleLists() {
            String shell = run(List.of("apt-config", "shell", "LISTS", "Dir::State::lists/d"), env).strip();
            java.util.regex.Matcher m = Pattern.compile("LISTS='([^']*)'").matcher(shell);
            if (!m.find()) {
                return;
            }
            Path lists = Path.of(m.group(1));
            java.util.Optional<java.nio.file.attribute.FileTime> newest;
            try (java.util.stream.Stream<Path> s = Files.isDirectory(lists) ? Files.list(lists) : java.util.stream.Stream.empty()) {
                newest = s.filter(p -> p.getFileName().toString().contains("_Packages")).map(p -> {
                    try {
                        return Files.getLastModifiedTime(p);
                    } catch (IOException e) {
                        return java.nio.file.attribute.FileTime.fromMillis(0);
                    }
                }).max(Comparator.naturalOrder());
            } catch (IOException e) {
                newest = java.util.Optional.empty();
            }
            if (newest.isEmpty()) {
                io.dkmsdeb.support.Log.warn("apt has no package lists in " + lists + ": apt-cache knows only the installed packages, so "
                        + "this is not what the archive serves; run apt-get update (as root) first");
            } else {
                long days = Duration.between(newest.get().toInstant(), java.time.Instant.now()).toDays();
                if (days >= 7) {
                    io.dkmsdeb.support.Log.warn("apt's package lists in " + lists + " are " + days + " days old: newer kernels the "
                            + "archive serves are missing from this listing; run apt-get update (as root) first");
                }
            }
        }

        List<String> lines(List<String> args) {
            List<String> cmd = new ArrayList<>(List.of("apt-cache"));
            cmd.addAll(options);
            cmd.addAll(args);
            return run(cmd, env).lines().filter(l -> !l.isBlank()).toList();
        }

        /** {@code apt-cache policy}: each name's candidate, if it has one. */
        List<Candidate> candidates(List<String> names) {
            List<Candidate> out = new ArrayList<>();
            for (int i = 0; i < names.size(); i += 500) {
                String name = null;
                String arch = null;
                for (String line : lines(concat(List.of("policy"), names.subList(i, Math.min(names.size(), i + 500))))) {
                    if (!line.startsWith(" ") && line.endsWith(":")) {
                        String head = line.substring(0, line.length() - 1);
                        int colon = head.indexOf(':');
                        name = colon < 0 ? head : head.substring(0, colon);
                        arch = colon < 0 ? nativeArch : head.substring(colon + 1);
                    } else if (name != null && line.strip().startsWith("Candidate: ")) {
                        String v = line.strip().substring("Candidate: ".length()).strip();
                        if (!v.equals("(none)")) {
                            out.add(new Candidate(name, arch, v));
                        }
                        name = null;
                    }
                }
            }
            return out;
        }
    }

    /**
     * A listing written by {@code kernels --json} (or by hand, in that form); its {@code release}, when it has one (listings
     * of the host's archive, and those of dkms-deb before releases were recorded, have none).
     */
    public static Listing read(Path file) {
        Object root;
        try {
            root = Json.read(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UsageException("cannot read the kernel listing " + file + ": " + e.getMessage(), e);
        } catch (Json.SyntaxException e) {
            throw new UsageException("the kernel listing " + file + " is not JSON: " + e.getMessage()
                    + "; write it with 'dkms-deb kernels --json'", e);
        }
        try {
            Map<?, ?> map = (Map<?, ?>) root;
            List<Kernel> kernels = new ArrayList<>();
            for (Object o : (List<?>) map.get("kernels")) {
                Map<?, ?> k = (Map<?, ?>) o;
                String release = text(k, "release");
                Matcher m = RELEASE.matcher(release);
                if (!m.matches()) {
                    throw new UsageException("the kernel listing " + file + " names '" + release
                            + "', which is not a Debian kernel release (like 6.1.0-57-amd64)");
                }
                kernels.add(new Kernel(release, m.group(2) + "." + m.group(3), m.group(4), text(k, "arch"),
                        "linux-headers-" + release, text(k, "headersVersion")));
            }
            List<Meta> metas = new ArrayList<>();
            Object ms = map.get("metas");
            for (Object o : ms == null ? List.of() : (List<?>) ms) {
                Map<?, ?> m = (Map<?, ?>) o;
                String pkg = text(m, "package");
                Matcher meta = META.matcher(pkg);
                if (!meta.matches()) {
                    throw new UsageException("the kernel listing " + file + " names '" + pkg + "' as a kernel meta-package; "
                            + "expected linux-image-FLAVOUR");
                }
                metas.add(new Meta(pkg, meta.group(1), text(m, "version"), text(m, "release")));
            }
            Object release = map.get("release");
            return new Listing(dedupe(kernels), metas, release == null ? null : releaseOf(file, text(map, "release")));
        } catch (ClassCastException | NullPointerException e) {
            throw new UsageException("the kernel listing " + file + " is not in the form 'dkms-deb kernels --json' writes "
                    + "({\"kernels\": [{\"release\": ..., \"arch\": ..., \"headersVersion\": ...}], \"metas\": [...]})", e);
        }
    }

    private static io.dkmsdeb.model.kernel.DebianRelease releaseOf(Path file, String codename) {
        try {
            return new io.dkmsdeb.model.kernel.DebianRelease(codename);
        } catch (UsageException e) {
            throw new UsageException("the kernel listing " + file + " says its release is '" + codename + "', which is not a Debian "
                    + "codename (like trixie); write it with 'dkms-deb kernels --release RELEASE --json'", e);
        }
    }

    private static String text(Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof String s) || s.isEmpty() || s.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new UsageException("'" + key + "' must be a non-empty word of printable ASCII in the kernel listing, got " + v);
        }
        return s;
    }

    /** One entry per release (the first), sorted by series, flavour, then ABI in natural order. */
    private static List<Kernel> dedupe(List<Kernel> kernels) {
        Map<String, Kernel> byRelease = new TreeMap<>();
        for (Kernel k : kernels) {
            byRelease.putIfAbsent(k.release(), k);
        }
        List<Kernel> out = new ArrayList<>(byRelease.values());
        out.sort(Comparator.comparing(Kernel::series, KernelListing::natural).thenComparing(Kernel::flavour)
                .thenComparing(Kernel::release, KernelListing::natural));
        return out;
    }

    private static String run(List<String> cmd, Map<String, String> env) {
        ProcessRunner.Captured c;
        try {
            c = ProcessRunner.capture(cmd, null, env, APT_TIMEOUT);
        } catch (IOException e) {
            throw new KernelHeadersException("cannot run " + cmd.get(0) + ": " + e.getMessage()
                    + "; the kernel list comes from apt, install apt or give a listing with --kernel-list", e);
        }
        if (c.exit() != 0 || c.timedOut()) {
            String what = String.join(" ", cmd.stream().filter(w -> !w.startsWith("-") && !w.startsWith("Dir::")).limit(2).toList());
            throw new KernelHeadersException(what + " failed ("
                    + (c.timedOut() ? "timed out" : "exit " + c.exit()) + "): " + c.stderrText().strip()
                    + "; run apt-get update, or give a listing with --kernel-list");
        }
        return c.stdoutText();
    }
}

package io.dkmsdeb.pipeline.repo;

import io.dkmsdeb.pipeline.DebianNames;
import io.dkmsdeb.debiandir.DebianVersion;
import io.dkmsdeb.model.kernel.KernelListing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which packages leave a repository's indices. Two rules, each asked for on its own:
 * <ul>
 *   <li>kernels gone: a {@code NAME-modules-KVER} package (Source {@code NAME-dkms-bin}, depending on
 *       {@code linux-image-KVER}) whose kernel the archive listing no longer has, when the listing
 *       has kernels of that package's architecture at all (a listing of amd64 kernels says nothing of
 *       arm64 ones), and the older versions of a meta-package that depended on such a package
 *       (the newest version of a meta-package always stays);</li>
 *   <li>old builds: all but the newest {@code N} versions of each package name and architecture.</li>
 * </ul>
 * Never removed: a package that a package staying depends on with {@code (= VERSION)}, as every
 * {@code NAME-modules-FLAVOUR} meta-package depends on its module package.
 */
public final class Retention {
    private static final Pattern EXACT = Pattern.compile("([a-z0-9][a-z0-9+.-]+)\\s*\\(\\s*=\\s*([^)\\s]+)\\s*\\)");
    private static final Pattern KERNEL = Pattern.compile("^linux-image-(\\S+)");

    private Retention() {
    }

    /**
     * @param listing    the archive's kernels, or null: the kernel rule is off
     * @param keepBuilds how many versions of each package to keep, or 0: the rule is off
     * @return the entries to remove, in the order of {@code entries}
     */
    static List<RepoPool.Entry> plan(Collection<RepoPool.Entry> entries, KernelListing.Listing listing, int keepBuilds) {
        Set<RepoPool.Entry> candidates = new LinkedHashSet<>();
        if (listing != null) {
            entries.stream().filter(e -> kernelGone(e, listing)).forEach(candidates::add);
            // an older version of a meta-package that pointed at such a kernel goes with it; the newest stays
            Set<String> gone = new HashSet<>();
            candidates.forEach(e -> gone.add(e.pkg() + " " + e.version()));
            Map<String, RepoPool.Entry> newest = new LinkedHashMap<>();
            entries.forEach(e -> newest.merge(e.pkg() + " " + e.arch(), e,
                    (a, b) -> DebianVersion.compare(a.version(), b.version()) >= 0 ? a : b));
            entries.stream().filter(e -> newest.get(e.pkg() + " " + e.arch()) != e)
                    .filter(e -> exactDepends(e).stream().anyMatch(gone::contains)).forEach(candidates::add);
        }
        if (keepBuilds > 0) {
            Map<String, List<RepoPool.Entry>> byName = new LinkedHashMap<>();
            entries.forEach(e -> byName.computeIfAbsent(e.pkg() + " " + e.arch(), k -> new ArrayList<>()).add(e));
            for (List<RepoPool.Entry> builds : byName.values()) {
                builds.sort(Comparator.comparing(RepoPool.Entry::version, DebianVersion::compare).reversed());
                candidates.addAll(builds.subList(Math.min(keepBuilds, builds.size()), builds.size()));
            }
        }
        // what stays protects what it depends on exactly, and that in turn what it depends on
        boolean changed = true;
        while (changed) {
            Set<String> needed = new HashSet<>();
            entries.stream().filter(e -> !candidates.contains(e)).forEach(e -> needed.addAll(exactDepends(e)));
            changed = candidates.removeIf(e -> needed.contains(e.pkg() + " " + e.version()));
        }
        return entries.stream().filter(candidates::contains).toList();
    }

    /** The kernel release a NAME-modules-KVER package of bmdeb is for, if it is one. */
    static Optional<String> kernelOf(RepoPool.Entry e) {
        Optional<String> module = DebianNames.moduleOfSource(e.fields().get("Source"));
        if (module.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = KERNEL.matcher(e.fields().getOrDefault("Depends", "").strip());
        if (!m.find()) {
            return Optional.empty();
        }
        String release = m.group(1).replaceFirst(",$", "");
        try {
            return e.pkg().equals(DebianNames.modulesPackage(module.get(), release)) ? Optional.of(release) : Optional.empty();
        } catch (RuntimeException notAName) {
            return Optional.empty();
        }
    }

    private static boolean kernelGone(RepoPool.Entry e, KernelListing.Listing listing) {
        Optional<String> release = kernelOf(e);
        return release.isPresent() && listing.kernels().stream().anyMatch(k -> k.arch().equals(e.arch()))
                && listing.kernel(release.get()).isEmpty();
    }

    private static Set<String> exactDepends(RepoPool.Entry e) {
        Set<String> out = new HashSet<>();
        for (String field : List.of("Depends", "Pre-Depends")) {
            Matcher m = EXACT.matcher(e.fields().getOrDefault(field, ""));
            while (m.find()) {
                out.add(m.group(1) + " " + m.group(2));
            }
        }
        return out;
    }
}

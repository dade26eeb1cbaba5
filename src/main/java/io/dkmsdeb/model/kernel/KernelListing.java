package io.dkmsdeb.model.kernel;

import io.dkmsdeb.model.UsageException;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The kernels an apt archive serves and its kernel meta-packages: values, and the filter over them. */
public final class KernelListing {
    /**
     * A Debian kernel release: {@code 6.1.0-57-cloud-amd64} (series 6.1, ABI 6.1.0-57), or
     * {@code 6.12.117+deb12-rt-amd64} (series 6.12, ABI 6.12.117+deb12); the flavour is the rest.
     */
    public static final Pattern RELEASE = Pattern.compile("((\\d+)\\.(\\d+)\\.\\d+(?:-\\d+)?(?:\\+[a-z0-9.~]+)?)-([a-z0-9][a-z0-9-]*)");

    private KernelListing() {
    }

    /**
     * A kernel the archive has headers for.
     *
     * @param release        the kernel release, as {@code uname -r} prints it
     * @param series         major.minor ({@code 6.1})
     * @param flavour        what follows the ABI ({@code amd64}, {@code cloud-amd64}, {@code rt-arm64})
     * @param arch           the Debian architecture of the headers package
     * @param headersPackage {@code linux-headers-RELEASE}
     * @param headersVersion the version apt would fetch
     */
    public record Kernel(String release, String series, String flavour, String arch, String headersPackage, String headersVersion) {
        /** The {@code package=version} that names these headers exactly (part of a build's inputs). */
        public String headersId() {
            return headersPackage + "=" + headersVersion;
        }
    }

    /**
     * A kernel meta-package and the ABI it depends on now.
     *
     * @param pkg     {@code linux-image-FLAVOUR}
     * @param flavour what follows {@code linux-image-} ({@code amd64}, {@code 6.12-cloud-amd64})
     * @param version its version
     * @param release the kernel release of the {@code linux-image-RELEASE} it depends on
     */
    public record Meta(String pkg, String flavour, String version, String release) {
    }

    /**
     * Kernels in release order (series, flavour, ABI), and the meta-packages that point at one of them.
     *
     * @param kernels the kernels with headers
     * @param metas   the kernel meta-packages
     * @param release the Debian release whose archive was listed ({@code kernels --release}); null for the host's apt
     *                configuration (and listings written before releases were recorded)
     */
    public record Listing(List<Kernel> kernels, List<Meta> metas, DebianRelease release) {
        public Listing {
            kernels = List.copyOf(kernels);
            metas = List.copyOf(metas);
        }

        /** A listing of the host's apt configuration: no release recorded. */
        public Listing(List<Kernel> kernels, List<Meta> metas) {
            this(kernels, metas, null);
        }

        /** "trixie's archive", or "the archive" for a listing of no recorded release: for messages. */
        public String archive() {
            return release == null ? "the archive" : release + "'s archive";
        }

        /**
         * The kernels {@code filter} selects, and the meta-packages pointing at them. The filter is
         * words separated by spaces or commas: a series ({@code 6.1}), an architecture
         * ({@code arch=arm64}), a kernel release, or a flavour ({@code amd64}, {@code cloud-amd64},
         * matched exactly), or {@code current} (the ABIs the kernel meta-packages depend on now; {@code current+N}: and
         * the N ABIs before each of them). Words of one kind are alternatives; kinds must all match. Empty: all.
         */
        public Listing filter(String filter) {
            Filter f = Filter.parse(filter);
            Set<String> current = f.current() == null ? null : current(f.current());
            List<Kernel> ks = kernels.stream().filter(f::matches).filter(k -> current == null || current.contains(k.release())).toList();
            Set<String> kept = ks.stream().map(Kernel::release).collect(Collectors.toSet());
            return new Listing(ks, metas.stream().filter(m -> kept.contains(m.release())).toList(), release);
        }

        /**
         * As {@link #filter}, but a filter that selects no kernel is a usage error that names the
         * series, flavours and architectures the listing has (a typo such as {@code amd46} would
         * otherwise list nothing and look like success).
         */
        public Listing filterMatching(String filter) {
            Listing l = filter(filter);
            if (l.kernels().isEmpty() && filter != null && !filter.isBlank()) {
                throw new UsageException("no kernel of " + archive() + " matches '" + filter.strip() + "'" + (kernels.isEmpty()
                        ? "; the archive serves no kernel headers (run apt-get update, or check the sources of apt)"
                        : "; it serves " + served() + "; correct the filter (see 'dkms-deb kernels --help')"));
            }
            return l;
        }

        /** The series, flavours and architectures of the kernels, for messages: "the series 6.1, 6.12, the flavours amd64, ...". */
        public String served() {
            return "the series " + distinct(Kernel::series) + ", the flavours " + distinct(Kernel::flavour) + " and the architectures "
                    + distinct(Kernel::arch);
        }

        private String distinct(java.util.function.Function<Kernel, String> field) {
            return kernels.stream().map(field).distinct().sorted(KernelListing::natural).collect(Collectors.joining(", "));
        }

        /**
         * The releases the kernel meta-packages depend on now ({@code linux-image-amd64} -> {@code 6.1.0-57-amd64}), and
         * in each of their series, flavour and architecture the {@code before} ABIs older than that one.
         */
        public Set<String> current(int before) {
            Set<String> pointed = metas.stream().map(Meta::release).collect(Collectors.toSet());
            Set<String> out = new TreeSet<>();
            Map<String, List<Kernel>> groups = kernels.stream().collect(Collectors.groupingBy(
                    k -> k.series() + " " + k.flavour() + " " + k.arch(), java.util.TreeMap::new, Collectors.toList()));
            for (List<Kernel> group : groups.values()) {
                List<String> releases = group.stream().map(Kernel::release).sorted(KernelListing::natural).toList();
                for (int i = 0; i < releases.size(); i++) {
                    if (pointed.contains(releases.get(i))) {
                        out.addAll(releases.subList(Math.max(0, i - before), i + 1));
                    }
                }
            }
            return out;
        }

        /** The kernel of {@code release}, if listed. */
        public Optional<Kernel> kernel(String release) {
            return kernels.stream().filter(k -> k.release().equals(release)).findFirst();
        }
    }

    /**
     * Where a listing comes from: a file {@code kernels --json} wrote, else the archive of apt source lines given
     * ({@code --apt-source}), else the archive of a Debian release ({@code --release}), else the host's apt configuration.
     *
     * @param file       {@code --kernel-list}, or null
     * @param release    {@code --release}, or null
     * @param aptSources {@code --apt-source} lines (none: the release's own archive, or the host's)
     */
    public record Origin(java.nio.file.Path file, DebianRelease release, List<String> aptSources) {
        public Origin {
            aptSources = aptSources == null ? List.of() : List.copyOf(aptSources);
            if (file != null && !aptSources.isEmpty()) {
                throw new UsageException("--kernel-list and --apt-source both say where the kernel listing comes from; give one of them");
            }
        }

        /** The host's apt configuration, or {@code file} when not null. */
        public static Origin of(java.nio.file.Path file) {
            return new Origin(file, null, List.of());
        }

        /** True when the listing is of the host's apt configuration (no file, no release, no source lines). */
        public boolean host() {
            return file == null && release == null && aptSources.isEmpty();
        }
    }

    /** The filter word that keeps the ABIs the kernel meta-packages depend on now ({@code current}, {@code current+N}). */
    private static final Pattern CURRENT = Pattern.compile("current(?:\\+(\\d{1,3}))?");

    /** The filter words, by kind; {@code current}: null, or how many ABIs before the current ones are kept too. */
    private record Filter(Set<String> series, Set<String> arches, Set<String> releases, Set<String> flavours, Integer current) {
        static Filter parse(String text) {
            Set<String> series = new TreeSet<>();
            Set<String> arches = new TreeSet<>();
            Set<String> releases = new TreeSet<>();
            Set<String> flavours = new TreeSet<>();
            Integer current = null;
            for (String w : (text == null ? "" : text).split("[\\s,]+")) {
                if (w.isEmpty()) {
                    continue;
                }
                Matcher c = CURRENT.matcher(w);
                if (c.matches()) {
                    current = Math.max(current == null ? 0 : current, c.group(1) == null ? 0 : Integer.parseInt(c.group(1)));
                } else if (w.matches("\\d+\\.\\d+")) {
                    series.add(w);
                } else if (w.startsWith("arch=") && w.length() > 5) {
                    arches.add(w.substring(5));
                } else if (RELEASE.matcher(w).matches()) {
                    releases.add(w);
                } else if (w.matches("[a-z0-9][a-z0-9-]*")) {
                    flavours.add(w);
                } else {
                    throw new UsageException("'" + w + "' in the kernel filter is not a series (6.1), a flavour (amd64, cloud-amd64), "
                            + "arch=ARCH, current[+N] or a kernel release; separate words with spaces or commas");
                }
            }
            return new Filter(series, arches, releases, flavours, current);
        }

        boolean matches(Kernel k) {
            return (series.isEmpty() || series.contains(k.series())) && (arches.isEmpty() || arches.contains(k.arch()))
                    && (releases.isEmpty() || releases.contains(k.release())) && (flavours.isEmpty() || flavours.contains(k.flavour()));
        }
    }

    /** Compares digit runs as numbers and the rest as text: 6.1.0-9 before 6.1.0-10, 6.1 before 6.12. */
    public static int natural(String a, String b) {
        Matcher x = Pattern.compile("\\d+|\\D+").matcher(a);
        Matcher y = Pattern.compile("\\d+|\\D+").matcher(b);
        while (true) {
            boolean hx = x.find();
            boolean hy = y.find();
            if (!hx || !hy) {
                return Boolean.compare(hx, hy);
            }
            String p = x.group();
            String q = y.group();
            int c = Character.isDigit(p.charAt(0)) && Character.isDigit(q.charAt(0)) ? new BigInteger(p).compareTo(new BigInteger(q))
                    : p.compareTo(q);
            if (c != 0) {
                return c;
            }
        }
    }
}

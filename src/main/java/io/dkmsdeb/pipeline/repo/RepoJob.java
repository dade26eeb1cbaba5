package io.dkmsdeb.pipeline.repo;

import io.dkmsdeb.deb.AptIndex;
import io.dkmsdeb.deb.AtomicOutput;
import io.dkmsdeb.deb.ControlFile;
import io.dkmsdeb.deb.DebWriter;
import io.dkmsdeb.debiandir.DebianVersion;
import io.dkmsdeb.model.Compression;
import io.dkmsdeb.model.DebPackage;
import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.model.KernelListing;
import io.dkmsdeb.model.UsageException;
import io.dkmsdeb.pipeline.ArchiveListing;
import io.dkmsdeb.pipeline.SourceDateEpoch;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.templates.ScriptTemplates;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code repo} use case: packages join the pool of an apt repository, the per-flavour
 * meta-packages follow the kernel listing, and the suite's indices are written again from the
 * pool: {@code dists/SUITE/COMPONENT/binary-ARCH/Packages} and {@code .xz}, then {@code Release},
 * then {@code InRelease} and {@code Release.gpg}. Every package is read and checked before
 * anything is written; a package already in the pool with the same bytes changes nothing, one
 * with other bytes under the same name, version and architecture is refused.
 */
public final class RepoJob {
    /** Suite and component names: what reprepro and apt accept in a path. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");

    /**
     * @param repoDir      the repository root (created when missing)
     * @param debs         packages to add
     * @param suite        the suite (also its Codename)
     * @param component    the component
     * @param origin       Origin of Release, or null
     * @param label        Label of Release, or null
     * @param signKey      the gpg key to sign with, or null for an unsigned repository
     * @param gpgHome      gpg's home directory, or null
     * @param kernelList   a listing written by {@code kernels --json}, or null to ask apt-cache
     * @param metaPackages whether to make the per-flavour meta-packages
     * @param env          the environment (SOURCE_DATE_EPOCH)
     */
    public record Request(Path repoDir, List<Path> debs, String suite, String component, String origin, String label,
                         String signKey, Path gpgHome, Path kernelList, boolean metaPackages, Map<String, String> env) {
        public Request {
            debs = List.copyOf(debs);
        }
    }

    /** Pool files by what happened to them (paths relative to the repository root), and the index files written. */
    public record Result(Path repoDir, String suite, String component, List<String> added, List<String> unchanged,
                         List<String> metaPackages, List<String> indices, boolean signed, double seconds) {
    }

    /** A file that is to join the pool: its bytes come from {@code source} or {@code bytes}. */
    private record Incoming(RepoPool.Entry entry, Path source, byte[] bytes) {
    }

    public Result run(Request r) {
        long start = System.nanoTime();
        requireName(r.suite(), "--suite");
        requireName(r.component(), "--component");
        Path repo = r.repoDir();
        if (Files.exists(repo, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(repo)) {
            throw new UsageException("repository directory " + repo + " exists and is not a directory; give a directory");
        }
        boolean fixedTime = !r.env().getOrDefault("SOURCE_DATE_EPOCH", "").isBlank();
        long epoch = SourceDateEpoch.from(r.env());
        long date = fixedTime ? epoch : System.currentTimeMillis() / 1000;
        RepoSigner signer = r.signKey() == null ? null : new RepoSigner(r.signKey(), r.gpgHome(), fixedTime ? epoch : null);
        if (signer != null) {
            signer.check();
        }
        Path binaryDir = repo.resolve("dists").resolve(r.suite()).resolve(r.component());
        List<RepoPool.Entry> pool = RepoPool.scan(repo, r.component(), knownStanzas(binaryDir));
        Map<String, RepoPool.Entry> byKey = new LinkedHashMap<>();
        pool.forEach(e -> byKey.put(e.key(), e));

        List<String> added = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        List<Incoming> incoming = new ArrayList<>();
        for (Path deb : r.debs()) {
            Map<String, String> fields = RepoPool.readControl(deb);
            String filename = RepoPool.directory(r.component(), fields) + "/" + RepoPool.fileName(fields);
            RepoPool.Entry e = new RepoPool.Entry(filename, RepoPool.checksums(deb), fields);
            RepoPool.Entry there = byKey.get(e.key());
            if (there != null && !there.sums().sha256().equals(e.sums().sha256())) {
                throw new DkmsDebException("cannot add " + deb + ": the repository has " + e.key().replace(' ', '_') + " already ("
                        + there.filename() + ") with other content, and apt takes a package's name, version and architecture to mean "
                        + "the same bytes; give the new build a new version (e.g. bmdeb --revision), or remove the old file from the "
                        + "pool if no machine has it, then run again. Nothing was changed");
            }
            if (there != null) {
                unchanged.add(there.filename());
                continue;
            }
            requireFree(repo, filename, deb);
            byKey.put(e.key(), e);
            incoming.add(new Incoming(e, deb, null));
            added.add(filename);
        }
        List<String> metas = r.metaPackages() ? planMetas(r, byKey, incoming, epoch) : List.of();

        writePool(repo, incoming);
        List<RepoPool.Entry> all = new ArrayList<>(byKey.values());
        List<String> indices = new IndexWriter(repo, r.suite()).write(r.component(), all,
                new AptIndex.ReleaseInfo(r.origin(), r.label(), r.suite(), List.of(), List.of(), null, date), signer);
        return new Result(repo, r.suite(), r.component(), added, unchanged, metas, indices, signer != null,
                (System.nanoTime() - start) / 1e9);
    }

    /** The meta-packages that the listing calls for and the pool lacks, planned and written to memory; adds them to incoming. */
    private List<String> planMetas(Request r, Map<String, RepoPool.Entry> byKey, List<Incoming> incoming, long epoch) {
        KernelListing.Listing listing = ArchiveListing.load(r.kernelList(), null);
        List<MetaPackagePlanner.Plan> plans = MetaPackagePlanner.plans(byKey.values().stream().map(RepoPool.Entry::fields).toList(), listing);
        MetaPackagePlanner planner = new MetaPackagePlanner(new ScriptTemplates(null));
        List<String> out = new ArrayList<>();
        for (MetaPackagePlanner.Plan plan : plans) {
            String key = plan.packageName() + " " + plan.version() + " " + plan.target().arch();
            if (byKey.containsKey(key)) {
                Log.info(plan.packageName() + " " + plan.version() + " is in the repository already (follows "
                        + plan.kernelMeta().pkg() + " " + plan.kernelMeta().version() + ")");
                continue;
            }
            DebPackage pkg = planner.plan(plan, epoch);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try {
                new DebWriter(Compression.XZ, epoch, 1).write(pkg, bytes);
            } catch (IOException e) {
                throw new DkmsDebException("cannot make " + pkg.conventionalFileName() + ": " + e.getMessage() + "; check free space in the temp directory");
            }
            byte[] deb = bytes.toByteArray();
            Map<String, String> fields = RepoPool.checkControl(new String(ControlFile.render(pkg.control()), StandardCharsets.UTF_8),
                    pkg.conventionalFileName());
            String filename = RepoPool.directory(r.component(), fields) + "/" + RepoPool.fileName(fields);
            requireFree(r.repoDir(), filename, Path.of(pkg.conventionalFileName()));
            RepoPool.Entry e = new RepoPool.Entry(filename, AptIndex.Checksums.of(deb), fields);
            byKey.put(key, e);
            incoming.add(new Incoming(e, null, deb));
            out.add(filename);
            Log.info(plan.packageName() + " " + plan.version() + " depends on " + plan.target().pkg() + " (= "
                    + plan.target().version() + "), following " + plan.kernelMeta().pkg() + " " + plan.kernelMeta().version());
        }
        return out;
    }

    /** A pool file name taken by another package (a file not listed by its content) is refused rather than overwritten. */
    private static void requireFree(Path repo, String filename, Path deb) {
        if (Files.exists(repo.resolve(filename), LinkOption.NOFOLLOW_LINKS)) {
            throw new DkmsDebException("cannot add " + deb + ": " + repo.resolve(filename) + " exists and holds another package; "
                    + "files in the pool are never overwritten: remove it if no machine needs it, then run again. Nothing was changed");
        }
    }

    private static void writePool(Path repo, List<Incoming> incoming) {
        for (Incoming in : incoming) {
            Path target = repo.resolve(in.entry().filename());
            try {
                Files.createDirectories(target.getParent());
                AtomicOutput.write(target, out -> {
                    if (in.bytes() != null) {
                        out.write(in.bytes());
                    } else {
                        Files.copy(in.source(), out);
                    }
                });
            } catch (IOException e) {
                throw new DkmsDebException("cannot write " + target + ": " + e.getMessage() + "; check free space and permissions of " + repo);
            }
            Log.info("added " + in.entry().filename());
        }
    }

    /** The stanzas of the component's current Packages files, by Filename. */
    private static Map<String, Map<String, String>> knownStanzas(Path componentDir) {
        Map<String, Map<String, String>> known = new LinkedHashMap<>();
        if (Files.isDirectory(componentDir)) {
            try (var dirs = Files.list(componentDir)) {
                for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith("binary-")).sorted().toList()) {
                    known.putAll(RepoPool.stanzas(d.resolve("Packages")));
                }
            } catch (IOException e) {
                // unreadable indices are rebuilt from the packages themselves
            }
        }
        return known;
    }

    private static void requireName(String value, String option) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new UsageException(option + " '" + value + "' is not a name apt and reprepro accept: use letters, digits, '.', '_', '+' and '-', e.g. bookworm or main");
        }
    }

    /** The suite a repository built here is for: VERSION_CODENAME of /etc/os-release ({@code bookworm}), else {@code stable}. */
    public static String hostCodename() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"), StandardCharsets.UTF_8)) {
                String v = line.startsWith("VERSION_CODENAME=") ? line.substring("VERSION_CODENAME=".length()).replace("\"", "").strip() : "";
                if (NAME.matcher(v).matches()) {
                    return v;
                }
            }
        } catch (IOException e) {
            // no os-release: the generic suite name
        }
        return "stable";
    }

    /** Package order in a Packages file: by name, then in dpkg's version order, then by architecture. */
    static final Comparator<RepoPool.Entry> ORDER = Comparator.comparing(RepoPool.Entry::pkg)
            .thenComparing(RepoPool.Entry::version, DebianVersion::compare).thenComparing(RepoPool.Entry::arch);

    /** The architectures of a component's binary-ARCH directories: those of its packages, else the build host's. */
    static List<String> architectures(List<RepoPool.Entry> entries) {
        TreeSet<String> arches = new TreeSet<>();
        entries.stream().map(RepoPool.Entry::arch).filter(a -> !a.equals("all")).forEach(arches::add);
        if (arches.isEmpty()) {
            arches.add(switch (System.getProperty("os.arch")) {
                case "aarch64" -> "arm64";
                case "x86" -> "i386";
                default -> "amd64";
            });
        }
        return List.copyOf(arches);
    }
}

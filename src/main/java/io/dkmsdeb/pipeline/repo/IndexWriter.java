package io.dkmsdeb.pipeline.repo;

import io.dkmsdeb.deb.AptIndex;
import io.dkmsdeb.deb.AtomicOutput;
import io.dkmsdeb.debiandir.DebianVersion;
import io.dkmsdeb.model.DkmsDebException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Writes a suite's new indices into the staging area, never where clients read: the component's
 * {@code binary-ARCH/Packages} and {@code Packages.xz} from its pool entries ({@code Architecture:
 * all} packages in every one), then {@code Release} over those and every other component's index
 * files as served, with {@code Acquire-By-Hash: yes}, then its signatures and the public key.
 */
final class IndexWriter {
    private static final List<String> INDEX_NAMES = List.of("Packages", "Packages.xz");

    private final Path repo;
    private final Path staging;
    private final String suite;

    /**
     * @param repo    the repository root (other components' served indices are read there)
     * @param staging the staging root, laid out as the repository ({@code dists/SUITE/...})
     */
    IndexWriter(Path repo, Path staging, String suite) {
        this.repo = repo;
        this.staging = staging;
        this.suite = suite;
    }

    /**
     * What was staged, as paths below the repository root.
     *
     * @param indices    the component's index files, with the size and checksums of each
     * @param signatures InRelease and Release.gpg (none when unsigned)
     * @param keys       KEY.asc and KEY.gpg (none when unsigned)
     */
    record Staged(Map<String, AptIndex.Checksums> indices, String release, List<String> signatures, List<String> keys) {
        Staged {
            indices = Collections.unmodifiableMap(new LinkedHashMap<>(indices));
            signatures = List.copyOf(signatures);
            keys = List.copyOf(keys);
        }

        List<String> all() {
            List<String> out = new ArrayList<>(indices.keySet());
            out.add(release);
            out.addAll(signatures);
            out.addAll(keys);
            return out;
        }
    }

    /**
     * Stages the indices of {@code component} and the suite's Release, signed by {@code signer} (null: unsigned).
     *
     * @param info Origin, Label, Suite and Date of the Release (its architectures and components are found here)
     */
    Staged write(String component, List<RepoPool.Entry> entries, AptIndex.ReleaseInfo info, RepoSigner signer) {
        String dists = "dists/" + suite + "/";
        Map<String, AptIndex.Checksums> indices = new LinkedHashMap<>();
        List<AptIndex.IndexFile> files = new ArrayList<>();
        for (String arch : architectures(entries)) {
            List<String> stanzas = entries.stream().filter(e -> e.arch().equals(arch) || e.arch().equals("all"))
                    .sorted(ORDER).map(RepoPool.Entry::stanza).toList();
            byte[] packages = AptIndex.packages(stanzas);
            String dir = component + "/binary-" + arch + "/";
            AptIndex.Checksums packagesSums = AptIndex.Checksums.of(packages);
            indices.put(stage(dists + dir + "Packages", packages), packagesSums);
            files.add(new AptIndex.IndexFile(dir + "Packages", packagesSums));
            byte[] xz = AptIndex.xz(packages);
            AptIndex.Checksums xzSums = AptIndex.Checksums.of(xz);
            indices.put(stage(dists + dir + "Packages.xz", xz), xzSums);
            files.add(new AptIndex.IndexFile(dir + "Packages.xz", xzSums));
        }
        for (Path index : servedIndexFiles(component)) {
            files.add(new AptIndex.IndexFile(repo.resolve(dists).relativize(index).toString(), RepoPool.checksums(index)));
        }
        files.sort(Comparator.comparing(AptIndex.IndexFile::path));
        TreeSet<String> arches = new TreeSet<>();
        TreeSet<String> components = new TreeSet<>();
        for (AptIndex.IndexFile f : files) {
            String[] parts = f.path().split("/");
            components.add(parts[0]);
            arches.add(parts[1].substring("binary-".length()));
        }
        AptIndex.ReleaseInfo full = new AptIndex.ReleaseInfo(info.origin(), info.label(), info.suite(), List.copyOf(arches),
                List.copyOf(components), info.description(), info.dateSeconds());
        String release = stage(dists + "Release", AptIndex.release(full, files));
        if (signer == null) {
            return new Staged(indices, release, List.of(), List.of());
        }
        Path staged = staging.resolve(release);
        List<String> signatures = List.of(stage(dists + "InRelease", signer.clearsign(staged)),
                stage(dists + "Release.gpg", signer.detachSign(staged)));
        List<String> keys = List.of(stage("KEY.asc", signer.exportPublicKey(true)), stage("KEY.gpg", signer.exportPublicKey(false)));
        return new Staged(indices, release, signatures, keys);
    }

    /** The served Packages and Packages.xz of this suite's other components, in path order. */
    private List<Path> servedIndexFiles(String component) {
        Path dists = repo.resolve("dists").resolve(suite);
        if (!Files.isDirectory(dists)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dists, 3)) {
            return s.filter(p -> Files.isRegularFile(p) && INDEX_NAMES.contains(p.getFileName().toString())
                            && p.getParent().getFileName().toString().startsWith("binary-")
                            && dists.relativize(p).getNameCount() == 3
                            && !dists.relativize(p).getName(0).toString().equals(component))
                    .sorted(Comparator.comparing(p -> dists.relativize(p).toString())).toList();
        } catch (IOException e) {
            throw new DkmsDebException("cannot list " + dists + ": " + e.getMessage() + "; check its permissions", e);
        }
    }

    private String stage(String rel, byte[] bytes) {
        Path file = staging.resolve(rel);
        try {
            Files.createDirectories(file.getParent());
            AtomicOutput.write(file, out -> out.write(bytes));
        } catch (IOException e) {
            throw new DkmsDebException("cannot write " + file + ": " + e.getMessage() + "; check free space and permissions of " + repo, e);
        }
        return rel;
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

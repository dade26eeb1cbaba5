package io.dkmsdeb.pipeline.repo;

import io.dkmsdeb.deb.AptIndex;
import io.dkmsdeb.deb.AtomicOutput;
import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.support.Log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Writes a suite's indices: the component's {@code binary-ARCH/Packages} and {@code Packages.xz}
 * from its pool entries ({@code Architecture: all} packages in every one), then {@code Release}
 * over every component's index files (those of other components as they are), then the
 * signatures. Each file is written to a temp file and renamed; Release and its signatures last.
 */
final class IndexWriter {
    private static final List<String> INDEX_NAMES = List.of("Packages", "Packages.xz");

    private final Path repo;
    private final Path dists;

    IndexWriter(Path repo, String suite) {
        this.repo = repo;
        this.dists = repo.resolve("dists").resolve(suite);
    }

    /**
     * Writes the indices of {@code component} and the suite's Release, signed by {@code signer} (null: unsigned).
     *
     * @param info Origin, Label, Suite and Date of the Release (its architectures and components are found here)
     * @return the files written, relative to the repository root
     */
    List<String> write(String component, List<RepoPool.Entry> entries, AptIndex.ReleaseInfo info, RepoSigner signer) {
        List<String> written = new ArrayList<>();
        for (String arch : RepoJob.architectures(entries)) {
            List<String> stanzas = entries.stream().filter(e -> e.arch().equals(arch) || e.arch().equals("all"))
                    .sorted(RepoJob.ORDER).map(RepoPool.Entry::stanza).toList();
            byte[] packages = AptIndex.packages(stanzas);
            Path dir = dists.resolve(component).resolve("binary-" + arch);
            written.add(write(dir.resolve("Packages"), packages));
            written.add(write(dir.resolve("Packages.xz"), AptIndex.xz(packages)));
        }
        TreeSet<String> arches = new TreeSet<>();
        TreeSet<String> components = new TreeSet<>();
        List<AptIndex.IndexFile> files = new ArrayList<>();
        for (Path index : indexFiles()) {
            String rel = dists.relativize(index).toString();
            components.add(rel.substring(0, rel.indexOf('/')));
            arches.add(index.getParent().getFileName().toString().substring("binary-".length()));
            files.add(new AptIndex.IndexFile(rel, RepoPool.checksums(index)));
        }
        AptIndex.ReleaseInfo full = new AptIndex.ReleaseInfo(info.origin(), info.label(), info.suite(), List.copyOf(arches),
                List.copyOf(components), info.description(), info.dateSeconds());
        Path release = dists.resolve("Release");
        written.add(write(release, AptIndex.release(full, files)));
        Path inRelease = dists.resolve("InRelease");
        Path releaseGpg = dists.resolve("Release.gpg");
        if (signer != null) {
            written.add(write(inRelease, signer.clearsign(release)));
            written.add(write(releaseGpg, signer.detachSign(release)));
            written.add(write(repo.resolve("KEY.asc"), signer.exportPublicKey(true)));
            written.add(write(repo.resolve("KEY.gpg"), signer.exportPublicKey(false)));
            Log.info("signed " + repo.relativize(release) + " with key " + signer.keyId() + "; apt needs KEY.gpg (or KEY.asc) as signed-by");
        } else {
            delete(inRelease);
            delete(releaseGpg);
            Log.warn("the repository is not signed (no --sign-key): apt refuses it unless its sources line says [trusted=yes], "
                    + "which trusts whatever a mirror or the network serves; sign it with --sign-key KEYID");
        }
        return written;
    }

    /** Every component's Packages and Packages.xz of this suite, in path order. */
    private List<Path> indexFiles() {
        try (Stream<Path> s = Files.walk(dists, 3)) {
            return s.filter(p -> Files.isRegularFile(p) && INDEX_NAMES.contains(p.getFileName().toString())
                            && p.getParent().getFileName().toString().startsWith("binary-")
                            && dists.relativize(p).getNameCount() == 3)
                    .sorted(Comparator.comparing(p -> dists.relativize(p).toString())).toList();
        } catch (IOException e) {
            throw new DkmsDebException("cannot list " + dists + ": " + e.getMessage() + "; check its permissions");
        }
    }

    private String write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            AtomicOutput.write(file, out -> out.write(bytes));
        } catch (IOException e) {
            throw new DkmsDebException("cannot write " + file + ": " + e.getMessage() + "; check free space and permissions of " + repo);
        }
        return repo.relativize(file).toString();
    }

    private void delete(Path stale) {
        try {
            if (Files.deleteIfExists(stale)) {
                Log.info("removed " + repo.relativize(stale) + ", the signature of an earlier Release");
            }
        } catch (IOException e) {
            throw new DkmsDebException("cannot remove the stale " + stale + ": " + e.getMessage() + "; remove it by hand");
        }
    }
}

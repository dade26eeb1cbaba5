package io.dkmsdeb.pipeline.repo;

import io.dkmsdeb.deb.AptIndex;
import io.dkmsdeb.support.Log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The Release generations a suite has served, newest last ({@code .dkms-deb/history/SUITE/}), and
 * what they still protect. A client that read an older {@code InRelease} a moment ago fetches the
 * indices it names by hash; so the by-hash files of the newest {@code keep} generations stay, and a
 * pool file retention removed stays until none of those generations' Packages names it.
 */
final class RepoHistory {
    private final RepoState state;
    private final String suite;
    private final Path dir;

    RepoHistory(RepoState state, String suite) {
        this.state = state;
        this.suite = suite;
        this.dir = state.history(suite);
    }

    /** Records the suite's served Release as the newest generation, unless it is that already. */
    void recordServed() {
        Path served = state.repo().resolve("dists").resolve(suite).resolve("Release");
        if (!Files.isRegularFile(served)) {
            return;
        }
        try {
            byte[] bytes = Files.readAllBytes(served);
            List<Path> entries = entries();
            if (!entries.isEmpty() && Arrays.equals(Files.readAllBytes(entries.get(entries.size() - 1)), bytes)) {
                return;
            }
            long next = entries.isEmpty() ? 1 : number(entries.get(entries.size() - 1)) + 1;
            state.write(dir.resolve(String.format("%08d.Release", next)), bytes);
        } catch (IOException e) {
            throw RepoState.failure("record the served Release of suite " + suite + " in", dir, e);
        }
    }

    /** Drops all but the newest {@code keep} generations and returns those kept, oldest first. */
    List<AptIndex.ReleaseFile> keep(int keep) {
        List<Path> entries = entries();
        List<AptIndex.ReleaseFile> kept = new ArrayList<>();
        try {
            for (int i = 0; i < entries.size(); i++) {
                if (i < entries.size() - keep) {
                    Files.delete(entries.get(i));
                } else {
                    kept.add(AptIndex.ReleaseFile.parse(Files.readAllBytes(entries.get(i))));
                }
            }
        } catch (IOException e) {
            throw RepoState.failure("prune the history in", dir, e);
        } catch (IllegalArgumentException e) {
            Log.warn("a recorded Release of suite " + suite + " in " + dir + " cannot be read (" + e.getMessage()
                    + "); its by-hash files are no longer protected");
        }
        return kept;
    }

    /** Removes the by-hash files of this suite that none of {@code kept} names; returns how many went. */
    int pruneByHash(List<AptIndex.ReleaseFile> kept) {
        Set<String> named = new HashSet<>();
        for (AptIndex.ReleaseFile r : kept) {
            for (AptIndex.IndexFile f : r.files()) {
                String d = f.path().substring(0, f.path().lastIndexOf('/') + 1) + "by-hash/";
                named.add(d + "SHA256/" + f.sums().sha256());
                named.add(d + "MD5Sum/" + f.sums().md5());
            }
        }
        Path dists = state.repo().resolve("dists").resolve(suite);
        int removed = 0;
        if (!Files.isDirectory(dists)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dists, 5)) {
            for (Path p : s.filter(p -> Files.isRegularFile(p) && p.getParent().getParent().getFileName().toString().equals("by-hash"))
                    .toList()) {
                if (!named.contains(dists.relativize(p).toString()) && Files.deleteIfExists(p)) {
                    removed++;
                }
            }
        } catch (IOException e) {
            throw RepoState.failure("prune the by-hash files of", dists, e);
        }
        return removed;
    }

    /** The pool files that the Packages indices of {@code kept} name (read from by-hash, where each generation keeps them). */
    Set<String> poolFilesNamed(List<AptIndex.ReleaseFile> kept) {
        Set<String> out = new HashSet<>();
        Path dists = state.repo().resolve("dists").resolve(suite);
        for (AptIndex.ReleaseFile r : kept) {
            for (AptIndex.IndexFile f : r.files()) {
                if (f.path().endsWith("/Packages")) {
                    Path copy = dists.resolve(f.path().substring(0, f.path().lastIndexOf('/') + 1) + "by-hash/SHA256/" + f.sums().sha256());
                    out.addAll(RepoState.filenames(Files.isRegularFile(copy) ? copy : dists.resolve(f.path())));
                }
            }
        }
        return out;
    }

    private List<Path> entries() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("\\d{8}\\.Release")).sorted().toList();
        } catch (IOException e) {
            throw RepoState.failure("list", dir, e);
        }
    }

    private static long number(Path entry) {
        String n = entry.getFileName().toString();
        return Long.parseLong(n.substring(0, n.indexOf('.')));
    }
}

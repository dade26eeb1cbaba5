package io.dkmsdeb.pipeline.repo;

import io.dkmsdeb.deb.AptIndex;
import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.support.Log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * One publish of a suite, from staging to served: stage the new pool files, check the staged set as
 * a client would, rename it into place in an order that keeps every instant consistent for a client
 * that fetches by hash, then drop what no kept generation names.
 */
final class Publication {
    private final RepoState state;
    private final String suite;
    private final Path repo;
    private final Path staging;

    Publication(RepoState state, String suite) {
        this.state = state;
        this.suite = suite;
        this.repo = state.repo();
        this.staging = state.staging();
    }

    /** Writes the new pool files into the staging area, after the list of them (so that a kill leaves them findable). */
    void stagePool(List<Incoming> incoming) {
        try {
            Files.createDirectories(staging);
        } catch (IOException e) {
            throw RepoState.failure("create", staging, e);
        }
        StringBuilder list = new StringBuilder();
        incoming.forEach(in -> list.append(in.entry().filename()).append('\n'));
        state.write(state.manifest(), list.toString().getBytes(StandardCharsets.UTF_8));
        for (Incoming in : incoming) {
            Path target = staging.resolve(in.entry().filename());
            if (in.bytes() != null) {
                state.write(target, in.bytes());
                continue;
            }
            try {
                Files.createDirectories(target.getParent());
                Path temp = target.resolveSibling(target.getFileName() + ".part");
                Files.copy(in.source(), temp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new DkmsDebException("cannot copy " + in.source() + " to " + target + ": " + e.getMessage()
                        + "; check free space and permissions of " + repo + ". Nothing was served", e);
            }
        }
    }

    /**
     * Makes the by-hash copies of the staged indices, then checks the staged suite as a client would
     * see it once served: signatures against the staged public key, every file Release lists, the
     * new pool files by hash and the others by size.
     *
     * @throws DkmsDebException listing what is wrong; nothing was served
     */
    void check(IndexWriter.Staged staged, List<Incoming> incoming) {
        for (var index : staged.indices().entrySet()) {
            Path file = staging.resolve(index.getKey());
            AptIndex.Checksums sums = index.getValue();
            Path byHash = file.resolveSibling("by-hash");
            link(file, byHash.resolve("SHA256").resolve(sums.sha256()));
            link(file, byHash.resolve("MD5Sum").resolve(sums.md5()));
        }
        Set<String> fresh = new HashSet<>();
        incoming.forEach(in -> fresh.add(in.entry().filename()));
        Path key = staged.keys().isEmpty() ? null : staging.resolve("KEY.gpg");
        RepoVerifier.Report report = new RepoVerifier(this::resolve, suite, key, fresh, false).run();
        if (!report.ok()) {
            throw new DkmsDebException("the new indices of suite " + suite + " do not check out, so nothing was served: "
                    + String.join("; ", report.problems()) + ". Check free space and the packages, then run again");
        }
    }

    /** One rename (or group of renames of one kind) of the switch, named for the log and the crash test. */
    record Step(String name, Runnable action) {
    }

    /**
     * The renames that put the staged files into place, in their order: pool files, by-hash files, the
     * list of retired pool files, the indices, the public key, then Release, Release.gpg and InRelease;
     * unsigned, the old signatures go after Release.
     */
    List<Step> switchSteps(IndexWriter.Staged staged, List<Incoming> incoming, Set<String> retired) {
        List<Step> steps = new ArrayList<>();
        for (Incoming in : incoming) {
            steps.add(new Step("pool " + in.entry().filename(), () -> move(in.entry().filename())));
        }
        for (String byHash : stagedByHash()) {
            steps.add(new Step("by-hash " + byHash, () -> move(byHash)));
        }
        steps.add(new Step("sync by-hash directories", () -> {
            Set<Path> dirs = new LinkedHashSet<>();
            stagedByHashTargets(staged).forEach(dirs::add);
            dirs.forEach(RepoState::syncDirectory);
        }));
        steps.add(new Step("retired list", () -> state.writeRetired(retired)));
        for (String index : staged.indices().keySet()) {
            steps.add(new Step("index " + index, () -> move(index)));
        }
        for (String key : staged.keys()) {
            steps.add(new Step("key " + key, () -> move(key)));
        }
        String dists = "dists/" + suite + "/";
        steps.add(new Step("Release", () -> move(staged.release())));
        if (staged.signatures().isEmpty()) {
            steps.add(new Step("remove old signatures", () -> removeSignatures(dists)));
        } else {
            steps.add(new Step("Release.gpg", () -> move(dists + "Release.gpg")));
            steps.add(new Step("InRelease", () -> move(dists + "InRelease")));
        }
        steps.add(new Step("sync dists", () -> RepoState.syncDirectory(repo.resolve(dists))));
        return steps;
    }

    private List<Path> stagedByHashTargets(IndexWriter.Staged staged) {
        List<Path> out = new ArrayList<>();
        for (String index : staged.indices().keySet()) {
            Path byHash = repo.resolve(index).resolveSibling("by-hash");
            out.add(byHash.resolve("SHA256"));
            out.add(byHash.resolve("MD5Sum"));
        }
        return out;
    }

    private void removeSignatures(String dists) {
        for (String stale : List.of(dists + "Release.gpg", dists + "InRelease")) {
            try {
                if (Files.deleteIfExists(repo.resolve(stale))) {
                    Log.info("removed " + stale + ", the signature of an earlier Release");
                }
            } catch (IOException e) {
                throw RepoState.failure("remove the stale", repo.resolve(stale), e);
            }
        }
    }

    /**
     * After a switch: records the generation now served, keeps the newest {@code keep}, removes the
     * by-hash files none of them names, and the retired pool files that no kept generation of any
     * suite names; then removes the staging area.
     */
    void prune(RepoHistory history, int keep, Set<String> retired) {
        history.recordServed();
        int byHash = history.pruneByHash(history.keep(keep));
        Set<String> named = new HashSet<>(state.servedPoolFiles());
        for (String s : state.suites()) {
            RepoHistory h = s.equals(suite) ? history : new RepoHistory(state, s);
            named.addAll(h.poolFilesNamed(h.keep(keep)));
        }
        List<String> gone = new ArrayList<>();
        for (String f : new TreeSet<>(retired)) {
            if (!named.contains(f)) {
                try {
                    if (RepoState.safePoolPath(f)) {
                        Files.deleteIfExists(repo.resolve(f));
                    }
                } catch (IOException e) {
                    throw RepoState.failure("remove the retired", repo.resolve(f), e);
                }
                retired.remove(f);
                gone.add(f);
            }
        }
        if (!gone.isEmpty()) {
            state.writeRetired(retired);
            gone.forEach(f -> Log.info("deleted " + f + ": no Release generation still served names it"));
        }
        if (byHash > 0) {
            Log.info("removed " + byHash + " by-hash file(s) that none of the newest " + keep + " generation(s) of suite " + suite + " names");
        }
        RepoState.deleteTree(staging);
    }

    /** A staged path below the repository root when staged, else the served one. */
    private Path resolve(String rel) {
        Path s = staging.resolve(rel);
        return Files.exists(s, LinkOption.NOFOLLOW_LINKS) ? s : repo.resolve(rel);
    }

    private List<String> stagedByHash() {
        Path dists = staging.resolve("dists");
        if (!Files.isDirectory(dists)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dists)) {
            return s.filter(p -> Files.isRegularFile(p) && p.getParent().getParent().getFileName().toString().equals("by-hash"))
                    .map(p -> staging.relativize(p).toString()).sorted().toList();
        } catch (IOException e) {
            throw RepoState.failure("list", dists, e);
        }
    }

    private void link(Path file, Path copy) {
        try {
            Files.createDirectories(copy.getParent());
            Files.deleteIfExists(copy);
            Files.createLink(copy, file);
        } catch (IOException | UnsupportedOperationException e) {
            try {
                Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e2) {
                throw RepoState.failure("write", copy, e2);
            }
        }
    }

    private void move(String rel) {
        Path from = staging.resolve(rel);
        Path to = repo.resolve(rel);
        try {
            Files.createDirectories(to.getParent());
            try {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new DkmsDebException("cannot rename " + from + " to " + to + " atomically: the staging area and the repository "
                        + "are on different file systems; keep " + repo + " on one file system", e);
            }
        } catch (IOException e) {
            throw RepoState.failure("publish", to, e);
        }
    }
}

package io.dkmsdeb.pipeline.repo;

import io.dkmsdeb.deb.AptIndex;
import io.dkmsdeb.deb.Deb822;
import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.process.ProcessRunner;
import org.tukaani.xz.XZInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Checks a suite of a repository as apt would use it: the signatures of {@code InRelease} and
 * {@code Release.gpg} with {@code gpgv} against a given key, every file {@code Release} lists
 * (size, MD5, SHA256), its {@code by-hash/} copies when Release says {@code Acquire-By-Hash: yes},
 * and every pool file a {@code Packages} entry names (size and both hashes). The publisher runs the
 * same checks on what it staged, before anything is served; operators run them from monitoring
 * ({@code dkms-deb verify-repo}).
 *
 * <p>Files are found through a resolver from a path below the repository root to a file, so that
 * staged files can stand in for served ones.
 */
public final class RepoVerifier {
    private static final Duration GPGV_TIMEOUT = Duration.ofMinutes(1);

    private final Function<String, Path> resolve;
    private final String suite;
    private final Path keyring;
    private final Set<String> hashPoolFiles;
    private final boolean byHashClient;
    private final Set<String> problems = new LinkedHashSet<>();
    private int filesChecked;
    private int packagesChecked;

    /**
     * @param resolve       a path below the repository root to the file that stands for it
     * @param suite         the suite to check
     * @param keyring       the public key(s) the signatures must verify with (a file gpgv reads), or null: no signature check
     * @param hashPoolFiles the pool files whose hashes are computed; null: every one (others are checked by size)
     * @param byHashClient  check only what a client fetching by hash reads: when Release says Acquire-By-Hash, the
     *                      indices at their plain names are not checked, their by-hash copies are read instead
     */
    RepoVerifier(Function<String, Path> resolve, String suite, Path keyring, Set<String> hashPoolFiles, boolean byHashClient) {
        this.resolve = resolve;
        this.suite = suite;
        this.keyring = keyring;
        this.hashPoolFiles = hashPoolFiles;
        this.byHashClient = byHashClient;
    }

    /**
     * What a check found.
     *
     * @param problems        one line per fault, each naming the file
     * @param filesChecked    index files and by-hash copies checked
     * @param packagesChecked Packages entries whose pool file was checked
     * @param signed          whether InRelease was there (and so checked when a keyring was given)
     */
    public record Report(List<String> problems, int filesChecked, int packagesChecked, boolean signed) {
        public Report {
            problems = List.copyOf(problems);
        }

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * Checks a served repository: every pool file hashed; {@code keyring} null: the repository's own
     * KEY.gpg. Holds a reader's lock, so that a publish at work is waited for (up to
     * {@code lockTimeout}) rather than read between two of its renames.
     */
    public static Report verify(Path repo, String suite, Path keyring, Duration lockTimeout) {
        return verify(repo, suite, keyring, lockTimeout, false);
    }

    /** As {@link #verify(Path, String, Path, Duration)}; {@code byHashClient}: only what a client fetching by hash reads. */
    public static Report verify(Path repo, String suite, Path keyring, Duration lockTimeout, boolean byHashClient) {
        Path key = keyring != null ? keyring : repo.resolve("KEY.gpg");
        try (RepoLock lock = RepoLock.shared(new RepoState(repo).lockFile(), lockTimeout)) {
            return new RepoVerifier(repo::resolve, suite, Files.isRegularFile(key) ? key : null, null, byHashClient).run();
        }
    }

    Report run() {
        String dists = "dists/" + suite + "/";
        Path release = resolve.apply(dists + "Release");
        if (!Files.isRegularFile(release)) {
            problems.add(dists + "Release: missing");
            return report(false);
        }
        byte[] releaseBytes = read(release);
        Path inRelease = resolve.apply(dists + "InRelease");
        boolean signed = Files.isRegularFile(inRelease);
        if (signed && keyring != null) {
            byte[] clearText = checkSignatures(dists, release, releaseBytes, inRelease);
            if (byHashClient && clearText != null) {
                // apt reads InRelease and nothing else of the three: its signed text is the Release it uses
                releaseBytes = clearText;
            }
        } else if (keyring != null) {
            problems.add(dists + "InRelease: missing (the repository is not signed)");
        }
        AptIndex.ReleaseFile parsed;
        try {
            parsed = AptIndex.ReleaseFile.parse(releaseBytes);
        } catch (IllegalArgumentException e) {
            problems.add(dists + "Release: " + e.getMessage());
            return report(signed);
        }
        for (AptIndex.IndexFile f : parsed.files()) {
            checkIndex(dists, f, parsed.byHash());
        }
        return report(signed);
    }

    private Report report(boolean signed) {
        return new Report(List.copyOf(problems), filesChecked, packagesChecked, signed);
    }

    /** Checks InRelease (and, for a full check, Release.gpg); returns InRelease's signed text when its signature is good. */
    private byte[] checkSignatures(String dists, Path release, byte[] releaseBytes, Path inRelease) {
        ProcessRunner.Captured clear = gpgv(List.of("--output", "-", inRelease.toString()));
        if (clear == null || clear.exit() != 0) {
            problems.add(dists + "InRelease: its signature does not verify with " + keyring + (clear == null ? "" : ": " + clear.lastLine()));
            return null;
        }
        if (byHashClient) {
            return clear.stdout();
        }
        if (!Arrays.equals(clear.stdout(), releaseBytes)) {
            problems.add(dists + "InRelease: the signed text is not the Release file beside it");
        }
        Path detached = resolve.apply(dists + "Release.gpg");
        if (!Files.isRegularFile(detached)) {
            problems.add(dists + "Release.gpg: missing");
            return clear.stdout();
        }
        ProcessRunner.Captured d = gpgv(List.of(detached.toString(), release.toString()));
        if (d == null || d.exit() != 0) {
            problems.add(dists + "Release.gpg: the signature of Release does not verify with " + keyring + (d == null ? "" : ": " + d.lastLine()));
        }
        return clear.stdout();
    }

    private ProcessRunner.Captured gpgv(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("gpgv", "--quiet", "--keyring", keyring.toAbsolutePath().toString()));
        cmd.addAll(args);
        try {
            return ProcessRunner.capture(cmd, null, null, GPGV_TIMEOUT);
        } catch (IOException e) {
            throw new DkmsDebException("cannot check the signatures of suite " + suite + ": " + e.getMessage()
                    + "; install gpgv (apt-get install gpgv)", e);
        }
    }

    private void checkIndex(String dists, AptIndex.IndexFile f, boolean byHash) {
        String path = dists + f.path();
        Path content = null;
        if (!byHashClient || !byHash) {
            Path file = resolve.apply(path);
            filesChecked++;
            String wrong = mismatch(file, f.sums());
            if (wrong != null) {
                problems.add(path + ": " + wrong);
            } else {
                content = file;
            }
        }
        if (byHash) {
            String dir = path.substring(0, path.lastIndexOf('/') + 1) + "by-hash/";
            for (String copy : List.of(dir + "SHA256/" + f.sums().sha256(), dir + "MD5Sum/" + f.sums().md5())) {
                filesChecked++;
                String bad = mismatch(resolve.apply(copy), f.sums());
                if (bad != null) {
                    problems.add(copy + ": " + bad);
                } else if (content == null) {
                    content = resolve.apply(copy);
                }
            }
        }
        String name = f.path().substring(f.path().lastIndexOf('/') + 1);
        if (content != null && (name.equals("Packages") || name.equals("Packages.xz"))) {
            checkPackages(path, content, name.endsWith(".xz"));
        }
    }

    private void checkPackages(String path, Path file, boolean xz) {
        String text;
        try (InputStream in = xz ? new XZInputStream(Files.newInputStream(file)) : Files.newInputStream(file)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            problems.add(path + ": unreadable: " + e.getMessage());
            return;
        }
        if (xz && !byHashClient) {
            // the same entries as Packages beside it, checked there; else checked here
            Path plain = resolve.apply(path.substring(0, path.length() - ".xz".length()));
            if (Files.isRegularFile(plain) && text.equals(new String(read(plain), StandardCharsets.UTF_8))) {
                return;
            }
            problems.add(path + ": does not unpack to the Packages beside it");
        }
        List<Deb822.Paragraph> stanzas;
        try {
            stanzas = Deb822.parse(text);
        } catch (Deb822.SyntaxException e) {
            problems.add(path + ": not a Packages file: " + e.getMessage());
            return;
        }
        for (Deb822.Paragraph p : stanzas) {
            checkPoolFile(path, p);
        }
    }

    private void checkPoolFile(String index, Deb822.Paragraph p) {
        packagesChecked++;
        String filename = p.get("Filename").orElse(null);
        String what = index + ": " + p.get("Package").orElse("?") + " " + p.get("Version").orElse("?");
        if (filename == null || filename.startsWith("/") || Arrays.asList(filename.split("/")).contains("..")) {
            problems.add(what + ": no usable Filename (" + filename + ")");
            return;
        }
        Path file = resolve.apply(filename);
        long size;
        try {
            size = Long.parseLong(p.get("Size").orElse("-1"));
        } catch (NumberFormatException e) {
            size = -1;
        }
        if (hashPoolFiles != null && !hashPoolFiles.contains(filename)) {
            long actual = sizeOf(file);
            if (actual != size) {
                problems.add(filename + ": " + (actual < 0 ? "missing" : "size " + actual + ", " + what + " says " + size));
            }
            return;
        }
        String wrong = mismatch(file, new AptIndex.Checksums(size, p.get("MD5sum").orElse(""), p.get("SHA256").orElse("")));
        if (wrong != null) {
            problems.add(filename + ": " + wrong + " (entry of " + what + ")");
        }
    }

    /** What is wrong with {@code file} against {@code expected}, or null. */
    private static String mismatch(Path file, AptIndex.Checksums expected) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return "missing";
        }
        AptIndex.Checksums actual;
        try {
            actual = AptIndex.Checksums.of(file);
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
        if (actual.size() != expected.size()) {
            return "size " + actual.size() + ", expected " + expected.size();
        }
        if (!actual.sha256().equals(expected.sha256())) {
            return "SHA256 " + actual.sha256() + ", expected " + expected.sha256();
        }
        if (!actual.md5().equals(expected.md5())) {
            return "MD5 " + actual.md5() + ", expected " + expected.md5();
        }
        return null;
    }

    private static long sizeOf(Path file) {
        try {
            return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Files.size(file) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DkmsDebException("cannot read " + file + ": " + e.getMessage() + "; check its permissions", e);
        }
    }
}

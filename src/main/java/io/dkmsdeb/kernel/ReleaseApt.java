package io.dkmsdeb.kernel;

import io.dkmsdeb.model.kernel.DebianRelease;
import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.model.KernelHeadersException;
import io.dkmsdeb.model.UsageException;
import io.dkmsdeb.process.ProcessRunner;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.support.Trees;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * apt's view of another archive than the host's, for a mere listing: the package lists of a Debian release
 * ({@code trixie}: its suite, {@code -updates} and {@code -security}, from {@code DKMS_DEB_MIRROR} as a
 * {@link BuildRoot}'s) or of apt source lines given, in a private apt state of their own:
 * {@code $XDG_CACHE_HOME/dkms-deb/apt/RELEASE-ARCH} (with the host's foreign architectures: {@code RELEASE-ARCH+FOREIGN}; given lines: {@code RELEASE-ARCH-HASH}). apt runs with
 * {@code APT_CONFIG} naming a configuration written there, which sets every directory apt reads or writes (its state,
 * cache, sources, preferences, trusted keys, configuration parts) to that folder, so neither the host's sources, its
 * pinning, its dpkg status nor its configuration (but its proxy) take part, and nothing of the host is written. The
 * archive's signature is checked with the Debian archive keyring ({@link #KEYRING}, as {@code signed-by}) unless a
 * line names its own. No root needed; no package is downloaded, only the package lists.
 *
 * <p>The lists are fetched ({@code apt-get update}) when missing, older than {@link #REFRESH} or when the sources
 * changed. One process at a time updates or reads a state (an fcntl lock on {@code apt/.lock}); a state is complete
 * once its {@code .updated} marker is written, and one without it (a killed or failed first update) is removed, so a
 * failure leaves no half-made state behind. A failed refresh keeps the earlier lists (apt replaces a repository's lists
 * only when all of them arrived) and is an error all the same.
 */
public final class ReleaseApt {
    /** How old the package lists may be before the archive is asked again. */
    static final Duration REFRESH = Duration.ofHours(24);
    /** The keys of Debian's archive, as the package debian-archive-keyring installs them. */
    static final String KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";
    private static final String UPDATED = ".updated";
    private static final Duration UPDATE_TIMEOUT = Duration.ofMinutes(10);
    private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();
    /** An apt source line: {@code deb [OPTIONS] URI SUITE [COMPONENT...]}. */
    private static final Pattern LINE = Pattern.compile("deb(?:\\s+\\[([^\\]]*)\\])?\\s+(\\S+)\\s+(\\S+)((?:\\s+\\S+)*)");
    /** The host's proxy settings: the one part of its apt configuration a private state keeps. */
    private static final Pattern PROXY = Pattern.compile("Acquire::(?:https?|ftp)::Proxy(?:-Auto-Detect)?(?:::[^ ]+)? \"[^\"\\n]*\";");

    private final DebianRelease release;
    private final List<String> lines;
    private final boolean given;
    private final String arch;
    /** The other architectures listed, as the host's dpkg has them ({@code dpkg --add-architecture arm64}). */
    private final List<String> foreign;
    private final Host host;

    private ReleaseApt(DebianRelease release, List<String> lines, boolean given, String arch, List<String> foreign, Host host) {
        this.release = release;
        this.lines = List.copyOf(lines);
        this.given = given;
        this.arch = arch;
        this.foreign = foreign.stream().filter(a -> !a.equals(arch)).distinct().sorted().toList();
        this.host = host;
    }

    /** This archive's listing with the architectures {@code more} besides its own (e.g. {@link #foreignArchs}). */
    public ReleaseApt withForeign(List<String> more) {
        return new ReleaseApt(release, lines, given, arch, more, host);
    }

    /** The archive of {@code release} (its suite, -updates and -security) for {@code arch}. */
    public static ReleaseApt ofRelease(DebianRelease release, String arch, Host host) {
        return new ReleaseApt(release, BuildRoot.suites(release, BuildRoot.mirror(host), "[signed-by=" + KEYRING + "] "), false, arch,
                List.of(), host);
    }

    /**
     * The archive the apt source lines {@code given} name ({@code deb [signed-by=KEYRING] URI SUITE COMPONENT...}; one
     * without {@code signed-by} is checked with Debian's keys); its release is {@code release} when given, else the
     * first line's suite up to a {@code -} ({@code trixie-backports}: trixie) when that is a codename, else none.
     *
     * @throws UsageException for a line that is not such a line
     */
    public static ReleaseApt ofSources(List<String> given, DebianRelease release, String arch, Host host) {
        if (given.isEmpty()) {
            throw new IllegalArgumentException("no apt source line");
        }
        List<String> out = new ArrayList<>();
        DebianRelease first = release;
        for (String line : given) {
            String l = line == null ? "" : line.strip();
            Matcher m = LINE.matcher(l);
            if (!m.matches() || l.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
                throw new UsageException("--apt-source '" + line + "' is not an apt source line of one line; give it as "
                        + "'deb [signed-by=KEYRING] URI SUITE COMPONENT...', e.g. 'deb http://deb.debian.org/debian trixie main'");
            }
            String options = m.group(1) == null ? "" : m.group(1).strip();
            if (!options.matches("(?:^|.*\\s)signed-by=.*")) {
                options = (options + " signed-by=" + KEYRING).strip();
            }
            out.add("deb [" + options + "] " + m.group(2) + " " + m.group(3) + m.group(4));
            if (first == null) {
                String suite = m.group(3).replaceFirst("[-/].*$", "");
                first = suite.matches("[a-z]+") ? new DebianRelease(suite) : null;
            }
        }
        return new ReleaseApt(first, out, true, arch, List.of(), host);
    }

    /** The Debian architecture dpkg says this machine is. */
    public static String nativeArch(Map<String, String> env) {
        try {
            ProcessRunner.Captured c = ProcessRunner.capture(List.of("dpkg", "--print-architecture"), null, env, Duration.ofSeconds(60));
            String a = c.stdoutText().strip();
            if (c.exit() == 0 && a.matches("[a-z0-9-]+")) {
                return a;
            }
            throw new KernelHeadersException("dpkg --print-architecture failed (exit " + c.exit() + "): " + c.stderrText().strip()
                    + "; a listing of another archive is for this machine's architecture");
        } catch (IOException e) {
            throw new KernelHeadersException("cannot run dpkg --print-architecture: " + e.getMessage()
                    + "; a listing of another archive is for this machine's architecture, which dpkg says", e);
        }
    }

    /**
     * The other architectures this machine's dpkg knows ({@code dpkg --print-foreign-architectures}): a listing of
     * another release shows their kernels too, as the host's own listing does. None when dpkg cannot say.
     */
    public static List<String> foreignArchs(Map<String, String> env) {
        try {
            ProcessRunner.Captured c = ProcessRunner.capture(List.of("dpkg", "--print-foreign-architectures"), null, env,
                    Duration.ofSeconds(60));
            return c.exit() == 0 ? c.stdoutText().lines().map(String::strip).filter(a -> a.matches("[a-z0-9-]+")).toList() : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The Debian architecture of the lists. */
    public String arch() {
        return arch;
    }

    /** The release the listing is of; empty for source lines whose suite is no codename. */
    public Optional<DebianRelease> release() {
        return Optional.ofNullable(release);
    }

    /** What the listing reads, for messages: "trixie's archive (http://deb.debian.org/debian)". */
    public String describe() {
        Matcher m = LINE.matcher(lines.get(0));
        String uri = m.matches() ? m.group(2) : lines.get(0);
        return (given ? "the archive of --apt-source" : release + "'s archive") + " (" + uri + ")";
    }

    /** {@code $XDG_CACHE_HOME/dkms-deb/apt}: where every private state is. */
    public static Path statesDir(Host host) {
        return host.cacheDir().resolve("apt");
    }

    /** This state's directory: {@code RELEASE-ARCH[+FOREIGN...]}, or with given lines {@code RELEASE-ARCH[+FOREIGN...]-HASH} (HASH of the lines). */
    public Path dir() {
        String name = (release == null ? "sources" : release.codename()) + "-" + arch + foreign.stream().map(a -> "+" + a)
                .collect(java.util.stream.Collectors.joining());
        return statesDir(host).resolve(given ? name + "-" + hash(String.join("\n", lines)) : name);
    }

    /** The sources.list of the state. */
    String sourcesList() {
        return "# written by dkms-deb: the archive it lists kernels of; nothing else reads this file\n" + String.join("\n", lines) + "\n";
    }

    /**
     * The configuration apt reads first ({@code APT_CONFIG}): every place apt reads or writes in {@code dir}, the
     * architecture, no translations, the lists kept compressed, no source package cache; and the host's proxy settings
     * ({@code proxies}, lines of {@code apt-config dump}).
     */
    String config(Path dir, List<String> proxies) {
        StringBuilder sb = new StringBuilder("// written by dkms-deb: apt's state for listing " + (release == null ? "an archive" : release
                + "'s archive") + "; nothing of the host's apt configuration but its proxy is read\n");
        for (String[] kv : new String[][] {{"Dir::State", "state"}, {"Dir::State::lists", "lists"}, {"Dir::State::status", "status"},
                {"Dir::Cache", "cache"}, {"Dir::Cache::archives", "cache/archives"}, {"Dir::Cache::pkgcache", "cache/pkgcache.bin"},
                {"Dir::Etc::sourcelist", "sources.list"}, {"Dir::Etc::sourceparts", "sources.list.d"}, {"Dir::Etc::parts", "apt.conf.d"},
                {"Dir::Etc::preferencesparts", "preferences.d"}, {"Dir::Etc::trusted", "trusted.gpg"}, {"Dir::Etc::trustedparts", "trusted.gpg.d"},
                {"Dir::Log", "log"}}) {
            sb.append(kv[0]).append(" \"").append(dir.resolve(kv[1])).append("\";\n");
        }
        sb.append("Dir::Cache::srcpkgcache \"\";\n");
        sb.append("Dir::Etc::main \"/dev/null\";\n");
        sb.append("Dir::Etc::preferences \"/dev/null\";\n");
        sb.append("APT::Architecture \"").append(arch).append("\";\n");
        sb.append("APT::Architectures { \"").append(arch).append("\"; ");
        foreign.forEach(a -> sb.append("\"").append(a).append("\"; "));
        sb.append("};\n");
        sb.append("Acquire::Languages \"none\";\n");
        sb.append("Acquire::GzipIndexes \"true\";\n");
        sb.append("Acquire::http::Timeout \"60\";\n");
        for (String p : proxies) {
            if (PROXY.matcher(p).matches()) {
                sb.append(p).append('\n');
            }
        }
        return sb.toString();
    }

    /** The host's proxy settings, from {@code apt-config dump} (none when apt-config cannot say). */
    private List<String> hostProxies(Map<String, String> env) {
        try {
            ProcessRunner.Captured c = ProcessRunner.capture(List.of("apt-config", "dump"), null, env, Duration.ofSeconds(60));
            return c.exit() == 0 ? c.stdoutText().lines().filter(l -> PROXY.matcher(l).matches()).toList() : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * {@code body} with the environment that points apt at this state ({@code APT_CONFIG}), the package lists fetched
     * first when they are missing, a day old, or of other sources; the state locked against other processes meanwhile.
     *
     * @throws UsageException          when the archive has no such release or suite
     * @throws KernelHeadersException  when the archive cannot be reached or its signature checked (exit 4)
     */
    public <T> T use(Map<String, String> env, Function<Map<String, String>, T> body) {
        Path dir = dir();
        ReentrantLock inProcess = IN_PROCESS.computeIfAbsent(dir, d -> new ReentrantLock());
        inProcess.lock();
        try {
            Files.createDirectories(dir.getParent());
            // one lock for every state: a failed first fetch then leaves no file of its own behind, not even a lock
            try (FileChannel ch = FileChannel.open(dir.resolveSibling(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = lockOrWait(ch, dir)) {
                Map<String, String> aptEnv = new HashMap<>(env);
                aptEnv.put("APT_CONFIG", dir.resolve("apt.conf").toString());
                aptEnv.put("LC_ALL", "C");
                prepare(dir, env, aptEnv);
                return body.apply(Map.copyOf(aptEnv));
            }
        } catch (IOException e) {
            throw new KernelHeadersException("cannot keep apt's lists of " + describe() + " in " + dir + ": " + e.getMessage()
                    + "; check free space and permissions of " + dir.getParent(), e);
        } finally {
            inProcess.unlock();
        }
    }

    private static FileLock lockOrWait(FileChannel ch, Path dir) throws IOException {
        FileLock lock = ch.tryLock();
        if (lock != null) {
            return lock;
        }
        Log.info("waiting for another dkms-deb that uses the package lists in " + dir.getParent());
        return ch.lock();
    }

    private void prepare(Path dir, Map<String, String> env, Map<String, String> aptEnv) throws IOException {
        Path updated = dir.resolve(UPDATED);
        if (Files.isDirectory(dir) && !Files.exists(updated)) {
            Log.info("removing " + dir + ": its package lists were never completely fetched");
            Trees.delete(dir);
        }
        boolean first = !Files.exists(dir);
        boolean sameSources = !first && Files.isRegularFile(dir.resolve("sources.list"))
                && Files.readString(dir.resolve("sources.list"), StandardCharsets.UTF_8).equals(sourcesList());
        String config = config(dir, hostProxies(env));
        if (!first && sameSources && fresh(updated)) {
            Path conf = dir.resolve("apt.conf");
            if (!Files.isRegularFile(conf) || !Files.readString(conf, StandardCharsets.UTF_8).equals(config)) {
                Files.writeString(dir.resolve("apt.conf"), config, StandardCharsets.UTF_8);
            }
            return;
        }
        try {
            for (String d : List.of("state", "lists/partial", "cache/archives/partial", "sources.list.d", "apt.conf.d", "preferences.d",
                    "trusted.gpg.d", "log")) {
                Files.createDirectories(dir.resolve(d));
            }
            if (!Files.exists(dir.resolve("status"))) {
                Files.writeString(dir.resolve("status"), "", StandardCharsets.UTF_8);
            }
            Files.writeString(dir.resolve("apt.conf"), config, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("sources.list"), sourcesList(), StandardCharsets.UTF_8);
            update(dir, aptEnv, first);
            Files.writeString(updated, Instant.now() + "\n", StandardCharsets.UTF_8);
            Files.setLastModifiedTime(updated, FileTime.from(Instant.now()));
        } catch (RuntimeException | IOException e) {
            if (first) {
                try {
                    Trees.delete(dir);
                } catch (IOException gone) {
                    e.addSuppressed(gone);
                }
            }
            throw e;
        }
    }

    private static boolean fresh(Path updated) {
        try {
            return Files.getLastModifiedTime(updated).toInstant().isAfter(Instant.now().minus(REFRESH));
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code apt-get update}, an error when any list could not be fetched. */
    private void update(Path dir, Map<String, String> aptEnv, boolean first) throws IOException {
        Log.info((first ? "fetching" : "updating") + " the package lists of " + describe() + " into " + dir);
        long t = System.nanoTime();
        ProcessRunner.Captured c = ProcessRunner.capture(List.of("apt-get", "-q", "--error-on=any", "update"), null, aptEnv, UPDATE_TIMEOUT);
        if (c.exit() == 0 && !c.timedOut()) {
            Log.info(String.format("fetched the package lists of %s in %.1f s", describe(), (System.nanoTime() - t) / 1e9));
            return;
        }
        throw failure(said(c.stdoutText() + "\n" + c.stderrText()), c.timedOut(), first);
    }

    /**
     * What a failed {@code apt-get update} said, in one line: each {@code Err:} line with the reason on the line after it,
     * and the {@code E:} lines; its {@code W:} lines when there is nothing else.
     */
    static String said(String output) {
        List<String> lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.startsWith("Err:")) {
                boolean reason = i + 1 < lines.size() && !lines.get(i + 1).matches("(Err|Get|Hit|Ign|E|W|N):.*");
                out.add(l.replaceFirst("^Err:\\d+ ", "") + (reason ? ": " + lines.get(++i) : ""));
            } else if (l.startsWith("E:")) {
                out.add(l.substring(2).strip());
            }
        }
        if (out.isEmpty()) {
            lines.stream().filter(l -> l.startsWith("W:")).map(l -> l.substring(2).strip()).forEach(out::add);
        }
        return String.join("; ", out);
    }

    /** The error of a failed {@code apt-get update} that said {@code said} ({@link #said}). */
    RuntimeException failure(String said, boolean timedOut, boolean first) {
        String kept = first ? "" : " (the lists fetched earlier are kept but not used)";
        if (timedOut) {
            return new KernelHeadersException("apt-get update of " + describe() + " did not finish in " + UPDATE_TIMEOUT.toMinutes()
                    + " minutes" + kept + "; check the network, or give a listing written earlier with --kernel-list");
        }
        Matcher noRelease = Pattern.compile("The repository '(\\S+) (\\S+) Release' does not have a Release file").matcher(said);
        if (noRelease.find()) {
            String suite = noRelease.group(2);
            if (!given && release != null && suite.equals(release.codename())) {
                return new UsageException("Debian has no release '" + release + "' at " + noRelease.group(1) + " (no dists/" + suite
                        + "/InRelease there)" + kept + "; give a release's codename, such as bookworm, trixie, forky or sid, or its number");
            }
            return new UsageException("the archive " + noRelease.group(1) + " has no suite '" + suite + "' (no dists/" + suite + "/InRelease)"
                    + kept + "; check " + (given ? "the suite of --apt-source" : "DKMS_DEB_MIRROR and --release"));
        }
        if (said.contains("NO_PUBKEY") || said.contains("is not signed") || said.contains("GPG error") || said.contains("BADSIG")) {
            return new KernelHeadersException("the signature of " + describe() + " cannot be checked: " + said + kept + "; for an archive "
                    + "not signed by Debian's keys, name its keyring in the line: 'deb [signed-by=/path/to/keyring.gpg] URI SUITE COMPONENT'");
        }
        if (said.contains(" is expired (invalid since")) {
            return new KernelHeadersException("the package lists of " + describe() + " are out of date: " + said + kept + "; its Release "
                    + "file is past the Valid-Until date it carries, so apt will not use it: the mirror has stopped following the archive, "
                    + "or this machine's clock is wrong (it says " + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    + "); point DKMS_DEB_MIRROR at a mirror that is up to date, correct the clock, or give a listing written earlier with "
                    + "--kernel-list");
        }
        return new KernelHeadersException("cannot fetch the package lists of " + describe() + ": " + (said.isEmpty() ? "apt-get update failed" : said)
                + kept + "; check the network and " + (given ? "the URI of --apt-source" : "DKMS_DEB_MIRROR (" + BuildRoot.mirror(host) + ")")
                + ", or give a listing written earlier with --kernel-list");
    }

    private static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8))).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this Java", e);
        }
    }
}

package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.model.deb.Compression;
import io.dkmsdeb.model.kernel.DebianRelease;
import io.dkmsdeb.model.dkms.DkmsLevel;
import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.model.kernel.KernelListing;
import io.dkmsdeb.model.kernel.KernelShard;
import io.dkmsdeb.model.UsageException;
import io.dkmsdeb.pipeline.DebianNames;
import io.dkmsdeb.support.Log;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One bmdeb call, as a value checked when it is built: every option that can be judged without
 * looking at a file is judged here, so that a wrong combination fails before any work. Made with
 * {@link #builder(String)}; its parts are small values of their own.
 *
 * @param source    NAME/VERSION, a module directory or a -dkms package file
 * @param kernels   the kernels to build for
 * @param packaging what names and stamps the packages
 * @param build     how each kernel is built
 * @param signing   the signing options
 * @param output    where packages and logs go
 * @param reuse     which packages built before count
 * @param host      the machine: environment and paths
 */
public record BmdebRequest(String source, KernelChoice kernels, Packaging packaging, Build build, SignOptions signing, Output output,
                           Reuse reuse, Host host) {
    public BmdebRequest {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(kernels, "kernels");
        Objects.requireNonNull(packaging, "packaging");
        Objects.requireNonNull(build, "build");
        Objects.requireNonNull(signing, "signing");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(reuse, "reuse");
        Objects.requireNonNull(host, "host");
        if (source.isBlank()) {
            throw new UsageException("SOURCE is empty: give NAME/VERSION, a module directory or a NAME-dkms package file");
        }
    }

    /**
     * Which kernels: the releases given (-k), every kernel with installed headers (--all-kernels), or those the
     * archive serves (--kernels-from-archive FILTER, from apt, from the listing of a file, or from another release's archive:
     * {@code archive}).
     *
     * @param releases      -k, in the order given, each once
     * @param all           --all-kernels
     * @param archiveFilter --kernels-from-archive's filter ("" for all), or null
     * @param archive       where --kernels-from-archive's listing comes from: --kernel-list, else --apt-source, else the
     *                      archive of --release, else the host's apt
     * @param headersDir    --kernel-source-dir (absolute), or null
     * @param fetchHeaders  --fetch-headers
     * @param shard         --shard I/N: only the kernels of the archive's listing in that shard, or null for all
     * @param release       --release: the Debian release of the kernels, or null to tell it from each kernel's release
     */
    public record KernelChoice(List<String> releases, boolean all, String archiveFilter, KernelListing.Origin archive, Path headersDir,
                               boolean fetchHeaders, KernelShard shard, DebianRelease release) {
        public KernelChoice {
            List<String> once = new ArrayList<>(new LinkedHashSet<>(releases));
            if (once.size() < releases.size()) {
                Log.info("a kernel given more than once with -k is built once");
            }
            releases = List.copyOf(once);
            int ways = (releases.isEmpty() ? 0 : 1) + (all ? 1 : 0) + (archiveFilter != null ? 1 : 0);
            if (ways == 0) {
                throw new UsageException("no kernel given: pass -k KVER (one or more), --all-kernels or --kernels-from-archive");
            }
            if (ways > 1) {
                throw new UsageException("-k, --all-kernels and --kernels-from-archive each name the kernels; give one of them");
            }
            if (shard != null && archiveFilter == null) {
                throw new UsageException("--shard " + shard + " takes a share of the archive's listing; give it with "
                        + "--kernels-from-archive (and --kernel-list, so that every shard reads the same listing)");
            }
            if (archive.file() != null && archiveFilter == null) {
                throw new UsageException("--kernel-list is the archive listing of --kernels-from-archive; give both");
            }
            if (!archive.aptSources().isEmpty() && archiveFilter == null) {
                throw new UsageException("--apt-source names the archive --kernels-from-archive lists; give both");
            }
            if (headersDir != null) {
                if (archiveFilter != null) {
                    throw new UsageException("--kernel-source-dir names the headers of one kernel; it does not go with --kernels-from-archive");
                }
                if (releases.size() != 1) {
                    throw new UsageException("--kernel-source-dir names the headers of one kernel; give a single -k with it");
                }
                headersDir = headersDir.toAbsolutePath().normalize();
            }
            archive = archive.file() == null ? archive : new KernelListing.Origin(archive.file().toAbsolutePath(), archive.release(),
                    archive.aptSources());
        }

        /** --kernel-list, or null. */
        public Path archiveList() {
            return archive.file();
        }

        /** Headers are fetched for kernels that have none installed: --fetch-headers, or kernels taken from the archive. */
        public boolean fetches() {
            return fetchHeaders || archiveFilter != null;
        }
    }

    /**
     * What names and stamps the packages.
     *
     * @param revision      --revision, or null (the -dkms package's, else none)
     * @param moduleVersion -V: the version of a tree without dkms.conf, or of a #MODULE_VERSION# placeholder; or null
     * @param name          --name: the base of the package names (NAME-modules-KVER; a -dkms at its end is left out); or null for PACKAGE_NAME's
     * @param maintainer    --maintainer, or null
     * @param templates     --templates, or null
     */
    public record Packaging(String revision, String moduleVersion, String name, String maintainer, Path templates) {
        public Packaging {
            if (name != null) {
                DebianNames.providesBase(DebianNames.requirePackageName(name, "--name"));
            }
        }
    }

    /**
     * How each kernel is built.
     *
     * @param arch             --arch, or null for the kernel's own
     * @param jobs             -j: kernels built at once, at most
     * @param compression      of the module files, or null for the kernel's own
     * @param strip            strip debug symbols (no --no-strip)
     * @param compileDebugInfo --compile-debug-info
     * @param timeoutSeconds   --build-timeout, of each build step
     * @param dkmsLevel        --dkms-level: the dkms release whose rules dkms.conf is read and built by, or null for the
     *                         dkms of each kernel's Debian release ({@link BmdebRequest#levelFor})
     * @param sandbox          false for --no-sandbox: the module's code runs as this user, unconfined
     */
    public record Build(String arch, int jobs, Compression compression, boolean strip, boolean compileDebugInfo, long timeoutSeconds,
                        DkmsLevel dkmsLevel, boolean sandbox) {
        public Build {
            if (jobs < 1) {
                throw new UsageException("-j must be at least 1, got " + jobs);
            }
            if (timeoutSeconds < 1) {
                throw new UsageException("--build-timeout must be at least 1, got " + timeoutSeconds);
            }
        }
    }

    /**
     * --sign-key and --sign-cert (both or neither), or --no-sign.
     *
     * @param key  the private key, or null
     * @param cert its certificate, or null
     * @param none --no-sign
     */
    public record SignOptions(String key, Path cert, boolean none) {
        public SignOptions {
            if (none && (key != null || cert != null)) {
                throw new UsageException("--no-sign contradicts --sign-key/--sign-cert; give one or the other");
            }
            if ((key == null) != (cert == null)) {
                throw new UsageException("signing needs both --sign-key KEY and --sign-cert CERT");
            }
        }
    }

    /**
     * Where things go.
     *
     * @param dir         -o: the packages
     * @param logDir      --log-dir, or null for the cache's
     * @param lockTimeout --lock-timeout, or null for the build timeout
     */
    public record Output(Path dir, Path logDir, Duration lockTimeout) {
        public Output {
            Objects.requireNonNull(dir, "dir");
            if (lockTimeout != null && lockTimeout.isNegative()) {
                throw new UsageException("--lock-timeout must be 0 or more seconds, got " + lockTimeout.toSeconds());
            }
        }
    }

    /**
     * Which packages built before count as built.
     *
     * @param rebuild --rebuild: none of them
     * @param from    --reuse-from: more directories to look in besides the output directory
     */
    public record Reuse(boolean rebuild, List<Path> from) {
        public Reuse {
            from = List.copyOf(from);
        }
    }

    /** How long a kernel waits for another call's lock on it ({@link BmdebLock}): --lock-timeout, else --build-timeout. */
    /**
     * The Debian release {@code kernel} is built for: --release, else what its release string says ({@code +deb13}: trixie;
     * {@code 6.1.0-N}: bookworm), else this host's. Empty when none of them tells.
     */
    public Optional<DebianRelease> releaseOf(String kernel) {
        if (kernels.release() != null) {
            return Optional.of(kernels.release());
        }
        return DebianRelease.ofKernel(kernel).or(host::debianRelease);
    }

    /**
     * The release whose build root {@code kernel} is built in: --release, else the release the kernel's name says
     * ({@code +debN}), when that is not this host's; empty to build on this host (the same release, headers given with
     * --kernel-source-dir, or a kernel whose name does not say its release: a build root costs a debootstrap, which a
     * mistyped release must not set off).
     */
    public Optional<DebianRelease> buildRootOf(String kernel) {
        if (kernels.headersDir() != null) {
            return Optional.empty();
        }
        Optional<DebianRelease> own = host.debianRelease();
        Optional<DebianRelease> named = kernels.release() != null ? Optional.of(kernels.release()) : DebianRelease.namedBy(kernel);
        return named.filter(r -> own.isPresent() && !own.get().equals(r));
    }

    /** The dkms level of {@code kernel}: --dkms-level, else that of the dkms its Debian release ships, else bookworm's. */
    public DkmsLevel levelFor(String kernel) {
        if (build.dkmsLevel() != null) {
            return build.dkmsLevel();
        }
        return releaseOf(kernel).map(DebianRelease::dkmsLevel).orElse(DkmsLevel.BOOKWORM);
    }

    public Duration lockTimeout() {
        return output.lockTimeout() != null ? output.lockTimeout() : Duration.ofSeconds(build.timeoutSeconds());
    }

    public static Builder builder(String source) {
        return new Builder(source);
    }

    /** Options by name, with bmdeb's defaults; {@link #build()} checks them. */
    public static final class Builder {
        private final String source;
        private List<String> kernels = List.of();
        private boolean allKernels;
        private String archiveFilter;
        private Path kernelList;
        private List<String> aptSources = List.of();
        private String shard;
        private Path kernelSourceDir;
        private boolean fetchHeaders;
        private String revision;
        private String moduleVersion;
        private String name;
        private String maintainer;
        private Path templates;
        private String arch;
        private int jobs = Runtime.getRuntime().availableProcessors();
        private Compression compression;
        private boolean strip = true;
        private boolean compileDebugInfo;
        private long buildTimeoutSeconds = 3600;
        private DkmsLevel dkmsLevel;
        private DebianRelease release;
        private boolean sandbox = true;
        private String signKey;
        private Path signCert;
        private boolean noSign;
        private Path outDir = Path.of(".");
        private Path logDir;
        private Duration lockTimeout;
        private boolean rebuild;
        private List<Path> reuseFrom = List.of();
        private Host host = Host.of(java.util.Map.of());

        private Builder(String source) {
            this.source = source;
        }

        public Builder kernels(List<String> releases) {
            this.kernels = List.copyOf(releases);
            return this;
        }

        public Builder allKernels(boolean all) {
            this.allKernels = all;
            return this;
        }

        /** --kernels-from-archive FILTER ("" for all; null: not this way), with --kernel-list FILE or null. */
        public Builder kernelsFromArchive(String filter, Path listing) {
            this.archiveFilter = filter;
            this.kernelList = listing;
            return this;
        }

        /** --apt-source: the apt source lines of the archive --kernels-from-archive lists (none: --release's, else the host's). */
        public Builder aptSources(List<String> lines) {
            this.aptSources = List.copyOf(lines);
            return this;
        }

        /** --shard I/N (null: every kernel of the listing). */
        public Builder shard(String shard) {
            this.shard = shard;
            return this;
        }

        public Builder kernelSourceDir(Path dir) {
            this.kernelSourceDir = dir;
            return this;
        }

        /** --release: the Debian release of the kernels (null: told by each kernel's release, else this host's). */
        public Builder release(DebianRelease release) {
            this.release = release;
            return this;
        }

        public Builder fetchHeaders(boolean fetch) {
            this.fetchHeaders = fetch;
            return this;
        }

        public Builder revision(String revision) {
            this.revision = revision;
            return this;
        }

        public Builder moduleVersion(String version) {
            this.moduleVersion = version;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder maintainer(String maintainer) {
            this.maintainer = maintainer;
            return this;
        }

        public Builder templates(Path dir) {
            this.templates = dir;
            return this;
        }

        public Builder arch(String arch) {
            this.arch = arch;
            return this;
        }

        public Builder jobs(int jobs) {
            this.jobs = jobs;
            return this;
        }

        public Builder compression(Compression compression) {
            this.compression = compression;
            return this;
        }

        public Builder strip(boolean strip) {
            this.strip = strip;
            return this;
        }

        public Builder compileDebugInfo(boolean debugInfo) {
            this.compileDebugInfo = debugInfo;
            return this;
        }

        public Builder buildTimeoutSeconds(long seconds) {
            this.buildTimeoutSeconds = seconds;
            return this;
        }

        /** False for --no-sandbox. */
        public Builder sandbox(boolean sandbox) {
            this.sandbox = sandbox;
            return this;
        }

        /** --sign-key and --sign-cert. */
        /** The dkms release whose rules apply (default, null: that of each kernel's Debian release). */
        public Builder dkmsLevel(DkmsLevel level) {
            this.dkmsLevel = level;
            return this;
        }

        public Builder signWith(Path key, Path cert) {
            return signWith(key == null ? null : key.toString(), cert);
        }

        /** --sign-key (a file or a pkcs11: URI) and --sign-cert. */
        public Builder signWith(String key, Path cert) {
            this.signKey = key;
            this.signCert = cert;
            return this;
        }

        public Builder noSign(boolean noSign) {
            this.noSign = noSign;
            return this;
        }

        public Builder outDir(Path dir) {
            this.outDir = dir;
            return this;
        }

        public Builder logDir(Path dir) {
            this.logDir = dir;
            return this;
        }

        public Builder lockTimeout(Duration timeout) {
            this.lockTimeout = timeout;
            return this;
        }

        public Builder rebuild(boolean rebuild) {
            this.rebuild = rebuild;
            return this;
        }

        public Builder reuseFrom(List<Path> dirs) {
            this.reuseFrom = List.copyOf(dirs);
            return this;
        }

        public Builder host(Host host) {
            this.host = host;
            return this;
        }

        /** The request; a {@link UsageException} when options contradict each other or a value is out of range. */
        public BmdebRequest build() {
            return new BmdebRequest(source,
                    new KernelChoice(kernels, allKernels, archiveFilter, new KernelListing.Origin(kernelList, release, aptSources),
                            kernelSourceDir, fetchHeaders,
                            shard == null ? null : KernelShard.parse(shard), release),
                    new Packaging(revision, moduleVersion, name, maintainer, templates),
                    new Build(arch, jobs, compression, strip, compileDebugInfo, buildTimeoutSeconds, dkmsLevel, sandbox),
                    new SignOptions(signKey, signCert, noSign),
                    new Output(outDir, logDir, lockTimeout),
                    new Reuse(rebuild, reuseFrom),
                    host);
        }
    }
}

package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.pipeline.Maintainer;
import io.dkmsdeb.deb.DebReader;
import io.dkmsdeb.deb.Deb822;
import io.dkmsdeb.kernel.HeadersFetcher;
import io.dkmsdeb.kernel.KernelBuild;
import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.model.kernel.KernelListing;
import io.dkmsdeb.process.ProcessRunner;
import io.dkmsdeb.support.IoErrors;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.support.SourceFiles;
import io.dkmsdeb.support.Version;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a {@code NAME-modules-KVER} package is made from, as one digest, so that a package whose
 * inputs have not changed is not built again. The inputs: every file of the module tree (path,
 * type, mode, link target, bytes; VCS folders left out, as the build copy leaves them out), the
 * options that shape the package (module version and name, arch, compression, strip, --compile-debug-info, revision,
 * the Version of the -dkms package the tree comes from (whose revision the modules' version follows), Maintainer, templates, SOURCE_DATE_EPOCH, the signing key and certificate), dkms-deb's version,
 * the kernel release, and the exact headers built against: {@code linux-headers-KVER=VERSION}
 * (from dpkg for installed headers, from apt for the archive's, from the cache for fetched ones),
 * or a digest of {@code .config} and {@code Module.symvers} for headers no package owns.
 *
 * <p>The digest is recorded in the package's control file ({@value #FIELD}), so it travels with
 * the package into an apt repository's Packages index and is found again there.
 */
final class BuildInputs {
    /** The control field that carries the digest. */
    static final String FIELD = "Dkms-Deb-Inputs";
    private static final Duration DPKG_TIMEOUT = Duration.ofSeconds(30);

    /** Null when dkms-deb's own code could not be digested: then no package is up to date. */
    private final String callDigest;

    private BuildInputs(String callDigest) {
        this.callDigest = callDigest;
    }

    /**
     * The part of the inputs every kernel of the call shares (the tree is read once).
     *
     * @param r           the call's options
     * @param dir         the module tree
     * @param dkmsVersion the Version of the -dkms package the tree comes from, or null
     * @param maintainer  the Maintainer field
     * @param epoch       SOURCE_DATE_EPOCH
     * @param signing     the signing key and certificate, or null
     */
    static BuildInputs of(BmdebRequest r, Path dir, String dkmsVersion, String maintainer, long epoch, KernelBuild.Signing signing) {
        return of(r, dir, dkmsVersion, maintainer, epoch, signing, codeDigest());
    }

    /** As {@link #of(BmdebRequest, Path, String, String, long, KernelBuild.Signing)}, with the digest of dkms-deb's own code (empty: unknown). */
    static BuildInputs of(BmdebRequest r, Path dir, String dkmsVersion, String maintainer, long epoch, KernelBuild.Signing signing,
                          Optional<String> code) {
        BmdebRequest.Packaging p = r.packaging();
        BmdebRequest.Build b = r.build();
        Digest d = new Digest();
        d.add("dkms-deb", Version.get());
        d.add("dkms-deb-code", code.orElse(null));
        d.add("module-version", p.moduleVersion());
        d.add("name", p.name());
        d.add("arch", b.arch());
        d.add("compression", b.compression() == null ? null : b.compression().name());
        d.add("strip", Boolean.toString(b.strip()));
        d.add("compile-debug-info", Boolean.toString(b.compileDebugInfo()));
        // the default level adds nothing, so that packages built before levels existed stay up to date
        if (b.dkmsLevel() != null && !b.dkmsLevel().equals(io.dkmsdeb.model.dkms.DkmsLevel.BOOKWORM)) {
            d.add("dkms-level", b.dkmsLevel().release());
        }
        d.add("revision", p.revision());
        d.add("dkms-package-version", dkmsVersion);
        d.add("maintainer", maintainer);
        d.add("epoch", Long.toString(epoch));
        try {
            if (p.templates() != null) {
                d.tree("templates", p.templates());
            }
            if (signing != null) {
                if (signing.onToken()) {
                    d.add("sign-key", signing.key());    // the token's key: its URI names it
                } else {
                    d.file("sign-key", signing.keyFile());
                }
                d.file("sign-cert", signing.cert());
            }
            d.tree("source", dir);
        } catch (IOException e) {
            throw new io.dkmsdeb.model.ModuleSourceException("cannot read " + e.getMessage() + " to see whether the packages are up to date; "
                    + "check its permissions", e);
        }
        return new BuildInputs(code.isPresent() ? d.hex() : null);
    }

    /**
     * dkms-deb's own code and built-in templates: the jar (or class directory) this class is loaded
     * from, digested once: a jar by its entries' names, sizes and CRC-32s, which its central
     * directory holds (hashing its 10 MB instead cost a tenth of a second of every bmdeb call).
     * Empty when the code cannot be read: a digest of the version alone would match a package
     * built by other code of the same version, so then no package is taken as up to date (said once).
     */
    private static volatile Optional<String> code;

    private static Optional<String> codeDigest() {
        if (code == null) {
            Object where = "the class path";
            try {
                where = BuildInputs.class.getProtectionDomain().getCodeSource().getLocation();
                code = codeDigest(Path.of(((java.net.URL) where).toURI()));
            } catch (java.net.URISyntaxException | RuntimeException e) {
                code = unknownCode(where, e.getMessage());
            }
        }
        return code;
    }

    /** The digest of the jar or class directory {@code where}; empty, with a warning, when it cannot be read. */
    static Optional<String> codeDigest(Path where) {
        Digest d = new Digest();
        try {
            if (Files.isDirectory(where)) {
                d.tree("classes", where);
            } else {
                d.jar("jar", where);
            }
            return Optional.of(d.hex());
        } catch (IOException | RuntimeException e) {
            return unknownCode(where, e instanceof IOException io ? IoErrors.reason(io) : e.getMessage());
        }
    }

    private static Optional<String> unknownCode(Object where, String reason) {
        Log.warn("cannot read dkms-deb's own code at " + where + " (" + reason + ") to tell its builds apart: no package is taken "
                + "as up to date, every kernel is built again");
        return Optional.empty();
    }

    /** The digest of one kernel's package, as recorded in {@value #FIELD}; null when dkms-deb's code is unknown. */
    String forKernel(String release, String headersId) {
        if (callDigest == null) {
            return null;
        }
        Digest d = new Digest();
        d.add("call", callDigest);
        d.add("kernel", release);
        d.add("headers", headersId);
        return "sha256:" + d.hex();
    }

    /**
     * The headers {@code release} is built against, named without fetching anything: given
     * headers (digest of .config and Module.symvers), installed ones (dpkg's package and version),
     * the archive listing's, or headers fetched earlier. Empty when only fetching them would tell.
     */
    static Optional<String> headersId(String release, Path kernelSourceDir, KernelListing.Kernel listed, Host host) {
        if (kernelSourceDir != null) {
            return Optional.of(treeId(kernelSourceDir));
        }
        Path installed = host.installedHeaders(release);
        if (host.headersInstalled(release)) {
            String pkg = "linux-headers-" + release;
            try {
                ProcessRunner.Captured c = ProcessRunner.capture(List.of("dpkg-query", "-W", "-f=${Version} ${db:Status-Status}", pkg),
                        Path.of("/"), null, DPKG_TIMEOUT);
                String[] words = c.stdoutText().strip().split(" ");
                if (c.exit() == 0 && words.length == 2 && words[1].equals("installed")) {
                    return Optional.of(pkg + "=" + words[0]);
                }
            } catch (IOException e) {
                Log.info("[" + release + "] dpkg-query failed (" + e.getMessage() + "); naming the headers by their content");
            }
            return Optional.of(treeId(installed));
        }
        if (listed != null) {
            return Optional.of(listed.headersId());
        }
        return HeadersFetcher.cachedPackage(release, host.env());
    }

    /** Headers that no package names: their .config and Module.symvers. */
    static String treeId(Path headers) {
        Digest d = new Digest();
        for (String name : List.of(".config", "Module.symvers", "include/config/kernel.release")) {
            try {
                d.file(name, headers.resolve(name));
            } catch (IOException e) {
                d.add(name, "absent");
            }
        }
        return "headers-sha256:" + d.hex();
    }

    /** The digest a package records, if it is a readable package that records one. */
    static Optional<String> recorded(Path deb) {
        try {
            String control = DebReader.read(deb, DebReader.Limits.DEFAULT, e -> { }).text("control");
            List<Deb822.Paragraph> ps = Deb822.parse(control == null ? "" : control);
            return ps.isEmpty() ? Optional.empty() : ps.get(0).get(FIELD);
        } catch (IOException | Deb822.SyntaxException e) {
            return Optional.empty();
        }
    }

    /** A SHA-256 over named values, each length-prefixed so that no two input lists digest alike. */
    private static final class Digest {
        private final MessageDigest md;

        Digest() {
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("this Java runtime has no SHA-256", e);
            }
        }

        void add(String name, String value) {
            bytes(name.getBytes(StandardCharsets.UTF_8));
            bytes(value == null ? new byte[] {(byte) 0xff} : value.getBytes(StandardCharsets.UTF_8));
        }

        private void bytes(byte[] b) {
            md.update(Long.toString(b.length).getBytes(StandardCharsets.US_ASCII));
            md.update((byte) ':');
            md.update(b);
        }

        void file(String name, Path file) throws IOException {
            add(name, "file");
            stream(file);
        }

        private void stream(Path file) throws IOException {
            md.update(Long.toString(Files.size(file)).getBytes(StandardCharsets.US_ASCII));
            md.update((byte) ':');
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
            }
        }

        /** A zip file's entries, as its central directory lists them: name, size and CRC-32 of each. */
        void jar(String name, Path file) throws IOException {
            add(name, "jar");
            try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile())) {
                java.util.Enumeration<? extends java.util.zip.ZipEntry> entries = zip.entries();
                while (entries.hasMoreElements()) {
                    java.util.zip.ZipEntry e = entries.nextElement();
                    add(e.getName(), e.getSize() + " " + Long.toHexString(e.getCrc()));
                }
            }
        }

        /** Every entry under {@code root}, in name order; VCS folders left out. */
        void tree(String name, Path root) throws IOException {
            add(name, "tree");
            List<Path> entries = new ArrayList<>();
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(p -> !p.equals(root)).forEach(entries::add);
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
            entries.sort(null);
            for (Path p : entries) {
                Path rel = root.relativize(p);
                boolean inVcs = false;
                for (Path part : rel) {
                    inVcs |= SourceFiles.isVcsDir(part.toString());
                }
                if (inVcs) {
                    continue;
                }
                String path = rel.toString();
                if (Files.isSymbolicLink(p)) {
                    add("link " + path, Files.readSymbolicLink(p).toString());
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    add("dir " + path, "");
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    add("file " + path, Files.isExecutable(p) ? "x" : "-");
                    stream(p);
                } else {
                    add("other " + path, "");
                }
            }
        }

        String hex() {
            return HexFormat.of().formatHex(md.digest());
        }
    }
}

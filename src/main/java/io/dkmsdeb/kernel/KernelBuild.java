package io.dkmsdeb.kernel;

import io.dkmsdeb.support.Log;
import io.dkmsdeb.support.Phases;

import io.dkmsdeb.model.dkms.BuiltModule;
import io.dkmsdeb.model.dkms.DkmsConf;
import io.dkmsdeb.model.kernel.KernelTarget;

import java.nio.charset.StandardCharsets;
import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.process.Sandbox;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Compiles a module for one kernel. One implementation builds as dkms does; tests may fake it. */
public interface KernelBuild {

    /**
     * One kernel's build.
     *
     * @param module  the module tree and its dkms.conf
     * @param kernel  the kernel
     * @param options how to build
     * @param log     the build log, appended to
     * @param layout  where the build happens: the trees dkms.conf was read with
     * @param phases  where the time of each step is recorded
     */
    record Request(Module module, KernelTarget kernel, Options options, Path log, Layout layout, Phases phases) {
        public Path sourceDir() {
            return module.sourceDir();
        }

        public byte[] dkmsConfText() {
            return module.dkmsConfText();
        }

        public DkmsConf conf() {
            return module.conf();
        }

        public int makeJobs() {
            return options.makeJobs();
        }

        public boolean strip() {
            return options.strip();
        }

        public long timeoutSeconds() {
            return options.timeoutSeconds();
        }

        public long epochSeconds() {
            return options.epochSeconds();
        }

        public Signing signing() {
            return options.signing();
        }

        public boolean compileDebugInfo() {
            return options.compileDebugInfo();
        }

        public Sandbox sandbox() {
            return options.sandbox();
        }
    }

    /**
     * @param sourceDir    the module tree (never modified)
     * @param dkmsConfText the dkms.conf to place in the build tree
     * @param conf         dkms.conf as read for this kernel
     */
    record Module(Path sourceDir, byte[] dkmsConfText, DkmsConf conf) {
    }

    /**
     * @param makeJobs         make -j
     * @param strip            false for --no-strip (STRIP in dkms.conf still applies)
     * @param compileDebugInfo true for --compile-debug-info: compile with debug info even when it is stripped
     * @param timeoutSeconds   time limit for each step
     * @param epochSeconds     SOURCE_DATE_EPOCH for kbuild's timestamp
     * @param signing          key and certificate to sign the modules with, or null
     * @param host             the machine: the PATH and HOME of the steps
     * @param sandbox          where the steps that run the module's code run ({@link Sandbox#none()} for --no-sandbox)
     */
    record Options(int makeJobs, boolean strip, boolean compileDebugInfo, long timeoutSeconds, long epochSeconds, Signing signing,
                   Host host, Sandbox sandbox) {
    }

    /**
     * A module signing key and its certificate (PEM or DER).
     *
     * @param key  the private key: a PEM file (absolute path), or a PKCS#11 URI ({@code pkcs11:...}) of a key on a token
     * @param cert its certificate
     */
    record Signing(String key, Path cert) {
        /** The start of a PKCS#11 URI (RFC 7512). */
        public static final String PKCS11 = "pkcs11:";

        /** A key in a file. */
        public static Signing ofFile(Path key, Path cert) {
            return new Signing(key.toAbsolutePath().toString(), cert.toAbsolutePath());
        }

        /** True when the key is on a PKCS#11 token: it never exists as a file here. */
        public boolean onToken() {
            return key.startsWith(PKCS11);
        }

        /** The key's file, or null for a key on a token. */
        public Path keyFile() {
            return onToken() ? null : Path.of(key);
        }
    }

    /** The modules built, stripped and compressed; throws BuildFailedException with the log's tail on failure. */
    List<BuiltModule> build(Request request);

    /**
     * Where the build of {@code module} {@code version} for {@code kernel} happens, laid out as
     * dkms's trees: {@code $dkms_tree/NAME/VERSION/build} is the build directory and
     * {@code $source_tree/NAME-VERSION} the pristine source. dkms.conf is read with these set,
     * since MAKE lines often name them. A value: the same inputs give the same paths, so that
     * paths compiled into a module (and so its build id) are the same in every run.
     *
     * @param base     the user's private scratch directory ({@code $TMPDIR/dkms-deb-USER})
     * @param linkBase the user's private directory of links, used when {@link #dir()} has a
     *                 character kbuild cannot take (see {@link #kbuildDir()})
     * @param module   PACKAGE_NAME
     * @param version  PACKAGE_VERSION
     * @param kernel   the kernel release
     */
    record Layout(Path base, Path linkBase, String module, String version, String kernel) {
        /** What kbuild and a shell take in a path as it is: no white space, quote, ':', '%', '~', '$' or the like. */
        private static final Pattern KBUILD_SAFE = Pattern.compile("[A-Za-z0-9/._+,@=-]+");

        /** The layout of a build of this user: under TMPDIR (else java.io.tmpdir), links under java.io.tmpdir (else /tmp). */
        public static Layout forUser(Map<String, String> env, String module, String version, String kernel) {
            String user = System.getProperty("user.name");
            String tmp = env.getOrDefault("TMPDIR", "");
            String javaTmp = System.getProperty("java.io.tmpdir");
            Path base = usable(Path.of(tmp.isBlank() ? javaTmp : tmp), "dkms-deb-" + user, user);
            Path links = usable(Path.of(kbuildSafe(javaTmp) ? javaTmp : "/tmp"), "dkms-deb-" + user + "-links", user);
            return new Layout(base, links, module, version, kernel);
        }

        /** How many other names {@link #usable} tries after the first. */
        private static final int OTHER_NAMES = 9;

        /**
         * {@code parent/name}, unless something else than a directory of {@code user} is there (another user's
         * directory, a link, a file: a shared TMPDIR lets anyone claim a name first): then the first of
         * {@code name-2} ... {@code name-10} that is free or this user's, with a warning. What is at the taken name
         * is left as it is. When every name is taken, the first: the build then stops and says whose it is.
         */
        static Path usable(Path parent, String name, String user) {
            for (int i = 1; i <= OTHER_NAMES + 1; i++) {
                Path p = parent.resolve(i == 1 ? name : name + "-" + i);
                if (ownDirectoryOrFree(p, user)) {
                    if (i > 1) {
                        Log.warn(parent.resolve(name) + " is not a directory of " + user + " (" + ownerOf(parent.resolve(name))
                                + "): using " + p + " instead, and leaving it alone; remove it, or set TMPDIR to a directory "
                                + "of your own, to build at the usual path");
                    }
                    return p;
                }
            }
            return parent.resolve(name);
        }

        private static boolean ownDirectoryOrFree(Path p, String user) {
            try {
                if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    return true;
                }
                return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName().equals(user);
            } catch (java.io.IOException | RuntimeException e) {
                return false;
            }
        }

        private static String ownerOf(Path p) {
            try {
                return (Files.isSymbolicLink(p) ? "a link" : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "a directory" : "a file")
                        + " of " + Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName();
            } catch (java.io.IOException | RuntimeException e) {
                return "not readable: " + e.getMessage();
            }
        }

        /**
         * The layout a build sees inside its sandbox: the same fixed paths for every user, TMPDIR and
         * working directory (those of root's build without TMPDIR), on the sandbox's private {@code /tmp},
         * so that what a module records of its build paths is the same wherever it was built.
         * The files are in a private directory of the host ({@link Scratch}), mounted there.
         */
        public static Layout inSandbox(String module, String version, String kernel) {
            return new Layout(Path.of("/tmp/dkms-deb-root"), Path.of("/tmp/dkms-deb-root-links"), module, version, kernel);
        }

        /** The scratch directory of the build: {@code BASE/build/KVER/NAME-VERSION}. */
        public Path dir() {
            return base.resolve("build").resolve(kernel).resolve(module + "-" + version);
        }

        /**
         * {@link #dir()} as make, dkms.conf and the build scripts see it: the directory itself,
         * or, when its path has a character kbuild refuses in {@code M=} (a space, ':') or that a
         * shell would split or interpret (a quote), a link to it named after a hash of the path.
         */
        public Path kbuildDir() {
            Path dir = dir();
            return kbuildSafe(dir.toString()) ? dir : linkBase.resolve(sha256(dir.toString()).substring(0, 16));
        }

        public Path dkmsTree() {
            return kbuildDir().resolve("dkms");
        }

        public Path sourceTree() {
            return kbuildDir().resolve("src");
        }

        /** dkms's build directory, {@code $dkms_tree/NAME/VERSION/build}. */
        public Path buildDir() {
            return dkmsTree().resolve(module).resolve(version).resolve("build");
        }

        /** The pristine copy, {@code $source_tree/NAME-VERSION}, linked from {@code $dkms_tree/NAME/VERSION/source}. */
        public Path pristineDir() {
            return sourceTree().resolve(module + "-" + version);
        }

        static boolean kbuildSafe(String path) {
            return KBUILD_SAFE.matcher(path).matches();
        }

        private static String sha256(String text) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JVM has no SHA-256", e);
            }
        }
    }
}

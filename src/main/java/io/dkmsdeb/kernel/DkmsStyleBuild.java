package io.dkmsdeb.kernel;

import io.dkmsdeb.support.SourceFiles;
import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.model.BuildFailedException;
import io.dkmsdeb.model.dkms.BuiltModule;
import io.dkmsdeb.model.dkms.DkmsConf;
import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.model.dkms.DkmsModule;
import io.dkmsdeb.model.dkms.DkmsRule;
import io.dkmsdeb.model.kernel.KernelTarget;
import io.dkmsdeb.support.IoErrors;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.process.ProcessRunner;
import io.dkmsdeb.process.Sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Builds a module the way dkms 3 does ({@code prepare_build} and {@code actual_build}), in the
 * private scratch tree ({@link Scratch}) that the request's {@link Layout} names, laid out like
 * dkms's: {@code $dkms_tree/NAME/VERSION/build} is a copy of the source, {@code .../source} links
 * to a pristine copy under {@code $source_tree}. Steps: PATCH (-p1 from patches/), PRE_BUILD,
 * CLEAN, MAKE ({@link MakeCommand}: make -jN KERNELRELEASE=KVER prepended when MAKE starts with
 * "make"), check BUILT_MODULE_LOCATION/BUILT_MODULE_NAME.ko, strip -g,
 * compress as the kernel does, POST_BUILD. A kernel of another architecture than the build host's
 * is cross-compiled ({@link CrossToolchain}): ARCH and CROSS_COMPILE in every step's environment
 * and on make's command line, the target's strip, the host's sign-file. Each step runs with the dkms variables in its
 * environment, its output appended to the log, under a time limit.
 */
public final class DkmsStyleBuild implements KernelBuild {
    private static final String HELPERS = "/io/dkmsdeb/templates/helpers/";
    private static final DateTimeFormatter KBUILD_TIME = DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss 'UTC' yyyy", Locale.ROOT);

    @Override
    public List<BuiltModule> build(Request r) {
        DkmsConf conf = r.conf();
        KernelTarget k = r.kernel();
        String what = conf.packageName() + " " + conf.packageVersion() + " for " + k.release();
        Layout layout = r.layout();
        CrossToolchain cross = CrossToolchain.forKernel(k);
        String path = searchPath(r.options().host());
        cross.requireInstalled(k, k.buildRoot() == null ? path : inRoot(k.buildRoot(), path));
        Sandbox sandbox = inItsRoot(r.sandbox(), k);
        try (Scratch s = sandbox.enabled() ? Scratch.privateFor(layout, tmpDir(r.options().host())) : Scratch.forBuild(layout)) {
            long t = System.nanoTime();
            Where where = new Where(layout.kbuildDir(), s.hostDir());
            Path build = prepareTrees(r, layout, where);
            Path helpers = Files.createDirectories(where.host(layout.kbuildDir().resolve("helpers")));
            helper(helpers, "run-make.bash");
            helper(helpers, "run-build-script.bash");
            Path runMake = layout.kbuildDir().resolve("helpers/run-make.bash");
            Path runScript = layout.kbuildDir().resolve("helpers/run-build-script.bash");
            Map<String, String> env = environment(r, layout, cross);
            // the log is started afresh under the build's lock: concurrent runs of the same build take turns
            Files.writeString(r.log(), "dkms-deb build log for " + conf.packageName() + "-" + conf.packageVersion()
                    + " for kernel " + k.release() + " (" + k.unameArch() + "), by the rules of dkms " + conf.level().describe()
                    + " (--dkms-level)\n" + sandboxLine(sandbox), StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING,
                    java.nio.file.StandardOpenOption.WRITE);
            if (skipsDebugInfo(r)) {
                Files.writeString(r.log(), "compiled without debug info (KCFLAGS=-g0): every module is stripped "
                        + "of it afterwards; --compile-debug-info compiles with it\n", StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.APPEND);
            }
            if (sandbox.dropsToNobody()) {
                Sandbox.giveToNobody(s.hostDir());
            }
            Sandbox step = sandbox.enabled() ? sandbox.with(Sandbox.Mount.writable(s.hostDir(), layout.kbuildDir()))
                    .with(k.buildRoot() != null ? new Sandbox.Mount[0] : headersMounts(k)) : sandbox;
            Steps steps = new Steps(r, what, build, env, cross, step, where);
            r.phases().since("copy", t);
            t = System.nanoTime();
            compile(steps, runMake, runScript);
            r.phases().since("make", t);
            t = System.nanoTime();
            List<BuiltModule> modules = collect(steps);
            if (!conf.postBuild().isEmpty()) {
                steps.script("POST_BUILD", List.of("bash", runScript.toString(), build.toString(), "post_build", conf.postBuild()));
            }
            r.phases().since("modules", t);
            return modules;
        } catch (IOException e) {
            throw new DkmsDebException("building " + what + " failed: " + IoErrors.file(e, layout.base()) + ": " + IoErrors.reason(e)
                    + "; check free space and permissions of " + layout.base() + " and " + r.log().getParent(), e);
        }
    }

    /**
     * The sandbox that reads dkms.conf for {@code k} (bash: the module's code), seeing what the build's steps see: the
     * kernel's release root, or this system with the kernel's headers mounted read-only (fetched headers are in the
     * cache, which the sandbox hides), so that a dkms.conf that reads {@code $kernel_source_dir/.config} finds it.
     */
    public static Sandbox forReading(Sandbox sandbox, KernelTarget k) throws IOException {
        if (!sandbox.enabled()) {
            return sandbox;
        }
        return k.buildRoot() != null ? sandbox.inRoot(k.buildRoot()) : sandbox.with(headersMounts(k));
    }

    /**
     * The sandbox of a kernel built in a release root ({@link BuildRoot}): that root is the system its steps see. The root
     * is entered only through the sandbox: --no-sandbox cannot build such a kernel.
     */
    private static Sandbox inItsRoot(Sandbox sandbox, KernelTarget k) {
        if (k.buildRoot() == null) {
            return sandbox;
        }
        if (!sandbox.enabled()) {
            throw new io.dkmsdeb.model.UsageException(k.release() + " is built in the build root of its Debian release (" + k.buildRoot()
                    + "), which its steps enter through the sandbox; leave out --no-sandbox to build it");
        }
        return sandbox.inRoot(k.buildRoot());
    }

    /** The line of the build log that says where the module's code ran. */
    private static String sandboxLine(Sandbox sandbox) {
        return sandbox.enabled()
                ? "the module's code runs in a sandbox (bubblewrap: no network, the system read-only, the signing key, /root, /home "
                        + "and the output directories hidden" + (sandbox.dropsToNobody() ? ", as the user nobody" : "")
                        + (sandbox.inOtherRoot() ? ", in the build root " + sandbox.root() : "") + ")\n"
                : "the module's code runs WITHOUT a sandbox (--no-sandbox): as this user, with the network and every file it may read\n";
    }

    /** The host's temporary directory, where a sandboxed build's private directory goes. */
    private static Path tmpDir(Host host) {
        String tmp = host.get("TMPDIR", "");
        return Path.of(tmp.isBlank() ? System.getProperty("java.io.tmpdir") : tmp).toAbsolutePath();
    }

    /**
     * The kernel headers, read-only: their directory, and when they are a fetched tree (a
     * {@code usr/src/linux-headers-KVER} under a cache directory), the whole fetched tree, whose
     * Makefile includes its siblings by absolute path.
     */
    private static Sandbox.Mount[] headersMounts(KernelTarget k) throws IOException {
        List<Sandbox.Mount> mounts = new ArrayList<>();
        Path real = k.headersDir().toRealPath();
        String text = real.toString();
        int usrSrc = text.indexOf("/usr/src/");
        if (usrSrc > 0) {
            mounts.add(Sandbox.Mount.readOnly(Path.of(text.substring(0, usrSrc))));
        } else if (usrSrc < 0) {
            mounts.add(Sandbox.Mount.readOnly(real));
            Path given = k.headersDir().toAbsolutePath().normalize();
            if (!given.equals(real)) {
                mounts.add(Sandbox.Mount.link(real, given));
            }
        }
        return mounts.toArray(new Sandbox.Mount[0]);
    }

    /**
     * The build's paths as the steps see them ({@code inside}, the layout's) and where the files are
     * on the host ({@code hostDir}): the same directory without a sandbox, a private one mounted at
     * {@code inside} in one.
     */
    private record Where(Path inside, Path hostDir) {
        Path host(Path insidePath) {
            return hostDir.resolve(inside.relativize(insidePath).toString());
        }
    }

    /** dkms's trees: the pristine copy with its dkms.conf, the build copy, and build/../source linking to the pristine one. */
    private static Path prepareTrees(Request r, Layout layout, Where where) throws IOException {
        Path pristine = layout.pristineDir();
        Path build = layout.buildDir();
        TreeCopy.copy(r.sourceDir(), where.host(pristine));
        Files.write(where.host(pristine).resolve("dkms.conf"), r.dkmsConfText());
        TreeCopy.copy(where.host(pristine), where.host(build));
        Files.createSymbolicLink(where.host(build.getParent().resolve("source")), pristine);
        return build;
    }

    /** What one build runs its steps with, and where: {@code build} as the steps see it, {@code where} to find it on the host. */
    private record Steps(Request r, String what, Path build, Map<String, String> env, CrossToolchain cross, Sandbox sandbox, Where where) {
        void run(String name, List<String> cmd) throws IOException {
            run(name, cmd, String.join(" ", cmd.subList(cmd.get(0).equals("bash") ? 3 : 0, cmd.size())));
        }

        /**
         * PRE_BUILD or POST_BUILD: its failure fails the build from dkms 3.1.7 on; older dkms goes on
         * (the log says so).
         */
        void script(String name, List<String> cmd) throws IOException {
            if (r.conf().level().applies(DkmsRule.BUILD_SCRIPTS_FATAL)) {
                run(name, cmd);
                return;
            }
            String display = String.join(" ", cmd.subList(3, cmd.size()));
            Files.writeString(r.log(), "\n$ " + display + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
            ProcessRunner.Outcome o = runQuietly(cmd);
            if (o.timedOut()) {
                throw failed(r, what, name + " did not finish within " + r.timeoutSeconds() + " s (--build-timeout) and was killed", true);
            }
            if (o.exit() != 0) {
                String why = name + " exited with status " + o.exit() + "; dkms " + r.conf().level() + " ignores that and goes on "
                        + "(dkms " + DkmsRule.BUILD_SCRIPTS_FATAL.since() + " and later stop)";
                Files.writeString(r.log(), "dkms-deb: " + why + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
                Log.warn("[" + r.kernel().release() + "] " + why);
            }
        }

        void run(String name, List<String> cmd, String display) throws IOException {
            Files.writeString(r.log(), "\n$ " + display + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
            check(name, runQuietly(cmd));
        }

        /** Runs {@code cmd} in the sandbox, in the build directory; its status unchecked. */
        ProcessRunner.Outcome runQuietly(List<String> cmd) throws IOException {
            return ProcessRunner.run(sandbox.wrap(cmd, build), hostBuild(), env, r.log(), r.timeoutSeconds());
        }

        /** The build directory on the host. */
        Path hostBuild() {
            return where.host(build);
        }

        void check(String name, ProcessRunner.Outcome o) {
            if (o.timedOut()) {
                throw failed(r, what, name + " did not finish within " + r.timeoutSeconds() + " s (--build-timeout) and was killed", true);
            }
            if (o.exit() != 0) {
                throw failed(r, what, name + " exited with status " + o.exit(), true);
            }
        }
    }

    /** PATCH, PRE_BUILD, CLEAN and MAKE. */
    private static void compile(Steps steps, Path runMake, Path runScript) throws IOException {
        Request r = steps.r();
        DkmsConf conf = r.conf();
        Path build = steps.build();
        for (String patch : conf.patches()) {
            if (!Files.isRegularFile(steps.hostBuild().resolve("patches").resolve(patch))) {
                throw failed(r, steps.what(), "patch " + patch + " named in dkms.conf is not in " + r.sourceDir().resolve("patches"), false);
            }
            steps.run("applying patch " + patch, List.of("patch", "-p1", "-i", "patches/" + patch));
        }
        if (!conf.preBuild().isEmpty()) {
            steps.script("PRE_BUILD", List.of("bash", runScript.toString(), build.toString(), "pre_build", conf.preBuild()));
        }
        // dkms cleans before make (its result is not checked); kbuild's own clean of a fresh
        // copy without build output is a no-op, so it is skipped then (a kbuild start saved)
        if (!conf.clean().isEmpty() || hasBuildOutput(steps.hostBuild())) {
            MakeCommand clean = MakeCommand.clean(conf, r.kernel(), build, steps.cross());
            steps.runQuietly(clean.command(runMake, build));
        }
        MakeCommand make = MakeCommand.make(conf, r.kernel(), build, r.makeJobs(), steps.cross());
        Log.info("[" + r.kernel().release() + "] building " + conf.packageName() + " " + conf.packageVersion() + ": " + make.display());
        steps.run("make", make.command(runMake, build), make.display());
    }

    /**
     * Each BUILT_MODULE_LOCATION/BUILT_MODULE_NAME.ko, stripped, signed and compressed as the kernel's own.
     * The modules to strip go to one strip call: a process per module cost ~20 ms each (half a second for
     * a module set of 23), with a core left idle meanwhile.
     */
    private List<BuiltModule> collect(Steps steps) throws IOException {
        Request r = steps.r();
        KernelTarget k = r.kernel();
        Path build = steps.build();
        Path hostBuild = steps.hostBuild();
        Set<String> toStrip = new LinkedHashSet<>();
        for (DkmsModule m : r.conf().modules()) {
            Path ko = hostBuild.resolve(m.builtPath());
            if (!Files.isRegularFile(ko, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw failed(r, steps.what(), notBuilt(m, builtKos(hostBuild), readLog(r.log())), true);
            }
            if (m.strip() && r.strip()) {
                toStrip.add(build.resolve(m.builtPath()).toString());
            }
        }
        if (!toStrip.isEmpty()) {
            List<String> cmd = new ArrayList<>(List.of(steps.cross().tool("strip"), "-g"));
            cmd.addAll(toStrip);
            steps.run(toStrip.size() == 1 ? "strip " + build.relativize(Path.of(toStrip.iterator().next()))
                    : "strip of the " + toStrip.size() + " modules", cmd);
        }
        List<BuiltModule> modules = new ArrayList<>();
        for (DkmsModule m : kept(r.conf(), k)) {
            Path ko = hostBuild.resolve(m.builtPath());
            if (r.signing() != null) {
                sign(steps, ko);
            }
            byte[] content = ModuleCompressor.compress(Files.readAllBytes(ko), k.compression());
            modules.add(new BuiltModule(m, m.destName() + k.moduleSuffix(), content));
        }
        return modules;
    }

    /**
     * The records whose module dkms installs. Before 3.1.7, dkms builds records that share a built file or
     * a destination name (3.1.7 refuses them, see DkmsConfValidator): it copies each record's module to
     * DEST_MODULE_NAME, so a destination named twice holds the last record's module; and where the kernel's
     * modules are compressed, compressing the shared built file for its first record removes it, so the later
     * records that share it get nothing.
     */
    static List<DkmsModule> kept(DkmsConf conf, KernelTarget k) {
        if (conf.level().applies(DkmsRule.DUPLICATE_MODULES)) {
            return conf.modules();
        }
        java.util.Map<String, DkmsModule> byDest = new java.util.LinkedHashMap<>();
        Set<String> built = new java.util.HashSet<>();
        for (DkmsModule m : conf.modules()) {
            if (!built.add(m.builtPath()) && k.compression() != io.dkmsdeb.model.deb.Compression.NONE) {
                Log.warn("[" + k.release() + "] " + m.builtPath() + " (record " + m.index() + ") was compressed for an earlier record: dkms "
                        + conf.level() + " installs no " + m.destName() + " for it");
                continue;
            }
            byDest.remove(m.destName());
            byDest.put(m.destName(), m);
        }
        return List.copyOf(byDest.values());
    }

    /** Signs before compression, as dkms does, with the kernel's sign-file and its CONFIG_MODULE_SIG_HASH. */
    private static void sign(Steps steps, Path ko) throws IOException {
        Request r = steps.r();
        KernelTarget k = r.kernel();
        String hash = k.config().get("CONFIG_MODULE_SIG_HASH");
        if (hash == null || hash.isEmpty()) {
            throw new DkmsDebException("cannot sign the modules for " + k.release() + ": its configuration has no CONFIG_MODULE_SIG_HASH "
                    + "(the kernel does not check module signatures); leave out --sign-key/--sign-cert or pass --no-sign");
        }
        Path signFile = k.headersDir().resolve("scripts/sign-file");
        if (!Files.isExecutable(signFile)) {
            throw new io.dkmsdeb.model.KernelHeadersException("cannot sign the modules for " + k.release() + ": " + signFile
                    + " is missing from the kernel headers; install the complete linux-headers-" + k.release() + " (with linux-kbuild)");
        }
        // in this process's own child, outside the sandbox: the key is never handed to module code
        Signing signing = r.signing();
        if (signing.onToken()) {
            TokenSigner.sign(signing, hash, signFile, ko, r.options().host(), r.log(), r.timeoutSeconds(),
                    (name, outcome) -> steps.check(name, outcome));
            return;
        }
        Files.writeString(r.log(), "\n$ sign-file " + hash + " KEY CERT " + ko.getFileName() + " (outside the sandbox)\n",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        steps.check("sign " + ko.getFileName(), ProcessRunner.run(List.of(signFile.toString(), hash, signing.key(),
                signing.cert().toString(), ko.toString()), steps.hostBuild(), steps.env(), r.log(), r.timeoutSeconds()));
    }

    /** The PATH of every step. */
    private static String searchPath(Host host) {
        return host.searchPath() + ":/usr/sbin:/sbin";
    }

    private static Map<String, String> environment(Request r, Layout layout, CrossToolchain cross) {
        KernelTarget k = r.kernel();
        Map<String, String> env = new HashMap<>();
        Host host = r.options().host();
        env.put("PATH", searchPath(host));
        env.put("HOME", host.get("HOME", "/nonexistent"));
        env.put("LC_ALL", "C.UTF-8");
        env.put("kernelver", k.release());
        env.put("arch", k.unameArch());
        env.put("kernel_source_dir", k.headersSeen().toString());
        env.put("dkms_tree", layout.dkmsTree().toString());
        env.put("source_tree", layout.sourceTree().toString());
        env.put("module", r.conf().packageName());
        env.put("module_version", r.conf().packageVersion());
        env.put("SOURCE_DATE_EPOCH", Long.toString(r.epochSeconds()));
        env.put("KBUILD_BUILD_TIMESTAMP", KBUILD_TIME.format(Instant.ofEpochSecond(r.epochSeconds()).atOffset(ZoneOffset.UTC)));
        env.put("KBUILD_BUILD_USER", "dkms-deb");
        env.put("KBUILD_BUILD_HOST", "dkms-deb");
        // as dkms's prepare_build: the compiler the kernel was built with (for a cross build, the
        // target's: aarch64-linux-gnu-gcc-12), when it is installed
        String cc = cross.compiler(k);
        if (!cc.isEmpty() && CrossToolchain.onPath(cc, k.buildRoot() == null ? env.get("PATH") : inRoot(k.buildRoot(), env.get("PATH")))) {
            env.put("CC", cc);
        }
        env.putAll(cross.kbuildVariables());
        env.putAll(headersElsewhere(k, host));
        env.put("KCFLAGS", prefixMaps(k, layout) + (skipsDebugInfo(r) ? " -g0" : ""));
        return env;
    }

    /** The directories of {@code path} in the build root {@code root}, as the host reaches them. */
    private static String inRoot(Path root, String path) {
        return java.util.Arrays.stream(path.split(":")).filter(d -> d.startsWith("/")).map(d -> root.resolve(d.substring(1)).toString())
                .collect(java.util.stream.Collectors.joining(":"));
    }

    /**
     * The same bytes on every machine: the paths compiled into a module ({@code __FILE__} of WARN_ON and BUG_ON, the debug
     * info of an unstripped one) are those dkms's build would have, {@code /var/lib/dkms/NAME/VERSION/build/...} and
     * {@code /usr/src/...}, not this build's scratch directory, which depends on TMPDIR, the user and the CPU count's
     * schedule; and fetched headers are named where their package installs them, not in this user's cache.
     */
    static String prefixMaps(KernelTarget k, Layout layout) {
        StringBuilder maps = new StringBuilder();
        // only paths KCFLAGS can carry (make splits it at spaces): the link kbuild builds through stands for a path with one
        for (Path base : new java.util.LinkedHashSet<>(List.of(layout.kbuildDir(), layout.dir()))) {
            if (!Layout.kbuildSafe(base.toString())) {
                continue;
            }
            maps.append(" -ffile-prefix-map=").append(base.resolve("dkms")).append("=/var/lib/dkms")
                    .append(" -ffile-prefix-map=").append(base.resolve("src")).append("=/usr/src");
        }
        Path headers = k.headersSeen().toAbsolutePath();
        if (headers.getNameCount() > 3 && headers.endsWith(Path.of("usr/src", headers.getFileName().toString()))
                && !headers.startsWith("/usr/src") && Layout.kbuildSafe(headers.toString())) {
            maps.append(" -ffile-prefix-map=").append(headers.getParent().getParent().getParent()).append("=");
        }
        return maps.toString().strip();
    }

    /**
     * True when the build compiles without debug info: the kernel's flags ask for it
     * ({@code CONFIG_DEBUG_INFO}), yet every module is stripped of it right after make ({@code strip -g},
     * as dkms does), so generating it is wasted work (a fifth of xtables-addons's compile). kbuild
     * appends {@code KCFLAGS} after the kernel's own flags, so {@code -g0} there undoes their
     * {@code -g}; the code is the same (GCC's promise for {@code -g}; checked by comparing the stripped
     * modules' code), only the build id and the order of a module's {@code __versions} entries differ.
     * A module's own ccflags come later and still win. Not when a module keeps its debug info
     * (STRIP="no", --no-strip), when --compile-debug-info asks for it, or when the headers would make BTF
     * for modules ({@code CONFIG_DEBUG_INFO_BTF_MODULES} with a {@code vmlinux} beside them), which needs it.
     */
    static boolean skipsDebugInfo(Request r) {
        KernelTarget k = r.kernel();
        return !r.compileDebugInfo() && r.strip() && r.conf().modules().stream().allMatch(DkmsModule::strip)
                && "y".equals(k.config().get("CONFIG_DEBUG_INFO"))
                && !("y".equals(k.config().get("CONFIG_DEBUG_INFO_BTF_MODULES")) && Files.exists(k.headersDir().resolve("vmlinux")));
    }

    /**
     * The names module Makefiles commonly read the kernel's build directory from (dahdi: {@code ifndef KSRC},
     * then {@code /lib/modules/$(KVERS)/build}), set to the headers when they are not at
     * {@code /lib/modules/KVER/build}: headers fetched or given with --kernel-source-dir, where dkms always
     * has them installed. Nothing is set when they are there, so that a build sees what dkms gives it.
     */
    static Map<String, String> headersElsewhere(KernelTarget k, Host host) {
        if (k.buildRoot() != null) {
            return Map.of();    // in the root, where its package installs them: /lib/modules/KVER/build
        }
        Path usual = host.installedHeaders(k.release());
        try {
            if (Files.exists(usual) && Files.isSameFile(usual, k.headersDir())) {
                return Map.of();
            }
        } catch (IOException e) {
            // not the same place as far as can be told: name it
        }
        String dir = k.headersDir().toString();
        return Map.of("KSRC", dir, "KDIR", dir, "KERNELDIR", dir, "KERNEL_DIR", dir, "KERNEL_SRC", dir);
    }

    private static BuildFailedException failed(Request r, String what, String why, boolean showLog) {
        StringBuilder sb = new StringBuilder("building " + what + " failed: " + why + "; full log: " + r.log());
        if (showLog) {
            List<String> lines = tail(r.log(), 15);
            if (!lines.isEmpty()) {
                sb.append("\nlast lines of the log:");
                lines.forEach(l -> sb.append("\n    ").append(l));
            }
        }
        return new BuildFailedException(sb.toString());
    }

    /**
     * Why a module is missing after a make that exited with 0: the first error the log holds
     * (a MAKE line such as {@code make ...; find ...} hides make's own status), else a
     * BUILT_MODULE_NAME or BUILT_MODULE_LOCATION that names something make did not build.
     */
    static String notBuilt(DkmsModule m, String found, List<String> log) {
        Optional<String> error = firstError(log);
        if (error.isPresent()) {
            return "the build failed: " + error.get() + " (the first error in the log; " + m.builtPath() + " was not built, although the "
                    + "MAKE command exited with 0: a MAKE line that runs another command after make hides make's status)";
        }
        return "make succeeded but " + m.builtPath() + " was not built (found: " + found + "); check BUILT_MODULE_NAME[" + m.index()
                + "] and BUILT_MODULE_LOCATION[" + m.index() + "] in dkms.conf";
    }

    /** A compiler's or linker's {@code error:} line, or one of make's {@code make[N]: *** ...} lines. */
    private static final Pattern ERROR_LINE = Pattern.compile("(^|[\\s:])(fatal )?error: |^\\S*make(\\[\\d+\\])?: \\*\\*\\* ");

    /** The first compiler error of a build log, else the first of make's error lines; stripped. */
    static Optional<String> firstError(List<String> log) {
        Optional<String> compiler = log.stream().filter(l -> ERROR_LINE.matcher(l).find() && !l.contains("***")).findFirst();
        return compiler.or(() -> log.stream().filter(l -> ERROR_LINE.matcher(l).find()).findFirst()).map(String::strip);
    }

    private static List<String> readLog(Path log) {
        try {
            return Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return List.of();
        }
    }

    static List<String> tail(Path log, int n) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return all.subList(Math.max(0, all.size() - n), all.size());
        } catch (IOException e) {
            return List.of();
        }
    }

    private static boolean hasBuildOutput(Path build) throws IOException {
        try (Stream<Path> s = Files.walk(build)) {
            return s.map(p -> p.getFileName().toString()).anyMatch(SourceFiles::isBuildOutput);
        }
    }

    private static String builtKos(Path build) {
        try (Stream<Path> s = Files.walk(build)) {
            List<String> kos = s.filter(p -> p.toString().endsWith(".ko")).map(p -> build.relativize(p).toString()).sorted().toList();
            return kos.isEmpty() ? "no .ko file" : String.join(", ", kos);
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static Path helper(Path dir, String name) {
        try (InputStream in = DkmsStyleBuild.class.getResourceAsStream(HELPERS + name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + HELPERS + name + " missing from the jar");
            }
            Path p = dir.resolve(name);
            Files.write(p, in.readAllBytes());
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

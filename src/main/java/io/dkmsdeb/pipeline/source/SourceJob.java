package io.dkmsdeb.pipeline.source;

import io.dkmsdeb.pipeline.Background;
import io.dkmsdeb.pipeline.DebianNames;
import io.dkmsdeb.pipeline.Maintainer;
import io.dkmsdeb.pipeline.ModuleSourceLoader;
import io.dkmsdeb.process.Sandbox;
import io.dkmsdeb.support.TempFiles;
import io.dkmsdeb.pipeline.OutputDir;
import io.dkmsdeb.pipeline.SourceDateEpoch;
import io.dkmsdeb.pipeline.SourceTree;
import io.dkmsdeb.pipeline.TargetDkms;
import io.dkmsdeb.pipeline.source.debian.DebianPackagePlanner;
import io.dkmsdeb.deb.AtomicOutput;
import io.dkmsdeb.model.deb.Compression;
import io.dkmsdeb.deb.DebWriter;
import io.dkmsdeb.deb.XzEncoder;
import io.dkmsdeb.debiandir.DebianDir;
import io.dkmsdeb.dkmsconf.DkmsConfReader;
import io.dkmsdeb.model.deb.DebPackage;
import io.dkmsdeb.model.dkms.DkmsLevel;
import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.model.dkms.ModuleSource;
import io.dkmsdeb.templates.ScriptTemplates;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The {@code source} use case: a module tree becomes {@code NAME-dkms_VERSION-REV_all.deb}. */
public final class SourceJob {
    /** The Debian revision of a tree without debian/changelog, unless --revision says otherwise. */
    public static final String DEFAULT_REVISION = "1";

    /**
     * @param dir         module tree
     * @param outDir      where the .deb goes
     * @param packaging   what names and stamps the package
     * @param compression member compression
     * @param threads     compression threads
     * @param env         the environment (SOURCE_DATE_EPOCH, DEBEMAIL, DEBFULLNAME)
     * @param level       the dkms the package meets on its targets (--dkms-level)
     * @param sandbox     false for --no-sandbox: dkms.conf (bash, the module's code) is read unconfined
     */
    public record Request(Path dir, Path outDir, Packaging packaging, Compression compression, int threads, Map<String, String> env,
                          DkmsLevel level, boolean sandbox) {
        public Request {
            env = Map.copyOf(env);
            java.util.Objects.requireNonNull(level, "level");
        }

        /** At Debian 12's dkms level, in the sandbox. */
        public Request(Path dir, Path outDir, Packaging packaging, Compression compression, int threads, Map<String, String> env) {
            this(dir, outDir, packaging, compression, threads, env, DkmsLevel.BOOKWORM, true);
        }

        /**
         * Where dkms.conf is read: a sandbox that hides the output directory, HOME, GNUPGHOME and dkms-deb's
         * cache besides what {@link Sandbox#hiding} always hides; none with --no-sandbox.
         */
        Sandbox confinement() {
            if (!sandbox) {
                return Sandbox.none();
            }
            java.util.List<Path> hidden = new java.util.ArrayList<>(java.util.List.of(outDir.toAbsolutePath()));
            for (String var : java.util.List.of("HOME", "GNUPGHOME", "XDG_CACHE_HOME")) {
                String dir = env.getOrDefault(var, "");
                if (dir.startsWith("/") && !dir.equals("/")) {
                    hidden.add(Path.of(dir));
                }
            }
            return Sandbox.hiding(hidden);
        }

        public String version() {
            return packaging.version();
        }

        public String revision() {
            return packaging.revision();
        }

        public String name() {
            return packaging.name();
        }

        public String maintainer() {
            return packaging.maintainer();
        }

        public Path templates() {
            return packaging.templates();
        }
    }

    /**
     * @param version    -V or null
     * @param revision   Debian revision, or null: debian/changelog's, else {@link #DEFAULT_REVISION}
     * @param name       --name (package name) or null
     * @param maintainer --maintainer or null
     * @param templates  --templates directory or null
     */
    public record Packaging(String version, String revision, String name, String maintainer, Path templates) {
    }

    /** What was written: one package, or each -dkms package of a debian/ tree, in control-file order. */
    public record Result(List<Written> written, double seconds) {
        public Result {
            written = List.copyOf(written);
        }

        /** The first package's file. */
        public Path deb() {
            return written.get(0).deb();
        }

        public DebPackage pkg() {
            return written.get(0).pkg();
        }

        public ModuleSource source() {
            return written.get(0).source();
        }
    }

    /** One package written: its file, its plan and its module. */
    public record Written(Path deb, DebPackage pkg, ModuleSource source) {
    }

    public Result run(Request r) {
        r.confinement().requireAvailable();     // before any of the module's code (its dkms.conf) runs
        TempFiles.removeLeftovers(null);        // what killed runs left in the temporary directory
        TempFiles.removeLeftovers(r.outDir());  // and in the output directory
        long start = System.nanoTime();
        if (r.compression() == Compression.XZ) {
            XzEncoder.selectInBackground();    // its xz --version runs while the tree is read
        }
        OutputDir.check(r.outDir());
        ScriptTemplates templates = new ScriptTemplates(r.templates());
        Optional<DebianDir> debian = DebianDir.find(r.dir());
        long epoch = r.env().getOrDefault("SOURCE_DATE_EPOCH", "").isBlank() && debian.isPresent()
                ? debian.get().changelog().date().orElse(SourceDateEpoch.DEFAULT) // as dpkg-buildpackage sets it
                : SourceDateEpoch.from(r.env());
        List<DebianPackagePlanner.Plan> plans = new ArrayList<>();
        if (debian.isPresent()) {
            Log.info("reading " + debian.get().debian() + " as dh would (changelog, control, PACKAGE.dkms, PACKAGE.install, ...)");
            for (DebianPackagePlanner.Plan plan : new DebianPackagePlanner(templates, r.confinement()).plan(debian.get(),
                    new DebianPackagePlanner.Options(r.version(), r.revision(), r.name(), r.maintainer(), r.env(), epoch,
                            HostContext.debianArch()), HostContext.forSource().at(r.level()))) {
                TargetDkms.guard(plan.source());
                plans.add(plan);
            }
        } else {
            templates.prepareInBackground("dkms/postinst.ftl", "dkms/prerm.ftl", "doc/changelog.ftl", "doc/copyright.ftl",
                    "doc/lintian-overrides.ftl");
            String moduleName = r.name() == null ? null : r.name().replaceFirst("-dkms$", "");
            // a tree with its dkms.conf is what the package ships: listed while bash reads dkms.conf
            CompletableFuture<SourceTree.Listing> listing = Files.isRegularFile(r.dir().resolve("dkms.conf"), LinkOption.NOFOLLOW_LINKS)
                    ? CompletableFuture.supplyAsync(() -> SourceTree.list(r.dir(), "dkms.conf")) : null;
            ModuleSource source = TargetDkms.guard(new ModuleSourceLoader(templates, r.confinement()).load(r.dir(), r.version(),
                    moduleName, HostContext.forSource().at(r.level())));
            String packageName = r.name() != null
                    ? DebianNames.dkmsPackageNamed(r.name())
                    : DebianNames.dkmsPackage(source.conf().packageName());
            String maintainer = Maintainer.resolve(r.maintainer(), r.dir(), r.env());
            DebPackage pkg = new SourcePackagePlanner(templates).plan(source, new SourcePackagePlanner.Identity(packageName,
                    r.revision() == null ? DEFAULT_REVISION : r.revision(), maintainer, epoch), listing == null ? null : Background.join(listing));
            plans.add(new DebianPackagePlanner.Plan(pkg, source));
        }
        // every package is planned before the first is written: a tree that fails leaves no package
        Path outDir = OutputDir.prepare(r.outDir());
        List<Written> written = new ArrayList<>();
        for (DebianPackagePlanner.Plan plan : plans) {
            DebPackage pkg = plan.pkg();
            Path target = outDir.resolve(pkg.conventionalFileName());
            Log.info("writing " + target + " (" + pkg.data().size() + " entries)");
            try {
                AtomicOutput.write(target, out -> new DebWriter(r.compression(), epoch, r.threads()).write(pkg, out));
            } catch (IOException e) {
                throw new DkmsDebException("cannot write " + target + ": " + e.getMessage()
                        + "; check free space and permissions of " + r.outDir(), e);
            }
            written.add(new Written(target, pkg, plan.source()));
        }
        return new Result(written, (System.nanoTime() - start) / 1e9);
    }

    /** What dkms would set while reading a dkms.conf on this host. */
    static final class HostContext {
        private HostContext() {
        }

        /** This machine's Debian architecture (dpkg --print-architecture), for which dpkg-buildpackage -b builds. */
        static String debianArch() {
            return switch (System.getProperty("os.arch")) {
                case "amd64", "x86_64" -> "amd64";
                case "aarch64" -> "arm64";
                case "x86", "i386", "i686" -> "i386";
                case "ppc64le" -> "ppc64el";
                default -> System.getProperty("os.arch");
            };
        }

        /** dkms add reads dkms.conf for the running kernel and the machine's uname -m. */
        static DkmsConfReader.Context forSource() {
            String arch = switch (System.getProperty("os.arch")) {
                case "amd64", "x86_64" -> "x86_64";
                case "aarch64" -> "aarch64";
                default -> System.getProperty("os.arch");
            };
            String kernel = System.getProperty("os.version");
            return DkmsConfReader.Context.onTarget(kernel, arch, "/lib/modules/" + kernel + "/build");
        }
    }
}

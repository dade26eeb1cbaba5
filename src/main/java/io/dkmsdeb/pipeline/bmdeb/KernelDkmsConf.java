package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.dkmsconf.DkmsConfReader;
import io.dkmsdeb.kernel.BuildExclusive;
import io.dkmsdeb.kernel.DkmsStyleBuild;
import io.dkmsdeb.kernel.KernelBuild;
import io.dkmsdeb.model.BuildFailedException;
import io.dkmsdeb.model.dkms.DkmsConf;
import io.dkmsdeb.model.dkms.DkmsLevel;
import io.dkmsdeb.model.dkms.DkmsModule;
import io.dkmsdeb.model.dkms.DkmsRule;
import io.dkmsdeb.model.KernelExcludedException;
import io.dkmsdeb.model.KernelHeadersException;
import io.dkmsdeb.model.kernel.KernelTarget;
import io.dkmsdeb.model.dkms.ModuleSource;
import io.dkmsdeb.model.ModuleSourceException;
import io.dkmsdeb.pipeline.ModuleSourceLoader;
import io.dkmsdeb.support.IoErrors;
import io.dkmsdeb.support.Log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * dkms.conf as one kernel's build reads it, and the rules of that kernel's dkms level applied to what it says. It is
 * read as dkms reads it, for this kernel only: {@link #first} with dkms's own trees gives PACKAGE_NAME and
 * PACKAGE_VERSION, which place the build; {@link #withTrees} reads it again with the build's {@code $dkms_tree},
 * {@code $source_tree}, {@code $module} and {@code $module_version}, as dkms reads it in
 * {@code $dkms_tree/NAME/VERSION/source}. A dkms.conf that names none of the values that differ between the two is
 * read once (a bash run saved).
 */
final class KernelDkmsConf {
    /**
     * What a dkms.conf that the second read could see differently names: the variables whose values
     * differ between the reads, or a way to reach them unnamed (eval, source, '.', indirection).
     */
    private static final Pattern TREE_NAMES = Pattern.compile(
            "\\b(dkms_tree|source_tree|module|module_version|eval|source|declare|typeset|compgen|set)\\b|\\$\\{!|(^|[;&|(\\s])\\.\\s",
            Pattern.MULTILINE);

    private final BmdebPlan plan;
    private final KernelTarget k;
    private final DkmsLevel level;
    private final ModuleSourceLoader loader;

    /** The reader of {@code kernel}'s dkms.conf, in a sandbox that sees what its build's steps see ({@code k}'s headers). */
    KernelDkmsConf(BmdebPlan plan, String kernel, KernelTarget k) {
        this.plan = plan;
        this.k = k;
        this.level = plan.request().levelFor(kernel);
        try {
            this.loader = new ModuleSourceLoader(plan.templates(), DkmsStyleBuild.forReading(plan.sandbox(), k));
        } catch (IOException e) {
            throw new KernelHeadersException("cannot read the headers of " + k.release() + " at " + k.headersDir() + ": "
                    + IoErrors.reason(e) + "; fetch or install them again", e);
        }
    }

    /** The first read, with dkms's own trees: its name and version place the build. */
    ModuleSource first() {
        return loader.load(plan.dir(), plan.request().packaging().moduleVersion(), plan.moduleNameOption(),
                DkmsConfReader.Context.onTarget(k.release(), k.unameArch(), k.headersSeen().toString()).at(level));
    }

    /** The second read, with the trees of {@code layout} (the build {@link #first} placed): {@code first} itself when it reads alike. */
    ModuleSource withTrees(ModuleSource first, KernelBuild.Layout layout) {
        if (readsAlike(first.dkmsConfText())) {
            return first;
        }
        DkmsConf named = first.conf();
        return loader.load(plan.dir(), plan.request().packaging().moduleVersion(), plan.moduleNameOption(),
                new DkmsConfReader.Context(k.release(), k.unameArch(), k.headersSeen().toString(), layout.dkmsTree().toString(),
                        layout.sourceTree().toString(), named.packageName(), named.packageVersion(), level));
    }

    /** True when a second read, with the build's trees, would give what the first gave. */
    static boolean readsAlike(byte[] dkmsConfText) {
        return !TREE_NAMES.matcher(new String(dkmsConfText, StandardCharsets.ISO_8859_1)).find();
    }

    /**
     * What is built for {@code k} of the dkms.conf {@code read}, by the rules of its level: nothing when BUILD_EXCLUSIVE_*
     * (of the file, or of every module record) excludes the kernel ({@link KernelExcludedException}, exit 77); the modules
     * whose records let it through; refused when the level's dkms would fail the build before any compile (CRLF kept in
     * its values, a BUILD_DEPENDS module that {@code dkmsTree} has not built for the kernel).
     */
    static DkmsConf forBuild(DkmsConf read, KernelTarget k, Path dkmsTree) {
        BuildExclusive.reason(read.exclusive(), k).ifPresent(why -> {
            throw new KernelExcludedException(read.packageName() + " " + read.packageVersion() + " is not built for " + k.release()
                    + ": " + why + " (dkms skips it too, exit 77)");
        });
        DkmsConf conf = withoutExcludedModules(read, k);
        levelled(conf, k);
        if (conf.level().applies(DkmsRule.BUILD_DEPENDS)) {
            checkBuildDepends(dkmsTree, conf.buildDepends(), k.release(), conf.packageName());
        }
        return conf;
    }

    /**
     * The dkms.conf with only the records whose own BUILD_EXCLUSIVE_*[i] (dkms 3.3.0 and later) let {@code k} through:
     * the build still runs whole, as dkms's does, and the package holds the others' modules. No record left: the kernel
     * is excluded, as dkms excludes it (exit 77).
     */
    private static DkmsConf withoutExcludedModules(DkmsConf conf, KernelTarget k) {
        Map<DkmsModule, String> excluded = BuildExclusive.excludedModules(conf, k);
        if (excluded.isEmpty()) {
            return conf;
        }
        if (excluded.size() == conf.modules().size()) {
            throw new KernelExcludedException(conf.packageName() + " " + conf.packageVersion() + " is not built for " + k.release()
                    + ": each module record excludes it (" + String.join("; ", excluded.values()) + "); dkms " + conf.level()
                    + " skips it too, exit 77");
        }
        excluded.forEach((m, why) -> Log.info("[" + k.release() + "] module " + m.destName() + " (record " + m.index()
                + ") is not built for this kernel: " + why + "; dkms " + conf.level() + " leaves it out too"));
        return conf.withModules(conf.modules().stream().filter(m -> !excluded.containsKey(m)).toList());
    }

    /**
     * The level-dependent rules this dkms.conf meets, told in the log; a CRLF file whose values keep
     * their carriage returns under the level's dkms fails as that dkms's build does (BUILT_MODULE_NAME
     * "hello\r" is never built), before any compile.
     */
    private static void levelled(DkmsConf conf, KernelTarget k) {
        for (DkmsRule.Note note : conf.reading().notes()) {
            Log.info("[" + k.release() + "] dkms level " + conf.level() + ": " + note.detail());
            if (DkmsConfReader.breaksBuild(note)) {
                throw new BuildFailedException("building " + conf.packageName() + " " + conf.packageVersion() + " for " + k.release()
                        + " failed at dkms level " + conf.level().describe() + ": " + note.detail()
                        + "; convert dkms.conf to LF line endings (sed -i 's/\\r$//' dkms.conf), "
                        + "or pass --dkms-level " + DkmsRule.CRLF.since() + " (or later) when the targets' dkms is that new");
            }
        }
    }

    private static void checkBuildDepends(Path dkmsTree, List<String> deps, String kernel, String module) {
        for (String dep : deps) {
            Path built = dkmsTree.resolve(dep);
            boolean found = false;
            if (Files.isDirectory(built)) {
                try (var s = Files.list(built)) {
                    found = s.anyMatch(v -> Files.isDirectory(v.resolve(kernel)));
                } catch (IOException ignored) {
                    found = false;
                }
            }
            if (!found) {
                throw new ModuleSourceException(module + " needs the dkms module " + dep + " built for " + kernel
                        + " (BUILD_DEPENDS), and dkms has not built it (" + built + "); build and install " + dep + " first");
            }
        }
    }
}

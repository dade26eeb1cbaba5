package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.pipeline.OutputDir;
import io.dkmsdeb.model.dkms.BuiltModule;
import io.dkmsdeb.model.deb.DebPackage;
import io.dkmsdeb.model.dkms.DkmsConf;
import io.dkmsdeb.model.kernel.KernelTarget;
import io.dkmsdeb.support.Log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The version and the file of one kernel's {@code NAME-modules-KVER} package: the version chosen from
 * the packages built before ({@link ModulesVersion}, said in the log when they decided it), and the
 * file written under a name that no other bytes have in the output directory.
 */
final class ModulesPackageFile {
    private final BmdebPlan plan;
    private final String kernel;
    private final String digest;
    private final List<BmdebPackages.Known> known;

    /**
     * @param digest its {@value BuildInputs#FIELD}
     * @param known  the packages for the kernel built before ({@link BmdebPackages#forKernel})
     */
    ModulesPackageFile(BmdebPlan plan, String kernel, String digest, List<BmdebPackages.Known> known) {
        this.plan = plan;
        this.kernel = kernel;
        this.digest = digest;
        this.known = List.copyOf(known);
    }

    /**
     * This kernel's package names, its base version (PACKAGE_VERSION[-REVISION]) and the version chosen for it
     * ({@link ModulesVersion}), and its planner, which names the certificate package's version when the modules are signed.
     */
    record Versioned(ModulesPackagePlanner.Names base, ModulesPackagePlanner.Names names, ModulesPackagePlanner planner) {
    }

    Versioned versioned(DkmsConf conf, KernelTarget k) {
        ModulesPackagePlanner.Names base = ModulesPackagePlanner.names(conf, k, plan.revision(conf.packageVersion()), plan.request().packaging().name());
        ModulesVersion.Choice choice = ModulesVersion.choose(base.debianVersion(), base.packageName(), digest, known);
        say(choice, base);
        String certVersion = plan.signing() == null ? null : BmdebCertPackage.plan(plan, CertPackagePlanner.read(plan.signing().cert()),
                base, conf.packageName(), conf.packageVersion()).version();
        return new Versioned(base, ModulesPackagePlanner.withVersion(base, choice.version()),
                new ModulesPackagePlanner(plan.templates(), plan.signing() != null, certVersion));
    }

    /**
     * Writes the package, under a name not taken by other bytes: when a file of its name is in the
     * output directory with other bytes (a --rebuild whose bytes differ, or a file bmdeb could not
     * read), the package gets the next version instead, and that file is left as it is.
     */
    Path write(Versioned v, DkmsConf conf, KernelTarget k, Path sourceDir, ModulesPackagePlanner.Prepared prepared,
               List<BuiltModule> modules) throws IOException {
        Path dir = OutputDir.prepare(plan.request().output().dir());
        ModulesPackagePlanner.Prepared p = prepared;
        List<BmdebPackages.Known> taken = new ArrayList<>(known);
        while (true) {
            DebPackage pkg = v.planner().complete(conf, k, plan.maintainer(), p, modules, digest);
            Path target = dir.resolve(pkg.conventionalFileName());
            OutputDir.Written w = OutputDir.writeNew(target, BmdebPackages.bytesOf(pkg, plan.epoch()));
            if (w == OutputDir.Written.UNCHANGED) {
                Log.info("[" + kernel + "] " + target + " was there with the same bytes: left as it was");
            }
            if (w != OutputDir.Written.TAKEN) {
                return target;
            }
            taken.add(new BmdebPackages.Known(pkg.packageName(), pkg.version(), null, target));
            String next = ModulesVersion.choose(v.base().debianVersion(), pkg.packageName(), null, taken).version();
            Log.info("[" + kernel + "] " + target + " is there with other bytes and is left as it is: version " + next);
            p = v.planner().prepare(ModulesPackagePlanner.withVersion(p.names(), next), conf, k, plan.maintainer(), sourceDir,
                    plan.epoch());
        }
    }

    /** Says why the package gets the version it gets, when earlier packages of its name decided it. */
    private void say(ModulesVersion.Choice c, ModulesPackagePlanner.Names base) {
        if (c.same() != null) {
            Log.info("[" + kernel + "] " + c.same().packageName() + " " + c.version() + " (" + c.same().file() + ") was built from the "
                    + "same inputs: the new build keeps its version");
        } else if (c.previous() != null) {
            Log.info("[" + kernel + "] inputs changed since " + c.previous().packageName() + " " + c.previous().version() + " ("
                    + c.previous().file() + ", inputs " + shortDigest(c.previous().inputs()) + " -> " + shortDigest(digest) + "): version "
                    + c.version());
        }
        if (c.higher() != null) {
            Log.warn("[" + kernel + "] " + c.higher().file() + " has version " + c.higher().version() + ", higher than " + c.version()
                    + " (from " + base.upstreamVersion() + " and the revision): apt will not upgrade to the new package; give it a "
                    + "higher version (-V, --revision)");
        }
    }

    private static String shortDigest(String digest) {
        return digest == null ? "none" : digest.length() > 19 ? digest.substring(0, 19) + "..." : digest;
    }
}

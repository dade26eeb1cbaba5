package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.pipeline.DebianNames;
import io.dkmsdeb.debiandir.DebianVersion;
import io.dkmsdeb.model.deb.DebPackage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The version of {@code NAME-modules-CERT}, the certificate package of a signing bmdeb call, which the
 * -modules packages suggest by version: the one of the package of its name already there (in
 * {@code -o} or a {@code --reuse-from} directory) whose bytes are those this call would write under
 * that version; else, as for the modules ({@link ModulesVersion}), the base version, or {@code +bN}
 * above the highest of it found when one is there with other bytes (a new key). Every kernel of a
 * call computes the same version from the same files; the package is small, so building it to
 * compare costs little.
 */
final class BmdebCertPackage {
    private BmdebCertPackage() {
    }

    /**
     * The certificate package planned for this call, with its bytes.
     *
     * @param existing the file found with those bytes, or null
     */
    record Planned(DebPackage pkg, byte[] bytes, Path existing) {
        String version() {
            return pkg.version();
        }
    }

    /** The certificate package of the -modules packages named {@code names} (the version is that of their base). */
    static Planned plan(BmdebPlan plan, CertPackagePlanner.Certificate cert, ModulesPackagePlanner.Names names, String module,
                        String moduleVersion) {
        BmdebRequest r = plan.request();
        String name = DebianNames.modulesCertPackage(names.providesBase());
        String base = names.debianVersion();
        List<BmdebPackages.Known> known = BmdebPackages.named(r.output().dir(), r.reuse().from(), name);
        List<BmdebPackages.Known> line = known.stream().filter(k -> ModulesVersion.binNmu(base, k.version()) >= 0
                && Files.isRegularFile(k.file(), LinkOption.NOFOLLOW_LINKS))
                .sorted(Comparator.comparing(BmdebPackages.Known::version, DebianVersion::compare).reversed()).toList();
        for (BmdebPackages.Known k : line) {
            Planned p = planned(plan, cert, ModulesPackagePlanner.withVersion(names, k.version()), module, moduleVersion, null);
            try {
                if (Arrays.equals(Files.readAllBytes(k.file()), p.bytes())) {
                    return new Planned(p.pkg(), p.bytes(), k.file());
                }
            } catch (IOException e) {
                // unreadable: not the same package
            }
        }
        String version = ModulesVersion.choose(base, name, null, known).version();
        return planned(plan, cert, ModulesPackagePlanner.withVersion(names, version), module, moduleVersion, null);
    }

    private static Planned planned(BmdebPlan plan, CertPackagePlanner.Certificate cert, ModulesPackagePlanner.Names names, String module,
                                   String moduleVersion, Path existing) {
        DebPackage pkg = new CertPackagePlanner(plan.templates()).plan(names, module, moduleVersion, plan.maintainer(), cert, plan.epoch());
        return new Planned(pkg, BmdebPackages.bytesOf(pkg, plan.epoch()), existing);
    }
}

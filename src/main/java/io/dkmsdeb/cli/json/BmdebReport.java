package io.dkmsdeb.cli.json;

import io.dkmsdeb.pipeline.bmdeb.BmdebResult;
import io.dkmsdeb.support.Json;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code bmdeb --json}: the call, then one object per kernel.
 *
 * @param id            the module (members module and moduleVersion)
 * @param certPackage   the NAME-modules-cert package written, or null
 * @param xzEncoder     the xz encoder used (xz-utils and its version, or xz-java)
 * @param dkmsLevel     the dkms release whose rules applied (--dkms-level)
 * @param sandbox       whether the module's code ran in the sandbox (false: --no-sandbox)
 * @param exitCode      the exit code of the call
 * @param seconds       the time of the call, in hundredths
 */
public record BmdebReport(String command, @Json.Inline ModuleId id, List<Kernel> kernels, String certPackage,
                          String xzEncoder, String dkmsLevel, boolean sandbox, int exitCode, double seconds) {
    public static final String COMMAND = "bmdeb";

    public BmdebReport {
        Reports.command(command, COMMAND);
        kernels = List.copyOf(kernels);
    }

    public BmdebReport(String module, String moduleVersion, List<Kernel> kernels, String certPackage, String xzEncoder, String dkmsLevel,
                       boolean sandbox, int exitCode, double seconds) {
        this(COMMAND, new ModuleId(module, moduleVersion), kernels, certPackage, xzEncoder, dkmsLevel, sandbox, exitCode, seconds);
    }

    /**
     * @param module        PACKAGE_NAME, or null when no dkms.conf was read
     * @param moduleVersion PACKAGE_VERSION, or null
     */
    public record ModuleId(String module, String moduleVersion) {
    }

    public String module() {
        return id.module();
    }

    public String moduleVersion() {
        return id.moduleVersion();
    }

    /**
     * One kernel.
     *
     * @param result      built, up-to-date, skipped or failed
     * @param exitCode    the exit code this kernel alone would give
     * @param packageName NAME-modules-KVER, or null when it failed before the name was known
     * @param file        the package file (built or found up to date), or null
     * @param phases      seconds of each phase, in the order they ran
     * @param message     what happened, or null
     */
    public record Kernel(String kernel, String result, int exitCode, @Json.Key("package") String packageName, String file, double seconds,
                         Map<String, Double> phases, String message) {
        public Kernel {
            phases = Reports.copy(phases);
        }
    }

    /** The report of {@code r}, written with {@code xzEncoder}. */
    public static BmdebReport of(BmdebResult r, String xzEncoder, String dkmsLevel) {
        List<Kernel> kernels = r.kernels().stream().map(k -> new Kernel(k.kernel(), k.result().word(), k.exitCode(), k.packageName(),
                text(k.deb()), Reports.hundredths(k.seconds()), k.phases(), k.message())).toList();
        return new BmdebReport(r.module(), r.version(), kernels, text(r.certPackage()), xzEncoder, dkmsLevel, r.sandboxed(), r.exitCode(),
                Reports.hundredths(r.seconds()));
    }

    private static String text(Path p) {
        return p == null ? null : p.toString();
    }
}

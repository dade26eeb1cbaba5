package io.dkmsdeb.pipeline.bmdeb;

import java.nio.file.Path;
import java.util.Map;

/**
 * What happened for one kernel of a bmdeb call.
 *
 * @param kernel   the kernel release
 * @param result   built, up to date, skipped or failed
 * @param exitCode the exit code of this kernel alone
 * @param message  why it failed or was skipped ("" when built, "up to date")
 * @param error    the exception that failed the kernel, for --stacktrace; null unless it failed
 * @param written  the package file written or found up to date, else null
 * @param module   the module as this kernel's dkms.conf names it, else null (dkms.conf not read)
 * @param time     how long it took
 */
public record KernelResult(String kernel, KernelOutcome result, int exitCode, String message, Throwable error, PackageFile written,
                           ModuleId module, Time time) {
    /**
     * A package file and its Package field.
     *
     * @param file the .deb
     * @param name its Package field
     */
    public record PackageFile(Path file, String name) {
    }

    /**
     * PACKAGE_NAME and PACKAGE_VERSION as read for a kernel.
     */
    public record ModuleId(String name, String version) {
    }

    /**
     * @param seconds the kernel's time, from its check to its package, without the time it waited for a free slot
     * @param phases  seconds spent in each phase (prepare, copy, make, modules, package), as far as it got
     */
    public record Time(double seconds, Map<String, Double> phases) {
        public Time {
            phases = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(phases));
        }
    }

    /** The package file, or null. */
    public Path deb() {
        return written == null ? null : written.file();
    }

    /** Its Package field, or null. */
    public String packageName() {
        return written == null ? null : written.name();
    }

    /** PACKAGE_NAME as read for this kernel, or null. */
    public String moduleName() {
        return module == null ? null : module.name();
    }

    /** PACKAGE_VERSION as read for this kernel, or null. */
    public String moduleVersion() {
        return module == null ? null : module.version();
    }

    public double seconds() {
        return time.seconds();
    }

    public Map<String, Double> phases() {
        return time.phases();
    }
}

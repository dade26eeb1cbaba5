package io.dkmsdeb.cli.json;

import io.dkmsdeb.pipeline.source.SourceJob;
import io.dkmsdeb.support.Json;

import java.util.List;

/**
 * {@code source --json}: the module and the package written.
 *
 * @param module            PACKAGE_NAME
 * @param moduleVersion     PACKAGE_VERSION
 * @param generatedDkmsConf whether dkms.conf was generated (the tree had none)
 * @param xzEncoder         the xz encoder used, or null when the members are not xz-compressed
 * @param dkmsLevel         the dkms release of the targets whose rules applied (--dkms-level)
 * @param seconds           the time of the call, in thousandths
 */
public record SourceReport(String command, String module, String moduleVersion, boolean generatedDkmsConf, List<Package> packages,
                           String xzEncoder, String dkmsLevel, double seconds) {
    public static final String COMMAND = "source";

    public SourceReport {
        Reports.command(command, COMMAND);
        packages = List.copyOf(packages);
    }

    public SourceReport(String module, String moduleVersion, boolean generatedDkmsConf, List<Package> packages, String xzEncoder,
                        String dkmsLevel, double seconds) {
        this(COMMAND, module, moduleVersion, generatedDkmsConf, packages, xzEncoder, dkmsLevel, seconds);
    }

    /**
     * A package written.
     *
     * @param bytes the size of the file
     */
    public record Package(String file, @Json.Key("package") String packageName, String version, String architecture, long bytes) {
    }

    /** The report of {@code r} (module of its first package); {@code xzEncoder} null when xz was not used. */
    public static SourceReport of(SourceJob.Result r, String xzEncoder) {
        List<Package> packages = r.written().stream().map(w -> new Package(w.deb().toString(), w.pkg().packageName(), w.pkg().version(),
                w.pkg().architecture(), w.deb().toFile().length())).toList();
        return new SourceReport(r.source().conf().packageName(), r.source().conf().packageVersion(), r.source().generated(), packages,
                xzEncoder, r.source().conf().level().release(), Reports.thousandths(r.seconds()));
    }
}

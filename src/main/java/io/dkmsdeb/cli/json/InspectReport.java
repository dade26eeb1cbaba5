package io.dkmsdeb.cli.json;

import io.dkmsdeb.pipeline.inspect.InspectJob;
import io.dkmsdeb.support.Json;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code inspect --json}: a package's control file, triggers, files and the checks made.
 *
 * @param control  the control file as it is in the package
 * @param triggers the triggers file, or null when there is none
 * @param ok       whether every check passed
 */
public record InspectReport(String command, String file, String control, String triggers, List<File> files, List<Check> checks,
                            boolean ok) {
    public static final String COMMAND = "inspect";

    public InspectReport {
        Reports.command(command, COMMAND);
        files = List.copyOf(files);
        checks = List.copyOf(checks);
    }

    public InspectReport(String file, String control, String triggers, List<File> files, List<Check> checks, boolean ok) {
        this(COMMAND, file, control, triggers, files, checks, ok);
    }

    /**
     * A member of data.tar.
     *
     * @param type   f file, d directory, l symbolic link, h hard link, c device or FIFO
     * @param mode   the permission bits in four octal digits ({@code 0644})
     * @param target where a link points; the key is absent for other members
     */
    public record File(String path, String type, String mode, long size, @Json.OmitNull String target) {
    }

    /** A check: what was checked, whether it passed, and what was found. */
    public record Check(String check, boolean ok, String detail) {
    }

    /** The report of {@code r}, read from {@code deb}. */
    public static InspectReport of(Path deb, InspectJob.Report r) {
        List<File> files = r.files().stream()
                .map(e -> new File(e.path(), String.valueOf(e.type()), String.format("%04o", e.mode()), e.size(), e.linkTarget())).toList();
        List<Check> checks = r.checks().stream().map(c -> new Check(c.what(), c.ok(), c.detail())).toList();
        return new InspectReport(deb.toString(), r.control(), r.triggers(), files, checks, r.ok());
    }
}

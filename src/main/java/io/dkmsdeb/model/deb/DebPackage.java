package io.dkmsdeb.model.deb;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A binary package, fully planned and ready to be written: control fields in policy order,
 * maintainer scripts by name ({@code postinst}, {@code prerm}, ...), and the data members.
 * md5sums are not part of the plan: the writer derives them from the data. {@code conffiles} lists
 * the absolute paths (e.g. {@code /etc/modprobe.d/foo.conf}) that dpkg treats as configuration
 * files; each must be a regular file of the data. {@code triggers} are the lines of the
 * {@code triggers} control file (deb-triggers(5)); with none, the package has no such file.
 */
public record DebPackage(List<ControlField> control, Map<String, String> scripts, List<DebEntry> data, List<String> conffiles,
                         List<Trigger> triggers) {
    private static final List<String> SCRIPT_NAMES = List.of("preinst", "postinst", "prerm", "postrm", "config");

    public DebPackage {
        control = List.copyOf(control);
        scripts = Map.copyOf(new TreeMap<>(scripts));
        data = List.copyOf(data);
        conffiles = List.copyOf(conffiles);
        triggers = List.copyOf(triggers);
        if (triggers.stream().distinct().count() != triggers.size()) {
            throw new IllegalArgumentException("a trigger is listed twice: " + triggers);
        }
        for (String c : conffiles) {
            if (data.stream().noneMatch(e -> e.type() == DebEntry.Type.FILE && ("/" + e.path()).equals(c))) {
                throw new IllegalArgumentException("conffile " + c + " is not a regular file of the package");
            }
        }
        for (String name : scripts.keySet()) {
            if (!SCRIPT_NAMES.contains(name)) {
                throw new IllegalArgumentException("unknown maintainer script '" + name + "', expected one of " + SCRIPT_NAMES);
            }
        }
        for (String required : List.of("Package", "Version", "Architecture", "Maintainer", "Description")) {
            if (control.stream().noneMatch(f -> f.name().equals(required))) {
                throw new IllegalArgumentException("control field " + required + " is mandatory");
            }
        }
    }

    /** A package without triggers. */
    public DebPackage(List<ControlField> control, Map<String, String> scripts, List<DebEntry> data, List<String> conffiles) {
        this(control, scripts, data, conffiles, List.of());
    }

    /** A package without conffiles and triggers. */
    public DebPackage(List<ControlField> control, Map<String, String> scripts, List<DebEntry> data) {
        this(control, scripts, data, List.of(), List.of());
    }

    public Optional<String> field(String name) {
        Objects.requireNonNull(name);
        return control.stream().filter(f -> f.name().equalsIgnoreCase(name)).map(ControlField::value).findFirst();
    }

    public String packageName() {
        return field("Package").orElseThrow();
    }

    public String version() {
        return field("Version").orElseThrow();
    }

    public String architecture() {
        return field("Architecture").orElseThrow();
    }

    /** {@code NAME_VERSION_ARCH.deb}, with the epoch (if any) left out as dpkg-deb does. */
    public String conventionalFileName() {
        String v = version();
        int colon = v.indexOf(':');
        if (colon >= 0) {
            v = v.substring(colon + 1);
        }
        return packageName() + "_" + v + "_" + architecture() + ".deb";
    }
}

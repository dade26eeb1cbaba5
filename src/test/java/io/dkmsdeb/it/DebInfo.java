package io.dkmsdeb.it;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What dpkg-deb says of a package: control fields and the data file list. */
public record DebInfo(Map<String, String> fields, List<String> contents) {

    public static DebInfo of(Path deb) {
        String control = Cmd.ok("dpkg-deb", "--field", deb.toString()).out();
        Map<String, String> fields = new LinkedHashMap<>();
        String last = null;
        for (String line : control.split("\n")) {
            if (line.startsWith(" ") && last != null) {
                fields.put(last, fields.get(last) + "\n" + line);
            } else if (line.contains(":")) {
                last = line.substring(0, line.indexOf(':'));
                fields.put(last, line.substring(line.indexOf(':') + 1).strip());
            }
        }
        List<String> contents = Cmd.ok("dpkg-deb", "--contents", deb.toString()).out().lines().toList();
        return new DebInfo(fields, contents);
    }

    /** Paths ("./usr/src/x") with their mtime to the second, UTC ("2025-03-11 10:00:00"), as tar lists data.tar. */
    public static Map<String, String> mtimes(Path deb) {
        String listing = Cmd.run(null, Map.of("TZ", "UTC"), List.of("sh", "-c", "dpkg-deb --fsys-tarfile \"$0\" | tar -tv --full-time",
                deb.toString())).out();
        Map<String, String> times = new TreeMap<>();
        for (String line : listing.lines().toList()) {
            String[] parts = line.split("\\s+", 6);
            String name = parts[5];
            int arrow = name.indexOf(" -> ");
            times.put(arrow >= 0 ? name.substring(0, arrow) : name, parts[3] + " " + parts[4]);
        }
        return times;
    }

    /** Paths ("./usr/src/x") with their type and mode, without sizes, owners and dates. */
    public Map<String, String> files() {
        Map<String, String> files = new TreeMap<>();
        for (String line : contents) {
            String[] parts = line.split("\\s+", 6);
            String name = parts[5];
            String target = "";
            int arrow = name.indexOf(" -> ");
            if (arrow >= 0) {
                target = name.substring(arrow);
                name = name.substring(0, arrow);
            }
            files.put(name, parts[0] + " " + parts[1] + target);
        }
        return files;
    }
}

package io.dkmsdeb.deb;

import io.dkmsdeb.model.deb.ControlField;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A binary package's control file as a table of fields in the order dpkg-gencontrol writes them
 * (Debian policy 5.3), with the mandatory ones checked. Unknown fields are refused rather than
 * guessed at.
 */
public final class ControlFile {
    /** Field name to mandatory flag, in output order. */
    private static final Map<String, Boolean> FIELDS = new LinkedHashMap<>();

    static {
        FIELDS.put("Package", true);
        FIELDS.put("Source", false);
        FIELDS.put("Version", true);
        FIELDS.put("Architecture", true);
        FIELDS.put("Essential", false);
        FIELDS.put("Protected", false);
        FIELDS.put("Maintainer", true);
        FIELDS.put("Installed-Size", false);
        FIELDS.put("Pre-Depends", false);
        FIELDS.put("Depends", false);
        FIELDS.put("Recommends", false);
        FIELDS.put("Suggests", false);
        FIELDS.put("Enhances", false);
        FIELDS.put("Conflicts", false);
        FIELDS.put("Breaks", false);
        FIELDS.put("Replaces", false);
        FIELDS.put("Provides", false);
        FIELDS.put("Built-Using", false);
        FIELDS.put("Section", false);
        FIELDS.put("Priority", false);
        FIELDS.put("Multi-Arch", false);
        FIELDS.put("Homepage", false);
        FIELDS.put("Dkms-Deb-Inputs", false); // bmdeb: the digest of what a package was built from
        FIELDS.put("Description", true);
    }

    private final Map<String, String> values = new LinkedHashMap<>();

    public ControlFile set(String name, String value) {
        if (!FIELDS.containsKey(name)) {
            throw new IllegalArgumentException("control field '" + name + "' is not one dkms-deb writes; known: " + FIELDS.keySet());
        }
        if (value != null && !value.isBlank()) {
            values.put(name, value);
        }
        return this;
    }

    /** The fields in policy order, each validated; fails naming the first missing mandatory field. */
    public List<ControlField> fields() {
        List<ControlField> result = new ArrayList<>();
        for (var e : FIELDS.entrySet()) {
            String value = values.get(e.getKey());
            if (value == null) {
                if (e.getValue()) {
                    throw new IllegalStateException("control field " + e.getKey() + " is mandatory and was not set");
                }
                continue;
            }
            result.add(new ControlField(e.getKey(), value));
        }
        return result;
    }

    /**
     * A Description value: the synopsis, then each paragraph wrapped at 79 columns with the
     * leading space of continuation lines, paragraphs separated by " .".
     */
    public static String description(String synopsis, String... paragraphs) {
        StringBuilder sb = new StringBuilder(synopsis);
        for (int p = 0; p < paragraphs.length; p++) {
            if (p > 0) {
                sb.append("\n .");
            }
            StringBuilder line = new StringBuilder();
            for (String word : paragraphs[p].trim().split("\\s+")) {
                if (line.length() > 0 && line.length() + 1 + word.length() > 78) {
                    sb.append("\n ").append(line);
                    line.setLength(0);
                }
                line.append(line.length() > 0 ? " " : "").append(word);
            }
            if (line.length() > 0) {
                sb.append("\n ").append(line);
            }
        }
        return sb.toString();
    }

    /** The control file text: one {@code Name: value} paragraph, UTF-8, ending in a newline. */
    public static byte[] render(List<ControlField> fields) {
        StringBuilder sb = new StringBuilder();
        for (ControlField f : fields) {
            sb.append(f.name()).append(": ").append(f.value()).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}

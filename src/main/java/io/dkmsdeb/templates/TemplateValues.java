package io.dkmsdeb.templates;

import io.dkmsdeb.model.ModuleSourceException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The values handed to one template, each checked when added. Shell values may reach shell
 * text and hold only characters that need no quoting inside single quotes; text values are
 * single lines of printable text for doc files.
 */
public final class TemplateValues {
    /** A superset of dkms module names, Debian package names and versions. */
    static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+~:/-]*");
    private static final Pattern ONE_LINE = Pattern.compile("[^\\x00-\\x08\\x0a-\\x1f\\x7f]*");

    private final Map<String, Object> model = new HashMap<>();

    public TemplateValues shell(String key, String value) {
        model.put(key, checkShell(key, value));
        return this;
    }

    public TemplateValues shellList(String key, List<String> values) {
        values.forEach(v -> checkShell(key, v));
        model.put(key, List.copyOf(values));
        return this;
    }

    public TemplateValues text(String key, String value) {
        model.put(key, checkText(key, value));
        return this;
    }

    public TemplateValues textList(String key, List<String> values) {
        values.forEach(v -> checkText(key, v));
        model.put(key, List.copyOf(values));
        return this;
    }

    Map<String, Object> model() {
        return new HashMap<>(model);
    }

    private static String checkShell(String key, String value) {
        if (!SHELL_SAFE.matcher(value).matches()) {
            throw new ModuleSourceException("value of " + key + " ('" + value.replace("\n", "\\n")
                    + "') has characters that are not allowed in maintainer scripts: use A-Z a-z 0-9 _ . + ~ : / - in the module's "
                    + "name, version and package name");
        }
        return value;
    }

    private static String checkText(String key, String value) {
        if (!ONE_LINE.matcher(value).matches()) {
            throw new ModuleSourceException("value of " + key + " must be one line of text without control characters; fix it where it "
                    + "comes from (dkms.conf, debian/control or the option)");
        }
        return value;
    }
}

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
    /** A word of a command line in a script: a name, version or absolute path, quoted by the template. */
    static final Pattern SHELL_WORD = Pattern.compile("[A-Za-z0-9/][A-Za-z0-9_.+~:/@=-]*");
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

    /** Rows of words (one command line each), every word checked as {@link #SHELL_WORD} and quoted by the template. */
    public TemplateValues shellTable(String key, List<List<String>> rows) {
        for (List<String> row : rows) {
            for (String w : row) {
                if (!SHELL_WORD.matcher(w).matches()) {
                    throw new ModuleSourceException("value of " + key + " ('" + w.replace("\n", "\\n") + "') has characters that are "
                            + "not allowed in maintainer scripts: use A-Z a-z 0-9 _ . + ~ : / @ = - (paths absolute)");
                }
            }
        }
        model.put(key, rows.stream().map(List::copyOf).toList());
        return this;
    }

    /**
     * Script text that other templates rendered (dkms-deb's snippets), to be put together by a
     * template; never text from the module or debian/.
     */
    public TemplateValues snippets(String key, List<Rendered> values) {
        model.put(key, values.stream().map(Rendered::text).toList());
        return this;
    }

    /** Text a template rendered: only {@link ScriptTemplates#snippet} makes one. */
    public static final class Rendered {
        private final String text;

        Rendered(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
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

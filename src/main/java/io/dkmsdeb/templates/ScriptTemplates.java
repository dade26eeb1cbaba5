package io.dkmsdeb.templates;

import freemarker.cache.ClassTemplateLoader;
import freemarker.cache.FileTemplateLoader;
import freemarker.cache.MultiTemplateLoader;
import freemarker.cache.TemplateLoader;
import freemarker.template.Configuration;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import freemarker.template.TemplateMethodModelEx;
import freemarker.template.TemplateModelException;
import freemarker.template.TemplateScalarModel;
import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.support.Daemons;
import io.dkmsdeb.support.Version;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Renders the text files of a package (maintainer scripts, generated dkms.conf, doc files) from
 * FreeMarker templates: those in a user's {@code --templates} directory first, then the ones
 * shipped in the jar (the repository's {@code templates/}). Strict: a value the template names
 * but the caller did not give is an error, never an empty string.
 *
 * <p>Every value is checked before rendering ({@link TemplateValues}), and templates still quote
 * shell values with {@code sh(value)}, which produces a single-quoted shell word.
 */
public final class ScriptTemplates {
    private final Path overrideDir;
    private volatile Configuration config;

    /**
     * @param overrideDir a {@code --templates} directory, or null; checked here, while the
     *                    FreeMarker configuration is made on the first {@link #render} (many runs
     *                    need a template only after a long step, if at all)
     */
    public ScriptTemplates(Path overrideDir) {
        if (overrideDir != null && !Files.isDirectory(overrideDir)) {
            throw new DkmsDebException("templates directory " + overrideDir + " does not exist; "
                    + "pass a directory holding e.g. dkms/postinst.ftl, or leave out --templates");
        }
        this.overrideDir = overrideDir;
    }

    private Configuration config() {
        Configuration c = config;
        if (c == null) {
            synchronized (this) {
                c = config;
                if (c == null) {
                    c = configure(overrideDir);
                    config = c;
                }
            }
        }
        return c;
    }

    private static Configuration configure(Path overrideDir) {
        Configuration config = new Configuration(Configuration.VERSION_2_3_32);
        config.setDefaultEncoding("UTF-8");
        config.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        config.setLogTemplateExceptions(false);
        config.setWrapUncheckedExceptions(true);
        config.setFallbackOnNullLoopVariable(false);
        config.setLocalizedLookup(false);
        config.setNumberFormat("computer");
        // [=value] interpolates; ${...} stays shell syntax, untouched
        config.setInterpolationSyntax(Configuration.SQUARE_BRACKET_INTERPOLATION_SYNTAX);
        TemplateLoader shipped = new ClassTemplateLoader(ScriptTemplates.class, "/io/dkmsdeb/templates");
        if (overrideDir == null) {
            config.setTemplateLoader(shipped);
        } else {
            try {
                config.setTemplateLoader(new MultiTemplateLoader(new TemplateLoader[] {new FileTemplateLoader(overrideDir.toFile()), shipped}));
            } catch (IOException e) {
                throw new DkmsDebException("cannot read templates directory " + overrideDir + ": " + e.getMessage(), e);
            }
        }
        return config;
    }

    /**
     * Makes the FreeMarker configuration and parses {@code names} on a thread of its own, so that
     * the first {@link #render} finds them ready (FreeMarker's start costs ~70 ms). A template that
     * cannot be loaded is left to {@link #render}, which reports it.
     */
    public void prepareInBackground(String... names) {
        Daemons.start("templates", () -> {
            try {
                Configuration c = config();
                for (String name : names) {
                    c.getTemplate(name);
                }
            } catch (IOException | RuntimeException e) {
                // render says what is wrong, on the thread that needs the template
            }
        });
    }

    /** Renders {@code name} (e.g. {@code dkms/postinst.ftl}) with {@code values}. */
    public String render(String name, TemplateValues values) {
        Map<String, Object> model = values.model();
        model.put("sh", new ShellQuote());
        model.put("generator", Version.get());
        try {
            StringWriter out = new StringWriter();
            config().getTemplate(name).process(model, out);
            return out.toString();
        } catch (IOException e) {
            throw new DkmsDebException("cannot load template " + name + ": " + e.getMessage()
                    + "; a --templates directory must hold the same file names as templates/ in dkms-deb", e);
        } catch (TemplateException e) {
            throw new DkmsDebException("template " + name + " failed: " + e.getMessageWithoutStackTop().strip()
                    + "; templates may use only the values dkms-deb documents for them", e);
        }
    }

    /** Renders a snippet ({@code dkms/postinst-snippet.ftl}, ...) that another template puts into a script. */
    public TemplateValues.Rendered snippet(String name, TemplateValues values) {
        return new TemplateValues.Rendered(render(name, values));
    }

    /** Quotes one value as a single shell word: {@code 'value'}, with ' written as '\''. */
    public static String shellQuote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    private static final class ShellQuote implements TemplateMethodModelEx {
        @Override
        public Object exec(@SuppressWarnings("rawtypes") List arguments) throws TemplateModelException {
            if (arguments.size() != 1 || !(arguments.get(0) instanceof TemplateScalarModel s)) {
                throw new TemplateModelException("sh() takes exactly one string");
            }
            return shellQuote(s.getAsString());
        }
    }
}

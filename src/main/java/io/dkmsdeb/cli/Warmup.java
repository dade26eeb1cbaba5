package io.dkmsdeb.cli;

import io.dkmsdeb.deb.Compression;
import io.dkmsdeb.deb.ControlFile;
import io.dkmsdeb.deb.DebWriter;
import io.dkmsdeb.model.DebEntry;
import io.dkmsdeb.model.DebPackage;
import io.dkmsdeb.templates.ScriptTemplates;
import io.dkmsdeb.templates.TemplateValues;

import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * Loads and initialises, on a second core, the code that every packaging run needs later
 * (FreeMarker, the tar/ar/xz writers, MD5) while the main thread is still busy with picocli and
 * reading the module. A run is short and mostly spent in class initialisation and cold code, so
 * this takes about a tenth of a second off the wall time of {@code source} and {@code bmdeb}.
 *
 * <p>It writes one tiny package to nowhere and renders one shipped template; nothing it does is
 * visible, and a failure here is ignored (the real run will meet and report it).
 */
final class Warmup implements Runnable {
    static void start() {
        Thread t = new Thread(new Warmup(), "warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    @Override
    public void run() {
        try {
            String script = new ScriptTemplates(null).render("modules/postinst.ftl", new TemplateValues().shell("kernel", "0.0.0"));
            DebPackage pkg = new DebPackage(new ControlFile().set("Package", "warmup").set("Version", "0").fields(),
                    Map.of("postinst", script),
                    List.of(DebEntry.directory("usr/"), DebEntry.file("usr/x", 0644, DebEntry.Data.of(new byte[64]))));
            new DebWriter(Compression.XZ, 0, 1).write(pkg, OutputStream.nullOutputStream());
        } catch (RuntimeException | java.io.IOException | LinkageError ignored) {
            // only a head start: whatever fails here fails again, reported, in the real run
        }
    }
}

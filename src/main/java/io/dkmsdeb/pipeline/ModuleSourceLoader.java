package io.dkmsdeb.pipeline;

import io.dkmsdeb.support.TempFiles;
import io.dkmsdeb.model.NamePatterns;
import io.dkmsdeb.dkmsconf.DkmsConfGenerator;
import io.dkmsdeb.dkmsconf.DkmsConfReader;
import io.dkmsdeb.process.Sandbox;
import io.dkmsdeb.dkmsconf.ModuleNaming;
import io.dkmsdeb.dkmsconf.ObjMScanner;
import io.dkmsdeb.model.dkms.DkmsConf;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.model.dkms.ModuleSource;
import io.dkmsdeb.model.ModuleSourceException;
import io.dkmsdeb.model.UsageException;
import io.dkmsdeb.templates.ScriptTemplates;
import io.dkmsdeb.templates.TemplateValues;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Turns a directory into a {@link ModuleSource}: reads its dkms.conf as dkms would, or, when it
 * has none, generates one from the obj-m lines (and says so). A tree whose module is in its one
 * subdirectory with obj-m lines (vendor tarballs: {@code src/}) becomes that subdirectory.
 */
public final class ModuleSourceLoader {
    /** dh_dkms's placeholder for the package version in a dkms.conf. */
    public static final String VERSION_PLACEHOLDER = "#MODULE_VERSION#";

    private final DkmsConfReader reader;
    private final ScriptTemplates templates;

    /** A loader that reads dkms.conf in a sandbox that hides what {@link Sandbox#hiding} always hides. */
    public ModuleSourceLoader(ScriptTemplates templates) {
        this(templates, Sandbox.hiding(java.util.List.of()));
    }

    /** A loader that reads dkms.conf (bash: the module's code) in {@code sandbox}. */
    public ModuleSourceLoader(ScriptTemplates templates, Sandbox sandbox) {
        this.templates = templates;
        this.reader = new DkmsConfReader(sandbox);
    }

    /**
     * @param dir             the module tree
     * @param versionOption   -V, or null
     * @param nameOption      the dkms module name (PACKAGE_NAME) for a generated dkms.conf when the tree does not tell it, or null
     *                        over the name taken from the modules or the folder
     * @param context         what dkms sets while reading dkms.conf
     */
    public ModuleSource load(Path dir, String versionOption, String nameOption, DkmsConfReader.Context context) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new ModuleSourceException("module directory " + dir + " does not exist; pass the directory that holds the module's sources");
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new ModuleSourceException(dir + " is not a directory" + (Files.isSymbolicLink(dir)
                    ? " but a symbolic link; pass the directory it points to" : "; pass the module's source directory"));
        }
        Path confFile = dir.resolve("dkms.conf");
        if (Files.exists(confFile, LinkOption.NOFOLLOW_LINKS)) {
            return fromConf(dir, confFile, versionOption, context);
        }
        return generated(dir, versionOption, nameOption, context);
    }

    private ModuleSource fromConf(Path dir, Path confFile, String versionOption, DkmsConfReader.Context context) {
        if (!Files.isRegularFile(confFile, LinkOption.NOFOLLOW_LINKS)) {
            throw new ModuleSourceException(confFile + " is not a regular file; dkms.conf must be a plain file in the module tree");
        }
        byte[] text;
        try {
            text = Files.readAllBytes(confFile);
        } catch (IOException e) {
            throw new ModuleSourceException("cannot read " + confFile + ": " + e.getMessage() + "; make it readable", e);
        }
        String content = new String(text, StandardCharsets.UTF_8);
        if (content.contains(VERSION_PLACEHOLDER)) {
            if (versionOption == null) {
                throw new ModuleSourceException(confFile + " has PACKAGE_VERSION=" + VERSION_PLACEHOLDER
                        + " (a dh_dkms placeholder); pass the version with -V");
            }
            return fromText(dir, content.replace(VERSION_PLACEHOLDER, versionOption).getBytes(StandardCharsets.UTF_8), confFile,
                    context, false);
        }
        DkmsConf conf = reader.read(confFile, context, confFile);
        if (versionOption != null && !versionOption.equals(conf.packageVersion())) {
            throw new UsageException("-V " + versionOption + " differs from PACKAGE_VERSION=\"" + conf.packageVersion() + "\" in "
                    + confFile + "; dkms looks for the sources under /usr/src/NAME-PACKAGE_VERSION, so the two must agree: "
                    + "change dkms.conf or leave out -V");
        }
        return new ModuleSource(dir, conf, text, false);
    }

    private ModuleSource generated(Path dir, String versionOption, String nameOption, DkmsConfReader.Context context) {
        Path moduleDir = DkmsConfGenerator.moduleDir(dir).orElseThrow(() -> new ModuleSourceException(dir
                + " has no dkms.conf and no obj-m line in a Kbuild or Makefile (nor has exactly one of its subdirectories); "
                + "add a dkms.conf (PACKAGE_NAME, PACKAGE_VERSION, BUILT_MODULE_NAME[0], DEST_MODULE_LOCATION[0]) "
                + "or an obj-m := NAME.o line, or pass the directory that holds the module's Kbuild or Makefile"));
        if (!moduleDir.equals(dir)) {
            Log.info("no dkms.conf and no obj-m line in " + dir + ": the module is in " + moduleDir
                    + ", the one subdirectory with obj-m lines; it is what the package ships");
            Path confFile = moduleDir.resolve("dkms.conf");
            if (Files.exists(confFile, LinkOption.NOFOLLOW_LINKS)) {
                return fromConf(moduleDir, confFile, versionOption, context);
            }
        }
        DkmsConfGenerator.Modules found = DkmsConfGenerator.modules(moduleDir);
        for (ObjMScanner.ObjM o : found.leftOut()) {
            Log.info("left out " + o.module() + ": its obj-m line is inside " + o.condition()
                    + "; list it in a dkms.conf if it is always built");
        }
        List<String> modules = found.required();
        if (modules.isEmpty()) {
            ObjMScanner.ObjM first = found.leftOut().get(0);
            throw new ModuleSourceException("every obj-m line of " + moduleDir + " is inside a make conditional, so no module is "
                    + "always built (" + first.module() + ", " + first.file() + " line " + first.line() + ", is inside " + first.condition()
                    + "); add a dkms.conf that lists the modules to build (BUILT_MODULE_NAME[#], DEST_MODULE_LOCATION[#])");
        }
        Optional<ModuleNaming.FolderHint> hint = ModuleNaming.FolderHint.of(dir);
        // the module decides its own name; the option only names a tree that does not (several modules, no NAME-VERSION folder)
        String name = nameOption != null && modules.size() > 1 && hint.isEmpty() ? nameOption : ModuleNaming.choose(dir, modules, hint);
        String version = versionOption != null ? versionOption : version(moduleDir, hint);
        if (!NamePatterns.matches(NamePatterns.MODULE_NAME, name) || !NamePatterns.matches(NamePatterns.MODULE_VERSION, version)) {
            String value = NamePatterns.matches(NamePatterns.MODULE_NAME, name) ? version : name;
            throw new ModuleSourceException("cannot generate a dkms.conf for " + dir + ": '" + value
                    + "' is not a usable module name or version (letters, digits and . _ + ~ - only)");
        }
        return render(moduleDir, name, version, modules, context);
    }

    /** MODULE_VERSION of the sources, else the VERSION of a NAME-VERSION folder (said so). */
    private static String version(Path moduleDir, Optional<ModuleNaming.FolderHint> hint) {
        Optional<String> declared = DkmsConfGenerator.moduleVersion(moduleDir);
        if (declared.isPresent()) {
            return declared.get();
        }
        if (hint.isPresent()) {
            Log.info("no MODULE_VERSION(...) in the C sources of " + moduleDir + ": using version " + hint.get().version()
                    + " from the folder name " + hint.get().folder().getFileName() + " (pass -V VERSION to set another)");
            return hint.get().version();
        }
        throw new ModuleSourceException(moduleDir + " has no dkms.conf, its sources have no MODULE_VERSION(\"...\") and its folder "
                + "is not called NAME-VERSION; pass the version with -V");
    }

    private ModuleSource render(Path moduleDir, String name, String version, List<String> modules, DkmsConfReader.Context context) {
        String origin = Files.exists(moduleDir.resolve("Kbuild")) ? "Kbuild" : "Makefile";
        String text = templates.render("dkms.conf.ftl", new TemplateValues()
                .shell("module", name).shell("version", version).shell("origin", origin).shellList("builtModules", modules));
        ModuleSource source = fromText(moduleDir, text.getBytes(StandardCharsets.UTF_8), moduleDir.resolve("dkms.conf (generated)"),
                context, true);
        Log.info("no dkms.conf in " + moduleDir + ": generated one from the obj-m lines of " + origin + " (modules "
                + String.join(", ", modules) + ", version " + version + ")");
        return source;
    }

    /**
     * dkms.conf text that is not a file of the tree (placeholder filled, generated, or from debian/)
     * read as dkms does; {@code shown} names it in messages.
     */
    public ModuleSource fromText(Path dir, byte[] text, Path shown, DkmsConfReader.Context context, boolean generated) {
        Path temp = writeTemp(text);
        try {
            return new ModuleSource(dir, reader.read(temp, context, shown), text, generated);
        } finally {
            deleteQuietly(temp);
        }
    }

    private static Path writeTemp(byte[] text) {
        try {
            Path temp = TempFiles.file(null, "conf", ".conf");
            Files.write(temp, text);
            return temp;
        } catch (IOException e) {
            throw new ModuleSourceException("cannot write a temporary dkms.conf: " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path p) {
        TempFiles.delete(p);
    }
}

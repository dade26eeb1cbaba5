package io.dkmsdeb.dkmsconf;

import io.dkmsdeb.support.TempFiles;
import io.dkmsdeb.support.IoErrors;
import io.dkmsdeb.model.dkms.DkmsConf;
import io.dkmsdeb.model.dkms.DkmsLevel;
import io.dkmsdeb.model.dkms.DkmsRule;
import io.dkmsdeb.support.Log;
import io.dkmsdeb.model.ModuleSourceException;
import io.dkmsdeb.process.ProcessRunner;
import io.dkmsdeb.process.Sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a dkms.conf the way dkms does: bash sources it in a clean environment with the
 * variables dkms provides ({@code kernelver}, {@code arch}, {@code kernel_source_dir},
 * {@code dkms_tree}, {@code source_tree}, {@code module}, {@code module_version}), so that files
 * with {@code if}, {@code $(...)} and {@code ${kernelver}} read as dkms reads them, by the rules
 * of the context's {@link DkmsLevel}. CRLF line endings are stripped first, as dkms 3.1.5 and later
 * do; at an older level the values that would keep a carriage return are noted
 * ({@link DkmsRule#CRLF}), and the build refuses to pretend they do not.
 */
public final class DkmsConfReader {
    private static final String SCRIPT_RESOURCE = "/io/dkmsdeb/templates/helpers/read-dkms-conf.bash";
    /** Time allowed for sourcing a dkms.conf (the property dkmsdeb.conf.timeout overrides it, for tests). */
    private static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("dkmsdeb.conf.timeout", 30));

    private final String script;
    private final Duration timeout;
    private final Sandbox sandbox;

    /** A reader that sources dkms.conf in a sandbox hiding what {@link Sandbox#hiding} always hides. */
    public DkmsConfReader() {
        this(Sandbox.hiding(List.of()));
    }

    /** A reader that sources dkms.conf (the module's code) in {@code sandbox}. */
    public DkmsConfReader(Sandbox sandbox) {
        this(TIMEOUT, sandbox);
    }

    /** A reader that allows {@code timeout} for sourcing (tests use short ones). */
    DkmsConfReader(Duration timeout) {
        this(timeout, Sandbox.hiding(List.of()));
    }

    private DkmsConfReader(Duration timeout, Sandbox sandbox) {
        this.timeout = timeout;
        this.sandbox = sandbox;
        try (InputStream in = DkmsConfReader.class.getResourceAsStream(SCRIPT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + SCRIPT_RESOURCE + " missing from the jar");
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What dkms sets before sourcing dkms.conf, and which dkms reads it.
     *
     * @param level the dkms release whose rules apply ({@link DkmsLevel})
     */
    public record Context(String kernelver, String arch, String kernelSourceDir, String dkmsTree,
                          String sourceTree, String module, String moduleVersion, DkmsLevel level) {
        /** {@code $dkms_tree} as dkms sets it on the target: the value a dkms.conf is read with, not a path of this machine. */
        public static final String DKMS_TREE = "/var/lib/dkms";
        /** {@code $source_tree} as dkms sets it on the target. */
        public static final String SOURCE_TREE = "/usr/src";

        public Context {
            java.util.Objects.requireNonNull(level, "level");
        }

        /** At Debian 12's dkms level. */
        public Context(String kernelver, String arch, String kernelSourceDir, String dkmsTree, String sourceTree, String module,
                       String moduleVersion) {
            this(kernelver, arch, kernelSourceDir, dkmsTree, sourceTree, module, moduleVersion, DkmsLevel.BOOKWORM);
        }

        /**
         * The context of the first read, as dkms reads dkms.conf on the target, before the module's name is known,
         * at Debian 12's dkms level.
         */
        public static Context onTarget(String kernelver, String arch, String kernelSourceDir) {
            return new Context(kernelver, arch, kernelSourceDir, DKMS_TREE, SOURCE_TREE, "", "", DkmsLevel.BOOKWORM);
        }

        /** The same context, read by the rules of {@code other}. */
        public Context at(DkmsLevel other) {
            return new Context(kernelver, arch, kernelSourceDir, dkmsTree, sourceTree, module, moduleVersion, other);
        }

        public Map<String, String> environment() {
            return Map.of("kernelver", kernelver, "arch", arch, "kernel_source_dir", kernelSourceDir,
                    "dkms_tree", dkmsTree, "source_tree", sourceTree, "module", module,
                    "module_version", moduleVersion);
        }
    }

    /** Sources {@code confFile} and validates the result (see {@link DkmsConfValidator}). */
    public DkmsConf read(Path confFile, Context context) {
        return read(confFile, context, confFile);
    }

    /** As {@link #read(Path, Context)}, naming {@code shown} in messages (the file the user knows). */
    public DkmsConf read(Path confFile, Context context, Path shown) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(confFile);
        } catch (IOException e) {
            throw new ModuleSourceException("cannot read " + shown + ": " + IoErrors.reason(e)
                    + "; check that it exists and is readable", e);
        }
        String text = new String(raw, StandardCharsets.UTF_8);
        DkmsConfVariables vars = source(shown, raw, context);
        List<DkmsRule.Note> notes = new ArrayList<>();
        if (text.indexOf('\r') >= 0) {
            notes.add(carriageReturns(shown, raw, context));
        }
        return new DkmsConfValidator(shown, text.replace("\r", ""), context.level(), notes).validate(vars, context.kernelver(), context.arch());
    }

    /**
     * dkms 3.1.5 and later drop the carriage return that ends each value of a CRLF file; older dkms
     * keeps it in the values (BUILT_MODULE_NAME "hello\r" is never built). At a level before 3.1.5 the
     * note names the values that would keep one.
     */
    private DkmsRule.Note carriageReturns(Path shown, byte[] raw, Context context) {
        DkmsLevel level = context.level();
        if (level.applies(DkmsRule.CRLF)) {
            Log.warn(shown + " has CRLF line endings; reading it without the carriage returns, as dkms " + DkmsRule.CRLF.since()
                    + " and later do (dkms level " + level + ")");
            return new DkmsRule.Note(DkmsRule.CRLF, true, shown + " has CRLF line endings, which dkms before " + DkmsRule.CRLF.since()
                    + " (Debian 12's 3.0.10) keeps in the values");
        }
        DkmsConfVariables kept = source(shown, raw, context, false);
        List<String> fields = kept.namesWith("\r");
        boolean breaks = fields.stream().anyMatch(f -> BUILD_FIELDS.matcher(f).lookingAt());
        return new DkmsRule.Note(DkmsRule.CRLF, false, shown + " has CRLF line endings; dkms " + level
                + " keeps the carriage return in " + (fields.isEmpty() ? "no value" : String.join(", ", fields))
                + " (dkms " + DkmsRule.CRLF.since() + " and later drop it)" + (breaks ? BREAKS_BUILD : ""));
    }

    /** The values whose carriage return makes dkms 3.0.10's build fail: the module files, the make command, the patches. */
    private static final java.util.regex.Pattern BUILD_FIELDS = java.util.regex.Pattern.compile(
            "(BUILT_MODULE_NAME|BUILT_MODULE_LOCATION|DEST_MODULE_NAME|MAKE|PATCH)\\b");
    private static final String BREAKS_BUILD = ", which its build cannot find";

    /** True for a {@link DkmsRule#CRLF} note of a level whose dkms fails the build over the carriage returns kept. */
    public static boolean breaksBuild(DkmsRule.Note note) {
        return note.rule() == DkmsRule.CRLF && !note.applied() && note.detail().endsWith(BREAKS_BUILD);
    }

    /** Sources the file and returns the dkms variables it set, unvalidated. */
    public DkmsConfVariables source(Path confFile, byte[] raw, Context context) {
        return source(confFile, raw, context, true);
    }

    private DkmsConfVariables source(Path confFile, byte[] raw, Context context, boolean dropCarriageReturns) {
        Path scratch = null;
        try {
            scratch = TempFiles.directory(null, "conf");
            Path conf = scratch.resolve("dkms.conf");
            Files.write(conf, dropCarriageReturns ? stripCarriageReturns(raw) : raw);
            Path scriptFile = scratch.resolve("read-dkms-conf.bash");
            Files.writeString(scriptFile, script);
            return run(confFile, scriptFile, conf, context, new String(raw, StandardCharsets.UTF_8).replace("\r", ""));
        } catch (IOException e) {
            throw new ModuleSourceException("cannot read " + confFile + ": " + e.getMessage(), e);
        } finally {
            TempFiles.delete(scratch);
        }
    }

    private DkmsConfVariables run(Path shown, Path scriptFile, Path conf, Context context, String text) throws IOException {
        Path workDir = shown.toAbsolutePath().getParent();
        Map<String, String> env = new HashMap<>();
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("LC_ALL", "C");
        env.put("HOME", "/nonexistent");
        env.putAll(context.environment());
        ProcessRunner.Captured run;
        List<String> command = List.of("bash", "--noprofile", "--norc", scriptFile.toString(), conf.toString());
        if (sandbox.enabled()) {
            // the copy and the script readable by the sandbox's user; the tree seen read-only where it is
            Path scratch = conf.getParent();
            Files.setPosixFilePermissions(scratch, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            for (Path f : List.of(conf, scriptFile)) {
                Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            }
            command = sandbox.with(Sandbox.Mount.readOnly(scratch), Sandbox.Mount.readOnly(workDir)).wrap(command, workDir);
        }
        try {
            run = ProcessRunner.capture(command, workDir, env, timeout);
        } catch (InterruptedIOException e) {
            throw new ModuleSourceException("interrupted while reading " + shown, e);
        } catch (IOException e) {
            throw new ModuleSourceException("cannot run bash to read " + shown + ": " + e.getMessage()
                    + "; dkms.conf is a bash script and bash must be installed", e);
        }
        if (run.timedOut()) {
            throw new ModuleSourceException("sourcing " + shown + " did not finish within " + timeout.toSeconds()
                    + " s; dkms.conf must only set variables, fix the command that hangs in it");
        }
        return parse(shown, text, run.stdout(), run.stderrText().strip());
    }

    private static DkmsConfVariables parse(Path shown, String text, byte[] out, String errText) {
        List<String> fields = splitNul(out);
        if (!fields.isEmpty() && fields.get(0).equals("SYNTAX")) {
            String message = fields.size() > 1 ? fields.get(1) : "";
            message = message.replaceAll("^\\S*dkms\\.conf: ", "");
            throw new ModuleSourceException("bash cannot parse " + shown + ": " + message.strip()
                    + "; dkms sources dkms.conf with bash, fix the syntax (check with: bash -n " + shown + ")");
        }
        if (fields.isEmpty() || !fields.get(fields.size() - 1).equals("END")) {
            throw new ModuleSourceException("sourcing " + shown + " stopped before its end (it ran 'exit' or failed)"
                    + (errText.isEmpty() ? "" : ": " + errText)
                    + "; dkms.conf must only set variables, remove the exit or the failing command");
        }
        DkmsConfVariables vars = new DkmsConfVariables();
        for (int i = 0; i + 3 < fields.size(); i += 4) {
            if (!fields.get(i).equals("VAR")) {
                throw new IllegalStateException("unexpected output from the dkms.conf reader: " + fields.get(i));
            }
            String name = fields.get(i + 1);
            String index = fields.get(i + 2);
            if (!index.matches("[0-9]{1,9}")) {
                int line = DkmsConfValidator.lineOf(text.split("\n", -1), name);
                throw new ModuleSourceException((line > 0 ? shown + " line " + line : shown.toString()) + ": " + name + " has the index '"
                        + DkmsConfValidator.printable(index) + "', but dkms reads " + name + "[#] with numbers as indices; "
                        + "write " + name + "[0]=..., " + name + "[1]=... (no declare -A)");
            }
            vars.put(name, Integer.parseInt(index), fields.get(i + 3));
        }
        if (!errText.isEmpty()) {
            Log.warn(shown.toString() + " printed while being sourced: " + errText);
        }
        return vars;
    }

    private static List<String> splitNul(byte[] out) {
        List<String> fields = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0) {
                fields.add(new String(out, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return fields;
    }

    static byte[] stripCarriageReturns(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        for (byte b : raw) {
            if (b != '\r') {
                out.write(b);
            }
        }
        return out.toByteArray();
    }
}

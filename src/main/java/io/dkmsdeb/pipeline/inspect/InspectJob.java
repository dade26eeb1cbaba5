package io.dkmsdeb.pipeline.inspect;

import io.dkmsdeb.support.TempFiles;
import io.dkmsdeb.deb.Deb822;
import io.dkmsdeb.deb.DebReader;
import io.dkmsdeb.kernel.Modinfo;
import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.model.ModuleSourceException;
import io.dkmsdeb.model.deb.Trigger;
import io.dkmsdeb.process.ProcessRunner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code inspect} use case: reads a package in Java and checks it: every kernel module's
 * vermagic names the kernel of the directory it is installed in, and its ELF machine is the
 * package's Architecture's (an arm64 package holds AArch64 modules); md5sums lists every regular
 * file with the right sum; each maintainer script parses ({@code sh -n}); the triggers file, when
 * there is one, is made of {@code DIRECTIVE NAME} lines (deb-triggers(5)).
 */
public final class InspectJob {
    /** Time allowed for {@code sh -n} on one maintainer script. */
    private static final Duration SYNTAX_CHECK_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern MODULE_PATH = Pattern.compile("lib/modules/([^/]+)/.*\\.ko(\\.xz|\\.zst|\\.gz)?");

    /** A check and whether it passed. */
    public record Check(String what, boolean ok, String detail) {
    }

    /** One data member. */
    public record Entry(String path, char type, int mode, long size, String linkTarget) {
    }

    /**
     * @param triggers the triggers control member as written, or null when the package has none
     */
    public record Report(String control, String triggers, List<Entry> files, List<Check> checks) {
        public boolean ok() {
            return checks.stream().allMatch(Check::ok);
        }
    }

    public Report run(Path deb) {
        if (!Files.isRegularFile(deb)) {
            throw new DkmsDebException(deb + " does not exist or is not a file; pass the path of a .deb");
        }
        List<Entry> files = new ArrayList<>();
        Map<String, String> sums = new TreeMap<>();
        Map<String, String> vermagic = new LinkedHashMap<>();
        Map<String, Integer> machines = new LinkedHashMap<>();
        List<Check> checks = new ArrayList<>();
        DebReader.Control control;
        try {
            control = DebReader.read(deb, DebReader.Limits.DEFAULT, e -> {
                files.add(new Entry(e.path(), e.type(), e.mode(), e.size(), e.linkTarget()));
                if (!e.isFile()) {
                    return;
                }
                MessageDigest md5 = md5();
                Matcher m = MODULE_PATH.matcher(e.path());
                ByteArrayOutputStream copy = m.matches() ? new ByteArrayOutputStream() : null;
                byte[] buffer = new byte[1 << 16];
                try (InputStream in = e.content()) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        md5.update(buffer, 0, n);
                        if (copy != null) {
                            copy.write(buffer, 0, n);
                        }
                    }
                }
                sums.put(e.path(), HexFormat.of().formatHex(md5.digest()));
                if (copy != null) {
                    try {
                        byte[] elf = Modinfo.decompress(copy.toByteArray());
                        machines.put(e.path(), Modinfo.elfMachine(elf));
                        String magic = Modinfo.read(elf).getOrDefault("vermagic", "");
                        String release = magic.contains(" ") ? magic.substring(0, magic.indexOf(' ')) : magic;
                        checks.add(new Check("vermagic of " + e.path(), release.equals(m.group(1)),
                                "vermagic '" + magic.strip() + "', installed for kernel " + m.group(1)));
                        vermagic.put(e.path(), magic);
                    } catch (IOException bad) {
                        checks.add(new Check("vermagic of " + e.path(), false, "cannot read its .modinfo: " + bad.getMessage()));
                    }
                }
            });
        } catch (DebReader.BadPackageException e) {
            // a message that says what to do already is left as it is
            throw new DkmsDebException(e.getMessage() + (e.getMessage().contains("; ") ? "" : "; this is not a valid Debian package"), e);
        } catch (IOException e) {
            throw new DkmsDebException("cannot read " + deb + ": " + e.getMessage(), e);
        }
        machines.forEach((path, machine) -> checks.add(machineCheck(path, machine, control.text("control"))));
        checks.add(md5sumsCheck(control.text("md5sums"), sums));
        for (String script : List.of("preinst", "postinst", "prerm", "postrm")) {
            byte[] text = control.members().get(script);
            if (text != null) {
                checks.add(syntaxCheck(script, text, control.modes().getOrDefault(script, 0)));
            }
        }
        String triggers = control.text("triggers");
        if (triggers != null) {
            checks.add(triggersCheck(triggers));
        }
        return new Report(control.text("control"), triggers, files, checks);
    }

    private static Check triggersCheck(String text) {
        String what = "triggers lines are 'DIRECTIVE NAME'";
        try {
            List<Trigger> triggers = Trigger.parse(text);
            return new Check(what, !triggers.isEmpty(), triggers.isEmpty() ? "the triggers file names no trigger"
                    : String.join(", ", triggers.stream().map(Trigger::line).toList()));
        } catch (ModuleSourceException e) {
            return new Check(what, false, e.getMessage());
        }
    }

    /** A module's ELF machine against the package's Architecture: an arm64 package holds AArch64 modules. */
    private static Check machineCheck(String path, int machine, String controlText) {
        String arch = architecture(controlText);
        int wanted = Modinfo.elfMachineOf(arch);
        String detail = "ELF machine " + Modinfo.machineName(machine) + ", package Architecture " + arch
                + (wanted < 0 ? " (not a Linux kernel architecture dkms-deb knows)" : ", whose modules are " + Modinfo.machineName(wanted));
        return new Check("ELF machine of " + path, machine == wanted, detail);
    }

    private static String architecture(String controlText) {
        try {
            List<Deb822.Paragraph> paragraphs = Deb822.parse(controlText == null ? "" : controlText);
            return paragraphs.isEmpty() ? "" : paragraphs.get(0).folded("Architecture").orElse("").strip();
        } catch (Deb822.SyntaxException e) {
            return "";
        }
    }

    private static Check md5sumsCheck(String md5sums, Map<String, String> actual) {
        if (md5sums == null) {
            return new Check("md5sums", actual.isEmpty(), actual.isEmpty() ? "no files, no md5sums" : "the package has files but no md5sums");
        }
        Map<String, String> listed = new TreeMap<>();
        for (String line : md5sums.split("\n")) {
            if (line.length() > 34) {
                listed.put(line.substring(34), line.substring(0, 32));
            }
        }
        List<String> problems = new ArrayList<>();
        actual.forEach((path, sum) -> {
            String l = listed.get(path);
            if (l == null) {
                problems.add(path + " is not listed");
            } else if (!l.equals(sum)) {
                problems.add(path + " has md5 " + sum + ", md5sums says " + l);
            }
        });
        listed.keySet().stream().filter(p -> !actual.containsKey(p)).forEach(p -> problems.add(p + " is listed but not in the package"));
        return new Check("md5sums", problems.isEmpty(), problems.isEmpty() ? actual.size() + " files match" : String.join("; ", problems));
    }

    private static Check syntaxCheck(String name, byte[] text, int mode) {
        String shell = new String(text, StandardCharsets.UTF_8).startsWith("#!/bin/bash") ? "bash" : "sh";
        String what = name + " parses (" + shell + " -n) and is executable";
        try {
            Path tmp = TempFiles.file(null, "inspect", ".sh");
            try {
                Files.write(tmp, text);
                ProcessRunner.Captured run = ProcessRunner.capture(List.of(shell, "-n", tmp.toString()), null, null, SYNTAX_CHECK_TIMEOUT);
                if (run.timedOut()) {
                    return new Check(what, false, shell + " -n did not finish within " + SYNTAX_CHECK_TIMEOUT.toSeconds() + " s and was killed");
                }
                String out = (run.stdoutText() + run.stderrText()).replace(tmp.toString(), name).strip();
                boolean ok = run.exit() == 0 && (mode & 0111) != 0;
                return new Check(what, ok,
                        (mode & 0111) == 0 ? "mode " + Integer.toOctalString(mode) + " is not executable" : out.isEmpty() ? "ok" : out);
            } finally {
                TempFiles.delete(tmp);
            }
        } catch (IOException e) {
            return new Check(name + " parses", false, "cannot run " + shell + " -n: " + e.getMessage());
        }
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.dkmsdeb.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The load check of the conformance harness: boots the Debian kernel under qemu ({@link QemuBoot}) and
 * insmods the modules of one package, after the in-kernel modules they need. Those come from the
 * kernel's own modules: {@code /lib/modules/KVER/kernel} when linux-image-KVER is installed, else
 * {@code lib/modules/KVER} unpacked from the linux-image-KVER package that {@link QemuBoot} fetched
 * (apt-get download, nothing installed). The order is a depth-first walk of {@code modinfo -F depends}
 * (the package's modules) and {@code modules.dep} (the kernel's): every module after what it needs.
 *
 * <p>Each module gets one of:
 * <ul>
 * <li>{@code loaded}: insmod exited 0 and the module is in /proc/modules;
 * <li>{@code load refused: ...}: the module's init refused (ENODEV and friends: no such hardware in the
 *     guest) or something it needs was refused first; says the errno and the module's kernel log line;
 * <li>{@code load failed: ...}: the kernel rejected the file (bad format, vermagic, unknown or
 *     mismatched symbols) or the guest crashed; that is a defect;
 * <li>{@code not tried: ...}: no module file, no kernel image, or a dependency found nowhere.
 * </ul>
 */
final class ConformanceLoad {
    static final String LOADED = "loaded";
    static final String REFUSED = "load refused";
    static final String FAILED = "load failed";
    static final String NOT_TRIED = "not tried";

    /** The load result of one module of the package. */
    record ModuleLoad(String module, String status, String detail) {
        String text() {
            return status.equals(LOADED) ? LOADED : status + ": " + detail;
        }
    }

    /** All modules of one package in one kernel, the in-kernel modules loaded first, and the boot's evidence. */
    record Outcome(List<ModuleLoad> modules, List<String> kernelDeps, String bootSummary, Path console) {
    }

    private static final Map<String, Object> LOCKS = new ConcurrentHashMap<>();
    private static final Map<String, KernelModules> INDEX = new ConcurrentHashMap<>();

    private ConformanceLoad() {
    }

    // ---------------------------------------------------------------- the kernel's own modules

    /** modules.dep of one kernel: module name (dashes as underscores) to file and direct+indirect dependencies. */
    record KernelModules(String kernel, Path root, Map<String, String> file, Map<String, List<String>> deps, Set<String> builtin,
                         Map<String, List<String>> softPre, Map<String, List<String>> aliases) {
        Path path(String name) {
            return root.resolve(file.get(name));
        }

        /**
         * What modprobe loads first for a soft dependency "pre: NAME" (modules.softdep, or the module's own
         * modinfo softdep): NAME itself, else the module that modules.alias gives for it (a generic one when
         * there are several, e.g. crc32c_generic rather than crc32c_intel); empty when built in or unknown.
         */
        Optional<String> resolveSoft(String nameOrAlias) {
            String n = modName(nameOrAlias);
            if (file.containsKey(n)) {
                return Optional.of(n);
            }
            List<String> mods = aliases.getOrDefault(nameOrAlias, List.of()).stream().filter(file::containsKey).toList();
            return mods.stream().filter(m -> m.endsWith("_generic")).findFirst().or(() -> mods.stream().findFirst());
        }
    }

    static String modName(String fileOrName) {
        String base = fileOrName.substring(fileOrName.lastIndexOf('/') + 1);
        return base.replaceAll("\\.ko(\\.xz|\\.zst|\\.gz)?$", "").replace('-', '_');
    }

    /**
     * The kernel's modules: /lib/modules/KVER when its kernel/ directory is there (linux-image installed),
     * else lib/modules/KVER of the linux-image-KVER package, unpacked once into QemuBoot's cache.
     */
    static KernelModules kernelModules(String kernel) throws IOException {
        KernelModules known = INDEX.get(kernel);
        if (known != null) {
            return known;
        }
        synchronized (LOCKS.computeIfAbsent(kernel, k -> new Object())) {
            known = INDEX.get(kernel);
            if (known != null) {
                return known;
            }
            Path root = Path.of("/lib/modules", kernel);
            if (!Files.isDirectory(root.resolve("kernel")) || !Files.isRegularFile(root.resolve("modules.dep"))) {
                root = unpackedFromImagePackage(kernel);
            }
            known = index(kernel, root);
            INDEX.put(kernel, known);
            return known;
        }
    }

    /**
     * The modules of {@code kernel} in the tree {@code root} (its lib/modules/KVER, with modules.dep): a kernel of
     * another Debian release, whose image package this machine's apt does not know, e.g. in a build root. Only read.
     */
    static KernelModules kernelModules(String kernel, Path root) throws IOException {
        if (!Files.isRegularFile(root.resolve("modules.dep"))) {
            throw new IOException("no modules.dep in " + root + ": not the module tree of an installed kernel (depmod makes it)");
        }
        return index(kernel, root);
    }

    private static KernelModules index(String kernel, Path root) throws IOException {
        Map<String, String> file = new HashMap<>();
        Map<String, List<String>> deps = new HashMap<>();
        for (String line : Files.readAllLines(root.resolve("modules.dep"))) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String rel = line.substring(0, colon);
            if (!rel.startsWith("kernel/")) {
                continue; // updates/, extra/: dkms modules somebody installed, not the kernel's own
            }
            String name = modName(rel);
            file.put(name, rel);
            List<String> d = new ArrayList<>();
            for (String dep : line.substring(colon + 1).trim().split("\\s+")) {
                if (!dep.isEmpty()) {
                    d.add(modName(dep));
                }
            }
            deps.put(name, d);
        }
        Set<String> builtin = new HashSet<>();
        Path b = root.resolve("modules.builtin");
        if (Files.isRegularFile(b)) {
            Files.readAllLines(b).forEach(l -> builtin.add(modName(l.strip())));
        }
        if (file.isEmpty()) {
            throw new IOException("no kernel/ modules in " + root.resolve("modules.dep"));
        }
        Map<String, List<String>> softPre = new HashMap<>();
        Path sd = root.resolve("modules.softdep");
        if (Files.isRegularFile(sd)) {
            for (String l : Files.readAllLines(sd)) {
                softPre.computeIfAbsent(l.startsWith("softdep ") ? modName(l.split("\\s+")[1]) : "", k -> new ArrayList<>())
                        .addAll(softPre(l.startsWith("softdep ") ? l.substring(l.indexOf(' ', 8) + 1) : ""));
            }
        }
        Map<String, List<String>> aliases = new HashMap<>();
        Path al = root.resolve("modules.alias");
        if (Files.isRegularFile(al)) {
            for (String l : Files.readAllLines(al)) {
                String[] a = l.split("\\s+");
                if (a.length == 3 && a[0].equals("alias") && !a[1].contains("*") && !a[1].contains(":")) {
                    aliases.computeIfAbsent(a[1], k -> new ArrayList<>()).add(modName(a[2]));
                }
            }
        }
        return new KernelModules(kernel, root, file, deps, builtin, softPre, aliases);
    }

    /** The names after "pre:" in the text of a softdep ("pre: a b post: c"). */
    static List<String> softPre(String text) {
        List<String> out = new ArrayList<>();
        boolean pre = false;
        for (String w : text.strip().split("\\s+")) {
            if (w.equals("pre:")) {
                pre = true;
            } else if (w.equals("post:")) {
                pre = false;
            } else if (pre && !w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    /** lib/modules/KVER of linux-image-KVER[-unsigned]_*.deb (fetched by QemuBoot.kernelImage), unpacked into the cache. */
    private static Path unpackedFromImagePackage(String kernel) throws IOException {
        Path cache = QemuBoot.cacheDir();
        Path done = cache.resolve(kernel + "-modules");
        Path root = done.resolve("lib/modules").resolve(kernel);
        if (Files.isRegularFile(root.resolve("modules.dep"))) {
            return root;
        }
        QemuBoot.kernelImage(kernel); // downloads linux-image-KVER when the image is not installed
        Path deb;
        try (Stream<Path> s = Files.list(cache)) {
            deb = s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".deb") && (n.startsWith("linux-image-" + kernel + "_") || n.startsWith("linux-image-" + kernel + "-unsigned_"));
            }).sorted().findFirst().orElse(null);
        }
        if (deb == null) {
            // the image is installed but its modules are not: fetch the package for its modules
            Cmd.Result r = Cmd.run(cache, Map.of(), List.of("apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", "linux-image-" + kernel));
            if (r.exit() != 0) {
                throw new IOException("no modules of " + kernel + " in /lib/modules and apt-get download linux-image-" + kernel + " failed: " + r);
            }
            return unpackedFromImagePackage(kernel);
        }
        Path scratch = Files.createTempDirectory(cache, kernel + "-modules.x-");
        Cmd.Result r = Cmd.run(null, Map.of(), List.of("sh", "-c", "dpkg-deb --fsys-tarfile \"$0\" | tar -x -C \"$1\" ./lib/modules",
                deb.toString(), scratch.toString()));
        if (r.exit() != 0 || !Files.isDirectory(scratch.resolve("lib/modules").resolve(kernel).resolve("kernel"))) {
            throw new IOException("cannot unpack lib/modules/" + kernel + " from " + deb + ": " + r);
        }
        // the package has no modules.dep: its postinst runs depmod; so does this, in the scratch root
        Cmd.Result depmod = Cmd.run("depmod", "-b", scratch.toString(), kernel);
        if (depmod.exit() != 0 || !Files.isRegularFile(scratch.resolve("lib/modules").resolve(kernel).resolve("modules.dep"))) {
            throw new IOException("depmod -b " + scratch + " " + kernel + " failed: " + depmod);
        }
        try {
            Files.move(scratch, done, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (!Files.isRegularFile(root.resolve("modules.dep"))) { // else another run was faster
                throw e;
            }
            Cmd.run("rm", "-rf", scratch.toString());
        }
        return root;
    }

    // ---------------------------------------------------------------- one package

    /**
     * Boots {@code kernel} and loads {@code ours} (the package's module files, as the package has them)
     * with what they need. {@code dkmsModules}, when not empty, are dkms's files of the same modules: booted
     * the same way only when some of ours did not load, so that a refusal can be told apart from our packaging.
     */
    static Outcome check(String kernel, List<Path> ours, List<Path> dkmsModules, Path work, Duration timeout) throws IOException {
        Files.createDirectories(work);
        if (ours.isEmpty()) {
            return new Outcome(List.of(), List.of(), "nothing to load", null);
        }
        Path image;
        try {
            image = QemuBoot.kernelImage(kernel);
        } catch (AssertionError | IOException e) {
            return notTried(ours, "no image of kernel " + kernel + " to boot (" + firstLine(e.getMessage()) + ")");
        }
        KernelModules km;
        try {
            km = kernelModules(kernel);
        } catch (AssertionError | IOException e) {
            return notTried(ours, "the modules of linux-image-" + kernel + " are not available (" + firstLine(e.getMessage()) + ")");
        }
        return check(image, km, ours, dkmsModules, work, timeout);
    }

    /**
     * {@link #check(String, List, List, Path, Duration)} with the kernel's image and modules given: a kernel of another
     * Debian release, e.g. a trixie kernel whose image and lib/modules/KVER are in its build root
     * ({@link #kernelModules(String, Path)}).
     */
    static Outcome check(Path image, KernelModules km, List<Path> ours, List<Path> dkmsModules, Path work, Duration timeout)
            throws IOException {
        Files.createDirectories(work);
        if (ours.isEmpty()) {
            return new Outcome(List.of(), List.of(), "nothing to load", null);
        }
        String kernel = km.kernel();
        Plan plan = plan(ours, km);
        Boot mine = boot(kernel, image, plan, work.resolve("ours"), timeout);
        List<ModuleLoad> results = classify(plan, mine);
        String summary = mine.summary();
        boolean allLoaded = results.stream().allMatch(m -> m.status().equals(LOADED) || m.status().equals(NOT_TRIED));
        if (!allLoaded && !dkmsModules.isEmpty()) {
            Plan theirs = plan(dkmsModules, km);
            Boot dkms = boot(kernel, image, theirs, work.resolve("dkms"), timeout);
            Map<String, ModuleLoad> dkmsResults = new HashMap<>();
            classify(theirs, dkms).forEach(m -> dkmsResults.put(m.module(), m));
            List<ModuleLoad> compared = new ArrayList<>();
            for (ModuleLoad m : results) {
                ModuleLoad d = dkmsResults.get(m.module());
                if (m.status().equals(LOADED) || m.status().equals(NOT_TRIED) || d == null) {
                    compared.add(m);
                } else {
                    String same = d.text().equals(m.text()) ? "the same" : d.text();
                    compared.add(new ModuleLoad(m.module(), m.status(), m.detail() + " [dkms's build of it: " + same + "]"));
                }
            }
            results = compared;
            summary += "; dkms's build: " + dkms.summary();
        }
        return new Outcome(results, plan.kernelDeps(), summary, mine.result() == null ? null : work.resolve("ours"));
    }

    private static Outcome notTried(List<Path> ours, String why) {
        return new Outcome(ours.stream().map(p -> new ModuleLoad(modName(p.getFileName().toString()), NOT_TRIED, why)).toList(),
                List.of(), why, null);
    }

    /** The files to insmod in order, which of the package's modules cannot be tried, and what each one needs. */
    record Plan(List<Path> files, Map<String, Path> ours, Map<String, String> untried, Map<String, Set<String>> needs,
                List<String> kernelDeps) {
    }

    static Plan plan(List<Path> ourFiles, KernelModules km) {
        Map<String, Path> ours = new LinkedHashMap<>();
        for (Path p : ourFiles) {
            ours.put(modName(p.getFileName().toString()), p);
        }
        Map<String, List<String>> ourDeps = new HashMap<>();
        Map<String, List<String>> ourSoft = new HashMap<>();
        for (var e : ours.entrySet()) {
            String d = Cmd.run("modinfo", "-F", "depends", e.getValue().toString()).out().strip();
            List<String> list = new ArrayList<>();
            for (String x : d.split(",")) {
                if (!x.isBlank()) {
                    list.add(modName(x.strip()));
                }
            }
            ourDeps.put(e.getKey(), list);
            List<String> soft = new ArrayList<>();
            Cmd.run("modinfo", "-F", "softdep", e.getValue().toString()).out().lines().forEach(l -> soft.addAll(softPre(l)));
            ourSoft.put(e.getKey(), soft);
        }
        LinkedHashSet<String> order = new LinkedHashSet<>();
        Map<String, String> untried = new LinkedHashMap<>();
        Map<String, Set<String>> needs = new HashMap<>();
        for (String name : ours.keySet()) {
            Set<String> all = new LinkedHashSet<>();
            Optional<String> missing = visit(name, ours, ourDeps, ourSoft, km, new LinkedHashSet<>(), all);
            needs.put(name, all);
            if (missing.isPresent()) {
                untried.put(name, "needs " + missing.get() + ", which is neither in the package nor among linux-image-" + km.kernel()
                        + "'s modules, nor built into it");
            }
        }
        // depth-first, dependencies first; a module that cannot be tried stays out with what only it needs
        for (String name : ours.keySet()) {
            if (!untried.containsKey(name)) {
                for (String n : needs.get(name)) {
                    order.add(n);
                }
                order.add(name);
            }
        }
        List<Path> files = new ArrayList<>();
        List<String> kernelDeps = new ArrayList<>();
        for (String n : order) {
            if (ours.containsKey(n)) {
                files.add(ours.get(n));
            } else {
                files.add(km.path(n));
                kernelDeps.add(n);
            }
        }
        return new Plan(files, ours, untried, needs, kernelDeps);
    }

    /** Adds what {@code name} needs to {@code out}, dependencies first; the first name found nowhere, if any. */
    private static Optional<String> visit(String name, Map<String, Path> ours, Map<String, List<String>> ourDeps,
                                          Map<String, List<String>> ourSoft, KernelModules km, Set<String> path, Set<String> out) {
        List<String> deps = new ArrayList<>();
        // soft dependencies first (what modprobe would load before it; the kernel cannot request_module here), then the hard ones
        for (String soft : ours.containsKey(name) ? ourSoft.get(name) : km.softPre().getOrDefault(name, List.of())) {
            km.resolveSoft(soft).filter(s -> !s.equals(name)).ifPresent(deps::add);
        }
        deps.addAll(ours.containsKey(name) ? ourDeps.get(name) : km.deps().getOrDefault(name, List.of()));
        for (String d : deps) {
            if (out.contains(d) || path.contains(d) || km.builtin().contains(d) && !ours.containsKey(d)) {
                continue;
            }
            if (!ours.containsKey(d) && !km.file().containsKey(d)) {
                return Optional.of(d);
            }
            path.add(d);
            Optional<String> missing = visit(d, ours, ourDeps, ourSoft, km, path, out);
            path.remove(d);
            if (missing.isPresent()) {
                return missing;
            }
            out.add(d);
        }
        return Optional.empty();
    }

    private record Boot(QemuBoot.Result result, String error) {
        String summary() {
            if (result == null) {
                return "no boot: " + error;
            }
            return String.format("booted %s in %.0f s, %d insmod%s%s", result.bootedRelease().orElse("nothing"),
                    result.wallTime().toMillis() / 1000.0, result.insmods().size(), result.insmods().size() == 1 ? "" : "s",
                    result.initDone() ? "" : result.timedOut() ? ", TIMED OUT" : ", /init did not finish");
        }
    }

    private static Boot boot(String kernel, Path image, Plan plan, Path dir, Duration timeout) {
        if (plan.files().isEmpty()) {
            return new Boot(null, "no module can be tried");
        }
        try {
            return new Boot(QemuBoot.boot(kernel, image, plan.files(), dir, QemuBoot.Options.defaults().withTimeout(timeout)), null);
        } catch (AssertionError | RuntimeException e) {
            return new Boot(null, firstLine(e.getMessage()));
        }
    }

    /** What one boot of {@code plan}'s files ({@link QemuBoot#boot}) says of each of the package's modules. */
    static List<ModuleLoad> classify(Plan plan, QemuBoot.Result boot) {
        return classify(plan, new Boot(boot, null));
    }

    private static List<ModuleLoad> classify(Plan plan, Boot boot) {
        List<ModuleLoad> out = new ArrayList<>();
        for (var e : plan.ours().entrySet()) {
            String name = e.getKey();
            if (plan.untried().containsKey(name)) {
                out.add(new ModuleLoad(name, NOT_TRIED, plan.untried().get(name)));
                continue;
            }
            if (boot.result() == null) {
                out.add(new ModuleLoad(name, NOT_TRIED, boot.error()));
                continue;
            }
            QemuBoot.Result r = boot.result();
            Optional<Integer> status = r.insmodStatus(e.getValue().getFileName().toString());
            if (status.isEmpty()) {
                out.add(new ModuleLoad(name, FAILED, "the guest stopped before its insmod (" + crash(r) + ")"));
                continue;
            }
            if (status.get() == 0 && r.loadedModules().contains(name)) {
                out.add(new ModuleLoad(name, LOADED, ""));
                continue;
            }
            if (status.get() == 0) {
                out.add(new ModuleLoad(name, FAILED, "insmod exited 0 but " + name + " is not in /proc/modules"));
                continue;
            }
            // something it needs did not load first: that refusal is the reason
            String depProblem = null;
            for (String dep : plan.needs().getOrDefault(name, Set.of())) {
                Path f = plan.ours().containsKey(dep) ? plan.ours().get(dep) : null;
                String file = f != null ? f.getFileName().toString()
                        : plan.files().stream().filter(p -> modName(p.getFileName().toString()).equals(dep)).findFirst()
                                .map(p -> p.getFileName().toString()).orElse(dep);
                Optional<Integer> ds = r.insmodStatus(file);
                if (ds.isPresent() && ds.get() != 0) {
                    depProblem = dep + " " + errno(ds.get());
                    break;
                }
            }
            String log = kernelLog(r, name);
            int s = status.get();
            if (depProblem != null) {
                out.add(new ModuleLoad(name, REFUSED, "needs " + depProblem + ", refused first"));
            } else if (rejectedFile(s, log)) {
                out.add(new ModuleLoad(name, FAILED, errno(s) + (log.isEmpty() ? "" : ", kernel: " + log)));
            } else {
                out.add(new ModuleLoad(name, REFUSED, errno(s) + (log.isEmpty() ? "" : ", kernel: " + log)));
            }
        }
        return out;
    }

    /** The kernel refused the file itself rather than the module's init refusing: a defect, not missing hardware. */
    private static boolean rejectedFile(int status, String log) {
        String l = log.toLowerCase(java.util.Locale.ROOT);
        return status == 8 || l.contains("unknown symbol") || l.contains("disagrees about version") || l.contains("version magic")
                || l.contains("invalid module format") || l.contains("module has bad taint") || l.contains("section header");
    }

    /** The kernel log lines that name the module, minus the usual taint notices (at most three, joined). */
    private static String kernelLog(QemuBoot.Result r, String name) {
        List<String> lines = new ArrayList<>();
        String dashed = name.replace('_', '-');
        for (String l : r.dmesg()) {
            String t = l.replaceFirst("^\\[\\s*[0-9.]+\\]\\s*", "");
            if ((t.startsWith(name + ":") || t.startsWith(dashed + ":") || t.contains(" " + name + " ") || t.contains(" " + dashed + ":"))
                    && !t.contains("loading out-of-tree module taints kernel") && !t.contains("module verification failed")
                    && !t.contains("Invalid ELF header magic")) {
                lines.add(t.strip());
            }
        }
        return String.join(" / ", lines.subList(0, Math.min(3, lines.size())));
    }

    private static String crash(QemuBoot.Result r) {
        for (String l : r.console().lines().toList()) {
            if (l.contains("Kernel panic") || l.contains("BUG:") || l.contains("Oops") || l.contains("general protection fault")) {
                return l.replaceFirst("^\\[\\s*[0-9.]+\\]\\s*", "").strip();
            }
        }
        return r.timedOut() ? "timed out after " + r.wallTime().toSeconds() + " s" : "qemu exit " + r.qemuExit();
    }

    static String errno(int e) {
        String name = switch (e) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 5 -> "EIO";
            case 6 -> "ENXIO, no such device or address";
            case 8 -> "ENOEXEC, invalid module format";
            case 12 -> "ENOMEM";
            case 13 -> "EACCES";
            case 14 -> "EFAULT";
            case 16 -> "EBUSY";
            case 17 -> "EEXIST";
            case 19 -> "ENODEV, no such device";
            case 22 -> "EINVAL";
            case 61 -> "ENODATA";
            case 95 -> "EOPNOTSUPP";
            case 110 -> "ETIMEDOUT";
            default -> "errno " + e;
        };
        return "(" + name + ")";
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String l = s.strip();
        int nl = l.indexOf('\n');
        return nl < 0 ? l : l.substring(0, nl);
    }

    /** Deletes a scratch directory (best effort). */
}

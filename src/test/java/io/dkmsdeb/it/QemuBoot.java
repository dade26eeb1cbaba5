package io.dkmsdeb.it;

import io.dkmsdeb.kernel.CrossToolchain;
import io.dkmsdeb.support.Trees;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Boots a real Debian kernel under qemu with a busybox-static initramfs whose /init loads the given
 * module files with busybox insmod, in order, and reports each exit status on the console, then
 * powers off. The guest follows the kernel's architecture ({@link Machine}, from the release's
 * flavour): an amd64 kernel boots in qemu-system-x86_64 (q35, TCG unless -Dqemu.accel says
 * otherwise, serial console on ttyS0), an arm64 kernel in qemu-system-aarch64 (virt machine,
 * Cortex-A57, always TCG, PL011 console on ttyAMA0), with busybox-static:arm64 fetched by apt-get
 * download (not installed).
 *
 * <p>The kernel image is /boot/vmlinuz-KVER when that kernel is installed; otherwise the
 * linux-image-KVER package (or linux-image-KVER-unsigned) of the kernel's architecture is fetched
 * with apt-get download into target/kernel-images and only boot/vmlinuz-KVER is taken out of it;
 * nothing is installed.
 *
 * <p>Module files are put in the initramfs exactly as given (a .ko.xz stays compressed): busybox
 * insmod first offers the file to finit_module(), which the kernel refuses for a compressed file
 * when no MODULE_INIT_COMPRESSED_FILE flag is passed (the kernel logs "Invalid ELF header magic:
 * != ELF"), then busybox decompresses the file itself (its seamless xz/gzip support) and loads it
 * with init_module(). So .ko.xz loads on 6.1 kernels too, which cannot decompress modules in-kernel.
 *
 * <p>Console protocol written by /init, one line each ({@link Result} parses them):
 * <pre>
 * INIT-START &lt;uname -r&gt;
 * INSMOD-RESULT &lt;file name&gt; &lt;insmod exit status; busybox exits with the errno, 0 = loaded&gt;
 * PROC-MODULES-BEGIN / lines of /proc/modules / PROC-MODULES-END
 * DMESG-BEGIN / the kernel log since /init started (boot messages cleared): what the insmods made it say / DMESG-END
 * INIT-DONE
 * </pre>
 */
public final class QemuBoot {
    /** Whole boot, from qemu start to its exit; a TCG boot takes about 10 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    private static final Pattern INSMOD = Pattern.compile("INSMOD-RESULT (\\S+) (\\d+)");
    private static final Pattern INIT_START = Pattern.compile("INIT-START (\\S+)");

    private QemuBoot() {
    }

    /** The guest of a kernel's architecture: qemu program and machine, console, and where busybox-static comes from. */
    public enum Machine {
        AMD64("amd64", "qemu-system-x86_64", "qemu-system-x86", List.of("-machine", "q35", "-cpu", "max"), "ttyS0"),
        ARM64("arm64", "qemu-system-aarch64", "qemu-system-arm", List.of("-machine", "virt", "-cpu", "cortex-a57"), "ttyAMA0");

        final String debArch;
        final String qemu;
        final String qemuPackage;
        final List<String> machine;
        final String console;

        Machine(String debArch, String qemu, String qemuPackage, List<String> machine, String console) {
            this.debArch = debArch;
            this.qemu = qemu;
            this.qemuPackage = qemuPackage;
            this.machine = machine;
            this.console = console;
        }

        /** The machine of a Debian kernel release, from its flavour ({@code -arm64}, {@code -rt-arm64}, else amd64). */
        public static Machine of(String kernelRelease) {
            return kernelRelease.endsWith("arm64") ? ARM64 : AMD64;
        }

        public String debArch() {
            return debArch;
        }

        /** The build host's own architecture: its installed kernels and /bin/busybox are used. */
        boolean isBuildHost() {
            return debArch.equals(CrossToolchain.buildHostArch());
        }

        String accel() {
            return this == AMD64 ? QemuBoot.accel() : "tcg";
        }
    }

    /** How to boot: the time limit, extra kernel command-line words, shell lines /init runs after the insmods. */
    public record Options(Duration timeout, String extraAppend, String afterInsmod) {
        public static Options defaults() {
            return new Options(DEFAULT_TIMEOUT, "", "");
        }

        public Options withTimeout(Duration t) {
            return new Options(t, extraAppend, afterInsmod);
        }

        /** E.g. "module.sig_enforce=1". */
        public Options withAppend(String words) {
            return new Options(timeout, words, afterInsmod);
        }

        /** Busybox sh lines run after the insmods (applets are on PATH), their output on the console. */
        public Options withAfterInsmod(String script) {
            return new Options(timeout, extraAppend, script);
        }
    }

    /** One insmod, in the order given: the module file's name and busybox insmod's exit status. */
    public record Insmod(String file, int status) {
    }

    /** What one boot showed. */
    public record Result(String kernelRelease, String console, int qemuExit, boolean timedOut, Duration wallTime,
                         List<String> command) {

        /** uname -r inside the guest, empty when /init never started. */
        public Optional<String> bootedRelease() {
            Matcher m = INIT_START.matcher(console);
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        }

        /** The INSMOD-RESULT lines, in console order. */
        public List<Insmod> insmods() {
            List<Insmod> list = new ArrayList<>();
            Matcher m = INSMOD.matcher(console);
            while (m.find()) {
                list.add(new Insmod(m.group(1), Integer.parseInt(m.group(2))));
            }
            return list;
        }

        /** insmod's exit status for that module file name (the first if it was given twice), empty when it never ran. */
        public Optional<Integer> insmodStatus(String fileName) {
            return insmods().stream().filter(i -> i.file().equals(fileName)).map(Insmod::status).findFirst();
        }

        /** /init ran to its end (all insmods done, poweroff next). */
        public boolean initDone() {
            return console.lines().anyMatch(l -> l.strip().endsWith("INIT-DONE"));
        }

        /** Module names of /proc/modules after the insmods. */
        public List<String> loadedModules() {
            return section("PROC-MODULES").stream().map(l -> l.split("\\s+")[0]).toList();
        }

        /** The kernel log lines from /init's start to after the insmods (the console also has them, interleaved). */
        public List<String> dmesg() {
            return section("DMESG");
        }

        private List<String> section(String name) {
            List<String> lines = new ArrayList<>();
            boolean in = false;
            for (String l : console.lines().toList()) {
                if (l.strip().equals(name + "-BEGIN")) {
                    in = true;
                } else if (l.strip().equals(name + "-END")) {
                    break;
                } else if (in && !l.isBlank()) {
                    lines.add(l.strip());
                }
            }
            return lines;
        }

        /** The last lines of the console, for assertion messages. */
        public String tail(int lines) {
            List<String> all = console.lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }

        /** A summary and the console tail: the description to give assertions. */
        public String describe() {
            return "qemu boot of " + kernelRelease + ": exit " + qemuExit + (timedOut ? " (TIMED OUT, killed)" : "")
                    + " after " + wallTime.toMillis() + " ms, booted " + bootedRelease().orElse("<no INIT-START>")
                    + ", insmods " + insmods() + (initDone() ? "" : ", /init did not finish")
                    + "\n$ " + String.join(" ", command) + "\n--- console tail\n" + tail(60) + "\n---";
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    public static Result boot(String kernelRelease, List<Path> modulesToInsmodInOrder, Path workDir) {
        return boot(kernelRelease, modulesToInsmodInOrder, workDir, Options.defaults());
    }

    /**
     * Boots kernelRelease with an initramfs (written to workDir) that insmods the files in order.
     * Never throws for what happens in the guest (a failed insmod, a panic, a time-out): the
     * Result says; throws AssertionError when the host cannot set the boot up (no qemu, no kernel image).
     */
    public static Result boot(String kernelRelease, List<Path> modulesToInsmodInOrder, Path workDir, Options options) {
        try {
            return boot(kernelRelease, kernelImage(kernelRelease), modulesToInsmodInOrder, workDir, options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Boots the image {@code kernel} of {@code kernelRelease}, one that neither this machine nor its apt archive has (a
     * kernel of another Debian release, taken out of a build root), the same way as {@link #boot(String, List, Path, Options)}.
     */
    public static Result boot(String kernelRelease, Path kernel, List<Path> modulesToInsmodInOrder, Path workDir, Options options) {
        try {
            Files.createDirectories(workDir);
            Machine m = Machine.of(kernelRelease);
            Path initrd = workDir.resolve("initrd-" + kernelRelease + ".cpio.gz");
            writeInitramfs(initrd, busybox(m), modulesToInsmodInOrder, options.afterInsmod());
            List<String> cmd = new ArrayList<>(List.of(m.qemu));
            cmd.addAll(m.machine);
            cmd.addAll(List.of("-accel", m.accel(), "-smp", "1", "-m", "512",
                    "-nographic", "-no-reboot", "-nic", "none",
                    "-kernel", kernel.toString(), "-initrd", initrd.toString(),
                    "-append", ("console=" + m.console + " panic=-1 loglevel=7 rdinit=/init " + options.extraAppend()).strip()));
            return runQemu(kernelRelease, cmd, workDir.resolve("console-" + kernelRelease + ".log"), options.timeout());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * TCG unless -Dqemu.accel=kvm (or another qemu accelerator) is given: a /dev/kvm that opens is no
     * promise that it boots these kernels (a paravirtualised kvm-pvm /dev/kvm hung them until the time-out).
     */
    private static String accel() {
        return System.getProperty("qemu.accel", "tcg");
    }

    private static Result runQemu(String kernelRelease, List<String> cmd, Path consoleLog, Duration timeout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        long start = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            Machine m = Machine.of(kernelRelease);
            throw new AssertionError("cannot run " + m.qemu + " (.ci/run installs " + m.qemuPackage + "): " + e.getMessage(), e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> copy(p.getInputStream(), out), "qemu-console-" + kernelRelease);
        reader.setDaemon(true);
        reader.start();
        boolean timedOut = false;
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                timedOut = true;
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            reader.join(5_000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while booting " + kernelRelease, e);
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        String console;
        synchronized (out) {
            console = out.toString(StandardCharsets.UTF_8);
        }
        // The serial console ends lines with CR LF, and qemu -nographic may emit terminal escapes.
        console = console.replace("\r", "").replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "");
        Files.writeString(consoleLog, console);
        return new Result(kernelRelease, console, p.isAlive() ? -1 : p.exitValue(), timedOut, wall, List.copyOf(cmd));
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (out) {
                    out.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            // process killed: keep what was read
        }
    }

    // ---------------------------------------------------------------- kernel image

    /** Where downloaded kernel packages and the images taken out of them are kept between runs. */
    public static Path cacheDir() {
        return Cmd.repo().resolve("target/kernel-images");
    }

    /** /boot/vmlinuz-KVER, or the one from linux-image-KVER[-unsigned] fetched into {@link #cacheDir()}. */
    public static Path kernelImage(String kernelRelease) throws IOException {
        Path installed = Path.of("/boot/vmlinuz-" + kernelRelease);
        if (Files.isReadable(installed) && Machine.of(kernelRelease).isBuildHost()) {
            return installed;
        }
        Path cache = Files.createDirectories(cacheDir());
        Path image = cache.resolve(kernelRelease).resolve("boot/vmlinuz-" + kernelRelease);
        if (Files.isRegularFile(image)) {
            return image;
        }
        Path deb = cachedDeb(cache, kernelRelease).orElse(null);
        if (deb == null) {
            deb = download(cache, kernelRelease);
        }
        // Only the image: dpkg-deb --fsys-tarfile | tar -x ./boot/vmlinuz-KVER (dpkg-deb -x would also unpack
        // a few hundred MB of modules). Unpacked into a scratch directory, then moved in place whole.
        Path scratch = Files.createTempDirectory(cache, kernelRelease + ".x-");
        try {
            String member = "./boot/vmlinuz-" + kernelRelease;
            List<Process> pipe = ProcessBuilder.startPipeline(List.of(
                    new ProcessBuilder("dpkg-deb", "--fsys-tarfile", deb.toString())
                            .redirectError(ProcessBuilder.Redirect.INHERIT),
                    new ProcessBuilder("tar", "-x", "-C", scratch.toString(), member)
                            .redirectError(ProcessBuilder.Redirect.INHERIT)));
            int dpkg = pipe.get(0).waitFor();
            int tar = pipe.get(1).waitFor();
            Path got = scratch.resolve("boot/vmlinuz-" + kernelRelease);
            if (dpkg != 0 || tar != 0 || !Files.isRegularFile(got)) {
                throw new AssertionError("no " + member + " in " + deb + " (dpkg-deb exit " + dpkg + ", tar exit " + tar + ")");
            }
            try {
                Files.move(scratch, cache.resolve(kernelRelease), StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.isRegularFile(image)) { // else another run was faster
                    throw new AssertionError("cannot put " + got + " in " + cache.resolve(kernelRelease) + ": " + e, e);
                }
            }
            return image;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted unpacking " + deb, e);
        } finally {
            Trees.deleteQuietly(scratch);
        }
    }

    /**
     * How the kernel's own modules are compressed, as its Debian image package ships them: the
     * suffix of the first module file under lib/modules/KVER/kernel/ in linux-image-KVER
     * ({@code .ko}, {@code .ko.xz}, ...). Reads the package's data only up to that file.
     */
    public static String moduleSuffix(String kernelRelease) throws IOException {
        kernelImage(kernelRelease);
        Path deb = cachedDeb(cacheDir(), kernelRelease)
                .orElseThrow(() -> new AssertionError("no linux-image-" + kernelRelease + " package in " + cacheDir()));
        Process p = new ProcessBuilder("dpkg-deb", "--fsys-tarfile", deb.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String prefix = "./lib/modules/" + kernelRelease + "/kernel/";
        try (TarArchiveInputStream tar = new TarArchiveInputStream(p.getInputStream())) {
            for (TarArchiveEntry e; (e = tar.getNextTarEntry()) != null; ) {
                String name = e.getName();
                if (e.isFile() && name.startsWith(prefix) && name.contains(".ko")) {
                    return name.substring(name.lastIndexOf(".ko"));
                }
            }
        } finally {
            p.destroyForcibly();
        }
        throw new AssertionError("no module under " + prefix + " in " + deb);
    }

    private static Optional<Path> cachedDeb(Path cache, String kernelRelease) throws IOException {
        String arch = Machine.of(kernelRelease).debArch();
        try (Stream<Path> s = Files.list(cache)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith("_" + arch + ".deb") && (n.startsWith("linux-image-" + kernelRelease + "_")
                        || n.startsWith("linux-image-" + kernelRelease + "-unsigned_"));
            }).sorted().findFirst();
        }
    }

    /** apt-get download linux-image-KVER, else linux-image-KVER-unsigned, of the kernel's architecture into the cache; returns the .deb. */
    private static Path download(Path cache, String kernelRelease) throws IOException {
        StringBuilder tried = new StringBuilder();
        String arch = ":" + Machine.of(kernelRelease).debArch();
        for (String pkg : List.of("linux-image-" + kernelRelease + arch, "linux-image-" + kernelRelease + "-unsigned" + arch)) {
            Path dl = Files.createTempDirectory(cache, "download-");
            try {
                // As root, apt would otherwise warn that its _apt sandbox user cannot write here.
                Cmd.Result r = Cmd.run(dl, Map.of(), List.of("apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", pkg));
                tried.append("\n$ apt-get download ").append(pkg).append('\n').append(r);
                if (r.exit() != 0) {
                    continue;
                }
                try (Stream<Path> s = Files.list(dl)) {
                    Optional<Path> deb = s.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst();
                    if (deb.isPresent()) {
                        Path target = cache.resolve(deb.get().getFileName());
                        Files.move(deb.get(), target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                        return target;
                    }
                }
            } finally {
                Trees.deleteQuietly(dl);
            }
        }
        throw new AssertionError("kernel " + kernelRelease + " is not installed (/boot/vmlinuz-" + kernelRelease
                + ") and apt-get download could not fetch its image package:" + tried);
    }

    // ---------------------------------------------------------------- initramfs

    /**
     * The busybox-static of the guest: the host's /bin/busybox for its own architecture, else
     * bin/busybox of busybox-static:ARCH, fetched with apt-get download into {@link #cacheDir()} and unpacked there.
     */
    static Path busybox(Machine m) throws IOException {
        if (m.isBuildHost()) {
            return Path.of("/bin/busybox");
        }
        Path cache = Files.createDirectories(cacheDir());
        Path done = cache.resolve("busybox-static-" + m.debArch());
        Path busybox = done.resolve("bin/busybox");
        if (Files.isRegularFile(busybox)) {
            return busybox;
        }
        Path dl = Files.createTempDirectory(cache, "busybox-");
        try {
            String pkg = "busybox-static:" + m.debArch();
            Cmd.Result r = Cmd.run(dl, Map.of(), List.of("apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", pkg));
            if (r.exit() != 0) {
                throw new AssertionError("apt-get download " + pkg + " failed (is the " + m.debArch() + " architecture added with "
                        + "dpkg --add-architecture, and apt-get update run? .ci/run does it): " + r);
            }
            Path deb;
            try (Stream<Path> s = Files.list(dl)) {
                deb = s.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst()
                        .orElseThrow(() -> new AssertionError("apt-get download " + pkg + " wrote no .deb: " + r));
            }
            Path x = dl.resolve("x");
            Cmd.ok("dpkg-deb", "-x", deb.toString(), x.toString());
            try {
                Files.move(x, done, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.isRegularFile(busybox)) { // else another run was faster
                    throw e;
                }
            }
            return busybox;
        } finally {
            Trees.deleteQuietly(dl);
        }
    }

    /** A gzip'd newc cpio: /bin/busybox, /init, /modules/N/FILE for the N-th module, empty /proc /sys /dev. */
    static void writeInitramfs(Path target, Path busybox, List<Path> modules, String afterInsmod) throws IOException {
        requireStatic(busybox);
        StringBuilder init = new StringBuilder("""
                #!/bin/busybox sh
                /bin/busybox --install -s /bin
                export PATH=/bin
                mount -t proc proc /proc
                mount -t sysfs sysfs /sys
                mount -t devtmpfs devtmpfs /dev
                echo "INIT-START $(uname -r)"
                dmesg -c >/dev/null
                """);
        for (int i = 0; i < modules.size(); i++) {
            String file = modules.get(i).getFileName().toString();
            if (!file.matches("[A-Za-z0-9_.+-]+")) {
                throw new IllegalArgumentException("module file name unsafe in a shell line: " + file);
            }
            String path = "/modules/" + (i + 1) + "/" + file;
            init.append("insmod ").append(path).append("\necho \"INSMOD-RESULT ").append(file).append(" $?\"\n");
        }
        // The kernel log since the boot messages were cleared: what the insmods made the kernel say.
        init.append("echo PROC-MODULES-BEGIN\ncat /proc/modules\necho PROC-MODULES-END\n")
                .append("echo DMESG-BEGIN\ndmesg\necho DMESG-END\n")
                .append(afterInsmod == null || afterInsmod.isBlank() ? "" : afterInsmod.strip() + "\n")
                .append("echo INIT-DONE\npoweroff -f\n");

        try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(target))) {
            Newc cpio = new Newc(os);
            for (String d : List.of("bin", "dev", "proc", "sys", "modules")) {
                cpio.dir(d);
            }
            cpio.file("bin/busybox", 0755, Files.readAllBytes(busybox));
            cpio.symlink("bin/sh", "busybox");
            cpio.file("init", 0755, init.toString().getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < modules.size(); i++) {
                cpio.dir("modules/" + (i + 1));
                cpio.file("modules/" + (i + 1) + "/" + modules.get(i).getFileName(), 0644, Files.readAllBytes(modules.get(i)));
            }
            cpio.trailer();
        }
        Files.writeString(target.resolveSibling(target.getFileName() + ".init.sh"), init);
    }

    /** The initramfs has no libc: /bin/busybox must be busybox-static's (no ELF interpreter). */
    private static void requireStatic(Path busybox) throws IOException {
        if (!Files.isRegularFile(busybox)) {
            throw new AssertionError(busybox + " missing (.ci/run installs busybox-static)");
        }
        try (FileChannel ch = FileChannel.open(busybox)) {
            ByteBuffer h = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(h, 0);
            if (h.getInt(0) != 0x464c457f || h.get(4) != 2) {
                throw new AssertionError(busybox + " is not a 64-bit ELF file");
            }
            long phoff = h.getLong(0x20);
            int phentsize = Short.toUnsignedInt(h.getShort(0x36));
            int phnum = Short.toUnsignedInt(h.getShort(0x38));
            ByteBuffer ph = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < phnum; i++) {
                ph.clear();
                ch.read(ph, phoff + (long) i * phentsize);
                if (ph.getInt(0) == 3) { // PT_INTERP
                    throw new AssertionError(busybox + " is dynamically linked: install busybox-static, not busybox");
                }
            }
        }
    }

    /** Writes the newc ("070701") cpio format the kernel unpacks initramfs from; owner root, mtime 0. */
    private static final class Newc {
        private final OutputStream out;
        private long written;
        private int ino = 1;

        Newc(OutputStream out) {
            this.out = out;
        }

        void dir(String name) throws IOException {
            entry(name, 0040755, 2, new byte[0]);
        }

        void file(String name, int perm, byte[] data) throws IOException {
            entry(name, 0100000 | perm, 1, data);
        }

        void symlink(String name, String target) throws IOException {
            entry(name, 0120777, 1, target.getBytes(StandardCharsets.UTF_8));
        }

        void trailer() throws IOException {
            ino = 0;
            entry("TRAILER!!!", 0, 1, new byte[0]);
        }

        private void entry(String name, int mode, int nlink, byte[] data) throws IOException {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            StringBuilder h = new StringBuilder("070701");
            for (long v : new long[] {ino == 0 ? 0 : ino++, mode, 0, 0, nlink, 0, data.length, 0, 0, 0, 0, n.length + 1, 0}) {
                h.append(String.format("%08x", v));
            }
            write(h.toString().getBytes(StandardCharsets.US_ASCII));
            write(n);
            write(new byte[] {0});
            pad();
            write(data);
            pad();
        }

        private void write(byte[] b) throws IOException {
            out.write(b);
            written += b.length;
        }

        private void pad() throws IOException {
            while (written % 4 != 0) {
                write(new byte[] {0});
            }
        }
    }
}

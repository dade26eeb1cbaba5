package io.dkmsdeb.it;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One boot of a {@link DebianSystemImage} disk under qemu-system-x86_64, as its boot loader would
 * boot it: the kernel and initramfs that the image's {@code /vmlinuz} and {@code /initrd.img} links
 * name (Debian's linux-update-symlinks points them at the newest installed kernel), copied out of the
 * image with debugfs, {@code root=/dev/vda}, serial console, no network. The host folder {@code share}
 * is the guest's /mnt/shared (virtio-9p); the guest runs {@code share/step.sh} and powers off.
 *
 * <p>Step scripts report with lines {@code RESULT key=value} on their output, which the guest writes
 * to {@code share/step.log}; {@link Result#value} reads them.
 *
 * <p>Acceleration: KVM when /dev/kvm boots a Debian kernel here (probed once: a kernel without root
 * file system must reach its panic), else TCG; {@code -Dqemu.accel=kvm|tcg} decides instead.
 */
final class TargetSystemBoot {
    private static String accel;

    private TargetSystemBoot() {
    }

    /** What one boot showed: the kernel booted, the serial console, the step's output and its RESULT lines. */
    record Result(String step, String kernel, String console, String stepLog, int qemuExit, boolean timedOut, Duration wallTime,
                  List<String> command, Path consoleLog) {

        /** The RESULT key=value lines of the step's output, in order (a later line of a key wins). */
        Map<String, String> values() {
            Map<String, String> m = new LinkedHashMap<>();
            stepLog.lines().filter(l -> l.startsWith("RESULT ") && l.contains("="))
                    .forEach(l -> m.put(l.substring(7, l.indexOf('=')), l.substring(l.indexOf('=') + 1).strip()));
            return m;
        }

        String value(String key) {
            return values().getOrDefault(key, "<no RESULT " + key + ">");
        }

        /** The runner's exit line: the step script ran to its end with status 0. */
        boolean stepSucceeded() {
            return console.contains("TARGET-SYSTEM-STEP-END 0");
        }

        /** A summary, the step's output and the console's tail: the description to give assertions. */
        String describe() {
            return "boot '" + step + "' of " + kernel + ": qemu exit " + qemuExit + (timedOut ? " (TIMED OUT, killed)" : "")
                    + " after " + wallTime.toSeconds() + " s; console log " + consoleLog
                    + "\n$ " + String.join(" ", command)
                    + "\n--- step output (tail)\n" + tail(stepLog, 80) + "\n--- serial console (tail)\n" + tail(console, 60) + "\n---";
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /**
     * Boots the image once: writes {@code script} as share/step.sh, boots, returns what the guest said.
     * Never fails for what happens in the guest (the Result says); fails when the host cannot boot it.
     */
    static Result boot(String step, Path image, Path share, String script, Path workDir, Duration timeout) throws IOException {
        Path dir = Files.createDirectories(workDir.resolve("boot-" + step));
        String kernelPath = DebianSystemImage.readLink(image, "/vmlinuz");
        String kernel = kernelPath.substring(kernelPath.lastIndexOf("vmlinuz-") + "vmlinuz-".length());
        Path vmlinuz = dir.resolve("vmlinuz");
        Path initrd = dir.resolve("initrd.img");
        DebianSystemImage.extract(image, kernelPath, vmlinuz);
        DebianSystemImage.extract(image, DebianSystemImage.readLink(image, "/initrd.img"), initrd);
        Files.writeString(share.resolve("step.sh"), script, StandardCharsets.UTF_8);
        Files.deleteIfExists(share.resolve("step.log"));
        String acc = accel(vmlinuz, dir);
        List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-machine", "q35", "-nodefaults", "-display", "none",
                "-serial", "stdio", "-no-reboot", "-nic", "none", "-m", "1024", "-smp", "2", "-rtc", "base=utc",
                "-kernel", vmlinuz.toString(), "-initrd", initrd.toString(),
                "-append", "root=/dev/vda rw console=ttyS0 panic=-1 systemd.firstboot=off dkmsdeb.step=" + step,
                "-drive", "file=" + image + ",format=raw,if=virtio,cache=unsafe",
                "-virtfs", "local,path=" + share + ",mount_tag=shared,security_model=passthrough,id=shared"));
        cmd.addAll(acc.equals("kvm") ? List.of("-accel", "kvm", "-cpu", "host") : List.of("-accel", "tcg,thread=multi", "-cpu", "max,-svm"));
        Path log = dir.resolve("console.log");
        Run run = runQemu(cmd, log, timeout, c -> false);
        Path stepLog = share.resolve("step.log");
        String stepOut = Files.isRegularFile(stepLog) ? Files.readString(stepLog, StandardCharsets.UTF_8) : "<no step.log: the step never ran>";
        Files.writeString(dir.resolve("step.log"), stepOut, StandardCharsets.UTF_8);
        return new Result(step, kernel, run.console, stepOut, run.exit, run.timedOut, run.wall, List.copyOf(cmd), log);
    }

    /** The accelerator for these boots, probed once with the first kernel booted. */
    static synchronized String accel(Path vmlinuz, Path dir) throws IOException {
        if (accel == null) {
            accel = Optional.ofNullable(System.getProperty("qemu.accel")).orElseGet(() -> probeKvm(vmlinuz, dir));
            System.out.println("target-system: qemu accelerator " + accel);
        }
        return accel;
    }

    /** KVM when /dev/kvm opens and a kernel booted with it reaches its "no root file system" panic within 20 s (about 2 s with a working KVM). */
    private static String probeKvm(Path vmlinuz, Path dir) {
        if (!Files.isWritable(Path.of("/dev/kvm"))) {
            System.out.println("target-system: no usable /dev/kvm, TCG");
            return "tcg";
        }
        List<String> cmd = List.of("qemu-system-x86_64", "-machine", "q35", "-accel", "kvm", "-cpu", "host", "-nodefaults",
                "-display", "none", "-serial", "stdio", "-no-reboot", "-nic", "none", "-m", "512",
                "-kernel", vmlinuz.toString(), "-append", "console=ttyS0 panic=-1");
        try {
            Run r = runQemu(cmd, dir.resolve("kvm-probe.log"), Duration.ofSeconds(20),
                    c -> c.contains("Kernel panic") || c.contains("KVM internal error") || c.contains("failed to initialize"));
            boolean ok = r.console.contains("Kernel panic") && !r.console.contains("KVM internal error");
            System.out.println("target-system: KVM probe " + (ok ? "booted" : "failed") + " in " + r.wall.toMillis() + " ms"
                    + (ok ? "" : ": " + tail(r.console, 3).replace('\n', ' ')));
            return ok ? "kvm" : "tcg";
        } catch (IOException e) {
            return "tcg";
        }
    }

    private record Run(String console, int exit, boolean timedOut, Duration wall) {
    }

    /** Runs qemu with its console into {@code log}; kills it at the time-out or as soon as {@code stopWhen} holds for the console. */
    private static Run runQemu(List<String> cmd, Path log, Duration timeout, Predicate<String> stopWhen) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        long start = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError("cannot run qemu-system-x86_64 (.ci/run installs qemu-system-x86): " + e.getMessage(), e);
        }
        boolean timedOut = false;
        boolean stopped = false;
        try {
            long deadline = start + timeout.toNanos();
            while (!p.waitFor(250, TimeUnit.MILLISECONDS)) {
                if (System.nanoTime() > deadline) {
                    timedOut = true;
                } else if (stopWhen.test(read(log))) {
                    stopped = true;
                }
                if (timedOut || stopped) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                    break;
                }
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while qemu ran", e);
        }
        return new Run(read(log), p.isAlive() ? -1 : p.exitValue(), timedOut, Duration.ofNanos(System.nanoTime() - start));
    }

    /** The console log, without the serial line's CRs and terminal escapes. */
    private static String read(Path log) throws IOException {
        String s = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        return s.replace("\r", "").replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "");
    }

    static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}

package io.dkmsdeb.it;

import io.dkmsdeb.support.Trees;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Debian 12 system on an ext4 disk image, for booting under qemu: {@code debootstrap
 * --variant=minbase} of bookworm from the Debian mirror with systemd, udev, kmod, apt and
 * initramfs-tools (and apparmor, which Debian's kernels recommend: apt's upgrade keeps back a new kernel whose
 * recommendations it cannot meet), then one real Debian {@code linux-image-KVER} (fetched with apt-get download, as
 * the kernels' headers on this machine came from the same archive) installed in it with dpkg, whose
 * postinst writes the initramfs and the {@code /vmlinuz} and {@code /initrd.img} links a boot loader
 * follows. No documentation, no package cache, no network configuration, an empty sources.list.
 *
 * <p>The image boots a {@code target-system-step} service (when the kernel command line has
 * {@code dkmsdeb.step}) that mounts the virtio-9p folder tagged {@code shared} on /mnt/shared, runs
 * /mnt/shared/step.sh with bash, its output into /mnt/shared/step.log and on the console, and powers
 * the machine off. initramfs-tools is set up as an admin who knows the machine would set it
 * ({@code MODULES=list}: virtio_pci, virtio_blk, ext4), so that each update-initramfs takes seconds.
 *
 * <p>The image is made once a day per recipe (mirror, suite, packages, kernel, the files below) and
 * kept in {@code target/debian-system-image/}; {@link #copyOfBase} gives each run its own sparse copy.
 * Building takes about a minute and a half, most of it debootstrap's download.
 */
final class DebianSystemImage {
    static final String SUITE = "bookworm";
    /** The Debian mirror debootstrap fetches from; -Ddebian.mirror=URL for another. */
    static final String MIRROR = System.getProperty("debian.mirror", "http://deb.debian.org/debian");
    static final List<String> INCLUDE = List.of("systemd", "systemd-sysv", "udev", "kmod", "apt", "initramfs-tools",
            "linux-base", "zstd", "e2fsprogs", "apparmor");
    /** Room for a second kernel and the initramfs images; the file is sparse. */
    private static final String SIZE = "3G";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._+/-]+");
    private static final Pattern FAST_LINK = Pattern.compile("Fast link dest: \"([^\"]+)\"");

    private static final String STEP_RUNNER = """
            #!/bin/bash
            # Runs the test step on the shared folder (virtio-9p tag "shared"); the unit powers off after it.
            set -o pipefail
            mkdir -p /mnt/shared
            if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 shared /mnt/shared; then
                echo "TARGET-SYSTEM-STEP-END cannot-mount-the-shared-folder"
                exit 1
            fi
            echo "TARGET-SYSTEM-STEP-START $(uname -r)"
            bash /mnt/shared/step.sh 2>&1 | tee /mnt/shared/step.log
            rc=$?
            sync
            echo "TARGET-SYSTEM-STEP-END $rc"
            """;

    private static final String STEP_UNIT = """
            [Unit]
            Description=dkms-deb test step from the shared folder, then power off
            ConditionKernelCommandLine=dkmsdeb.step
            SuccessAction=poweroff
            FailureAction=poweroff

            [Service]
            Type=oneshot
            ExecStart=/usr/local/sbin/target-system-step
            StandardOutput=journal+console
            StandardError=journal+console

            [Install]
            WantedBy=multi-user.target
            """;

    /** Files written into the tree before the kernel is installed: path to text. */
    private static final Map<String, String> FILES = Map.of(
            "etc/hostname", "target\n",
            "etc/fstab", "/dev/vda / ext4 rw,errors=remount-ro 0 0\n",
            "etc/apt/sources.list", "# no network: the tests add file: sources\n",
            "etc/dpkg/dpkg.cfg.d/target-system-nodoc", "path-exclude=/usr/share/doc/*\npath-exclude=/usr/share/man/*\n"
                    + "path-exclude=/usr/share/info/*\npath-exclude=/usr/share/locale/*\n",
            "etc/initramfs-tools/conf.d/target-system", "MODULES=list\n",
            "etc/initramfs-tools/modules", "virtio_pci\nvirtio_blk\next4\n",
            "usr/local/sbin/target-system-step", STEP_RUNNER,
            "etc/systemd/system/target-system-step.service", STEP_UNIT);

    /** Links made in the tree: the step service enabled, apt's daily timers masked (they would take apt's lock). */
    private static final Map<String, String> LINKS = Map.of(
            "etc/systemd/system/multi-user.target.wants/target-system-step.service", "/etc/systemd/system/target-system-step.service",
            "etc/systemd/system/apt-daily.timer", "/dev/null",
            "etc/systemd/system/apt-daily-upgrade.timer", "/dev/null");

    /** Installs the kernel package ($2) in the tree ($1) with dpkg in a chroot, /proc /sys /dev mounted in this namespace only. */
    private static final String INSTALL_KERNEL = """
            set -e
            root=$1
            mount -t proc proc "$root/proc"
            mount -t sysfs sysfs "$root/sys"
            mount --rbind /dev "$root/dev"
            cp "$2" "$root/tmp/kernel.deb"
            chroot "$root" dpkg -i /tmp/kernel.deb
            rm -f "$root/tmp/kernel.deb"
            """;

    private DebianSystemImage() {
    }

    /** Where images and downloaded kernel packages are kept between runs. */
    static Path cacheDir() {
        return Cmd.repo().resolve("target/debian-system-image");
    }

    /**
     * A fresh copy (sparse) at {@code target} of the day's base image with {@code kernel} installed,
     * building the base image first when the cache has none. Returns a line saying which it did.
     */
    static String copyOfBase(String kernel, Path target) throws IOException {
        Path base = base(kernel);
        Files.deleteIfExists(target);
        Cmd.ok("cp", "--sparse=always", base.toString(), target.toString());
        return "base image " + base;
    }

    private static synchronized Path base(String kernel) throws IOException {
        Path kernelDeb = download(Files.createDirectories(cacheDir().resolve("debs")), "linux-image-" + kernel);
        String key = SUITE + "-" + LocalDate.now(ZoneOffset.UTC) + "-" + recipeHash(kernelDeb.getFileName().toString());
        Path entry = cacheDir().resolve(key);
        Path image = entry.resolve("base.ext4");
        if (Files.isRegularFile(image)) {
            System.out.println("debian-system-image: cached " + image);
            return image;
        }
        pruneOtherEntries(key);
        Path scratch = Files.createDirectories(cacheDir().resolve(key + ".build"));
        try {
            Path root = scratch.resolve("root");
            Trees.deleteQuietly(root);
            debootstrap(root, scratch.resolve("debootstrap.log"));
            configure(root);
            Cmd.Result k = namespaced(INSTALL_KERNEL, root.toString(), kernelDeb.toString());
            check(k, "installing " + kernelDeb.getFileName() + " in the debootstrap tree");
            for (String d : List.of("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc", "usr/share/man", "usr/share/locale")) {
                emptyDirectory(root.resolve(d));
            }
            Path made = scratch.resolve("base.ext4");
            Files.deleteIfExists(made);
            check(Cmd.run("mkfs.ext4", "-q", "-F", "-L", "target", "-d", root.toString(), made.toString(), SIZE),
                    "mkfs.ext4 -d (e2fsprogs)");
            Files.writeString(scratch.resolve("recipe.txt"), recipe(kernelDeb.getFileName().toString()));
            Files.createDirectories(entry);
            Files.move(scratch.resolve("recipe.txt"), entry.resolve("recipe.txt"), StandardCopyOption.REPLACE_EXISTING);
            Files.move(made, image, StandardCopyOption.ATOMIC_MOVE);
            return image;
        } finally {
            Trees.deleteQuietly(scratch);
        }
    }

    private static void debootstrap(Path root, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL", "--", "unshare", "--mount", "--propagation",
                "private", "--pid", "--fork", "--kill-child", "--", "debootstrap", "--variant=minbase", "--components=main",
                "--include=" + String.join(",", INCLUDE), SUITE, root.toString(), MIRROR));
        Cmd.Result r = Cmd.run(null, Map.of("LC_ALL", "C"), cmd);
        Files.writeString(log, r.toString());
        if (r.exit() == 127 || r.err().contains("debootstrap: not found") || r.err().contains("No such file")) {
            throw new AssertionError("cannot run debootstrap (.ci/run installs debootstrap): " + r);
        }
        check(r, "debootstrap " + SUITE + " from " + MIRROR + " (network to the Debian mirror needed; log " + log + ")");
    }

    private static void configure(Path root) throws IOException {
        for (Map.Entry<String, String> f : FILES.entrySet()) {
            Path p = root.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
        }
        Cmd.ok("chmod", "0755", root.resolve("usr/local/sbin/target-system-step").toString());
        for (Map.Entry<String, String> l : LINKS.entrySet()) {
            Path p = root.resolve(l.getKey());
            Files.createDirectories(p.getParent());
            Files.deleteIfExists(p);
            Files.createSymbolicLink(p, Path.of(l.getValue()));
        }
    }

    /** Runs a script (sh, values as $1...) as root in a private mount and pid namespace that ends with it and with this JVM. */
    static Cmd.Result namespaced(String script, String... args) {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL", "--", "unshare", "--mount", "--propagation",
                "private", "--pid", "--fork", "--kill-child", "--", "sh", "-c", script, "debian-system-image"));
        cmd.addAll(List.of(args));
        return Cmd.run(null, Map.of("LC_ALL", "C"), cmd);
    }

    private static void emptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                if (Files.isDirectory(p) && !Files.isSymbolicLink(p)) {
                    Trees.delete(p);
                } else if (!p.getFileName().toString().equals("partial") && !p.getFileName().toString().equals("lock")) {
                    Files.delete(p);
                }
            }
        }
    }

    private static String recipe(String kernelDeb) {
        StringBuilder r = new StringBuilder("debootstrap --variant=minbase --include=" + String.join(",", INCLUDE) + " " + SUITE + " "
                + MIRROR + "\nkernel " + kernelDeb + "\nsize " + SIZE + "\n");
        FILES.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> r.append("--- ").append(e.getKey()).append('\n').append(e.getValue()));
        LINKS.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> r.append("link ").append(e.getKey()).append(" -> ").append(e.getValue()).append('\n'));
        return r.append(INSTALL_KERNEL).toString();
    }

    private static String recipeHash(String kernelDeb) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(recipe(kernelDeb).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Images of other days or recipes: about a gigabyte each, never used again. */
    private static void pruneOtherEntries(String key) throws IOException {
        try (Stream<Path> s = Files.list(cacheDir())) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(SUITE + "-") && !n.equals(key) && !n.equals(key + ".build")) {
                    Trees.deleteQuietly(p);
                }
            }
        }
    }

    /**
     * {@code apt-get download PACKAGE} (else PACKAGE-unsigned, as Debian names unsigned kernel images) into
     * {@code dir}, unless a file of it is there already; returns the .deb.
     */
    static Path download(Path dir, String pkg) throws IOException {
        Optional<Path> have = find(dir, pkg);
        if (have.isPresent()) {
            return have.get();
        }
        StringBuilder tried = new StringBuilder();
        for (String name : List.of(pkg, pkg + "-unsigned")) {
            Cmd.Result r = Cmd.run(dir, Map.of(), List.of("apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", name));
            tried.append("\n$ apt-get download ").append(name).append('\n').append(r);
            Optional<Path> got = find(dir, pkg);
            if (r.exit() == 0 && got.isPresent()) {
                return got.get();
            }
        }
        throw new AssertionError("cannot fetch " + pkg + " from the apt archive:" + tried);
    }

    private static Optional<Path> find(Path dir, String pkg) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith("_amd64.deb") && (n.startsWith(pkg + "_") || n.startsWith(pkg + "-unsigned_"));
            }).sorted().findFirst();
        }
    }

    /** The target of symbolic link {@code link} in the image, as an absolute path ({@code /vmlinuz} gives {@code /boot/vmlinuz-KVER}). */
    static String readLink(Path image, String link) {
        Cmd.Result r = debugfs(image, "stat " + safe(link));
        Matcher m = FAST_LINK.matcher(r.out());
        if (!m.find()) {
            throw new AssertionError("no symbolic link " + link + " in " + image + " (debugfs stat): " + r);
        }
        String target = m.group(1);
        return target.startsWith("/") ? target : Path.of(link).resolveSibling(target).normalize().toString();
    }

    /** Copies file {@code path} out of the image (no mount: debugfs reads the ext4 file system). */
    static void extract(Path image, String path, Path out) throws IOException {
        Files.deleteIfExists(out);
        Cmd.Result r = debugfs(image, "dump " + safe(path) + " " + safe(out.toString()));
        if (!Files.isRegularFile(out) || Files.size(out) == 0) {
            throw new AssertionError("cannot copy " + path + " out of " + image + " (debugfs dump): " + r);
        }
    }

    private static Cmd.Result debugfs(Path image, String request) {
        Cmd.Result r = Cmd.run("debugfs", "-R", request, image.toString());
        if (r.exit() != 0) {
            throw new AssertionError("debugfs (e2fsprogs) failed on " + image + ": " + r);
        }
        return r;
    }

    private static String safe(String path) {
        if (!SAFE.matcher(path).matches()) {
            throw new IllegalArgumentException("path unsafe in a debugfs request: " + path);
        }
        return path;
    }

    private static void check(Cmd.Result r, String what) {
        if (r.exit() != 0) {
            throw new AssertionError(what + " failed: " + r);
        }
    }
}

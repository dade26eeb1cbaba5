package io.dkmsdeb.it;

import io.dkmsdeb.support.Trees;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The target's life, on a real Debian 12 system booted under qemu ({@link DebianSystemImage}: debootstrap
 * of bookworm, systemd, and the Debian 6.1 kernel whose headers this machine has): the repository that
 * {@code dkms-deb repo} writes, with debian-example/hello built by {@code dkms-deb bmdeb}, is the guest's
 * {@code file:} apt source on a virtio-9p folder, {@code signed-by} its KEY.gpg.
 *
 * <ol>
 * <li>{@code apt install hello-modules-amd64}; the admin lists hello in /etc/modules-load.d; reboot:
 * systemd-modules-load loaded it (lsmod, /sys/module/hello).</li>
 * <li>A second kernel ABI (the 6.12 kernel whose headers this machine has) is published: hello built for it,
 * the meta-package moved to it; {@code apt upgrade} brings the kernel and the module; reboot into the new
 * kernel (the one the image's /vmlinuz names, as a boot loader would): loaded there too.</li>
 * <li>{@code apt purge} of the old kernel's image takes its module package with it and leaves nothing of
 * the module in /lib/modules/OLDKVER.</li>
 * </ol>
 *
 * <p>The kernels are real Debian linux-image packages (apt-get download on this machine, into a flat
 * repository on the shared folder); {@code linux-image-amd64} is a stub meta-package that moves from the
 * old ABI to the new one, as the archive's does. The guest has no network. Each phase's time is printed;
 * on a failure the message has the guest's step output and serial console tail, and
 * target/target-system/boot-STEP/ keeps the console logs.
 *
 * <p>Time: the base image takes about 2 minutes to make (debootstrap's download most of it) and a second from
 * the cache. Measured under TCG on 2 shared cores (where /dev/kvm cannot run Debian kernels; see
 * {@link TargetSystemBoot}): the three boots 213 + 448 + 175 s, 848 s in all, most of it the guest's depmod,
 * update-initramfs and unpacking of the 6.12 kernel, emulated; with KVM each is a fraction of that.
 */
@Tag("root")
@Tag("qemu")
@Tag("network")
@Tag("kernel")
@Tag("tools")
class TargetSystemTest {
    /** Shared by the step scripts: values from the shared folder, RESULT lines, apt without questions. */
    private static final String PRELUDE = """
            set -u
            export DEBIAN_FRONTEND=noninteractive LC_ALL=C
            old=$(cat /mnt/shared/params/old)
            new=$(cat /mnt/shared/params/new)
            result() { echo "RESULT $1=$2"; }
            step() { name=$1; shift; echo "+ $*"; "$@"; result "$name" $?; }
            state() { s=$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' "$1" 2>/dev/null) || s=unknown; echo "$s" | tr -s ' '; }
            result booted "$(uname -r)"
            result lsmod "$(lsmod | awk '$1 == "hello" { print $1 }')"
            result sys_module "$(if [ -d /sys/module/hello ]; then echo present; else echo absent; fi)"
            echo "--- journal on modules-load and hello"; journalctl -b --no-pager | grep -i -E 'modules-load|hello'
            echo "--- kernel log on hello"; dmesg | grep -i hello
            echo "---"
            """;

    private static final String LOADED = "hello: loaded (dkms-deb example 1.0)";

    private static final String INSTALL = PRELUDE + """
            # the admin adds the module repository, trusted through its key, and the kernel archive
            install -m 0644 /mnt/shared/repo/KEY.gpg /usr/share/keyrings/hello-modules.gpg
            echo "deb [signed-by=/usr/share/keyrings/hello-modules.gpg] file:/mnt/shared/repo bookworm main" > /etc/apt/sources.list.d/hello-modules.list
            echo "deb [trusted=yes] file:/mnt/shared/archive ./" > /etc/apt/sources.list.d/kernels.list
            step update apt-get update
            # as a Debian installation does, the machine follows the kernel meta-package
            step kernel_meta apt-get install -y linux-image-amd64
            step install apt install -y hello-modules-amd64
            echo hello > /etc/modules-load.d/hello.conf
            result pkg_meta "$(state hello-modules-amd64)"
            result pkg_old "$(state hello-modules-$old)"
            result files_old "$(ls /lib/modules/$old/updates/dkms 2>&1 | tr '\\n' ' ')"
            """;

    private static final String UPGRADE = PRELUDE + """
            step update apt-get update
            step upgrade apt upgrade -y
            result pkg_meta "$(state hello-modules-amd64)"
            result pkg_new "$(state hello-modules-$new)"
            result linux_new "$(state linux-image-$new)"
            result files_new "$(ls /lib/modules/$new/updates/dkms 2>&1 | tr '\\n' ' ')"
            result vmlinuz "$(readlink /vmlinuz)"
            """;

    private static final String PURGE = PRELUDE + """
            result module_file "$(modinfo -n hello 2>&1)"
            step purge apt purge -y "linux-image-$old"
            result pkg_old "$(state hello-modules-$old)"
            result linux_old "$(state linux-image-$old)"
            result pkg_new "$(state hello-modules-$new)"
            result pkg_meta "$(state hello-modules-amd64)"
            # every file dpkg lists is there with its checksum (docs are path-excluded on this small system)
            dpkg --verify "hello-modules-$new"
            result verify_new "$(dpkg --verify "hello-modules-$new" | grep -v ' /usr/share/doc/' | tr '\\n' ' ')"
            echo "--- /lib/modules/$old after the purge"
            if [ -e "/lib/modules/$old" ]; then
                find "/lib/modules/$old" -mindepth 1 -printf '%y %P\\n'
                result old_tree "$(find "/lib/modules/$old" -mindepth 1 -printf '%P ')"
            else
                result old_tree absent
            fi
            result new_module "$(modinfo -k "$new" -n hello 2>&1)"
            """;

    private final String oldKernel = Kernels.newest61();
    private final String newKernel = Kernels.newest612();
    private final Path work = Cmd.repo().resolve("target/target-system");
    private final Path share = work.resolve("share");
    private final Path image = work.resolve("disk.ext4");
    private final Map<String, Duration> phases = new LinkedHashMap<>();
    private long phaseStart = System.nanoTime();

    private void phase(String name) {
        long now = System.nanoTime();
        Duration d = Duration.ofNanos(now - phaseStart);
        phases.put(name, d);
        phaseStart = now;
        System.out.printf("target-system: phase %-34s %6.1f s%n", name, d.toMillis() / 1000.0);
    }

    @Test
    void modulesFollowTheKernelOnABootedDebianSystem() throws Exception {
        assertThat(Cmd.isRoot()).as("this test runs debootstrap and chroot and must run as root (.ci/run does)").isTrue();
        long start = System.nanoTime();
        try {
            prepare();
            try (RepoFixtures.Key key = RepoFixtures.Key.create(work)) {
                publishOldAbi(key);
                TargetSystemBoot.Result install = installAndReboot();
                publishNewAbi(key);
                TargetSystemBoot.Result upgrade = upgradeAndReboot(install);
                purgeOldKernel(upgrade);
            }
            Files.delete(image); // about a gigabyte; the console and step logs stay in target/target-system
        } finally {
            StringBuilder line = new StringBuilder("target-system: phases");
            phases.forEach((name, d) -> line.append(String.format(" | %s %.0f s", name, d.toMillis() / 1000.0)));
            System.out.println(line + " | total " + Duration.ofNanos(System.nanoTime() - start).toSeconds() + " s");
        }
    }

    /** The guest's disk (a copy of the day's base image) and the shared folder, its params telling the kernels. */
    private void prepare() throws IOException {
        Trees.deleteQuietly(work);
        for (String d : List.of("params", "repo", "archive")) {
            Files.createDirectories(share.resolve(d));
        }
        Files.writeString(share.resolve("params/old"), oldKernel + "\n");
        Files.writeString(share.resolve("params/new"), newKernel + "\n");
        System.out.println("target-system: " + DebianSystemImage.copyOfBase(oldKernel, image) + ", kernels " + oldKernel + " -> " + newKernel);
        phase("root file system (debootstrap/cache)");
    }

    /** The repository with hello for the old ABI, its meta-package on it; the archive's linux-image-amd64 on the old kernel. */
    private void publishOldAbi(RepoFixtures.Key key) throws IOException {
        publish(key, RepoFixtures.EPOCH, HelloModules.deb(oldKernel), work.resolve("listing-old.json"), "1", oldKernel);
        stub("1", oldKernel);
        index();
        phase("bmdeb + repo (old ABI)");
    }

    /** Boot 1: apt install hello-modules-amd64 from the signed repository, hello listed in /etc/modules-load.d. */
    private TargetSystemBoot.Result installAndReboot() throws IOException {
        TargetSystemBoot.Result install = boot("install", INSTALL);
        phase("boot 1: apt install");
        assertThat(install.kernel()).as(install.describe()).isEqualTo(oldKernel);
        assertThat(install.value("booted")).as(install.describe()).isEqualTo(oldKernel);
        assertThat(install.value("lsmod")).as("hello is not loaded before it is installed; " + install.describe()).isEmpty();
        assertThat(install.value("update")).as("apt-get update of the signed repository; " + install.describe()).isEqualTo("0");
        assertThat(install.stepLog()).as(install.describe()).doesNotContain("NO_PUBKEY", "is not signed", "BADSIG", "GPG error");
        assertThat(install.value("install")).as("apt install hello-modules-amd64; " + install.describe()).isEqualTo("0");
        assertThat(install.value("pkg_old")).as(install.describe()).isEqualTo("ii 1.0");
        assertThat(install.value("pkg_meta")).as(install.describe()).startsWith("ii 1.0+");
        assertThat(install.value("files_old")).as(install.describe()).contains("hello.ko");
        return install;
    }

    /** A new ABI: hello built for it, the meta-packages (ours and the archive's stub) moved to it, its real linux-image in the archive. */
    private void publishNewAbi(RepoFixtures.Key key) throws IOException {
        publish(key, "1700086400", HelloModules.deb(newKernel), work.resolve("listing-new.json"), "2", newKernel);
        Files.delete(share.resolve("archive/linux-image-amd64_1_amd64.deb"));
        stub("2", newKernel);
        Path kernelDeb = DebianSystemImage.download(Files.createDirectories(DebianSystemImage.cacheDir().resolve("debs")),
                "linux-image-" + newKernel);
        Files.createLink(share.resolve("archive").resolve(kernelDeb.getFileName()), kernelDeb);
        index();
        phase("bmdeb + repo (new ABI), kernel");
    }

    /** Boot 2, into the old kernel: hello loaded at boot; apt upgrade brings the new kernel and its module. */
    private TargetSystemBoot.Result upgradeAndReboot(TargetSystemBoot.Result install) throws IOException {
        TargetSystemBoot.Result upgrade = boot("upgrade", UPGRADE);
        phase("boot 2: loaded?, apt upgrade");
        assertLoadedAtBoot(upgrade, oldKernel);
        assertThat(upgrade.value("upgrade")).as("apt upgrade; " + upgrade.describe()).isEqualTo("0");
        assertThat(upgrade.value("linux_new")).as(upgrade.describe()).startsWith("ii ");
        assertThat(upgrade.value("pkg_new")).as(upgrade.describe()).isEqualTo("ii 1.0");
        assertThat(upgrade.value("pkg_meta")).as(upgrade.describe()).startsWith("ii 1.0+").isNotEqualTo(install.value("pkg_meta"));
        assertThat(upgrade.value("files_new")).as(upgrade.describe()).contains("hello.ko");
        return upgrade;
    }

    /** Boot 3, into the new kernel: hello loaded there; apt purge of the old kernel's image takes its module package and files. */
    private void purgeOldKernel(TargetSystemBoot.Result upgrade) throws IOException {
        TargetSystemBoot.Result purge = boot("purge", PURGE);
        phase("boot 3: loaded?, apt purge old");
        assertThat(purge.kernel()).as("the kernel the image's /vmlinuz names after the upgrade; " + purge.describe()).isEqualTo(newKernel);
        assertLoadedAtBoot(purge, newKernel);
        assertThat(purge.value("module_file")).as(purge.describe()).startsWith("/lib/modules/" + newKernel + "/updates/dkms/hello.ko");
        assertThat(purge.value("purge")).as("apt purge linux-image-" + oldKernel + "; " + purge.describe()).isEqualTo("0");
        assertThat(purge.value("linux_old")).as(purge.describe()).satisfies(TargetSystemTest::notInstalled);
        assertThat(purge.value("pkg_old")).as("hello-modules-" + oldKernel + " goes with its kernel; " + purge.describe())
                .satisfies(TargetSystemTest::notInstalled);
        assertThat(purge.value("pkg_new")).as(purge.describe()).isEqualTo("ii 1.0");
        assertThat(purge.value("pkg_meta")).as(purge.describe()).isEqualTo(upgrade.value("pkg_meta"));
        assertThat(purge.value("verify_new")).as("dpkg --verify hello-modules-" + newKernel + "; " + purge.describe()).isEmpty();
        assertThat(purge.value("new_module")).as(purge.describe()).startsWith("/lib/modules/" + newKernel + "/updates/dkms/hello.ko");
        assertThat(leftInOldTree(purge.value("old_tree"))).as("in /lib/modules/" + oldKernel + " after the purge (the kernel's own "
                + "purge removes its depmod files and the directory); " + purge.describe())
                .filteredOn(f -> f.contains("updates") || f.contains("hello") || f.matches("(.*/)?modules\\..*")).isEmpty();
    }

    /** One boot running {@code script}; fails unless the step ran to its end. Under TCG a boot with apt's work takes minutes. */
    private TargetSystemBoot.Result boot(String step, String script) throws IOException {
        openToApt();
        Duration timeout = Duration.ofMinutes(12);
        TargetSystemBoot.Result r = TargetSystemBoot.boot(step, image, share, script, work, timeout);
        System.out.printf("target-system: boot %s: kernel %s, %d s, qemu exit %d%s, results %s%n", step, r.kernel(), r.wallTime().toSeconds(),
                r.qemuExit(), r.timedOut() ? " (timed out)" : "", r.values());
        assertThat(r.timedOut()).as(r.describe()).isFalse();
        assertThat(r.stepSucceeded()).as("the step script ran to its end; " + r.describe()).isTrue();
        return r;
    }

    /**
     * Loaded at boot by systemd-modules-load from /etc/modules-load.d/hello.conf, in {@code kernel}: in lsmod and
     * /sys/module when the step starts, its init message printed while systemd-modules-load.service ran.
     */
    private static void assertLoadedAtBoot(TargetSystemBoot.Result r, String kernel) {
        assertThat(r.kernel()).as("the kernel the image's /vmlinuz names; " + r.describe()).isEqualTo(kernel);
        assertThat(r.value("booted")).as(r.describe()).isEqualTo(kernel);
        assertThat(r.value("lsmod")).as("lsmod in " + kernel + "; " + r.describe()).isEqualTo("hello");
        assertThat(r.value("sys_module")).as("/sys/module/hello; " + r.describe()).isEqualTo("present");
        assertThat(r.stepLog()).as(r.describe()).contains(LOADED);
        // on the serial console: systemd's "Starting ... Load Kernel Modules", the module's init message, then "Finished"
        int starting = r.console().indexOf("Load Kernel Modules...");
        int loaded = r.console().indexOf(LOADED);
        int finished = r.console().indexOf("Load Kernel Modules.", Math.max(loaded, 0));
        assertThat(List.of(starting, loaded, finished)).as("hello loaded while systemd-modules-load.service ran (console order); "
                + r.describe()).allMatch(i -> i >= 0).isSorted();
    }

    /** dpkg-query's state of a package that is gone: unknown to dpkg, or known and not installed ("un"). */
    private static void notInstalled(String state) {
        assertThat(state).matches("unknown|un.*|pn.*");
    }

    private static List<String> leftInOldTree(String oldTree) {
        return oldTree.equals("absent") ? List.of() : Arrays.stream(oldTree.split(" ")).filter(s -> !s.isBlank()).toList();
    }

    /** dkms-deb repo of share/repo with {@code deb}, the listing's linux-image-amd64 at {@code kernelMetaVersion} on {@code kernel}. */
    private void publish(RepoFixtures.Key key, String epoch, Path deb, Path listing, String kernelMetaVersion, String kernel) throws IOException {
        Cmd.Result r = RepoFixtures.repo(key, epoch, share.resolve("repo"), List.of(deb), "--suite", "bookworm", "--sign-key", key.fingerprint(),
                "--kernel-list", RepoFixtures.listing(listing, "linux-image-amd64", kernelMetaVersion, kernel).toString());
        assertThat(r.exit()).as("dkms-deb repo: " + r).isZero();
    }

    /** The stand-in for the archive's linux-image-amd64: no files, depending on one kernel's image. */
    private void stub(String version, String kernel) throws IOException {
        Path dir = Files.createDirectories(work.resolve("stub-build/linux-image-amd64_" + version + "/DEBIAN"));
        Files.writeString(dir.resolve("control"), "Package: linux-image-amd64\nVersion: " + version + "\nArchitecture: amd64\n"
                + "Maintainer: Test <test@example.org>\nDepends: linux-image-" + kernel + "\n"
                + "Description: stand-in for the Debian archive's linux-image-amd64\n", StandardCharsets.UTF_8);
        Cmd.ok("dpkg-deb", "--build", "--root-owner-group", dir.getParent().toString(),
                share.resolve("archive/linux-image-amd64_" + version + "_amd64.deb").toString());
    }

    /** The flat archive's Packages. */
    private void index() throws IOException {
        Path archive = share.resolve("archive");
        Cmd.Result r = Cmd.run(archive, null, List.of("dpkg-scanpackages", "."));
        assertThat(r.exit()).as("dpkg-scanpackages (dpkg-dev): " + r).isZero();
        Files.writeString(archive.resolve("Packages"), r.out(), StandardCharsets.UTF_8);
    }

    /** apt reads file: sources as its _apt user too: directories 0755, files 0644. */
    private void openToApt() throws IOException {
        try (Stream<Path> s = Files.walk(share)) {
            for (Path p : s.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }
}

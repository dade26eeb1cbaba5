package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The -modules packages activate initramfs-tools' trigger: installing two of them with one
 * {@code dpkg -i}, for the kernels this machine boots, rebuilds the initramfs once (real dpkg,
 * real update-initramfs), in an {@link IsolatedRoot} whose /boot is an overlay, and the new image
 * holds both modules (boot-time drivers); removing them with one {@code dpkg -r} rebuilds it once
 * more, without them. This machine's /boot and dpkg database are not touched.
 *
 * <p>The root's initramfs-tools is configured as an admin who wants these drivers at boot would
 * ({@link IsolatedRoot#initramfsOfModules}).
 */
@Tag("kernel")
@Tag("tools")
@Tag("root")
class InitramfsTriggerTest {
    private static final Pattern GENERATING = Pattern.compile("(?m)^update-initramfs: Generating (/boot/initrd\\.img-(\\S+))$");
    private static final String PROCESSING = "Processing triggers for initramfs-tools";

    @TempDir
    Path work;

    @Test
    void twoPackagesInOneDpkgCallRebuildTheInitramfsOnce() throws IOException {
        assumeTrue(Cmd.isRoot(), "dpkg -i in a private mount namespace: needs root");
        assertThat(Path.of("/usr/sbin/update-initramfs")).as("initramfs-tools (.ci/run installs it)").exists();
        List<String> kernels = Kernels.installedWithInitramfs();
        assertThat(kernels).as("a kernel with headers, its linux-image package and /boot/initrd.img-KVER").isNotEmpty();

        Path out = Files.createDirectories(work.resolve("out"));
        Path bootdrv = ModuleTrees.write(work.resolve("bootdrv-0.1"), "bootdrv", ModuleTrees.GOOD_C, ModuleTrees.conf("bootdrv", "0.1"));
        List<String> debs = new ArrayList<>();
        List<String> packages = new ArrayList<>();
        for (String source : List.of(HelloModules.example(), bootdrv.toString())) {
            List<String> args = new ArrayList<>(List.of("bmdeb", source, "-o", out.toString(), "--no-sign", "--maintainer", "T <t@example.org>",
                    "--log-dir", work.resolve("logs").toString()));
            kernels.forEach(k -> args.addAll(List.of("-k", k)));
            Cmd.Result b = Cmd.dkmsDeb(null, Map.of(), args.toArray(String[]::new));
            assertThat(b.exit()).as(b.toString()).isZero();
        }
        for (String k : kernels) {
            debs.add(out.resolve("hello-modules-" + k + "_1.0_amd64.deb").toString());
            debs.add(out.resolve("bootdrv-modules-" + k + "_0.1_amd64.deb").toString());
            packages.addAll(List.of("hello-modules-" + k, "bootdrv-modules-" + k));
        }
        for (String deb : debs) {
            assertThat(Cmd.ok("dpkg-deb", "-I", deb, "triggers").out()).isEqualTo("activate-noawait update-initramfs\n");
        }

        List<String> bootBefore = listing(Path.of("/boot"));
        IsolatedRoot.assertMachineHasNone(packages, List.of());
        IsolatedRoot root = IsolatedRoot.in(work.resolve("root"));
        root.initramfsOfModules("hello", "bootdrv");
        Map<String, String> mtimes = new TreeMap<>();
        for (String k : kernels) {
            mtimes.put(k, root.ok("stat", "-c", "%y", "/boot/initrd.img-" + k).out().strip());
        }

        List<String> install = new ArrayList<>(List.of("dpkg", "-i"));
        install.addAll(debs);
        Cmd.Result i = root.exec(install.toArray(String[]::new));
        assertThat(i.exit()).as(i.toString()).isZero();
        String rebuilt = assertRebuiltOnce(i, kernels);
        assertThat(root.ok("stat", "-c", "%y", "/boot/initrd.img-" + rebuilt).out().strip()).as("the root's initramfs of " + rebuilt)
                .isNotEqualTo(mtimes.get(rebuilt));
        assertThat(root.upper().resolve("boot/initrd.img-" + rebuilt)).as("written in the root's /boot").exists();
        assertThat(listing(Path.of("/boot"))).as("this machine's /boot").isEqualTo(bootBefore);
        assertThat(modulesIn(root, rebuilt)).as("boot-time drivers in the new initramfs").containsExactly("bootdrv", "hello");

        String afterInstall = root.ok("stat", "-c", "%y", "/boot/initrd.img-" + rebuilt).out().strip();
        List<String> remove = new ArrayList<>(List.of("dpkg", "-r"));
        remove.addAll(packages);
        Cmd.Result r = root.exec(remove.toArray(String[]::new));
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(assertRebuiltOnce(r, kernels)).isEqualTo(rebuilt);
        assertThat(root.ok("stat", "-c", "%y", "/boot/initrd.img-" + rebuilt).out().strip()).isNotEqualTo(afterInstall);
        assertThat(modulesIn(root, rebuilt)).as("after dpkg -r").isEmpty();

        assertThat(listing(Path.of("/boot"))).as("this machine's /boot").isEqualTo(bootBefore);
        IsolatedRoot.assertMachineHasNone(packages, List.of());
    }

    /** dpkg processed initramfs-tools' trigger once, and update-initramfs generated one image, of one of {@code kernels}; its kernel. */
    private static String assertRebuiltOnce(Cmd.Result dpkg, List<String> kernels) {
        String all = dpkg.all();
        assertThat(all.lines().filter(l -> l.startsWith(PROCESSING))).as(all).hasSize(1);
        Matcher m = GENERATING.matcher(all);
        List<String> generated = new ArrayList<>();
        while (m.find()) {
            generated.add(m.group(2));
        }
        assertThat(generated).as(all).hasSize(1);
        assertThat(kernels).contains(generated.get(0));
        return generated.get(0);
    }

    /** The modules under updates/dkms/ in the root's initramfs of {@code kernel}, by name. */
    private static List<String> modulesIn(IsolatedRoot root, String kernel) {
        return root.ok("lsinitramfs", "/boot/initrd.img-" + kernel).out().lines()
                .filter(l -> l.matches("(.*/)?lib/modules/" + Pattern.quote(kernel) + "/updates/dkms/[^/]+\\.ko(\\.xz)?"))
                .map(l -> l.replaceFirst(".*/", "").replaceFirst("\\.ko(\\.xz)?$", "")).sorted().toList();
    }

    /** Name, size and modification time of each file in {@code dir}. */
    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> l = new ArrayList<>();
            for (Path p : s.sorted().toList()) {
                l.add(p.getFileName() + " " + Files.size(p) + " " + Files.getLastModifiedTime(p));
            }
            return l;
        }
    }
}

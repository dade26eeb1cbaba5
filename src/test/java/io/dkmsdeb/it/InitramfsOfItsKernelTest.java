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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A -modules package rebuilds the initramfs of the kernel it is for, not the newest kernel's (what
 * initramfs-tools' trigger and {@code update-initramfs -u} rebuild): with the modules of two
 * installed kernels in one {@code dpkg -i} (real dpkg, real update-initramfs), each kernel's
 * initramfs holds the boot-time drivers built for it, the older kernel's too; {@code dpkg -r}
 * rebuilds each without them. In an {@link IsolatedRoot} whose /boot is an overlay: this machine's
 * /boot and dpkg database are not touched.
 *
 * <p>The root's initramfs-tools is configured as an admin who wants these drivers at boot would
 * ({@link IsolatedRoot#initramfsOfModules}).
 */
@Tag("kernel")
@Tag("tools")
@Tag("root")
class InitramfsOfItsKernelTest {
    private static final Pattern GENERATING = Pattern.compile("(?m)^update-initramfs: Generating (/boot/initrd\\.img-(\\S+))$");

    @TempDir
    Path work;

    @Test
    void eachPackageRebuildsTheInitramfsOfItsOwnKernelTheOlderOneToo() throws IOException {
        assumeTrue(Cmd.isRoot(), "dpkg -i in a private mount namespace: needs root");
        assertThat(Path.of("/usr/sbin/update-initramfs")).as("initramfs-tools (.ci/run installs it)").exists();
        List<String> kernels = Kernels.installedWithInitramfs();
        assertThat(kernels).as("two kernels with headers, their linux-image packages and /boot/initrd.img-KVER (.ci/run installs "
                + "linux-image-amd64 and linux-image-6.12-amd64)").hasSizeGreaterThanOrEqualTo(2);
        String newest = kernels.stream().max(Kernels::compareReleases).orElseThrow();

        Path out = Files.createDirectories(work.resolve("out"));
        List<String> args = new ArrayList<>(List.of("bmdeb", HelloModules.example(), "-o", out.toString(), "--no-sign",
                "--maintainer", "T <t@example.org>", "--log-dir", work.resolve("logs").toString()));
        kernels.forEach(k -> args.addAll(List.of("-k", k)));
        Cmd.Result b = Cmd.dkmsDeb(null, Map.of(), args.toArray(String[]::new));
        assertThat(b.exit()).as(b.toString()).isZero();
        List<String> debs = new ArrayList<>();
        List<String> packages = new ArrayList<>();
        for (String k : kernels) {
            Path deb = out.resolve("hello-modules-" + k + "_1.0_amd64.deb");
            debs.add(deb.toString());
            packages.add("hello-modules-" + k);
            assertThat(Cmd.run("dpkg-deb", "-I", deb.toString(), "triggers").exit()).as("no triggers file").isNotZero();
        }

        List<String> bootBefore = listing(Path.of("/boot"));
        IsolatedRoot.assertMachineHasNone(packages, List.of());
        IsolatedRoot root = IsolatedRoot.in(work.resolve("root"));
        root.initramfsOfModules("hello");
        List<String> install = new ArrayList<>(List.of("dpkg", "-i"));
        install.addAll(debs);
        Cmd.Result i = root.exec(install.toArray(String[]::new));
        assertThat(i.exit()).as(i.toString()).isZero();
        assertThat(generated(i)).as(i.all()).containsExactlyInAnyOrderElementsOf(kernels);
        for (String k : kernels) {
            assertThat(modulesIn(root, k)).as("the boot-time driver in the initramfs of " + k + (k.equals(newest) ? "" : " (not the newest)"))
                    .containsExactly("hello");
            assertThat(root.upper().resolve("boot/initrd.img-" + k)).as("written in the root's /boot").exists();
        }
        assertThat(listing(Path.of("/boot"))).as("this machine's /boot").isEqualTo(bootBefore);

        List<String> remove = new ArrayList<>(List.of("dpkg", "-r"));
        remove.addAll(packages);
        Cmd.Result r = root.exec(remove.toArray(String[]::new));
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(generated(r)).as(r.all()).containsExactlyInAnyOrderElementsOf(kernels);
        for (String k : kernels) {
            assertThat(modulesIn(root, k)).as("after dpkg -r, " + k).isEmpty();
        }
        assertThat(listing(Path.of("/boot"))).as("this machine's /boot").isEqualTo(bootBefore);
        IsolatedRoot.assertMachineHasNone(packages, List.of());
    }

    /** The kernels whose initramfs update-initramfs generated, once each. */
    private static List<String> generated(Cmd.Result dpkg) {
        Matcher m = GENERATING.matcher(dpkg.all());
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(2));
        }
        return out;
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

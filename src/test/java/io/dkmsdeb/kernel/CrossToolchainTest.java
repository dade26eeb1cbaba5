package io.dkmsdeb.kernel;

import io.dkmsdeb.model.deb.Compression;
import io.dkmsdeb.model.dkms.DkmsConf;
import io.dkmsdeb.model.dkms.DkmsModule;
import io.dkmsdeb.model.ExitCode;
import io.dkmsdeb.model.KernelHeadersException;
import io.dkmsdeb.model.kernel.KernelTarget;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The toolchain of a build, decided by the kernel's architecture against the build host's: the
 * made-up kernels here are a .config map; PATH is a directory of stand-in programs.
 */
@Tag("unit")
class CrossToolchainTest {
    @TempDir
    Path bin;

    static KernelTarget arm64(String ccVersionText) {
        return new KernelTarget("6.1.0-99-arm64", Path.of("/nonexistent/headers"), "arm64", "aarch64", Compression.NONE,
                Map.of("CONFIG_ARM64", "y", "CONFIG_CC_VERSION_TEXT", ccVersionText));
    }

    static KernelTarget amd64() {
        return new KernelTarget("6.1.0-99-amd64", Path.of("/nonexistent/headers"), "amd64", "x86_64", Compression.NONE,
                Map.of("CONFIG_X86_64", "y", "CONFIG_CC_VERSION_TEXT", "gcc-12 (Debian 12.2.0-14) 12.2.0"));
    }

    @Test
    void anArm64KernelOnAnAmd64HostIsCrossBuilt() {
        CrossToolchain t = CrossToolchain.of("arm64", "amd64");
        assertThat(t.cross()).isTrue();
        assertThat(t.makeArguments()).containsExactly("ARCH=arm64", "CROSS_COMPILE=aarch64-linux-gnu-");
        assertThat(t.kbuildVariables()).containsEntry("ARCH", "arm64").containsEntry("CROSS_COMPILE", "aarch64-linux-gnu-");
        assertThat(t.tool("strip")).isEqualTo("aarch64-linux-gnu-strip");
        // Debian's 6.1 arm64 config names gcc-12, its 6.12 one the cross compiler itself
        assertThat(t.compiler(arm64("gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0"))).isEqualTo("aarch64-linux-gnu-gcc-12");
        assertThat(t.compiler(arm64("aarch64-linux-gnu-gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0"))).isEqualTo("aarch64-linux-gnu-gcc-12");
    }

    @Test
    void aNativeBuildSetsNothing() {
        for (CrossToolchain t : List.of(CrossToolchain.of("amd64", "amd64"), CrossToolchain.of("arm64", "arm64"),
                CrossToolchain.of("i386", "amd64"))) {
            assertThat(t.cross()).as(t.toString()).isFalse();
            assertThat(t.makeArguments()).isEmpty();
            assertThat(t.kbuildVariables()).isEmpty();
            assertThat(t.tool("strip")).isEqualTo("strip");
        }
        assertThat(CrossToolchain.of("amd64", "amd64").compiler(amd64())).isEqualTo("gcc-12");
        assertThat(CrossToolchain.of("amd64", "arm64").makeArguments()).containsExactly("ARCH=x86", "CROSS_COMPILE=x86_64-linux-gnu-");
    }

    @Test
    void theTargetComesFromTheKernelNeverFromTheHostAlone() {
        assertThat(CrossToolchain.forKernel(arm64("gcc-12")).targetArch()).isEqualTo("arm64");
        assertThat(CrossToolchain.forKernel(amd64()).hostArch()).isEqualTo(CrossToolchain.buildHostArch());
    }

    @Test
    void aMissingCrossCompilerIsExit4NamingThePackages() {
        CrossToolchain t = CrossToolchain.of("arm64", "amd64");
        assertThatThrownBy(() -> t.requireInstalled(arm64("gcc-12 (Debian 12.2.0-14) 12.2.0"), bin.toString()))
                .isInstanceOfSatisfying(KernelHeadersException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.NO_HEADERS))
                .hasMessageContaining("arm64 kernel 6.1.0-99-arm64 on this amd64 machine needs the cross compiler aarch64-linux-gnu-gcc-12")
                .hasMessageContaining("apt-get install gcc-12-aarch64-linux-gnu binutils-aarch64-linux-gnu");
    }

    @Test
    void missingCrossBinutilsAreNamedToo() throws IOException {
        program("aarch64-linux-gnu-gcc-12");
        CrossToolchain t = CrossToolchain.of("arm64", "amd64");
        assertThatThrownBy(() -> t.requireInstalled(arm64("gcc-12 (Debian 12.2.0-14) 12.2.0"), bin.toString()))
                .isInstanceOf(KernelHeadersException.class)
                .hasMessageContaining("aarch64-linux-gnu-strip").hasMessageContaining("apt-get install binutils-aarch64-linux-gnu");
        program("aarch64-linux-gnu-strip");
        t.requireInstalled(arm64("gcc-12 (Debian 12.2.0-14) 12.2.0"), bin.toString());
        // a native build needs nothing more than it always did
        CrossToolchain.of("amd64", "amd64").requireInstalled(amd64(), Files.createDirectories(bin.resolve("empty")).toString());
    }

    @Test
    void makeGetsArchAndCrossCompileWhenTheLineCallsMake() {
        CrossToolchain t = CrossToolchain.of("arm64", "amd64");
        KernelTarget k = arm64("gcc-12");
        Path build = Path.of("/b");
        assertThat(MakeCommand.make(conf(null), k, build, 2, t).argv()).containsExactly("make", "-j2", "KERNELRELEASE=6.1.0-99-arm64",
                "-C", "/nonexistent/headers", "M=/b", "ARCH=arm64", "CROSS_COMPILE=aarch64-linux-gnu-");
        assertThat(MakeCommand.make(conf("make -C ${kernel_source_dir} M=${dkms_tree}"), k, build, 2, t).shellLine())
                .isEqualTo("make -j2 KERNELRELEASE=6.1.0-99-arm64 ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- -C ${kernel_source_dir} M=${dkms_tree}");
        // a line that goes on after make (xtables-addons): the words belong to make, not to the find at the end
        assertThat(MakeCommand.make(conf("make -C ${kernel_source_dir} M=${BDIR} modules ; find ${BDIR} -name '*.ko' -exec mv -v {} ${BDIR} \\;"),
                k, build, 2, t).shellLine()).isEqualTo("make -j2 KERNELRELEASE=6.1.0-99-arm64 ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- "
                        + "-C ${kernel_source_dir} M=${BDIR} modules ; find ${BDIR} -name '*.ko' -exec mv -v {} ${BDIR} \\;");
        assertThat(MakeCommand.make(conf("./build.sh"), k, build, 2, t).shellLine()).isEqualTo("./build.sh");
        assertThat(MakeCommand.clean(conf(null), k, build, t).argv()).endsWith("clean", "ARCH=arm64", "CROSS_COMPILE=aarch64-linux-gnu-");
        assertThat(MakeCommand.make(conf(null), amd64(), build, 2, CrossToolchain.of("amd64", "amd64")).argv())
                .noneMatch(a -> a.startsWith("ARCH=") || a.startsWith("CROSS_COMPILE="));
    }

    @Test
    void buildExclusiveArchIsJudgedAgainstTheTarget() {
        assertThat(BuildExclusive.reason(new DkmsConf.BuildExclusive("", "", "", "x86_64", ""), arm64("gcc-12")))
                .hasValue("BUILD_EXCLUSIVE_ARCH=\"x86_64\" does not match aarch64");
        assertThat(BuildExclusive.reason(new DkmsConf.BuildExclusive("", "", "", "^aarch64$", ""), arm64("gcc-12"))).isEmpty();
    }

    private void program(String name) throws IOException {
        Path p = bin.resolve(name);
        Files.writeString(p, "#!/bin/sh\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static DkmsConf conf(String make) {
        return new DkmsConf("hello", "1.0", List.of(new DkmsModule(0, "hello", "", "hello", "/updates/dkms", true)),
                new DkmsConf.Steps(make == null ? "" : make, "", List.of(), "", ""), List.of(), true, new DkmsConf.BuildExclusive("", "", "", "", ""));
    }
}

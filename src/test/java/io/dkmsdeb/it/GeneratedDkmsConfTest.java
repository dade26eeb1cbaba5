package io.dkmsdeb.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code source} on a vendor-style tarball without dkms.conf ({@code i40e-2.28.16/} with the module
 * in {@code src/}, a conditional obj-m line and a version made of macros): the package is named after
 * the module, ships {@code src/}, and its generated dkms.conf builds with real kbuild.
 */
@Tag("kernel")
@Tag("tools")
class GeneratedDkmsConfTest {
    static final String MAINTAINER = SourceCommandTest.MAINTAINER;
    static final Map<String, String> ENV = Map.of("SOURCE_DATE_EPOCH", "1700000000");
    static final String DEB = "i40e-dkms_2.28.16-1_all.deb";

    static final String MAKEFILE = """
            # SPDX-License-Identifier: GPL-2.0
            ifneq ($(KERNELRELEASE),)
            # kbuild part of makefile
            obj-m += i40e.o
            i40e-y := i40e_main.o

            ifeq (${NEED_AUX_BUS},2)
            intel_auxiliary-objs := auxiliary.o
            obj-m += intel_auxiliary.o
            endif
            else\t# ifneq($(KERNELRELEASE),)
            KSRC ?= /lib/modules/$(shell uname -r)/build
            all:
            \t$(MAKE) -C $(KSRC) M=$(CURDIR) modules
            endif
            """;
    static final String HEADER = """
            /* SPDX-License-Identifier: GPL-2.0 */
            #ifndef _I40E_H_
            #define _I40E_H_
            #define DRV_VERSION_MAJOR 2
            #define DRV_VERSION_MINOR 28
            #define DRV_VERSION_BUILD 16
            #endif /* _I40E_H_ */
            """;
    static final String MAIN = """
            // SPDX-License-Identifier: GPL-2.0
            /* Test module shaped like Intel's out-of-tree drivers: the version is made of macros. */
            #include <linux/init.h>
            #include <linux/kernel.h>
            #include <linux/module.h>
            #include "i40e.h"

            #define DRV_VERSION_DESC ""
            #define DRV_VERSION __stringify(DRV_VERSION_MAJOR) "." \\
            \t__stringify(DRV_VERSION_MINOR) "." \\
            \t__stringify(DRV_VERSION_BUILD) DRV_VERSION_DESC

            static int __init i40e_init_module(void)
            {
            \tpr_info("i40e: version " DRV_VERSION "\\n");
            \treturn 0;
            }

            static void __exit i40e_exit_module(void)
            {
            }

            module_init(i40e_init_module);
            module_exit(i40e_exit_module);
            MODULE_LICENSE("GPL");
            MODULE_DESCRIPTION("dkms-deb test module");
            MODULE_VERSION(DRV_VERSION);
            """;

    @TempDir
    static Path work;
    static Path tarball;

    @BeforeAll
    static void unpackTarball() throws IOException {
        tarball = work.resolve("i40e-2.28.16");
        Path src = Files.createDirectories(tarball.resolve("src"));
        Files.writeString(tarball.resolve("README"), "i40e Linux* Base Driver (test tree)\n");
        Files.createDirectories(tarball.resolve("scripts"));
        Files.writeString(tarball.resolve("scripts/set_irq_affinity"), "#!/bin/sh\n");
        Files.writeString(src.resolve("Makefile"), MAKEFILE);
        Files.writeString(src.resolve("i40e.h"), HEADER);
        Files.writeString(src.resolve("i40e_main.c"), MAIN);
        Files.writeString(src.resolve("auxiliary.c"), "#error \"built although NEED_AUX_BUS is not 2\"\n");
    }

    private static Cmd.Result source(Path dir, Path out) {
        return Cmd.dkmsDeb(null, ENV, "source", dir.toString(), "-o", out.toString(), "--maintainer", MAINTAINER);
    }

    @Test
    void tarballTopMakesThePackageOfTheModuleFromSrc() throws IOException {
        Path out = Files.createDirectories(work.resolve("out-top"));
        Cmd.Result r = source(tarball, out);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("the module is in " + tarball.resolve("src"))
                .contains("left out intel_auxiliary: its obj-m line is inside 'ifeq (${NEED_AUX_BUS},2)' (Makefile line 7)")
                .contains("modules i40e, version 2.28.16");
        Path deb = out.resolve(DEB);
        assertThat(deb).exists();
        DebInfo info = DebInfo.of(deb);
        assertThat(info.fields()).containsEntry("Package", "i40e-dkms").containsEntry("Version", "2.28.16-1")
                .containsEntry("Provides", "i40e-modules (= 2.28.16)");
        assertThat(info.files().keySet().stream().filter(f -> f.startsWith("./usr/src/") && !f.endsWith("/"))).containsExactlyInAnyOrder(
                "./usr/src/i40e-2.28.16/Makefile", "./usr/src/i40e-2.28.16/i40e.h", "./usr/src/i40e-2.28.16/i40e_main.c",
                "./usr/src/i40e-2.28.16/auxiliary.c", "./usr/src/i40e-2.28.16/dkms.conf");

        Path x = work.resolve("x-top");
        Cmd.ok("dpkg-deb", "-x", deb.toString(), x.toString());
        String conf = Files.readString(x.resolve("usr/src/i40e-2.28.16/dkms.conf"));
        assertThat(conf).contains("PACKAGE_NAME='i40e'").contains("PACKAGE_VERSION='2.28.16'").contains("BUILT_MODULE_NAME[0]='i40e'")
                .doesNotContain("BUILT_MODULE_NAME[1]").doesNotContain("intel_auxiliary");
    }

    @Test
    void srcGivenDirectlyMakesTheSamePackageNotSrcDkms() throws IOException {
        Path top = Files.createDirectories(work.resolve("out-a"));
        Path src = Files.createDirectories(work.resolve("out-b"));
        assertThat(source(tarball, top).exit()).isZero();
        Cmd.Result r = source(tarball.resolve("src"), src);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains(DEB).doesNotContain("src-dkms");
        assertThat(Files.readAllBytes(src.resolve(DEB))).isEqualTo(Files.readAllBytes(top.resolve(DEB)));
    }

    @Test
    void theGeneratedDkmsConfBuildsWithKbuild() throws IOException {
        Path out = Files.createDirectories(work.resolve("out-bm"));
        assertThat(source(tarball, out).exit()).isZero();
        Path modules = Files.createDirectories(work.resolve("modules"));
        String k = Kernels.newest61();
        Cmd.Result r = Cmd.dkmsDeb(null, ENV, "bmdeb", out.resolve(DEB).toString(), "-k", k, "-o", modules.toString(),
                "--maintainer", MAINTAINER, "--log-dir", work.resolve("logs").toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        // the version of the -dkms package's revision (docs/VERSIONS.md)
        Path deb = modules.resolve("i40e-modules-" + k + "_2.28.16-1_amd64.deb");
        assertThat(deb).exists();
        assertThat(DebInfo.of(deb).files().keySet()).contains("./lib/modules/" + k + "/updates/dkms/i40e.ko")
                .noneMatch(f -> f.contains("intel_auxiliary"));
        Path x = work.resolve("x-bm");
        Cmd.ok("dpkg-deb", "-x", deb.toString(), x.toString());
        Path ko = x.resolve("lib/modules/" + k + "/updates/dkms/i40e.ko");
        assertThat(Cmd.ok("modinfo", "-F", "version", ko.toString()).out().strip()).isEqualTo("2.28.16");
    }
}

package io.dkmsdeb.it;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every known disagreement between dkms-deb and dkms (or Debian's package, or what the kernel needs) that
 * the conformance harness finds, with the dkms behaviour it comes from and the issue of ours it exposes.
 * The harness fails on a disagreement that is not listed here; docs/CONFORMANCE.md prints these texts.
 */
final class ConformanceKnown {
    /**
     * One explained disagreement. {@code kernelPrefix} is matched against the kernel release ("" for all
     * kernels); {@code aspect} is one of source, outcome, modules, compression, inspect, load (or several,
     * comma-separated); {@code arch}
     * limits it to the kernels of one architecture ("" for all). For a cross-built architecture the row is
     * judged against dkms on the build host's kernel of the same series, and {@code dkmsBehaviour} says why
     * the architecture makes the difference.
     */
    record Known(String pkg, String kernelPrefix, String aspect, String what, String dkmsBehaviour, String ourIssue, String arch) {
        Known(String pkg, String kernelPrefix, String aspect, String what, String dkmsBehaviour, String ourIssue) {
            this(pkg, kernelPrefix, aspect, what, dkmsBehaviour, ourIssue, "");
        }

        boolean matches(String p, String kernel, String a) {
            return pkg.equals(p) && List.of(aspect.split(",")).contains(a) && (kernel == null || kernel.startsWith(kernelPrefix))
                    && (arch.isEmpty() || kernel != null && QemuBoot.Machine.of(kernel).debArch().equals(arch));
        }
    }

    static final List<Known> KNOWN = List.of(
            new Known("iptables-netflow-dkms", "", "source",
                    "Debian's tree has `README.gz -> ../../share/doc/iptables-netflow-dkms/README.gz`, a relative link out of "
                            + "the module tree; `dkms-deb source` leaves it out (with a warning), so our /usr/src list lacks it.",
                    "dh_dkms installs the tree as it is, links included, and dkms builds from it with `cp -a` into "
                            + "`$dkms_tree/ipt-netflow/2.6/build`, where this link dangles and nothing reads it: dkms builds the same "
                            + "module with it or without it (both build rows of iptables-netflow-dkms agree). In Debian's package the "
                            + "link resolves to `/usr/share/doc/iptables-netflow-dkms/README.gz`, a file of the same package.",
                    "dkms-deb issue \"source drops every link that leaves the tree\": a deliberate safety rule (a tree must not "
                            + "point the package at host files), but it has no exception for a relative link that resolves inside the "
                            + "package's own files, and no option to keep such links, so a dh_dkms package with one cannot be "
                            + "reproduced file for file. Our package is named `ipt-netflow-dkms` (from PACKAGE_NAME) and ships no "
                            + "README.gz in its doc directory, so the link would dangle in ours anyway. Proposed: keep relative "
                            + "links whose target, resolved from `/usr/src/NAME-VERSION/`, stays under `/usr/src/NAME-VERSION` or "
                            + "`/usr/share/doc/<our package>` (and ship the target there), or an explicit `--keep-links-out` that "
                            + "keeps them as they are, as dpkg-deb does; the warning stays for all others."),
            new Known("tp-smapi-dkms", "6.1.", "outcome,modules",
                    "fails on arm64 (dkms on amd64 builds it): `thinkpad_ec.c` includes `<linux/mc146818rtc.h>`, which includes "
                            + "`<asm/mc146818rtc.h>`, and arm64 has no such header.",
                    "tp_smapi, thinkpad_ec and hdaps drive the embedded controller and the CMOS RTC of x86 ThinkPad laptops "
                            + "(port I/O); the kernel provides `asm/mc146818rtc.h` (the PC's RTC) on x86 only. Debian ships "
                            + "tp-smapi-dkms as Architecture: all without BUILD_EXCLUSIVE_ARCH, so dkms on an arm64 machine would "
                            + "try it and fail with the same error; bmdeb fails as dkms would (exit 5, the compiler error shown).",
                    "none in dkms-deb: the module cannot exist on arm64. A `BUILD_EXCLUSIVE_ARCH=\"x86_64|i.86\"` in its dkms.conf "
                            + "would make both skip it (exit 77) instead of failing; that is the package's to add.", "arm64"),
            fetchedHeaders("ddcci-dkms", "ddcci/Makefile and ddcci-backlight/Makefile set `KDIR := /lib/modules/$(KVER)/build`"),
            fetchedHeaders("digimend-dkms", "its Makefile sets `KDIR := /lib/modules/$(KVERSION)/build`"));

    /**
     * A Makefile that insists on /lib/modules/KVER/build, which an arm64 kernel's fetched headers are not (bmdeb names
     * them in KSRC, KDIR and the like, which a {@code :=} assignment overrides).
     */
    private static Known fetchedHeaders(String pkg, String how) {
        return new Known(pkg, "6.1.", "outcome,modules",
                "fails on arm64 (dkms on amd64 builds it): " + how + " unconditionally, and the arm64 kernel's headers, fetched, "
                        + "are not there on the amd64 build machine (make: `/lib/modules/KVER/build: No such file or directory`).",
                "not the architecture: the place of the headers. dkms builds only where the kernel's headers are installed, "
                        + "so `/lib/modules/KVER/build` always exists for it; on the amd64 rows it does for us too. An arm64 "
                        + "machine with linux-headers-KVER installed would build it with dkms and with bmdeb alike.",
                "dkms-deb issue \"fetched headers are not at /lib/modules/KVER/build\": bmdeb passes the headers as "
                        + "kernel_source_dir, KSRC, KDIR, KERNELDIR, KERNEL_DIR and KERNEL_SRC (enough for dahdi's `ifndef "
                        + "KSRC`), but a Makefile that assigns `KDIR :=` itself cannot be told. Proposed: run the build in a "
                        + "private mount namespace where /lib/modules/KVER/build is the fetched headers (root, or an "
                        + "unprivileged user namespace where the kernel allows one).", "arm64");
    }

    /**
     * Why a module that bmdeb built (and dkms built the same) is refused or not tried in the qemu guest: the
     * module's own behaviour or the bare initramfs, never the packaging (dkms's build of it does the same).
     */
    static final Map<String, String> LOAD_NOTES = Map.ofEntries(
            Map.entry("bbswitch", "bbswitch toggles the discrete GPU of an NVIDIA Optimus laptop through ACPI `_DSM`; qemu's VGA "
                    + "device has no such method (`AE_NOT_FOUND`), so its init returns ENODEV, as on any machine without Optimus."),
            Map.entry("arm64:bbswitch", "bbswitch looks for the discrete GPU of an NVIDIA Optimus laptop among the PCI VGA devices; "
                    + "qemu's arm64 virt machine has none (\"No discrete VGA device found\"), so its init returns ENODEV."),
            Map.entry("thinkpad_ec", "thinkpad_ec probes the ThinkPad embedded controller's I/O ports; qemu has none (\"no ThinkPad embedded "
                    + "controller!\"), so its init returns ENODEV."),
            Map.entry("hdaps", "needs thinkpad_ec's symbols; thinkpad_ec refuses to load without ThinkPad hardware."),
            Map.entry("tp_smapi", "needs thinkpad_ec's symbols; thinkpad_ec refuses to load without ThinkPad hardware."),
            Map.entry("lime", "LiME dumps memory to the `path=` in the `format=` given as module parameters; without them its init returns "
                    + "EINVAL (\"No path parameter specified\"). The harness's insmod gives no parameters."),
            Map.entry("gost_test", "a self-test module: its init looks up each GOST algorithm through the crypto API (`ecb(...)`, "
                    + "`cfb(...)`, `cmac(...)` of the package's own ciphers), which loads the package's algorithm modules and the "
                    + "kernel's ecb/cfb/cmac templates on demand with request_module(); the bare initramfs has no modprobe, so "
                    + "the lookups fail (-ENOENT) and the module returns EIO by design."),
            Map.entry("xt_pknock", "its init calls `request_module(\"hmac(sha256)\")`, which needs a modprobe in the guest; the bare "
                    + "initramfs has none, so it returns ENXIO."),
            Map.entry("xt_DNETMAP", "the module's own source guards its real init with `#ifdef CONFIG_NF_NAT`; Debian's kernels have "
                    + "`CONFIG_NF_NAT=m`, which defines `CONFIG_NF_NAT_MODULE` instead, so xtables-addons 3.23 compiles the "
                    + "stub that prints \"CONFIG_NF_NAT is not available\" and returns EINVAL (dkms's build is the same stub)."),
            Map.entry("dahdi_echocan_oslec", "links against `echo`, the OSLEC echo canceller of drivers/staging/echo, which Debian's "
                    + "kernels do not build (`# CONFIG_ECHO is not set`) and which dahdi-dkms does not ship: it cannot load "
                    + "in these kernels at all."));

    /** The note on a module that did not load in a kernel: one for the kernel's architecture ("arm64:MODULE") first. */
    static String loadNote(String module, String kernel) {
        String arch = QemuBoot.Machine.of(kernel).debArch();
        return LOAD_NOTES.getOrDefault(arch + ":" + module, LOAD_NOTES.get(module));
    }

    private ConformanceKnown() {
    }

    static Optional<Known> explain(String pkg, String kernel, String aspect) {
        return KNOWN.stream().filter(k -> k.matches(pkg, kernel, aspect)).findFirst();
    }
}

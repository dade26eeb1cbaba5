package io.dkmsdeb.kernel;

import io.dkmsdeb.model.dkms.DkmsConf;
import io.dkmsdeb.model.kernel.KernelTarget;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A MAKE or CLEAN step as dkms runs it. A line from dkms.conf is evaluated by bash in the build
 * directory (run-make.bash), as dkms does, so that its quotes, {@code &&} and {@code ;} work.
 * dkms's default ({@code make -C KDIR M=BUILD}) names paths, which may hold spaces or quotes: it
 * is run as an argument list, never through a shell.
 *
 * @param shellLine the dkms.conf line, or null for dkms's default
 * @param argv      dkms's default as an argument list, or null for a dkms.conf line
 */
record MakeCommand(String shellLine, List<String> argv) {
    MakeCommand {
        argv = argv == null ? null : List.copyOf(argv);
    }

    /**
     * dkms's make command: MAKE or the default, with -jN KERNELRELEASE=KVER when it starts with make;
     * for a cross build, kbuild's ARCH and CROSS_COMPILE are added to it (to a MAKE line only when it starts with make,
     * right after KERNELRELEASE, so that a line that goes on with other commands, {@code make ... ; find ... \;}, keeps
     * them for its make and not for what follows; the environment of the step has them too).
     */
    static MakeCommand make(DkmsConf conf, KernelTarget k, Path build, int jobs, CrossToolchain cross) {
        List<String> toolchain = new ArrayList<>();
        if ("y".equals(k.config().get("CONFIG_CC_IS_CLANG"))) {
            toolchain.add("CC=clang");
        }
        if ("y".equals(k.config().get("CONFIG_LD_IS_LLD"))) {
            toolchain.add("LD=ld.lld");
        }
        // ARCH and CROSS_COMPILE are fixed words of CrossToolchain: letters, digits, '_' and '-' only
        List<String> crossArgs = cross.makeArguments();
        if (conf.make().isEmpty()) {
            List<String> argv = new ArrayList<>(List.of("make", "-j" + jobs, "KERNELRELEASE=" + k.release(),
                    "-C", k.headersSeen().toString(), "M=" + build));
            argv.addAll(crossArgs);
            argv.addAll(toolchain);
            return new MakeCommand(null, argv);
        }
        String make = conf.make().get();
        if (make.startsWith("make")) {
            // the release is a checked kernel release: letters, digits and . _ + ~ - only
            make = "make -j" + jobs + " KERNELRELEASE=" + k.release() + (crossArgs.isEmpty() ? "" : " " + String.join(" ", crossArgs))
                    + make.substring(4);
        }
        return new MakeCommand(toolchain.isEmpty() ? make : make + " " + String.join(" ", toolchain), null);
    }

    /** CLEAN, or dkms's default {@code make -C KDIR M=BUILD clean} (with ARCH and CROSS_COMPILE for a cross build). */
    static MakeCommand clean(DkmsConf conf, KernelTarget k, Path build, CrossToolchain cross) {
        if (!conf.clean().isEmpty()) {
            return new MakeCommand(conf.clean(), null);
        }
        List<String> argv = new ArrayList<>(List.of("make", "-C", k.headersSeen().toString(), "M=" + build, "clean"));
        argv.addAll(cross.makeArguments());
        return new MakeCommand(null, argv);
    }

    /** The process to start: bash with run-make.bash for a dkms.conf line, else the argument list. */
    List<String> command(Path runMake, Path build) {
        return shellLine != null ? List.of("bash", runMake.toString(), build.toString(), shellLine) : argv;
    }

    /** For the log and the progress line only: the line, or the arguments with those that need it in single quotes. */
    String display() {
        return shellLine != null ? shellLine : argv.stream()
                .map(a -> a.matches("[A-Za-z0-9_./=+:,@-]+") ? a : "'" + a.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
    }
}

package io.dkmsdeb.kernel;

import io.dkmsdeb.model.BuiltModule;
import io.dkmsdeb.model.DkmsConf;
import io.dkmsdeb.model.KernelTarget;

import java.nio.file.Path;
import java.util.List;

/** Compiles a module for one kernel. One implementation builds as dkms does; tests may fake it. */
public interface KernelBuild {

    /**
     * @param sourceDir      the module tree (never modified)
     * @param dkmsConfText   the dkms.conf to place in the build tree
     * @param conf           dkms.conf as read for this kernel
     * @param kernel         the kernel
     * @param makeJobs       make -j
     * @param strip          false for --no-strip (STRIP in dkms.conf still applies)
     * @param log            the build log, appended to
     * @param timeoutSeconds time limit for each step
     * @param epochSeconds   SOURCE_DATE_EPOCH for kbuild's timestamp
     * @param signing        key and certificate to sign the modules with, or null
     */
    record Request(Path sourceDir, byte[] dkmsConfText, DkmsConf conf, KernelTarget kernel, int makeJobs, boolean strip,
                   Path log, long timeoutSeconds, long epochSeconds, Signing signing) {
    }

    /** A module signing key (PEM) and its certificate (PEM or DER), as the kernel's sign-file takes them. */
    record Signing(Path key, Path cert) {
    }

    /** The modules built, stripped and compressed; throws BuildFailedException with the log's tail on failure. */
    List<BuiltModule> build(Request request);

    /**
     * Where the build of {@code module} {@code version} for {@code kernel} will happen, as dkms's
     * {@code $dkms_tree} and {@code $source_tree}: dkms.conf is read with these set, since MAKE
     * lines often name {@code $dkms_tree/NAME/VERSION/build}.
     */
    Layout layout(String module, String version, KernelTarget kernel);

    /** dkms's trees for one build. */
    record Layout(Path dkmsTree, Path sourceTree) {
    }
}

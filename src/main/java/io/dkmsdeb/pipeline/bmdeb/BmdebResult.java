package io.dkmsdeb.pipeline.bmdeb;

import java.nio.file.Path;
import java.util.List;

/**
 * All kernels of a bmdeb call, and the exit code of the whole call.
 *
 * @param module      PACKAGE_NAME as read for the first kernel (in the order given) whose dkms.conf was read, or null
 * @param version     its PACKAGE_VERSION
 * @param kernels     each kernel's result, in the order given
 * @param exitCode    the call's exit code ({@link BmdebJob#exitCode})
 * @param seconds     the call's time
 * @param certPackage the NAME-modules-cert package written when the modules were signed, else null
 * @param sandboxed   whether the module's code ran in the sandbox (false: --no-sandbox)
 */
public record BmdebResult(String module, String version, List<KernelResult> kernels, int exitCode, double seconds, Path certPackage,
                          boolean sandboxed) {
    public BmdebResult {
        kernels = List.copyOf(kernels);
    }
}

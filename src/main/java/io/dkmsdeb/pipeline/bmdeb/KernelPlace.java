package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.kernel.BuildRoot;
import io.dkmsdeb.kernel.CrossToolchain;
import io.dkmsdeb.kernel.HeadersFetcher;
import io.dkmsdeb.kernel.KernelHeaders;
import io.dkmsdeb.model.kernel.DebianRelease;
import io.dkmsdeb.model.KernelHeadersException;
import io.dkmsdeb.model.kernel.KernelListing;
import io.dkmsdeb.model.kernel.KernelTarget;
import io.dkmsdeb.support.Log;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where one kernel of a bmdeb run is built: its headers as {@code --kernel-source-dir} gives them, as this machine has them
 * installed, as {@code --fetch-headers} downloads them, or, for a kernel of another Debian release than this machine's,
 * in the build root of that release ({@link BuildRoot}).
 */
final class KernelPlace {
    private final BmdebPlan plan;
    private final BmdebRequest request;
    private final String kernel;

    KernelPlace(BmdebPlan plan, String kernel) {
        this.plan = plan;
        this.request = plan.request();
        this.kernel = kernel;
    }

    /**
     * --kernel-source-dir, else for a kernel of another Debian release than this host's its headers in that release's
     * build root, else /lib/modules/KVER/build, else (--fetch-headers) the downloaded headers.
     */
    KernelTarget headers() {
        Optional<DebianRelease> release = request.buildRootOf(kernel);
        if (release.isPresent()) {
            BuildRoot root = root();
            Path dir = root.withHeaders(kernel);
            Log.info("[" + kernel + "] a " + release.get() + " kernel: built in the " + release.get() + " build root " + dir);
            return KernelHeaders.locate(kernel, root.headersOf(kernel), request.build().arch(), request.build().compression(),
                    request.host()).inRoot(dir);
        }
        Path headers = request.kernels().headersDir();
        if (headers == null && request.kernels().fetches() && !request.host().headersInstalled(kernel)) {
            headers = HeadersFetcher.fetch(kernel, request.host().env());
        }
        return KernelHeaders.locate(kernel, headers, request.build().arch(), request.build().compression(), request.host());
    }

    /** The build root of this kernel's release; only for a kernel that is built in one ({@link BmdebRequest#buildRootOf}). */
    BuildRoot root() {
        return new BuildRoot(request.buildRootOf(kernel).orElseThrow(), rootArch(), request.host());
    }

    /**
     * The architecture of this kernel's build root: this machine's; a kernel of another architecture (by --arch, the
     * archive's listing or its flavour) is refused, as a root does not cross-build.
     */
    private String rootArch() {
        String host = CrossToolchain.buildHostArch();
        KernelListing.Kernel listed = plan.listed().get(kernel);
        String arch = request.build().arch() != null ? request.build().arch()
                : listed != null ? listed.arch() : kernel.substring(kernel.lastIndexOf('-') + 1);
        if (!arch.equals(host)) {
            throw new KernelHeadersException(kernel + " is a " + arch + " kernel of " + request.buildRootOf(kernel).orElseThrow()
                    + ", built in a build root of that release, and a build root is of this machine's architecture (" + host
                    + "); build it on a " + arch + " machine of that release, or give its headers and cross compiler with --kernel-source-dir");
        }
        return arch;
    }
}

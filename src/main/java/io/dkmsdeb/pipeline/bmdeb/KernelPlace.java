package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.kernel.BuildRoot;
import io.dkmsdeb.kernel.CrossToolchain;
import io.dkmsdeb.kernel.HeadersFetcher;
import io.dkmsdeb.kernel.KernelHeaders;
import io.dkmsdeb.model.kernel.DebianRelease;
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
            Path dir = root.withHeaders(kernel, kernelArch());
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

    /** The build root of this kernel's release, of this machine's architecture; only for a kernel that is built in one. */
    BuildRoot root() {
        return new BuildRoot(request.buildRootOf(kernel).orElseThrow(), CrossToolchain.buildHostArch(), request.host());
    }

    /**
     * The Debian architecture of this kernel, as --arch, the archive's listing or its flavour ({@code -arm64}) say: a
     * build root cross-builds it when it is not this machine's.
     */
    private String kernelArch() {
        KernelListing.Kernel listed = plan.listed().get(kernel);
        return request.build().arch() != null ? request.build().arch()
                : listed != null ? listed.arch() : kernel.substring(kernel.lastIndexOf('-') + 1);
    }
}

package io.dkmsdeb.cli.json;

import io.dkmsdeb.model.kernel.KernelListing;
import io.dkmsdeb.model.kernel.KernelShard;
import io.dkmsdeb.support.Json;

import java.util.List;

/**
 * {@code kernels --json}: the kernels the archive serves and its kernel meta-packages. This is also the file that
 * {@code bmdeb --kernel-list} and {@code repo --kernel-list} read back (they need release, arch and headersVersion of
 * each kernel, and package, version and release of each meta-package). It has no {@code command} key. {@code release} is
 * the Debian release whose archive was listed ({@code kernels --release trixie}), left out for a listing of the host's
 * apt configuration; a listing without it reads as before.
 */
public record KernelsReport(@Json.OmitNull String release, List<Kernel> kernels, List<Meta> metas, @Json.OmitNull Integer shards) {
    public KernelsReport {
        kernels = List.copyOf(kernels);
        metas = List.copyOf(metas);
    }

    /**
     * A kernel the archive has headers for.
     *
     * @param release        as uname -r prints it
     * @param series         major.minor
     * @param flavour        what follows the ABI
     * @param arch           the Debian architecture of the headers
     * @param headersPackage linux-headers-RELEASE
     * @param headersVersion the version apt would fetch
     * @param shard          with --shards N: the kernel's shard, 1 to N (bmdeb --shard I/N builds those of I); else left out
     */
    public record Kernel(String release, String series, String flavour, String arch, String headersPackage, String headersVersion,
                         @Json.OmitNull Integer shard) {
    }

    /**
     * A kernel meta-package.
     *
     * @param packageName linux-image-FLAVOUR
     * @param release     the kernel release it depends on now
     */
    public record Meta(@Json.Key("package") String packageName, String flavour, String version, String release) {
    }

    public static KernelsReport of(KernelListing.Listing l) {
        return of(l, null);
    }

    /** The listing, with each kernel's shard of {@code shards} (N) when it is not null. */
    public static KernelsReport of(KernelListing.Listing l, Integer shards) {
        return new KernelsReport(l.release() == null ? null : l.release().codename(),
                l.kernels().stream().map(k -> new Kernel(k.release(), k.series(), k.flavour(), k.arch(), k.headersPackage(), k.headersVersion(),
                                shards == null ? null : KernelShard.of(k.release(), shards)))
                        .toList(),
                l.metas().stream().map(m -> new Meta(m.pkg(), m.flavour(), m.version(), m.release())).toList(), shards);
    }
}

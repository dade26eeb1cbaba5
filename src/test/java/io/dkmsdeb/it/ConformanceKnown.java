package io.dkmsdeb.it;

import java.util.List;
import java.util.Optional;

/**
 * Every known disagreement between dkms-deb and dkms (or Debian's package, or what the kernel needs) that
 * the conformance harness finds, with the dkms behaviour it comes from and the issue of ours it exposes.
 * The harness fails on a disagreement that is not listed here; docs/CONFORMANCE.md prints these texts.
 */
final class ConformanceKnown {
    /**
     * One explained disagreement. {@code kernelPrefix} is matched against the kernel release ("" for all
     * kernels); {@code aspect} is one of source, outcome, modules, compression, inspect, load.
     */
    record Known(String pkg, String kernelPrefix, String aspect, String what, String dkmsBehaviour, String ourIssue) {
        boolean matches(String p, String kernel, String a) {
            return pkg.equals(p) && aspect.equals(a) && (kernel == null || kernel.startsWith(kernelPrefix));
        }
    }

    static final List<Known> KNOWN = List.of();

    private ConformanceKnown() {
    }

    static Optional<Known> explain(String pkg, String kernel, String aspect) {
        return KNOWN.stream().filter(k -> k.matches(pkg, kernel, aspect)).findFirst();
    }
}

package io.dkmsdeb.kernel;

import io.dkmsdeb.model.dkms.DkmsConf;
import io.dkmsdeb.model.dkms.DkmsModule;
import io.dkmsdeb.model.kernel.KernelTarget;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * dkms's BUILD_EXCLUSIVE_* rules: KERNEL and ARCH are regular expressions matched (unanchored,
 * as bash's {@code =~}) against the kernel release and dkms's {@code arch}; CONFIG lists options
 * that must be y or m in the kernel's .config ({@code !CONFIG_X}: must not be); KERNEL_MIN and
 * KERNEL_MAX bound the release in version order ({@code sort -V}).
 */
public final class BuildExclusive {
    private BuildExclusive() {
    }

    /** Why this kernel is excluded, or empty when the module may be built for it. */
    public static Optional<String> reason(DkmsConf.BuildExclusive rules, KernelTarget k) {
        return reason(rules, k, "");
    }

    /** {@code index}: how the messages name the variables' element ("" for the package's, "[1]" for record 1's). */
    private static Optional<String> reason(DkmsConf.BuildExclusive rules, KernelTarget k, String index) {
        if (!rules.kernel().isEmpty() && !Pattern.compile(rules.kernel()).matcher(k.release()).find()) {
            return Optional.of("BUILD_EXCLUSIVE_KERNEL" + index + "=\"" + rules.kernel() + "\" does not match " + k.release());
        }
        if (!rules.kernelMin().isEmpty() && VersionOrder.compare(k.release(), rules.kernelMin()) < 0) {
            return Optional.of(k.release() + " is older than BUILD_EXCLUSIVE_KERNEL_MIN" + index + "=\"" + rules.kernelMin() + "\"");
        }
        if (!rules.kernelMax().isEmpty() && VersionOrder.compare(k.release(), rules.kernelMax()) > 0) {
            return Optional.of(k.release() + " is newer than BUILD_EXCLUSIVE_KERNEL_MAX" + index + "=\"" + rules.kernelMax() + "\"");
        }
        if (!rules.arch().isEmpty() && !Pattern.compile(rules.arch()).matcher(k.unameArch()).find()) {
            return Optional.of("BUILD_EXCLUSIVE_ARCH" + index + "=\"" + rules.arch() + "\" does not match " + k.unameArch());
        }
        for (String option : rules.config().trim().split("\\s+")) {
            if (option.isEmpty()) {
                continue;
            }
            boolean negated = option.startsWith("!");
            String name = negated ? option.substring(1) : option;
            String value = k.config().getOrDefault(name, "");
            boolean set = value.equals("y") || value.equals("m");
            if (negated && set) {
                return Optional.of("BUILD_EXCLUSIVE_CONFIG" + index + " wants " + name + " unset, and " + k.release() + " has " + name + "=" + value);
            }
            if (!negated && !set) {
                return Optional.of("BUILD_EXCLUSIVE_CONFIG" + index + " wants " + name + "=y or m, and " + k.release() + " does not have it");
            }
        }
        return Optional.empty();
    }

    /**
     * The module records whose own BUILD_EXCLUSIVE_*[i] rules (dkms 3.3.0) exclude {@code k}, each with why, in
     * record order. dkms still runs the whole build, skips these records when it checks and copies the built
     * modules, and excludes the kernel (exit 77) when no record is left.
     */
    public static Map<DkmsModule, String> excludedModules(DkmsConf conf, KernelTarget k) {
        Map<DkmsModule, String> excluded = new LinkedHashMap<>();
        for (DkmsModule m : conf.modules()) {
            reason(m.exclusive(), k, "[" + m.index() + "]").ifPresent(why -> excluded.put(m, why));
        }
        return excluded;
    }

    /** Version order as GNU {@code sort -V}: digit runs compare as numbers, other runs as text. */
    static final class VersionOrder {
        private VersionOrder() {
        }

        static int compare(String a, String b) {
            int i = 0;
            int j = 0;
            while (i < a.length() && j < b.length()) {
                boolean da = Character.isDigit(a.charAt(i));
                boolean db = Character.isDigit(b.charAt(j));
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i)) == da) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j)) == db) {
                    j++;
                }
                String ra = a.substring(si, i);
                String rb = b.substring(sj, j);
                int c;
                if (da && db) {
                    c = new java.math.BigInteger(ra).compareTo(new java.math.BigInteger(rb));
                } else {
                    c = ra.compareTo(rb);
                }
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(a.length() - i, b.length() - j);
        }
    }
}

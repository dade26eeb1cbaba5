package io.dkmsdeb.pipeline;

import io.dkmsdeb.model.dkms.DkmsConf;
import io.dkmsdeb.model.dkms.DkmsRule;
import io.dkmsdeb.model.dkms.ModuleSource;
import io.dkmsdeb.support.Log;

import java.io.ByteArrayOutputStream;

/**
 * What a {@code -dkms} package needs of the dkms on its targets: the dkms that builds it there is
 * the target's, whose release the dkms level names ({@code --dkms-level}). A dkms.conf that relies
 * on a rule the target's dkms lacks is told, and fixed where that is honest: the Depends on dkms
 * raised (as dh_dkms does for BUILD_EXCLUSIVE_CONFIG), or CRLF line endings dropped from the dkms.conf
 * the package ships.
 */
public final class TargetDkms {
    /** dh_dkms's Depends of a -dkms package. */
    public static final String DEPENDS = "dkms (>= 2.1.0.0)";
    /** dh_dkms's Depends when BUILD_EXCLUSIVE_CONFIG is used: the dkms that knows it. */
    public static final String DEPENDS_EXCLUSIVE_CONFIG = "dkms (>= 3.0.3-4~)";
    /** The dkms that honours BUILD_EXCLUSIVE_KERNEL_MIN and _MAX (dkms 3.0.10 ignores them and builds for every kernel). */
    public static final String DEPENDS_KERNEL_MIN_MAX = "dkms (>= " + DkmsRule.KERNEL_MIN_MAX.since() + ")";

    private TargetDkms() {
    }

    /** The Depends on dkms: the oldest dkms that reads this dkms.conf as newer releases do, where a Depends can say it. */
    public static String depends(DkmsConf conf) {
        if (conf.reading().meets(DkmsRule.KERNEL_MIN_MAX)) {
            return DEPENDS_KERNEL_MIN_MAX;
        }
        return conf.exclusive().config().isEmpty() ? DEPENDS : DEPENDS_EXCLUSIVE_CONFIG;
    }

    /**
     * Tells each rule the dkms.conf meets that the targets' dkms (the level) does not apply, and returns
     * the source with the dkms.conf the package ships: without carriage returns when the file has CRLF
     * line endings that the targets' dkms would keep in its values.
     */
    public static ModuleSource guard(ModuleSource source) {
        DkmsConf conf = source.conf();
        ModuleSource shipped = source;
        for (DkmsRule.Note note : conf.reading().notes()) {
            if (note.applied()) {
                continue;
            }
            String head = "the targets' dkms " + conf.level().describe() + " (--dkms-level): " + note.detail();
            switch (note.rule()) {
                case CRLF -> {
                    Log.warn(head + "; the package ships dkms.conf with LF line endings, which every dkms reads alike");
                    shipped = new ModuleSource(source.dir(), conf, withoutCarriageReturns(source.dkmsConfText()), source.generated());
                }
                case KERNEL_MIN_MAX -> Log.warn(head + "; the package depends on " + DEPENDS_KERNEL_MIN_MAX
                        + ", the first dkms that excludes those kernels (on Debian 12, dkms from bookworm-backports)");
                default -> Log.warn(head);
            }
        }
        return shipped;
    }

    private static byte[] withoutCarriageReturns(byte[] text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length);
        for (byte b : text) {
            if (b != '\r') {
                out.write(b);
            }
        }
        return out.toByteArray();
    }
}

package io.dkmsdeb.support;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which files of a module tree are not sources: version-control and patch-state folders, and
 * what kbuild writes. The one list, for packaging a tree and for copying it to build.
 */
public final class SourceFiles {
    /** Folders of version control systems and of quilt's patch state. */
    private static final Set<String> VCS_DIRS = Set.of(".git", ".svn", ".hg", ".bzr", "CVS", "_darcs", ".pc");
    /** Files kbuild writes into a module tree (objects, modules, .cmd and .d files, symbol lists). */
    private static final Pattern BUILD_OUTPUT = Pattern.compile(
            "(.*\\.(o|ko|mod|mod\\.c|mod\\.o|dwo|lto\\.o|ko\\.xz|ko\\.zst|ko\\.gz|o\\.ur-safe)|\\..*\\.cmd|\\..*\\.d"
                    + "|Module\\.symvers|modules\\.order|Module\\.markers|\\.cache\\.mk|\\.tmp_.*|\\.module-common\\.o)");

    private SourceFiles() {
    }

    /** Whether a folder called {@code name} belongs to a version control system. */
    public static boolean isVcsDir(String name) {
        return VCS_DIRS.contains(name);
    }

    /** Whether a file called {@code name} is kbuild output. */
    public static boolean isBuildOutput(String name) {
        return BUILD_OUTPUT.matcher(name).matches();
    }
}

package io.dkmsdeb.deb;

import io.dkmsdeb.model.deb.DebEntry;
import io.dkmsdeb.model.ModuleSourceException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Puts a package's data members into their reproducible form. It:
 * <ul>
 *   <li>adds every missing parent directory (mode 0755),</li>
 *   <li>sorts members by path (byte order of the UTF-8 names, so a parent precedes its children),</li>
 *   <li>refuses two members with the same path, or a member below something that is not a directory.</li>
 * </ul>
 * Owners (root:root, uid/gid 0) and times (the package time) are pinned by {@link DebWriter};
 * nothing of the build host's users, umask or clock reaches the package.
 */
public final class DataLayout {
    private DataLayout() {
    }

    public static List<DebEntry> normalize(List<DebEntry> entries) {
        if (isNormal(entries)) {
            return List.copyOf(entries);    // a planned package, written: nothing to do
        }
        // keyed by the UTF-8 bytes, each name encoded once (compared by the JDK's vectorised mismatch)
        Map<byte[], DebEntry> byPath = new TreeMap<>(Arrays::compareUnsigned);
        for (DebEntry e : entries) {
            DebEntry previous = byPath.put(utf8(e.path()), e);
            if (previous != null && !(previous.type() == DebEntry.Type.DIRECTORY && e.type() == DebEntry.Type.DIRECTORY)) {
                throw new ModuleSourceException("two package members have the path " + e.path()
                        + "; check that dkms.conf (DEST_MODULE_NAME) or debian/*.install does not install two things there");
            }
        }
        // in path order, parents before children: the walk up from a member ends at the first parent
        // that is there, whose own parents were seen to when it (or the member that added it) came
        for (DebEntry e : new ArrayList<>(byPath.values())) {
            String path = e.path();
            for (int slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
                String parent = path.substring(0, slash);
                byte[] key = utf8(parent);
                DebEntry existing = byPath.get(key);
                if (existing == null) {
                    byPath.put(key, DebEntry.directory(parent));
                } else if (existing.type() != DebEntry.Type.DIRECTORY) {
                    throw new ModuleSourceException(path + " lies below " + parent + ", which is not a directory; check what installs "
                            + parent);
                } else {
                    break;
                }
            }
        }
        return List.copyOf(byPath.values());
    }

    /** True when {@code entries} are in path order, each path once, each parent an earlier directory. */
    static boolean isNormal(List<DebEntry> entries) {
        Set<String> dirs = new HashSet<>();
        String last = null;
        for (DebEntry e : entries) {
            String path = e.path();
            if (last != null && compareUtf8(last, path) >= 0) {
                return false;
            }
            int slash = path.lastIndexOf('/');
            if (slash > 0 && !dirs.contains(path.substring(0, slash))) {
                return false;
            }
            if (e.type() == DebEntry.Type.DIRECTORY) {
                dirs.add(path);
            }
            last = path;
        }
        return true;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Byte order of the UTF-8 forms of {@code a} and {@code b}, which is code point order, without
     * encoding them (a package's 10,000 names are compared some 140,000 times). UTF-16 order is the
     * same except where a supplementary character (a surrogate pair) meets a character from U+E000
     * up: in code point order the supplementary one is the greater.
     */
    static int compareUtf8(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                boolean sx = Character.isSurrogate(x);
                boolean sy = Character.isSurrogate(y);
                return sx == sy ? x - y : sx ? 1 : -1;
            }
        }
        return a.length() - b.length();
    }
}

package io.dkmsdeb.deb;

import io.dkmsdeb.model.DebEntry;
import io.dkmsdeb.model.ModuleSourceException;

import java.util.ArrayList;
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
        Map<String, DebEntry> byPath = new TreeMap<>(DataLayout::compareUtf8);
        for (DebEntry e : entries) {
            DebEntry previous = byPath.put(e.path(), e);
            if (previous != null && !(previous.type() == DebEntry.Type.DIRECTORY && e.type() == DebEntry.Type.DIRECTORY)) {
                throw new ModuleSourceException("two package members have the path " + e.path()
                        + "; check that dkms.conf (DEST_MODULE_NAME) or debian/*.install does not install two things there");
            }
        }
        for (DebEntry e : new ArrayList<>(byPath.values())) {
            String path = e.path();
            for (int slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
                String parent = path.substring(0, slash);
                DebEntry existing = byPath.get(parent);
                if (existing == null) {
                    byPath.put(parent, DebEntry.directory(parent));
                } else if (existing.type() != DebEntry.Type.DIRECTORY) {
                    throw new ModuleSourceException(path + " lies below " + parent + ", which is not a directory; check what installs "
                            + parent);
                }
            }
        }
        return List.copyOf(byPath.values());
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

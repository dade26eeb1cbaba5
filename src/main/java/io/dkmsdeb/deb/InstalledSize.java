package io.dkmsdeb.deb;

import io.dkmsdeb.model.deb.DebEntry;

import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * Installed-Size in KiB as dpkg-gencontrol computes it: each regular file and symbolic link
 * counts its size rounded up to whole KiB, each directory (the package root and DEBIAN/
 * included) counts 1 KiB; the maintainer scripts and other members of DEBIAN/ that exist when
 * dpkg-gencontrol runs (triggers, written by dh_installdeb) count like files. control and md5sums
 * do not count: dpkg-gencontrol runs before they exist.
 */
public final class InstalledSize {
    private InstalledSize() {
    }

    public static long kib(Collection<DebEntry> normalizedData, Collection<String> scripts) {
        long total = 1; // the package root "./"
        for (DebEntry e : normalizedData) {
            total += e.type() == DebEntry.Type.DIRECTORY ? 1 : ceilKib(e.size());
        }
        total += 1; // DEBIAN/
        for (String script : scripts) {
            total += ceilKib(script.getBytes(StandardCharsets.UTF_8).length);
        }
        return total;
    }

    private static long ceilKib(long bytes) {
        return (bytes + 1023) / 1024;
    }
}

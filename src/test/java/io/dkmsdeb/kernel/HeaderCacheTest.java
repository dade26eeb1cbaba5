package io.dkmsdeb.kernel;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The header cache as Debian's packages fill it: three flavours of one ABI (amd64 and cloud-amd64 on the -common tree,
 * rt-amd64 on -common-rt, which has nearly the same files) and the same flavour of the ABI before, laid out as
 * HeadersFetcher unpacks them. Stored once, the files take at most 40 % of the trees unshared; the trees are unchanged
 * (content, modes, links); pruning removes exactly the kernels no longer listed, and the stored files only they used.
 */
@Tag("unit")
class HeaderCacheTest {
    @TempDir
    Path cache;

    /** A tree like one unpacked fetch: the -common headers ({@code files} of them, some per ABI), the flavour's own few files. */
    private Path fetch(Path root, String release, String abi, String common) throws IOException {
        Path t = root.resolve(release);
        Path c = Files.createDirectories(t.resolve("usr/src/linux-headers-" + common + "/include/linux"));
        for (int i = 0; i < 400; i++) {
            // the -common files: the same text in every ABI but one file in ten, which each ABI changes
            Files.writeString(c.resolve("h" + i + ".h"), ("/* header " + i + (i % 10 == 0 ? " of " + abi : "") + " */\n").repeat(40));
        }
        Path rt = c.resolve("rt.h");
        Files.writeString(rt, common.endsWith("-rt") ? "#define RT 1\n" : "#define RT 0\n");
        Path script = c.resolve("../../scripts/gen.sh");
        Files.createDirectories(script.getParent());
        Files.writeString(script, "#!/bin/sh\necho common\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path own = Files.createDirectories(t.resolve("usr/src/linux-headers-" + release + "/include/generated"));
        Files.writeString(own.resolve("autoconf.h"), ("#define CONFIG_FLAVOUR \"" + release + "\"\n").repeat(20));
        Files.createSymbolicLink(own.getParent().getParent().resolve("scripts"), Path.of("../linux-headers-" + common + "/scripts"));
        Files.writeString(t.resolve(".complete"), "fetched by dkms-deb\n");
        HeaderCache.share(root, t);
        return t;
    }

    private static long unshared(Path root) throws IOException {
        long total = 0;
        try (Stream<Path> s = Files.list(root)) {
            for (Path t : s.filter(p -> !p.getFileName().toString().startsWith(".")).toList()) {
                try (Stream<Path> f = Files.walk(t)) {
                    for (Path p : f.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList()) {
                        total += Files.size(p);
                    }
                }
            }
        }
        return total;
    }

    @Test
    void flavoursAndAbisStoreTheirCommonFilesOnceAndPruningKeepsWhatIsListed() throws IOException {
        Path root = cache.resolve("dkms-deb/headers");
        Files.createDirectories(root);
        fetch(root, "6.1.0-57-amd64", "6.1.0-57", "6.1.0-57-common");
        fetch(root, "6.1.0-57-cloud-amd64", "6.1.0-57", "6.1.0-57-common");
        fetch(root, "6.1.0-57-rt-amd64", "6.1.0-57", "6.1.0-57-common-rt");
        Path old = fetch(root, "6.1.0-56-amd64", "6.1.0-56", "6.1.0-56-common");
        long unshared = unshared(root);
        long stored = HeaderCache.usage(root);
        assertThat(stored * 100 / unshared).as("stored %d of %d bytes", stored, unshared).isLessThanOrEqualTo(40);
        // the trees read as unpacked: contents, modes, links
        Path script = old.resolve("usr/src/linux-headers-6.1.0-56-common/scripts/gen.sh");
        assertThat(Files.isExecutable(script)).isTrue();
        assertThat(Files.readString(old.resolve("usr/src/linux-headers-6.1.0-56-common/include/linux/h10.h"))).contains("of 6.1.0-56");
        assertThat(Files.readString(root.resolve("6.1.0-57-rt-amd64/usr/src/linux-headers-6.1.0-57-common-rt/include/linux/rt.h")))
                .isEqualTo("#define RT 1\n");
        assertThat(Files.isSymbolicLink(old.resolve("usr/src/linux-headers-6.1.0-56-amd64/scripts"))).isTrue();

        // the listing now has only the 6.1.0-57 amd64 and cloud kernels: the others go, and what only they used
        HeaderCache.Pruned pruned = HeaderCache.prune(Set.of("6.1.0-57-amd64", "6.1.0-57-cloud-amd64", "6.1.0-58-amd64"),
                Map.of("XDG_CACHE_HOME", cache.toString()));
        assertThat(pruned.releases()).containsExactlyInAnyOrder("6.1.0-56-amd64", "6.1.0-57-rt-amd64");
        try (Stream<Path> s = Files.list(root)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("."))).containsExactlyInAnyOrder(
                    "6.1.0-57-amd64", "6.1.0-57-cloud-amd64");
        }
        assertThat(pruned.bytesFreed()).isPositive();
        // no stored file is left that no tree uses, and every file of the kept trees is still there
        try (Stream<Path> s = Files.walk(root.resolve(HeaderCache.OBJECTS))) {
            assertThat(s.filter(Files::isRegularFile).toList()).allSatisfy(o ->
                    assertThat(((Number) Files.getAttribute(o, "unix:nlink")).intValue()).as(o.toString()).isGreaterThan(1));
        }
        assertThat(Files.readString(root.resolve("6.1.0-57-cloud-amd64/usr/src/linux-headers-6.1.0-57-common/include/linux/h10.h")))
                .contains("of 6.1.0-57");
    }

    private static int links(Path p) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:nlink", java.nio.file.LinkOption.NOFOLLOW_LINKS)).intValue();
    }

    /** A headers tree has thousands of empty files (6445 in a 6.1 amd64 one); as links to one object they would reach ext4's limit of 65000 links per file within ten kernels. */
    @Test
    void emptyFilesAreLeftAlone() throws IOException {
        Path t = Files.createDirectories(cache.resolve("6.1.0-1-amd64/usr/src/h"));
        for (int i = 0; i < 3; i++) {
            Files.createFile(t.resolve("empty" + i + ".h"));
        }
        Files.writeString(t.resolve("full.h"), "#define FULL 1\n");
        assertThat(HeaderCache.share(cache, cache.resolve("6.1.0-1-amd64"))).isZero();
        for (int i = 0; i < 3; i++) {
            assertThat(links(t.resolve("empty" + i + ".h"))).isEqualTo(1);
        }
        assertThat(links(t.resolve("full.h"))).as("stored as an object").isEqualTo(2);
    }

    /** An object with as many names as the file system allows: the next file of that content becomes its next copy, and the files after it are still shared. */
    @Test
    void anObjectAtTheLinkLimitGetsANextCopyAndTheRestOfTheTreeIsStillShared() throws IOException {
        Path a = Files.createDirectories(cache.resolve("6.1.0-1-amd64/usr/src/h"));
        Files.writeString(a.resolve("hot.h"), "#define HOT 1\n");
        Files.writeString(a.resolve("cold.h"), "#define COLD 1\n");
        HeaderCache.share(cache, cache.resolve("6.1.0-1-amd64"));
        Path object;
        try (Stream<Path> s = Files.walk(cache.resolve(HeaderCache.OBJECTS))) {
            object = s.filter(Files::isRegularFile).filter(p -> {
                try {
                    return Files.readString(p).contains("HOT");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).findFirst().orElseThrow();
        }
        Path names = Files.createDirectories(cache.resolve("names"));
        boolean limit = false;
        for (int i = 0; i < 200_000 && !limit; i++) {
            try {
                Files.createLink(names.resolve(Integer.toString(i)), object);
            } catch (java.nio.file.FileSystemException e) {
                assertThat(HeaderCache.tooManyLinks(e)).as(e.toString()).isTrue();
                limit = true;
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(limit, "this file system has no limit of links per file below 200000");
        int before = links(object);

        Path b = Files.createDirectories(cache.resolve("6.1.0-2-amd64/usr/src/h"));
        Files.writeString(b.resolve("hot.h"), "#define HOT 1\n");
        Files.writeString(b.resolve("cold.h"), "#define COLD 1\n");
        HeaderCache.share(cache, cache.resolve("6.1.0-2-amd64"));
        assertThat(links(b.resolve("hot.h"))).as("the new copy: its own name and the object's").isEqualTo(2);
        assertThat(Files.isSameFile(b.resolve("hot.h"), object)).isTrue();
        assertThat(links(a.resolve("hot.h"))).as("the first tree keeps the old copy, which lost only the object's name").isEqualTo(before - 1);
        assertThat(Files.readString(a.resolve("hot.h"))).isEqualTo("#define HOT 1\n");
        assertThat(Files.isSameFile(b.resolve("cold.h"), a.resolve("cold.h"))).as("the files after it are shared").isTrue();
    }
}

package io.dkmsdeb.pipeline.source.debian;

import io.dkmsdeb.pipeline.SourceTree;
import io.dkmsdeb.deb.Gzip;
import io.dkmsdeb.debiandir.Changelog;
import io.dkmsdeb.debiandir.DebianDir;
import io.dkmsdeb.debiandir.DhInstall;
import io.dkmsdeb.model.deb.DebEntry;
import io.dkmsdeb.model.ModuleSourceException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The files that dh's helpers put into a {@code -dkms} package besides the module sources and
 * dkms.conf: dh_install's other lines, dh_installmodules' {@code /etc/modprobe.d/PACKAGE.conf},
 * dh_installdocs' copyright and listed docs, dh_installchangelogs' changelogs, dh_lintian's
 * overrides; then dh_compress (changelogs, NEWS and docs over 4 KiB gzipped with {@code -9n})
 * and dh_fixperms (0644 under usr/share/doc), and dh_installdeb's conffiles (every file in /etc).
 */
final class DebianFiles {
    /** dh_installchangelogs: upstream changelog names in the package root, in this order. */
    private static final List<String> UPSTREAM_CHANGELOGS = List.of("changelog", "changes", "history");
    /** dh_compress leaves these alone. */
    private static final Pattern NOT_COMPRESSED = Pattern.compile(
            "(?i).*\\.(gz|taz|tgz|z|bz2|xz|lz|lzma|epub|jar|zip|odg|odp|odt|css|haddock|hs|woff2?|svgz?|js|x?html?|gif|png|jpe?g)|.*(-gz|-z|_z)|\\.htaccess");

    private DebianFiles() {
    }

    /**
     * Entries for dh_install items: a directory with all its contents, a file as itself, each
     * file and link with the mtime of its source ({@code cp -a}, {@code install -p}).
     */
    static List<DebEntry> installed(List<DhInstall.Item> items) {
        List<DebEntry> entries = new ArrayList<>();
        for (DhInstall.Item item : items) {
            Path src = item.source();
            if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
                entries.add(DebEntry.directory(item.destination()));
                entries.addAll(kept(SourceTree.scan(src, item.destination(), null), src, item.destination()));
            } else if (Files.isSymbolicLink(src)) {
                try {
                    entries.add(DebEntry.symlink(item.destination(), Files.readSymbolicLink(src).toString()).withMtime(mtime(src)));
                } catch (IOException e) {
                    throw new ModuleSourceException("cannot read the link " + src + ": " + e.getMessage(), e);
                }
            } else {
                entries.add(copied(src, item.destination()));
            }
        }
        return entries;
    }

    /** A file installed with {@code install -p}: its mode as SourceTree decides, its source's mtime. */
    static DebEntry copied(Path src, String dest) {
        return SourceTree.file(src, dest).withMtime(mtime(src));
    }

    /** The files and links of a tree copied from {@code src} to {@code dest} keep their sources' mtimes; directories are made anew. */
    static List<DebEntry> kept(List<DebEntry> scanned, Path src, String dest) {
        return scanned.stream().map(e -> e.type() == DebEntry.Type.DIRECTORY ? e
                : e.withMtime(mtime(src.resolve(e.path().substring(dest.length() + 1))))).toList();
    }

    /** A source's mtime in seconds (of a link itself, not its target). */
    static long mtime(Path file) {
        try {
            return Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).to(java.util.concurrent.TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new ModuleSourceException("cannot read the time of " + file + ": " + e.getMessage() + "; make it readable", e);
        }
    }

    /**
     * dh_installudev (rules at {@code lib/udev/rules.d/60-NAME.rules}, where debhelper 13 puts them at
     * every compat level), dh_installexamples, dh_installman, dh_installdirs and dh_link.
     */
    static List<DebEntry> moreHelpers(DebianDir d, String pkg, Map<String, String> env) {
        List<DebEntry> entries = new ArrayList<>();
        d.pkgfile(pkg, "udev").ifPresent(f -> {
            String name = f.getFileName().toString().equals("udev") ? pkg : f.getFileName().toString().replaceFirst("\\.udev$", "");
            entries.add(copied(f, "lib/udev/rules.d/60-" + name + ".rules").withMode(0644));
        });
        String examples = "usr/share/doc/" + pkg + "/examples";
        d.pkgfile(pkg, "examples").ifPresent(f -> entries.addAll(installed(DhInstall.sources(d.root(), f, env, d.compat()).stream()
                .map(p -> new DhInstall.Item(p, examples + "/" + p.getFileName())).toList())));
        d.pkgfile(pkg, "manpages").ifPresent(f -> {
            for (Path page : DhInstall.sources(d.root(), f, env, d.compat())) {
                entries.add(copied(page, DhPaths.manPage(page)).withMode(0644));
            }
        });
        d.pkgfile(pkg, "dirs").ifPresent(f -> DhInstall.lines(f, env, d.compat()).forEach(words -> words.forEach(w ->
                entries.add(DebEntry.directory(DhInstall.packagePath(w, f.toString()))))));
        d.pkgfile(pkg, "links").ifPresent(f -> {
            for (List<String> words : DhInstall.lines(f, env, d.compat())) {
                if (words.size() % 2 != 0) {
                    throw new ModuleSourceException(f + ": the line '" + String.join(" ", words) + "' must name pairs of a target and a "
                            + "link (dh_link); fix it");
                }
                for (int i = 0; i < words.size(); i += 2) {
                    String target = DhInstall.packagePath(words.get(i), f.toString());
                    String link = DhInstall.packagePath(words.get(i + 1), f.toString());
                    entries.add(DebEntry.symlink(link, DhPaths.linkTarget(target, link, f.toString())));
                }
            }
        });
        return entries;
    }

    /** dh_installmodules, dh_installdocs, dh_installchangelogs and dh_lintian for one package. */
    static List<DebEntry> helpers(DebianDir d, String pkg, Map<String, String> env) {
        List<DebEntry> entries = new ArrayList<>();
        String doc = "usr/share/doc/" + pkg + "/";
        d.pkgfile(pkg, "modprobe").ifPresent(f -> entries.add(copied(f, "etc/modprobe.d/" + pkg + ".conf")));
        copyright(d, pkg).ifPresent(f -> entries.add(copied(f, doc + "copyright")));
        d.pkgfile(pkg, "README.Debian").ifPresent(f -> entries.add(copied(f, doc + "README.Debian")));
        Optional<Path> docs = d.pkgfile(pkg, "docs");
        if (docs.isPresent()) {
            List<DhInstall.Item> items = DhInstall.read(d.root(), docs.get(), env, d.compat()).stream()
                    .map(i -> new DhInstall.Item(i.source(), doc + i.source().getFileName())).toList();
            entries.addAll(installed(items));
        }
        Changelog changelog = d.changelog();
        String name = changelog.isNative() ? "changelog" : "changelog.Debian";
        entries.add(DebEntry.file(doc + name, 0644, DebEntry.Data.of(changelog.installedText(pkg))));
        if (!changelog.isNative()) {
            upstreamChangelog(d.root()).ifPresent(f -> entries.add(copied(f, doc + "changelog")));
        }
        d.pkgfile(pkg, "lintian-overrides").ifPresent(f -> entries.add(copied(f, "usr/share/lintian/overrides/" + pkg)));
        return entries;
    }

    /** dh_installdocs: debian/PACKAGE.copyright, else debian/copyright for every package. */
    static Optional<Path> copyright(DebianDir d, String pkg) {
        Path general = d.debian().resolve("copyright");
        return d.pkgfile(pkg, "copyright").or(() -> Files.isRegularFile(general) ? Optional.of(general) : Optional.empty());
    }

    private static Optional<Path> upstreamChangelog(Path root) {
        List<Path> files;
        try (var s = Files.list(root)) {
            files = s.sorted().filter(p -> Files.isRegularFile(p) && p.toFile().length() > 0).toList();
        } catch (IOException e) {
            throw new ModuleSourceException("cannot list " + root + ": " + e.getMessage(), e);
        }
        for (String suffix : List.of("", ".txt", ".md", ".rst")) {
            for (String name : UPSTREAM_CHANGELOGS) {
                Optional<Path> found = files.stream()
                        .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).equals(name + suffix)).findFirst();
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * dh_compress and dh_fixperms over the whole data list: man pages always gzipped, docs as said
     * above but never under {@code examples/}; a gzipped file keeps its original's mtime (gzip does).
     */
    static List<DebEntry> compressAndFixPerms(List<DebEntry> entries, String pkg) {
        List<DebEntry> out = new ArrayList<>();
        for (DebEntry e : entries) {
            boolean inDoc = e.path().startsWith("usr/share/doc/");
            boolean man = e.path().startsWith("usr/share/man/");
            if (e.type() != DebEntry.Type.FILE || !inDoc && !man) {
                out.add(e.type() == DebEntry.Type.FILE && e.path().startsWith("usr/share/lintian/") ? e.withMode(0644) : e);
                continue;
            }
            String name = e.path().substring(e.path().lastIndexOf('/') + 1);
            boolean compress = man ? !name.endsWith(".gz") : !name.equals("copyright") && !NOT_COMPRESSED.matcher(name).matches()
                    && !e.path().startsWith("usr/share/doc/" + pkg + "/examples/")
                    && (e.size() > 4096 || name.startsWith("changelog") || name.startsWith("NEWS"));
            out.add(compress ? DebEntry.file(e.path() + ".gz", 0644, DebEntry.Data.of(Gzip.compress(read(e)))).withMtime(e.mtime())
                    : e.withMode(0644));
        }
        return out;
    }

    /** dh_installdeb: every regular file below etc/ is a conffile, sorted. */
    static List<String> conffiles(List<DebEntry> entries) {
        return entries.stream().filter(e -> e.type() == DebEntry.Type.FILE && e.path().startsWith("etc/"))
                .map(e -> "/" + e.path()).sorted(DebianFiles::compareBytes).toList();
    }

    private static int compareBytes(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] read(DebEntry e) {
        try (InputStream in = e.data().open()) {
            return in.readAllBytes();
        } catch (IOException ex) {
            throw new ModuleSourceException("cannot read " + e.path() + " for compression: " + ex.getMessage(), ex);
        }
    }
}

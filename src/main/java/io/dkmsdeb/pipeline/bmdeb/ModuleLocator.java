package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.support.TempFiles;
import io.dkmsdeb.pipeline.Maintainer;
import io.dkmsdeb.model.kernel.Host;
import io.dkmsdeb.model.NamePatterns;
import io.dkmsdeb.deb.Deb822;
import io.dkmsdeb.deb.DebReader;
import io.dkmsdeb.deb.SafeExtractor;
import io.dkmsdeb.model.ModuleSourceException;
import io.dkmsdeb.process.ProcessRunner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the module tree bmdeb builds: a directory; a {@code -dkms} .deb, unpacked in Java into
 * a private temp directory (nothing installed); or {@code NAME/VERSION}, looked up where dkms
 * looks: {@code /usr/src/NAME-VERSION}, then {@code /var/lib/dkms/NAME/VERSION/source}.
 */
public final class ModuleLocator implements AutoCloseable {
    private final Path dir;
    private final Path temp;
    private final String maintainer;
    private final String packageVersion;

    private ModuleLocator(Path dir, Path temp, String maintainer, String packageVersion) {
        this.dir = dir;
        this.temp = temp;
        this.maintainer = maintainer;
        this.packageVersion = packageVersion;
    }

    /** NAME/VERSION as dkms names a module: PACKAGE_NAME, a slash, PACKAGE_VERSION. */
    private static boolean isNameSlashVersion(String arg) {
        int slash = arg.indexOf('/');
        return slash > 0 && NamePatterns.matches(NamePatterns.MODULE_NAME, arg.substring(0, slash))
                && NamePatterns.matches(NamePatterns.MODULE_VERSION, arg.substring(slash + 1));
    }

    public static ModuleLocator locate(String arg, Host host) {
        Path p = Path.of(arg);
        if (arg.endsWith(".deb") && Files.isRegularFile(p)) {
            return fromDeb(p);
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return new ModuleLocator(p, null, null, null);
        }
        if (isNameSlashVersion(arg)) {
            String name = arg.substring(0, arg.indexOf('/'));
            String version = arg.substring(arg.indexOf('/') + 1);
            Path inUsrSrc = host.usrSrc().resolve(name + "-" + version);
            Path inDkms = host.dkmsTree().resolve(name).resolve(version).resolve("source");
            for (Path candidate : List.of(inUsrSrc, inDkms)) {
                if (Files.isDirectory(candidate)) {
                    Owner owner = installedOwner(candidate.resolve("dkms.conf"));
                    return new ModuleLocator(candidate, null, owner.maintainer(), owner.version());
                }
            }
            throw new ModuleSourceException("module " + arg + " not found in " + inUsrSrc + " or " + inDkms
                    + "; install its -dkms package, or pass the source directory or the -dkms .deb");
        }
        throw new ModuleSourceException("no module source '" + arg + "': it is not a directory, a -dkms .deb file or NAME/VERSION; "
                + "pass one of these");
    }

    private static ModuleLocator fromDeb(Path deb) {
        Path temp = null;
        try {
            temp = TempFiles.directory(null, "unpack");
            DebReader.Control control = SafeExtractor.extract(deb, "usr/src/", temp);
            Path usrSrc = temp.resolve("usr/src");
            List<Path> trees;
            try (Stream<Path> s = Files.isDirectory(usrSrc) ? Files.list(usrSrc) : Stream.empty()) {
                trees = s.filter(t -> Files.isRegularFile(t.resolve("dkms.conf"), LinkOption.NOFOLLOW_LINKS)).toList();
            }
            if (trees.size() != 1) {
                throw new ModuleSourceException(deb + " has " + (trees.isEmpty() ? "no" : trees.size()) + " module trees with a dkms.conf "
                        + "under /usr/src; bmdeb needs a -dkms package with exactly one");
            }
            return new ModuleLocator(trees.get(0), temp, field(deb, control.text("control"), "Maintainer"),
                    field(deb, control.text("control"), "Version"));
        } catch (DebReader.BadPackageException e) {
            TempFiles.delete(temp);
            throw new ModuleSourceException(e.getMessage() + "; pass a -dkms package made by dkms-deb source or dh_dkms", e);
        } catch (IOException e) {
            TempFiles.delete(temp);
            throw new ModuleSourceException("cannot unpack " + deb + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            TempFiles.delete(temp);
            throw e;
        }
    }

    private static String field(Path deb, String control, String name) {
        if (control == null) {
            return null;
        }
        try {
            List<Deb822.Paragraph> paragraphs = Deb822.parse(control);
            return paragraphs.isEmpty() ? null : paragraphs.get(0).get(name).orElse(null);
        } catch (Deb822.SyntaxException e) {
            throw new ModuleSourceException("the control file of " + deb + " is not valid: " + e.getMessage()
                    + "; pass a -dkms package made by dkms-deb source or dh_dkms", e);
        }
    }

    /** The Maintainer and Version of an installed package, each null when unknown. */
    record Owner(String maintainer, String version) {
    }

    /**
     * The Maintainer and Version of the installed package that owns {@code file} (the -dkms package
     * that put the sources in /usr/src), as dpkg knows them; nulls when no package owns it or dpkg cannot say.
     */
    static Owner installedOwner(Path file) {
        try {
            ProcessRunner.Captured owner = ProcessRunner.capture(List.of("dpkg-query", "-S", file.toString()), Path.of("/"), null,
                    Duration.ofSeconds(30));
            String out = new String(owner.stdout(), StandardCharsets.UTF_8).strip();
            if (owner.exit() != 0 || out.contains("\n") || !out.contains(": ")) {
                return new Owner(null, null);
            }
            String pkg = out.substring(0, out.indexOf(": "));
            if (!NamePatterns.matches(NamePatterns.PACKAGE, pkg)) {
                return new Owner(null, null);
            }
            ProcessRunner.Captured m = ProcessRunner.capture(List.of("dpkg-query", "-W", "-f=${Version}\n${Maintainer}", pkg), Path.of("/"),
                    null, Duration.ofSeconds(30));
            String[] lines = new String(m.stdout(), StandardCharsets.UTF_8).strip().split("\n", 2);
            if (m.exit() != 0 || lines.length != 2) {
                return new Owner(null, null);
            }
            String version = lines[0].strip();
            String maintainer = lines[1].strip();
            return new Owner(maintainer.isEmpty() ? null : maintainer, version.isEmpty() ? null : version);
        } catch (IOException e) {
            return new Owner(null, null); // no dpkg here: the maintainer then comes from the options or the environment
        }
    }

    public Path dir() {
        return dir;
    }

    /** The Maintainer of the -dkms package the tree came from, or null. */
    public String packageMaintainer() {
        return maintainer;
    }

    /** The Version of the -dkms package the tree came from (the .deb given, or the installed package that owns it), or null. */
    public String packageVersion() {
        return packageVersion;
    }

    @Override
    public void close() {
        TempFiles.delete(temp);
    }
}

package io.dkmsdeb.dkmsconf;

import io.dkmsdeb.model.NamePatterns;
import io.dkmsdeb.model.ModuleSourceException;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The dkms module name (PACKAGE_NAME) of a tree without dkms.conf: the module kbuild always builds
 * when there is one; with several, the NAME of a folder called NAME-VERSION. Never a generic folder
 * name such as {@code src}.
 */
public final class ModuleNaming {
    /** Folder names that say where sources are, not what they are. */
    public static final Set<String> GENERIC = Set.of("src", "source", "sources", "driver", "drivers", "module", "modules",
            "kernel", "linux");

    private ModuleNaming() {
    }

    /**
     * A folder called NAME-VERSION, as vendor tarballs unpack ({@code i40e-2.28.16/}).
     *
     * @param name    the NAME part (never a generic name)
     * @param version the VERSION part (starts with a digit)
     * @param folder  the folder it was read from
     */
    public record FolderHint(String name, String version, Path folder) {
        /**
         * The hint of {@code dir}'s own name, or of its parent's when {@code dir} has a generic name
         * ({@code i40e-2.28.16/src}); empty when that folder is not called NAME-VERSION.
         */
        public static Optional<FolderHint> of(Path dir) {
            Path folder = dir.toAbsolutePath().normalize();
            if (folder.getFileName() != null && isGeneric(folder.getFileName().toString()) && folder.getParent() != null) {
                folder = folder.getParent();
            }
            if (folder.getFileName() == null) {
                return Optional.empty();
            }
            // NAME-VERSION: the VERSION holds no '-', so the folder splits at its last '-'
            String folderName = folder.getFileName().toString();
            int dash = folderName.lastIndexOf('-');
            String name = folderName.substring(0, Math.max(dash, 0));
            String version = folderName.substring(dash + 1);
            if (dash < 1 || !NamePatterns.matches(NamePatterns.MODULE_NAME, name) || isGeneric(name)
                    || !NamePatterns.matches(NamePatterns.UPSTREAM_VERSION, version)) {
                return Optional.empty();
            }
            return Optional.of(new FolderHint(name, version, folder));
        }
    }

    public static boolean isGeneric(String folderName) {
        return GENERIC.contains(folderName.toLowerCase(Locale.ROOT));
    }

    /**
     * The module name for a generated dkms.conf.
     *
     * @param dir      the directory given (for messages)
     * @param required the modules kbuild always builds there (not empty)
     * @param hint     the NAME-VERSION folder, if any
     * @throws ModuleSourceException with several modules and no hint, naming the candidates and the ways out
     */
    public static String choose(Path dir, List<String> required, Optional<FolderHint> hint) {
        if (required.size() == 1) {
            return required.get(0);
        }
        if (hint.isPresent()) {
            return hint.get().name();
        }
        throw new ModuleSourceException("cannot tell the module name of " + dir + ": it has no dkms.conf, its obj-m lines build "
                + required.size() + " modules (" + String.join(", ", required) + ") and its folder name (or, for a generic one such as "
                + "src, its parent's) is not NAME-VERSION; add a dkms.conf with PACKAGE_NAME=" + required.get(0)
                + " (and BUILT_MODULE_NAME[#] for each module), or pass --name " + required.get(0).replace('_', '-') + "-dkms");
    }
}

package io.dkmsdeb.model.dkms;

import io.dkmsdeb.model.ModuleSourceException;

import java.util.List;
import java.util.Optional;

/**
 * A dkms.conf as dkms reads it for one kernel and architecture, validated.
 *
 * @param packageName      PACKAGE_NAME: the dkms module name
 * @param packageVersion   PACKAGE_VERSION
 * @param modules          the module records, index order, at least one
 * @param steps            MAKE, CLEAN, PATCH, PRE_BUILD and POST_BUILD as they apply to this kernel
 * @param buildDepends     BUILD_DEPENDS module names
 * @param autoinstall      AUTOINSTALL=yes
 * @param exclusive        the BUILD_EXCLUSIVE_* rules, as the level's dkms applies them
 * @param reading          the dkms level it was read at, and the level-dependent rules it meets
 */
public record DkmsConf(String packageName, String packageVersion, List<DkmsModule> modules, Steps steps, List<String> buildDepends,
                       boolean autoinstall, BuildExclusive exclusive, Reading reading) {

    public DkmsConf {
        modules = List.copyOf(modules);
        buildDepends = List.copyOf(buildDepends);
        java.util.Objects.requireNonNull(reading, "reading");
        if (modules.isEmpty()) {
            throw new ModuleSourceException("a dkms.conf needs at least one module");
        }
    }

    /** Read at Debian 12's dkms level, meeting no level-dependent rule. */
    public DkmsConf(String packageName, String packageVersion, List<DkmsModule> modules, Steps steps, List<String> buildDepends,
                    boolean autoinstall, BuildExclusive exclusive) {
        this(packageName, packageVersion, modules, steps, buildDepends, autoinstall, exclusive, new Reading(DkmsLevel.BOOKWORM, List.of()));
    }

    /**
     * How a dkms.conf was read.
     *
     * @param level the dkms level whose rules were applied
     * @param notes the rules that differ between dkms releases which this file meets, in {@link DkmsRule} order
     */
    public record Reading(DkmsLevel level, List<DkmsRule.Note> notes) {
        public Reading {
            java.util.Objects.requireNonNull(level, "level");
            notes = List.copyOf(notes);
        }

        /** True when the file meets {@code rule}. */
        public boolean meets(DkmsRule rule) {
            return notes.stream().anyMatch(n -> n.rule() == rule);
        }
    }

    /** The same dkms.conf with only {@code kept} of its module records (those not excluded for one kernel). */
    public DkmsConf withModules(List<DkmsModule> kept) {
        return new DkmsConf(packageName, packageVersion, kept, steps, buildDepends, autoinstall, exclusive, reading);
    }

    public DkmsLevel level() {
        return reading.level();
    }

    /** BUILD_EXCLUSIVE_KERNEL, _KERNEL_MIN, _KERNEL_MAX, _ARCH, _CONFIG; empty strings when unset. */
    public record BuildExclusive(String kernel, String kernelMin, String kernelMax, String arch, String config) {
        public boolean any() {
            return !(kernel.isEmpty() && kernelMin.isEmpty() && kernelMax.isEmpty() && arch.isEmpty() && config.isEmpty());
        }
    }

    /**
     * The build steps of dkms.conf for one kernel.
     *
     * @param makeCommand the MAKE[#] chosen for this kernel through MAKE_MATCH, empty for dkms's default
     * @param clean       CLEAN, may be empty
     * @param patches     PATCH[#] entries that apply to this kernel (PATCH_MATCH), in order
     * @param preBuild    PRE_BUILD, may be empty
     * @param postBuild   POST_BUILD, may be empty
     */
    public record Steps(String makeCommand, String clean, List<String> patches, String preBuild, String postBuild) {
        public Steps {
            patches = List.copyOf(patches);
        }
    }

    public String makeCommand() {
        return steps.makeCommand();
    }

    public String clean() {
        return steps.clean();
    }

    public List<String> patches() {
        return steps.patches();
    }

    public String preBuild() {
        return steps.preBuild();
    }

    public String postBuild() {
        return steps.postBuild();
    }

    public Optional<String> make() {
        return makeCommand().isEmpty() ? Optional.empty() : Optional.of(makeCommand());
    }
}

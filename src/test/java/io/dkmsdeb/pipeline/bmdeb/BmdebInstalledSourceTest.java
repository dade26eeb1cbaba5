package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.pipeline.Maintainer;
import io.dkmsdeb.it.Cmd;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * For NAME/VERSION installed in /usr/src, the -dkms package that owns it, as dpkg knows it: its Version
 * (whose revision the -modules version follows) and its Maintainer. Checked on dpkg's own files.
 */
@Tag("tools")
class BmdebInstalledSourceTest {
    @Test
    void theOwnerOfAnInstalledFileNamesItsVersionAndMaintainer() {
        ModuleLocator.Owner owner = ModuleLocator.installedOwner(Path.of("/usr/bin/dpkg"));
        assertThat(owner.version()).isEqualTo(Cmd.ok("dpkg-query", "-W", "-f=${Version}", "dpkg").out().strip());
        assertThat(owner.maintainer()).isEqualTo(Cmd.ok("dpkg-query", "-W", "-f=${Maintainer}", "dpkg").out().strip());
        // the revision rule on it: dpkg's version is native, so there is no revision to follow
        assertThat(ModulesVersion.dkmsRevision(owner.version(), owner.version())).isEmpty();
    }

    @Test
    void aFileNoPackageOwnsHasNoOwner() {
        assertThat(ModuleLocator.installedOwner(Path.of("/nonexistent/dkms.conf"))).isEqualTo(new ModuleLocator.Owner(null, null));
    }
}

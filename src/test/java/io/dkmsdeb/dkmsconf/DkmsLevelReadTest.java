package io.dkmsdeb.dkmsconf;

import io.dkmsdeb.model.dkms.DkmsConf;
import io.dkmsdeb.model.dkms.DkmsLevel;
import io.dkmsdeb.model.dkms.DkmsModule;
import io.dkmsdeb.model.dkms.DkmsRule;
import io.dkmsdeb.model.ModuleSourceException;
import io.dkmsdeb.model.UsageException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * dkms.conf read at each side of every rule that changed between dkms 3.0.10 and 3.4.3
 * ({@link DkmsRule}), and the two refusals no dkms release makes (a patch in a subdirectory of
 * patches/, a DEST_MODULE_LOCATION that only begins with /updates).
 */
@Tag("unit")
class DkmsLevelReadTest {
    private static final String MINIMAL = "PACKAGE_NAME=m\nPACKAGE_VERSION=1.0\nBUILT_MODULE_NAME[0]=m\nDEST_MODULE_LOCATION[0]=/updates/dkms\n";
    private static final DkmsLevel OLD = DkmsLevel.BOOKWORM;
    private static final DkmsLevel NEW = DkmsLevel.NEWEST;

    @TempDir
    Path dir;

    private DkmsConf read(String text, DkmsLevel level) throws Exception {
        Path conf = dir.resolve("dkms.conf");
        Files.writeString(conf, text, StandardCharsets.UTF_8);
        return new DkmsConfReader().read(conf, ReadContexts.of("m", "1.0").at(level));
    }

    @Test
    void levelsAreReleasesOrDebianNames() {
        assertThat(DkmsLevel.parse("bookworm")).isEqualTo(DkmsLevel.parse("3.0.10"));
        assertThat(DkmsLevel.parse("trixie").release()).isEqualTo("3.2.2");
        assertThat(DkmsLevel.parse("newest")).isEqualTo(NEW);
        assertThat(DkmsLevel.parse("3.1.7").applies(DkmsRule.DUPLICATE_MODULES)).isTrue();
        assertThat(DkmsLevel.parse("3.1.6").applies(DkmsRule.DUPLICATE_MODULES)).isFalse();
        assertThat(DkmsLevel.parse("3.0.10").applies(DkmsRule.KERNEL_MIN_MAX)).isFalse();
        assertThatThrownBy(() -> DkmsLevel.parse("2.8.8")).isInstanceOf(UsageException.class).hasMessageContaining("from 3.0.10 to 3.4.3");
        assertThatThrownBy(() -> DkmsLevel.parse("sid")).isInstanceOf(UsageException.class).hasMessageContaining("bookworm, trixie, newest");
    }

    @Test
    void aPatchInASubdirectoryOfPatchesAndAnUpdatesPrefixAreTakenAtEveryLevel() throws Exception {
        String text = MINIMAL.replace("/updates/dkms", "/updates-dkms-test") + "PATCH[0]=\"subdir/fix.patch\"\n";
        for (DkmsLevel level : new DkmsLevel[] {OLD, DkmsLevel.TRIXIE, NEW}) {
            DkmsConf c = read(text, level);
            assertThat(c.patches()).containsExactly("subdir/fix.patch");
            assertThat(c.modules().get(0).destLocation()).isEqualTo("/updates-dkms-test");
        }
        assertThatThrownBy(() -> read(MINIMAL + "PATCH[0]=\"subdir/../../x.patch\"\n", NEW)).hasMessageContaining("'..'");
        assertThatThrownBy(() -> read(MINIMAL.replace("/updates/dkms", "/lib/evil"), OLD)).hasMessageContaining("must begin with");
    }

    @Test
    void kernelMinAndMaxAreIgnoredBefore3011() throws Exception {
        String text = MINIMAL + "BUILD_EXCLUSIVE_KERNEL_MIN=\"6.5\"\nBUILD_EXCLUSIVE_KERNEL_MAX=\"6.20\"\n";
        DkmsConf old = read(text, OLD);
        assertThat(old.exclusive().kernelMin()).isEmpty();
        assertThat(old.exclusive().kernelMax()).isEmpty();
        assertThat(old.reading().notes()).anySatisfy(n -> {
            assertThat(n.rule()).isEqualTo(DkmsRule.KERNEL_MIN_MAX);
            assertThat(n.applied()).isFalse();
            assertThat(n.detail()).contains("ignores it");
        });
        DkmsConf now = read(text, DkmsLevel.parse("3.0.11"));
        assertThat(now.exclusive().kernelMin()).isEqualTo("6.5");
        assertThat(now.exclusive().kernelMax()).isEqualTo("6.20");
    }

    @Test
    void obsoleteByExcludesNewerKernelsFrom322() throws Exception {
        String text = MINIMAL + "OBSOLETE_BY=\"6.5\"\n";
        assertThat(read(text, OLD).exclusive().kernelMax()).isEmpty();
        assertThat(read(text, DkmsLevel.TRIXIE).exclusive().kernelMax()).isEqualTo("6.5");
        assertThat(read(text + "BUILD_EXCLUSIVE_KERNEL_MAX=6.9\n", NEW).exclusive().kernelMax()).isEqualTo("6.9");
    }

    @Test
    void autoinstallIsYesOrNoFrom317() throws Exception {
        assertThat(read(MINIMAL + "AUTOINSTALL=maybe\n", OLD).autoinstall()).as("3.0.10: any value is yes").isTrue();
        assertThat(read(MINIMAL + "AUTOINSTALL=no\n", OLD).autoinstall()).as("3.0.10: even no").isTrue();
        assertThat(read(MINIMAL + "AUTOINSTALL=no\n", NEW).autoinstall()).isFalse();
        assertThat(read(MINIMAL + "AUTOINSTALL=YES\n", NEW).autoinstall()).isTrue();
        assertThatThrownBy(() -> read(MINIMAL + "AUTOINSTALL=maybe\n", NEW)).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("dkms.conf line 5: AUTOINSTALL is 'maybe'").hasMessageContaining("yes or no");
    }

    @Test
    void duplicateModulesAreRefusedFrom317() throws Exception {
        String dupDest = MINIMAL + "BUILT_MODULE_NAME[1]=n\nDEST_MODULE_NAME[1]=m\nDEST_MODULE_LOCATION[1]=/updates/dkms\n";
        String dupBuilt = MINIMAL + "DEST_MODULE_NAME[0]=a\nBUILT_MODULE_NAME[1]=m\nDEST_MODULE_NAME[1]=b\nDEST_MODULE_LOCATION[1]=/updates/dkms\n";
        assertThat(read(dupDest, OLD).modules()).hasSize(2);
        assertThat(read(dupBuilt, OLD).reading().meets(DkmsRule.DUPLICATE_MODULES)).isTrue();
        assertThatThrownBy(() -> read(dupDest, NEW)).hasMessageContaining("DEST_MODULE_NAME[1] installs as m, as record 0 does");
        assertThatThrownBy(() -> read(dupBuilt, NEW)).hasMessageContaining("BUILT_MODULE_NAME[1] builds m.ko, as record 0 does");
    }

    @Test
    void crlfValuesKeepTheirCarriageReturnBefore315() throws Exception {
        String text = MINIMAL.replace("\n", "\r\n");
        DkmsConf old = read(text, OLD);
        assertThat(old.reading().notes()).singleElement().satisfies(n -> {
            assertThat(n.rule()).isEqualTo(DkmsRule.CRLF);
            assertThat(n.applied()).isFalse();
            assertThat(n.detail()).contains("BUILT_MODULE_NAME", "PACKAGE_NAME");
            assertThat(DkmsConfReader.breaksBuild(n)).isTrue();
        });
        assertThat(old.modules().get(0).builtName()).as("read without them, for source to ship").isEqualTo("m");
        DkmsConf now = read(text, DkmsLevel.parse("3.1.5"));
        assertThat(now.reading().notes()).singleElement().satisfies(n -> assertThat(n.applied()).isTrue());
        DkmsConf commentOnly = read(MINIMAL + "# a comment\r\n", OLD);
        assertThat(DkmsConfReader.breaksBuild(commentOnly.reading().notes().get(0))).as("no value keeps a CR").isFalse();
    }

    @Test
    void aRecordsOwnBuildExclusiveIsReadFrom330() throws Exception {
        String text = MINIMAL + "BUILT_MODULE_NAME[1]=n\nDEST_MODULE_LOCATION[1]=/updates/dkms\n"
                + "BUILD_EXCLUSIVE_KERNEL[1]=\"^6\\.1\\.\"\nBUILD_EXCLUSIVE_CONFIG[1]=\"CONFIG_PCI\"\n";
        for (DkmsLevel level : new DkmsLevel[] {OLD, DkmsLevel.TRIXIE, DkmsLevel.parse("3.2.99")}) {
            DkmsConf c = read(text, level);
            assertThat(c.modules()).as(level.release()).allSatisfy(m -> assertThat(m.exclusive()).isEqualTo(DkmsModule.NONE));
            assertThat(c.exclusive().any()).as("element 1 is not the package's").isFalse();
            assertThat(c.reading().notes()).singleElement().satisfies(n -> {
                assertThat(n.rule()).isEqualTo(DkmsRule.PER_MODULE_EXCLUSIVE);
                assertThat(n.applied()).isFalse();
                assertThat(n.detail()).contains("BUILD_EXCLUSIVE_KERNEL[1]=\"^6\\.1\\.\"", "reads element 0 only",
                        "builds record 1's module for every kernel");
            });
        }
        for (DkmsLevel level : new DkmsLevel[] {DkmsLevel.parse("3.3.0"), NEW}) {
            DkmsConf c = read(text, level);
            assertThat(c.modules().get(0).exclusive()).isEqualTo(DkmsModule.NONE);
            assertThat(c.modules().get(1).exclusive()).isEqualTo(new DkmsConf.BuildExclusive("^6\\.1\\.", "", "", "", "CONFIG_PCI"));
            assertThat(c.exclusive().any()).isFalse();
            assertThat(c.reading().notes()).singleElement().satisfies(n -> assertThat(n.applied()).isTrue());
        }
        // element 0 is the package's at every level, as bash's $VAR is ${VAR[0]}
        String zero = MINIMAL + "BUILD_EXCLUSIVE_KERNEL[0]=\"^6\\.1\\.\"\n";
        assertThat(read(zero, OLD).exclusive().kernel()).isEqualTo("^6\\.1\\.");
        assertThat(read(zero, NEW).exclusive().kernel()).isEqualTo("^6\\.1\\.");
        assertThat(read(zero, NEW).reading().notes()).isEmpty();
        String bad = MINIMAL + "BUILT_MODULE_NAME[1]=n\nDEST_MODULE_LOCATION[1]=/updates/dkms\nBUILD_EXCLUSIVE_ARCH[1]=\"x86(\"\n";
        assertThat(read(bad, OLD).modules()).as("never read by dkms 3.0.10").hasSize(2);
        assertThatThrownBy(() -> read(bad, NEW)).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("dkms.conf line 7: BUILD_EXCLUSIVE_ARCH[1] is 'x86(', not a valid regular expression");
    }

    @Test
    void fromDkms330ARecordsOwnKernelMaxKeepsObsoleteByFromTheWholePackage() throws Exception {
        String text = MINIMAL + "BUILT_MODULE_NAME[1]=n\nDEST_MODULE_LOCATION[1]=/updates/dkms\nOBSOLETE_BY=\"6.5\"\n"
                + "BUILD_EXCLUSIVE_KERNEL_MAX[1]=\"6.9\"\n";
        assertThat(read(text, DkmsLevel.TRIXIE).exclusive().kernelMax()).isEqualTo("6.5");
        DkmsConf now = read(text, NEW);
        assertThat(now.exclusive().kernelMax()).isEmpty();
        assertThat(now.modules().get(1).exclusive().kernelMax()).isEqualTo("6.9");
        assertThat(now.reading().notes()).anySatisfy(n -> assertThat(n.detail()).contains("OBSOLETE_BY=\"6.5\": not applied"));
    }

    @Test
    void aDkmsConfNamingNoModuleIsRefusedAtEveryLevelSayingWhatThatLevelsDkmsDoes() {
        String none = "PACKAGE_NAME=m\nPACKAGE_VERSION=1.0\nAUTOINSTALL=yes\n";
        assertThatThrownBy(() -> read(none, OLD)).isInstanceOf(ModuleSourceException.class)
                .hasMessageContaining("BUILT_MODULE_NAME is not set: the dkms.conf names no module, so there is nothing to package")
                .hasMessageContaining("dkms 3.0.10 refuses it too").hasMessageContaining("add BUILT_MODULE_NAME[0]=");
        for (DkmsLevel level : new DkmsLevel[] {DkmsLevel.parse("3.0.11"), DkmsLevel.TRIXIE, NEW}) {
            assertThatThrownBy(() -> read(none, level)).isInstanceOf(ModuleSourceException.class)
                    .hasMessageContaining("dkms " + level.release() + " accepts it with a warning and builds nothing");
        }
    }

    @Test
    void buildDependsAndBuildScriptsAreNoted() throws Exception {
        DkmsConf c = read(MINIMAL + "BUILD_DEPENDS=other\nPRE_BUILD=\"x.sh\"\n", OLD);
        assertThat(c.reading().notes()).extracting(DkmsRule.Note::rule)
                .containsExactly(DkmsRule.BUILD_DEPENDS, DkmsRule.BUILD_SCRIPTS_FATAL);
        assertThat(c.reading().notes()).allSatisfy(n -> assertThat(n.applied()).isFalse());
        assertThat(read(MINIMAL, OLD).reading().notes()).isEmpty();
    }
}

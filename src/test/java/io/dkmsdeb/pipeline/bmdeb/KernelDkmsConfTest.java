package io.dkmsdeb.pipeline.bmdeb;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** When bmdeb reads a kernel's dkms.conf once instead of twice (dkms's trees, then the build's). */
@Tag("unit")
class KernelDkmsConfTest {
    private static boolean once(String text) {
        return KernelDkmsConf.readsAlike(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aDkmsConfThatNamesNoTreeIsReadOnce() {
        assertThat(once("PACKAGE_NAME=\"hello\"\nPACKAGE_VERSION=\"1.0\"\nBUILT_MODULE_NAME[0]=\"hello\"\n"
                + "DEST_MODULE_LOCATION[0]=\"/updates/dkms\"\nAUTOINSTALL=\"yes\"\n")).isTrue();
        assertThat(once("MAKE[0]=\"make -C ${kernel_source_dir} M=$(pwd) KVER=$kernelver\"\nBUILT_MODULE_NAME[0]=my_module\n")).isTrue();
    }

    @Test
    void aDkmsConfThatNamesATreeOrTheModuleIsReadTwice() {
        assertThat(once("MAKE=\"make -C $kernel_source_dir M=${dkms_tree}/${PACKAGE_NAME}/${PACKAGE_VERSION}/build\"")).isFalse();
        assertThat(once("PRE_BUILD=\"x $source_tree/y\"")).isFalse();
        assertThat(once("BUILT_MODULE_NAME[0]=$module")).isFalse();
        assertThat(once("MAKE=\"make V=$module_version\"")).isFalse();
    }

    @Test
    void aDkmsConfThatCouldReachThemUnnamedIsReadTwice() {
        assertThat(once("eval \"X=\\$$(echo dkms)_tree\"")).isFalse();
        assertThat(once("source ./common.conf")).isFalse();
        assertThat(once(". ./common.conf")).isFalse();
        assertThat(once("true; . common.conf")).isFalse();
        assertThat(once("v=dkms_tre; MAKE=${!v}")).isFalse();
        assertThat(once("declare -n ref=x")).isFalse();
    }
}

package io.dkmsdeb.debiandir;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("unit")
class DebianRulesTest {
    @Test
    void overrideTargetsAndTheirRecipes() {
        DebianRules r = DebianRules.parse("#!/usr/bin/make -f\ninclude /usr/share/dpkg/pkg-info.mk\n%:\n\tdh $@ --with dkms\n\n"
                + "override_dh_install:\n\tdh_install src/* usr/src/acme_nic-$(DEB_VERSION_UPSTREAM)/\n\n"
                + "override_dh_auto_build:\n\noverride_dh_auto_clean:\n\t:\n"
                + "override_dh_dkms:\n\tdh_dkms -V $(DEB_VERSION_UPSTREAM)\n");
        assertThat(r.targets().keySet()).containsExactlyInAnyOrder("override_dh_install", "override_dh_auto_build",
                "override_dh_auto_clean", "override_dh_dkms");
        assertThat(r.targets().get("override_dh_install")).isEqualTo(List.of("dh_install src/* usr/src/acme_nic-$(DEB_VERSION_UPSTREAM)/"));
        assertThat(r.isEmpty("override_dh_auto_build")).isTrue();
        assertThat(r.isEmpty("override_dh_auto_clean")).isTrue();
        assertThat(r.isEmpty("override_dh_install")).isFalse();
        assertThat(r.dhDkmsVersionFlag()).contains("$(DEB_VERSION_UPSTREAM)");
    }

    @Test
    void dhDkmsVersionForms() {
        assertThat(DebianRules.parse("override_dh_dkms:\n\tdh_dkms -V\n").dhDkmsVersionFlag()).contains("");
        assertThat(DebianRules.parse("override_dh_dkms:\n\tdh_dkms -V2.4.6\n").dhDkmsVersionFlag()).contains("2.4.6");
        assertThat(DebianRules.parse("override_dh_dkms:\n\tdh_dkms -V -- dkms.conf\n").dhDkmsVersionFlag()).contains("");
        assertThat(DebianRules.parse("override_dh_dkms:\n\tdh_dkms\n").dhDkmsVersionFlag()).isEmpty();
        assertThat(DebianRules.parse("%:\n\tdh $@\n").dhDkmsVersionFlag()).isEmpty();
    }

    @Test
    void plainDhInstallCallsAreUnderstoodAndAnythingElseIsNot() {
        var calls = DebianRules.parse("override_dh_install:\n\tdh_install src/a.c src/Makefile usr/src/a-1.0/\n"
                + "\tdh_install -pa-dkms conf/a.conf etc/modules-load.d/\n\tdh_install --package=b-dkms b/*\n").plainDhInstallCalls();
        assertThat(calls).isPresent();
        assertThat(calls.get()).containsExactly(
                new DebianRules.DhInstallCall(List.of(), List.of("src/a.c", "src/Makefile", "usr/src/a-1.0/")),
                new DebianRules.DhInstallCall(List.of("a-dkms"), List.of("conf/a.conf", "etc/modules-load.d/")),
                new DebianRules.DhInstallCall(List.of("b-dkms"), List.of("b/*")));
        for (String recipe : List.of("dh_install src/* usr/src/a-$(DEB_VERSION_UPSTREAM)/", "dh_install; rm -f x", "cp a b",
                "dh_install --exclude=.git", "dh_install 'a b' c", "[ -d x ] && dh_install x y")) {
            assertThat(DebianRules.parse("override_dh_install:\n\t" + recipe + "\n").plainDhInstallCalls()).as(recipe).isEmpty();
        }
        assertThat(DebianRules.parse("%:\n\tdh $@\n").plainDhInstallCalls()).isEmpty();
    }
}

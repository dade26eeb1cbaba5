package io.dkmsdeb.it;

import java.nio.file.Path;
import java.util.List;

/**
 * One of the vendor-style trees in src/test/vendor-trees/: a kernel module with the debian/
 * directory a packager adds, and what dpkg-buildpackage makes of it.
 *
 * @param dir            the tree's folder name
 * @param packageName    the binary package debian/control declares
 * @param debFile        the file dpkg-buildpackage -b writes
 * @param moduleName     PACKAGE_NAME of its dkms.conf
 * @param moduleVersion  PACKAGE_VERSION once {@code #MODULE_VERSION#} is filled in
 * @param modules        the .ko files dkms builds (BUILT_MODULE_NAME)
 * @param overridesNotRun debian/rules override targets that a build without make cannot run
 */
record VendorTree(String dir, String packageName, String debFile, String moduleName, String moduleVersion,
                  List<String> modules, List<String> overridesNotRun) {

    /**
     * acme-nic: Intel-style layout (module in src/, dh_install and dh_dkms -V overrides, a full
     * dkms.conf in debian/PKG.dkms with #MODULE_VERSION#, a PACKAGE_NAME with an underscore).
     * chime: module and dkms.conf at the top, debian/PKG.dkms pointing at it, PKG.install, empty
     * dh_auto_* overrides. widget: two modules, PKG.install with a depmod.d conffile, PKG.modprobe,
     * PKG.docs with a file dh_compress gzips. zfoo: version only behind #defines, sources in a
     * subfolder, a Depends that dpkg-gencontrol merges with the one dh_dkms adds.
     */
    static final List<VendorTree> ALL = List.of(
            new VendorTree("acme-nic-2.28.16", "acme-nic-dkms", "acme-nic-dkms_2.28.16-1_all.deb", "acme_nic", "2.28.16",
                    List.of("acme_nic"), List.of("override_dh_install")),
            new VendorTree("chime-0.7.2", "chime-dkms", "chime-dkms_0.7.2-1_all.deb", "chime", "0.7.2",
                    List.of("chime"), List.of()),
            new VendorTree("widget-1.4", "widget-dkms", "widget-dkms_1.4-2_all.deb", "widget", "1.4",
                    List.of("widget_core", "widget_extra"), List.of()),
            new VendorTree("zfoo-3.1.4", "zfoo-dkms", "zfoo-dkms_3.1.4-3_all.deb", "zfoo", "3.1.4",
                    List.of("zfoo"), List.of("override_dh_install")));

    Path source() {
        return Cmd.repo().resolve("src/test/vendor-trees").resolve(dir);
    }

    /** The folder the sources are installed in, {@code usr/src/NAME-VERSION}. */
    String usrSrcDir() {
        return "usr/src/" + moduleName + "-" + moduleVersion;
    }

    @Override
    public String toString() {
        return dir;
    }
}

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
    static final List<VendorTree> BASIC = List.of(
            new VendorTree("acme-nic-2.28.16", "acme-nic-dkms", "acme-nic-dkms_2.28.16-1_all.deb", "acme_nic", "2.28.16",
                    List.of("acme_nic"), List.of("override_dh_install")),
            new VendorTree("chime-0.7.2", "chime-dkms", "chime-dkms_0.7.2-1_all.deb", "chime", "0.7.2",
                    List.of("chime"), List.of()),
            new VendorTree("widget-1.4", "widget-dkms", "widget-dkms_1.4-2_all.deb", "widget", "1.4",
                    List.of("widget_core", "widget_extra"), List.of()),
            new VendorTree("zfoo-3.1.4", "zfoo-dkms", "zfoo-dkms_3.1.4-3_all.deb", "zfoo", "3.1.4",
                    List.of("zfoo"), List.of("override_dh_install")));

    /**
     * Trees that use more of debhelper, each read as dh reads it. pciled: {@code Architecture: amd64}.
     * hidkey: {@code PKG.udev}, {@code PKG.triggers}, an initramfs-tools hook (dh_installinitramfs's
     * trigger), compat 12 from {@code debian/compat}. gpsync: {@code override_dh_install} made of plain
     * {@code dh_install} calls, one with {@code -p}. fanctl: own preinst, postinst, prerm and postrm with
     * {@code #DEBHELPER#} and {@code #PACKAGE#}, {@code PKG.maintscript}, {@code .links}, {@code .dirs},
     * {@code .examples}, {@code .manpages}. acme-sense: all of these at once, with two {@code -dkms}
     * packages and a third package in one debian/control.
     */
    static final List<VendorTree> DEBHELPER_FEATURES = List.of(
            new VendorTree("pciled-0.4", "pciled-dkms", "pciled-dkms_0.4-1_amd64.deb", "pciled", "0.4",
                    List.of("pciled"), List.of()),
            new VendorTree("hidkey-2.3", "hidkey-dkms", "hidkey-dkms_2.3-1_all.deb", "hidkey", "2.3",
                    List.of("hidkey"), List.of()),
            new VendorTree("gpsync-1.0", "gpsync-dkms", "gpsync-dkms_1.0-2_all.deb", "gpsync", "1.0",
                    List.of("gpsync"), List.of()),
            new VendorTree("fanctl-0.8", "fanctl-dkms", "fanctl-dkms_0.8-1_all.deb", "fanctl", "0.8",
                    List.of("fanctl"), List.of()),
            new VendorTree("acme-sense-5.0", "acme-sense-dkms", "acme-sense-dkms_5.0-3_amd64.deb", "acme_sense", "5.0",
                    List.of("acme_sense"), List.of()),
            new VendorTree("acme-sense-5.0", "acme-sense-i2c-dkms", "acme-sense-i2c-dkms_5.0-3_all.deb", "acme_sense_i2c", "5.0",
                    List.of("acme_sense_i2c"), List.of()));

    /** Every tree, one entry per -dkms package. */
    static final List<VendorTree> ALL = java.util.stream.Stream.concat(BASIC.stream(), DEBHELPER_FEATURES.stream()).toList();

    /** Packages dpkg-buildpackage also writes that are not -dkms packages (dkms-deb warns and leaves them out). */
    private static final java.util.Map<String, List<String>> DH_ALSO = java.util.Map.of("acme-sense-5.0", List.of("acme-sense-tools_5.0-3_all.deb"));

    /** The files dkms-deb source writes from this tree: one per -dkms package. */
    List<String> ourDebs() {
        return ALL.stream().filter(t -> t.dir().equals(dir)).map(VendorTree::debFile).sorted().toList();
    }

    /** The files dpkg-buildpackage -b writes from this tree. */
    List<String> dhDebs() {
        return java.util.stream.Stream.concat(ourDebs().stream(), DH_ALSO.getOrDefault(dir, List.of()).stream()).sorted().toList();
    }

    Path source() {
        return Cmd.repo().resolve("src/test/vendor-trees").resolve(dir);
    }

    /** The folder the sources are installed in, {@code usr/src/NAME-VERSION}. */
    String usrSrcDir() {
        return "usr/src/" + moduleName + "-" + moduleVersion;
    }

    @Override
    public String toString() {
        return ourDebs().size() > 1 ? dir + " " + packageName : dir;
    }
}

package io.dkmsdeb.cli;

import io.dkmsdeb.pipeline.Maintainer;
import java.util.List;
import java.util.Map;

/**
 * The man page sections that picocli's model has no place for: ENVIRONMENT, FILES and EXAMPLES, per
 * page. The key is the subcommand's name, {@code ""} for {@code dkms-deb(1)} itself. The build's man
 * page generator ({@code src/main/packaging/GenerateDocs.java}) renders them; every variable and path
 * here is one the code reads or writes.
 */
public final class ManSections {
    /** A term (a variable, a path, a command line) and what it means. */
    public record Item(String term, String text) {
    }

    private ManSections() {
    }

    private static final Item EPOCH = new Item("SOURCE_DATE_EPOCH",
            "Seconds since 1970: the time of every file entry and archive header of the packages written, so that the same "
                    + "input gives the same bytes. Unset: 2000-01-01; for source with a debian/ directory, the date of the newest "
                    + "debian/changelog entry, as dpkg-buildpackage sets it.");
    private static final Item EPOCH_BMDEB = new Item("SOURCE_DATE_EPOCH",
            "Seconds since 1970: the time of every file entry and archive header of the packages written, and the module build's "
                    + "KBUILD_BUILD_TIMESTAMP, so that the same input gives the same bytes. Unset: 2000-01-01.");
    private static final Item EPOCH_REPO = new Item("SOURCE_DATE_EPOCH",
            "Seconds since 1970: the Date of Release, the time of the meta-packages and of the signatures (gpg "
                    + "--faked-system-time; the key must be older), so that the same packages give the same repository. Unset: the Date "
                    + "is now.");
    private static final Item DEBFULLNAME = new Item("DEBFULLNAME",
            "With DEBEMAIL, the Maintainer field (\"DEBFULLNAME <DEBEMAIL>\") when neither --maintainer nor a debian/control "
                    + "gives one (nor, for bmdeb, the -dkms package).");
    private static final Item DEBEMAIL = new Item("DEBEMAIL",
            "The maintainer's mail address for DEBFULLNAME; alone when it has the form \"Name <mail>\".");
    private static final Item XZ = new Item("DKMS_DEB_XZ",
            "java: compress the .xz members of the packages with the built-in xz-java, not with the system's xz program (used "
                    + "when it is on PATH and is xz-utils 5.4 or later). The two encoders give different bytes.");
    private static final Item MAKE_JOBS = new Item("DKMS_DEB_MAKE_JOBS",
            "A number from 1 to 999: the -j of each kernel's make, instead of the CPUs divided among the kernels built at once.");
    private static final Item CACHE = new Item("XDG_CACHE_HOME",
            "The per-user cache, default ~/.cache: dkms-deb keeps fetched kernel headers, build logs, an apt-cache package "
                    + "cache and the build roots of other Debian releases in its dkms-deb folder.");
    private static final Item MIRROR = new Item("DKMS_DEB_MIRROR",
            "The Debian archive the build roots of other releases are made from and updated from, and whose lists --release lists (default: "
                    + "http://deb.debian.org/debian; security updates always come from http://deb.debian.org/debian-security).");
    private static final Item CACHE_KERNELS = new Item("XDG_CACHE_HOME",
            "The per-user cache, default ~/.cache: where dkms-deb/apt is (see FILES).");
    private static final Item TMPDIR = new Item("TMPDIR",
            "Where the scratch copies of the module tree are made (default: /tmp): a private TMPDIR/dkms-deb-build-PID-* of each "
                    + "run, which the sandbox shows at /tmp/dkms-deb-root/build/KVER/NAME-VERSION; with --no-sandbox, "
                    + "TMPDIR/dkms-deb-USER (TMPDIR/dkms-deb-USER-2 ... -10, with a warning, when another user's directory or a "
                    + "link is at that name: it is left alone), whose path must be one kbuild can use (letters, digits, '.', '_', "
                    + "'-', '/'). Java's own temporary files go there too.");
    private static final Item PKCS11 = new Item("DKMS_DEB_PKCS11_PIN, DKMS_DEB_PKCS11_PIN_FILE, DKMS_DEB_PKCS11_MODULE",
            "For --sign-key pkcs11:...: the token's PIN, or a file holding it (never on the command line), and the token's "
                    + "PKCS#11 library (default: p11-kit's proxy).");
    private static final Item GNUPGHOME = new Item("GNUPGHOME",
            "gpg's home directory, with the --sign-key key, when --gpg-homedir is not given (default: ~/.gnupg).");
    private static final Item JAVA_HOME = new Item("JAVA_HOME",
            "The Java runtime that the /usr/bin/dkms-deb launcher starts (JAVA_HOME/bin/java), else java on PATH.");

    private static final Item SRC = new Item("/usr/src/NAME-VERSION/",
            "Where bmdeb looks up a SOURCE given as NAME/VERSION first (what a NAME-dkms package installs), then in "
                    + "/var/lib/dkms/NAME/VERSION/source/.");
    private static final Item HEADERS = new Item("/lib/modules/KVER/build",
            "The headers of kernel KVER, unless --kernel-source-dir names others; --all-kernels builds for every kernel that has them.");
    private static final Item MOK_KEY = new Item("/var/lib/dkms/mok.key",
            "dkms's module signing key: bmdeb signs with it when it and mok.pub exist, unless --sign-key or --no-sign is given.");
    private static final Item MOK_PUB = new Item("/var/lib/dkms/mok.pub",
            "dkms's certificate of that key, the default of --sign-cert, shipped in NAME-modules-cert for mokutil --import.");
    private static final Item LOGS = new Item("$XDG_CACHE_HOME/dkms-deb/logs/NAME-VERSION_KVER.log",
            "The whole build log of each kernel (--log-dir puts the logs elsewhere).");
    private static final Item HEADER_CACHE = new Item("$XDG_CACHE_HOME/dkms-deb/headers/",
            "Kernel headers packages fetched by --fetch-headers and --kernels-from-archive, unpacked, one folder per kernel.");
    private static final Item ROOTS = new Item("$XDG_CACHE_HOME/dkms-deb/roots/RELEASE-ARCH/",
            "The build root of a Debian release other than this host's (debootstrap --variant=minbase, its compiler, the headers "
                    + "of its kernels built here), with RELEASE-ARCH.lock and RELEASE-ARCH.log beside it; remove the folder to free "
                    + "its space, the next build of that release makes it again.");
    private static final Item APT_CACHE = new Item("$XDG_CACHE_HOME/dkms-deb/apt/",
            "apt-cache's package cache, made when the system's is switched off (Dir::Cache::pkgcache \"\", as in container "
                    + "images); apt rebuilds it when the package lists change. And RELEASE-ARCH/ (RELEASE-ARCH-HASH/ for --apt-source): "
                    + "the private apt state --release lists another archive with (its own sources, package lists and cache, about "
                    + "65 MB for trixie), fetched again when a day old; remove it to free its space.");
    private static final Item SCRATCH = new Item("$TMPDIR/dkms-deb-build-PID-*/",
            "The private scratch copy of the module tree that one kernel's build runs in, laid out as dkms's tree, removed at the "
                    + "end (and by the next run when a run was killed); with --no-sandbox, $TMPDIR/dkms-deb-USER/build/KVER/NAME-VERSION/.");
    private static final Item OUT_LOCK = new Item("OUTDIR/.dkms-deb-bmdeb-KVER.lock",
            "The lock a bmdeb call holds on one kernel in OUTDIR, so that a second call waits and finds its package up to date.");
    private static final Item REPO_STATE = new Item("REPODIR/.dkms-deb/",
            "The publisher's own files, which no client reads: lock (one publisher at a time; verify-repo takes a reader's lock), "
                    + "staging/ (a publish before its renames), history/ (the Release files served, for by-hash and retention).");
    private static final Item REPO_KEY = new Item("REPODIR/KEY.gpg",
            "The public key of --sign-key (also as KEY.asc), for apt's signed-by; verify-repo's default keyring.");
    private static final Item OS_RELEASE = new Item("/etc/os-release",
            "VERSION_CODENAME, the default suite (else stable).");
    private static final Item JAR = new Item("/usr/share/dkms-deb/dkms-deb.jar",
            "The program, run by /usr/bin/dkms-deb.");
    private static final Item CDS = new Item("/var/cache/dkms-deb/dkms-deb.jsa",
            "The class-data-sharing archive the dkms-deb package makes at install time, so that each run starts faster.");

    /** ENVIRONMENT of each page. */
    public static final Map<String, List<Item>> ENVIRONMENT = Map.of(
            "", List.of(EPOCH, DEBFULLNAME, DEBEMAIL, XZ, MAKE_JOBS, CACHE, TMPDIR, PKCS11, GNUPGHOME, JAVA_HOME),
            "source", List.of(EPOCH, DEBFULLNAME, DEBEMAIL, XZ),
            "bmdeb", List.of(EPOCH_BMDEB, DEBFULLNAME, DEBEMAIL, XZ, MAKE_JOBS, CACHE, MIRROR, TMPDIR, PKCS11),
            "kernels", List.of(CACHE_KERNELS, MIRROR),
            "repo", List.of(EPOCH_REPO, GNUPGHOME, CACHE_KERNELS, MIRROR));

    /** FILES of each page. */
    public static final Map<String, List<Item>> FILES = Map.of(
            "", List.of(SRC, HEADERS, MOK_KEY, MOK_PUB, LOGS, HEADER_CACHE, APT_CACHE, SCRATCH, REPO_STATE, JAR, CDS),
            "bmdeb", List.of(SRC, HEADERS, MOK_KEY, MOK_PUB, LOGS, HEADER_CACHE, ROOTS, APT_CACHE, SCRATCH, OUT_LOCK),
            "kernels", List.of(APT_CACHE),
            "repo", List.of(REPO_STATE, REPO_KEY, APT_CACHE, OS_RELEASE),
            "verify-repo", List.of(REPO_STATE, REPO_KEY, OS_RELEASE));

    /** EXAMPLES of each page: the command line, and what it does. */
    public static final Map<String, List<Item>> EXAMPLES = Map.of(
            "", List.of(
                    new Item("dkms-deb source ./hello -o out", "Package the module tree ./hello as out/hello-dkms_VERSION-REV_all.deb:"),
                    new Item("dkms-deb bmdeb out/hello-dkms_1.0-1_all.deb -k 6.1.0-56-amd64 -o out",
                            "Compile it for one kernel, as out/hello-modules-6.1.0-56-amd64_1.0-1_amd64.deb:"),
                    new Item("dkms-deb repo /srv/apt out/*.deb --sign-key ops@example.org",
                            "Publish the packages as a signed apt repository:")),
            "source", List.of(
                    new Item("dkms-deb source ./hello -o out",
                            "A tree with a dkms.conf, or a debian/ directory, or only a Makefile with obj-m lines:"),
                    new Item("dkms-deb source ./mydriver -V 1.2 --maintainer \"Jane Doe <jane@example.org>\" -o out",
                            "A tree whose version the sources do not say, packaged under another maintainer:")),
            "bmdeb", List.of(
                    new Item("dkms-deb bmdeb hello/1.0 -k 6.1.0-56-amd64 -o out",
                            "The module of the installed hello-dkms 1.0, for one kernel whose headers are installed:"),
                    new Item("dkms-deb bmdeb out/hello-dkms_1.0-1_all.deb --all-kernels -o out",
                            "From a -dkms package file, for every kernel whose headers are installed:"),
                    new Item("dkms-deb bmdeb hello/1.0 --kernels-from-archive 6.1,amd64 --reuse-from /srv/apt -o out",
                            "For each 6.1 amd64 kernel the apt archive serves, building only those not in the repository yet:"),
                    new Item("dkms-deb bmdeb hello/1.0 --kernels-from-archive current,amd64 --release trixie -o out",
                            "As root, for the kernel trixie's linux-image-amd64 depends on now, built in a trixie build root:"),
                    new Item("dkms-deb bmdeb ./hello -k 6.1.0-57-arm64 --fetch-headers -o out",
                            "For an arm64 kernel, cross-compiled (needs gcc-aarch64-linux-gnu):"),
                    new Item("dkms-deb bmdeb hello/1.0 -k 6.1.0-56-amd64 --sign-key mok.key --sign-cert mok.crt -o out",
                            "Signed for Secure Boot, with the hello-modules-cert package that carries the certificate for mokutil --import:")),
            "inspect", List.of(
                    new Item("dkms-deb inspect out/hello-modules-6.1.0-56-amd64_1.0-1_amd64.deb",
                            "Show a package and check it:"),
                    new Item("dkms-deb inspect --json out/hello-dkms_1.0-1_all.deb", "The same as JSON:")),
            "kernels", List.of(
                    new Item("dkms-deb kernels 6.1 6.12 amd64", "The 6.1 and 6.12 kernels of the amd64 flavour the archive serves:"),
                    new Item("dkms-deb kernels --json > kernels.json",
                            "Every kernel, saved for bmdeb --kernel-list and repo --kernel-list:"),
                    new Item("dkms-deb kernels --release trixie current",
                            "On a bookworm host, the kernels trixie's meta-packages (linux-image-amd64, ...) depend on now:")),
            "repo", List.of(
                    new Item("dkms-deb repo /srv/apt out/*.deb --suite bookworm --sign-key ops@example.org --kernel-list kernels.json",
                            "Add packages and publish, signed, with a meta-package per kernel flavour:"),
                    new Item("dkms-deb repo /srv/apt out/*+deb13-*.deb --suite trixie --release trixie --sign-key ops@example.org",
                            "A trixie suite beside the bookworm one, its meta-packages following trixie's kernel meta-packages:"),
                    new Item("dkms-deb repo /srv/apt --prune-kernels --keep-builds 2 --dry-run",
                            "Say what retention would take out:")),
            "verify-repo", List.of(
                    new Item("dkms-deb verify-repo /srv/apt --keyring /usr/share/keyrings/example-modules.gpg",
                            "Check the repository as a client would, against the key clients have:")),
            "generate-completion", List.of(
                    new Item("source <(dkms-deb generate-completion)", "Complete dkms-deb's commands and options in this shell:")));
}

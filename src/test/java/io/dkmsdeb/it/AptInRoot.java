package io.dkmsdeb.it;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The root's apt, for tests that install from a dkms-deb repository in an {@link IsolatedRoot}. */
final class AptInRoot {
    /**
     * Replaces the root's apt sources with the signed repository $1 (suite $4, else bookworm; its KEY.asc
     * as signed-by) and, when $2 is not empty, the trusted flat archive $2 (stand-ins for the Debian
     * archive); forgets the machine's package lists, and with $3 = yes its installed packages too.
     */
    private static final String SOURCES = """
            set -e
            rm -f /etc/apt/sources.list /etc/apt/sources.list.d/*
            rm -rf /var/lib/apt/lists/*
            if [ "$3" = yes ]; then : > /var/lib/dpkg/status; fi
            suite=${4:-bookworm}
            {
                printf 'Types: deb\\nURIs: file:%s\\nSuites: %s\\nComponents: main\\nSigned-By: %s/KEY.asc\\n' "$1" "$suite" "$1"
                if [ -n "$2" ]; then printf '\\nTypes: deb\\nURIs: file:%s\\nSuites: ./\\nTrusted: yes\\n' "$2"; fi
            } > /etc/apt/sources.list.d/test.sources
            """;
    private static final String APT = "DEBIAN_FRONTEND=noninteractive; export DEBIAN_FRONTEND; exec apt-get \"$@\"";

    private AptInRoot() {
    }

    /**
     * @param archive         a flat archive of stand-in packages, or null
     * @param forgetInstalled start from an empty dpkg database (stand-in kernels do not meet the machine's)
     */
    static void sources(IsolatedRoot root, Path repo, Path archive, boolean forgetInstalled) {
        sources(root, repo, "bookworm", archive, forgetInstalled);
    }

    /** As {@link #sources(IsolatedRoot, Path, Path, boolean)}, with the repository's suite {@code suite}. */
    static void sources(IsolatedRoot root, Path repo, String suite, Path archive, boolean forgetInstalled) {
        Cmd.Result r = root.run(SOURCES, repo.toString(), archive == null ? "" : archive.toString(), forgetInstalled ? "yes" : "no", suite);
        assertThat(r.exit()).as("apt sources in the isolated root: " + r).isZero();
    }

    /** {@code apt-get ARGS} in the root. */
    static Cmd.Result run(IsolatedRoot root, String... args) {
        return root.run(APT, args);
    }

    /** {@code apt-get ARGS} in the root, which must exit 0. */
    static Cmd.Result ok(IsolatedRoot root, String... args) {
        Cmd.Result r = run(root, args);
        assertThat(r.exit()).as("apt-get " + String.join(" ", args) + ": " + r).isZero();
        return r;
    }

    /** {@code ii  VERSION} (dpkg's status abbreviation and version), or {@code not installed}. */
    static String installed(IsolatedRoot root, String pkg) {
        Cmd.Result r = root.exec("dpkg-query", "-W", "-f=${db:Status-Abbrev} ${Version}", pkg);
        return r.exit() == 0 ? r.out().strip() : "not installed";
    }
}

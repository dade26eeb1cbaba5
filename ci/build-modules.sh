#!/bin/sh
# ci/build-modules.sh KVER [SOURCE]
#
# One cell of the Jenkins matrix (see Jenkinsfile), also usable by hand or in any CI: builds the kernel
# module SOURCE for the kernel release KVER with "dkms-deb bmdeb --json" and leaves in $OUT_DIR:
#
#   NAME-modules-KVER_VERSION_ARCH.deb   the package, when built (checked with "dkms-deb inspect")
#   bmdeb-KVER.json                      the JSON summary of dkms-deb (kernels[0].result: built, skipped
#                                        or failed); written by this script when dkms-deb printed none
#   logs/                                the full build log
#
# SOURCE is what bmdeb takes: a module directory, a NAME-dkms .deb, or NAME/VERSION (default: $MODULE_SOURCE).
# JSON is read and written with jq, which must be installed.
#
# Exit status:
#   0   built
#   77  skipped: the module's BUILD_EXCLUSIVE_* excludes this kernel (dkms-deb's 77, passed on as is).
#       Not a failure: the Jenkinsfile marks the cell NOT_BUILT and the build stays green.
#   any other: failed. dkms-deb's code: 3 bad module source, 4 kernel headers missing, 5 build failed,
#       2 usage (also when jq is not installed), 1 other; 1 also when "dkms-deb inspect" finds a fault in
#       the package; 100 when FETCH_HEADERS=apt could not install the headers.
#
# Environment:
#   MODULE_SOURCE   SOURCE when it is not given as an argument
#   OUT_DIR         where the files go (default: out)
#   DKMS_DEB        the dkms-deb command (default: dkms-deb, as installed by the build image)
#   FETCH_HEADERS   "apt": when /lib/modules/KVER/build is missing, install linux-headers-KVER with
#                   apt-get first (needs root, as in the build image run with -u 0:0). A kernel of another
#                   architecture than this machine's (an -arm64 kernel on amd64) is cross-built: its
#                   headers cannot be installed here, so dkms-deb fetches them (bmdeb --fetch-headers)
#   HOST_KBUILD_DIR the host's /usr/lib mounted in the container (with its /usr/src and /lib/modules): each
#                   linux-kbuild-* in it is linked into /usr/lib, where the links scripts/ and tools/ of
#                   Debian's linux-headers packages point (root)
#   BMDEB_ARGS      more bmdeb options, split at spaces, no quoting (e.g. "--revision 1 --no-strip");
#                   the Maintainer comes from the module (debian/control, -dkms .deb) or DEBFULLNAME/DEBEMAIL
set -eu

usage() {
    echo "usage: $0 KVER [SOURCE]   (SOURCE defaults to \$MODULE_SOURCE)" >&2
    exit 2
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    usage
fi
kver=$1
source=${2:-${MODULE_SOURCE:-}}
[ -n "$source" ] || usage
case "$kver" in
    ''|-*|*[!A-Za-z0-9.+_~-]*)
        echo "$0: '$kver' is not a kernel release (letters, digits and . + _ ~ - only)" >&2
        exit 2
        ;;
esac
command -v jq >/dev/null || { echo "build-modules: error: jq is required to read dkms-deb's JSON (apt-get install jq)" >&2; exit 2; }

out=${OUT_DIR:-out}
dkms_deb=${DKMS_DEB:-dkms-deb}
summary="$out/bmdeb-$kver.json"
mkdir -p "$out/logs"
rm -f "$summary"

# The summary of a run in which dkms-deb printed none (it could not start, or usage error): the keys of
# "dkms-deb bmdeb --json" that tell what happened, and the SOURCE given.
write_summary() { # exit-code message
    jq -n -c --arg kernel "$kver" --argjson code "$1" --arg message "$2" --arg source "$source" \
        '{command: "bmdeb", module: null, moduleVersion: null,
          kernels: [{kernel: $kernel, result: "failed", exitCode: $code, package: null, file: null, seconds: 0, message: $message}],
          exitCode: $code, source: $source}' > "$summary"
}

if [ -n "${HOST_KBUILD_DIR:-}" ]; then
    for kbuild in "$HOST_KBUILD_DIR"/linux-kbuild-*; do
        [ -d "$kbuild" ] || continue
        link="/usr/lib/${kbuild##*/}"
        [ -e "$link" ] || ln -s "$kbuild" "$link"
    done
fi

# The kernel's architecture, from its Debian flavour: another one than this machine's is cross-built.
fetch=
case "$kver" in
    *-arm64|*-amd64)
        if [ "${kver##*-}" != "$(dpkg --print-architecture)" ] && [ "${FETCH_HEADERS:-}" = apt ]; then
            fetch=--fetch-headers
        fi
        ;;
esac

if [ -z "$fetch" ] && [ ! -e "/lib/modules/$kver/build" ] && [ "${FETCH_HEADERS:-}" = apt ]; then
    echo "build-modules: installing linux-headers-$kver with apt-get" >&2
    if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "linux-headers-$kver" >&2 \
            || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "linux-headers-$kver" >&2; }; }; then
        write_summary 100 "apt-get could not install linux-headers-$kver: is it in the configured apt sources (an old ABI may be gone from the archive)?"
        echo "build-modules: error: apt-get could not install linux-headers-$kver" >&2
        exit 100
    fi
fi

echo "build-modules: dkms-deb bmdeb $source -k $kver -o $out $fetch" >&2
json=$(mktemp)
trap 'rm -f "$json"' EXIT
set +e
# shellcheck disable=SC2086 # DKMS_DEB and BMDEB_ARGS may hold several words
$dkms_deb bmdeb "$source" -k "$kver" -o "$out" --log-dir "$out/logs" --json $fetch ${BMDEB_ARGS:-} > "$json"
rc=$?
set -e

# (the command key read as text: jq -e would also pass an empty file)
if [ "$(jq -r '.command' "$json" 2>/dev/null)" = bmdeb ]; then
    cp "$json" "$summary"
else
    write_summary "$rc" "dkms-deb printed no summary (exit $rc); see the error above"
fi

case $rc in
    0)
        # inspect the packages of this run (the "file" values of the summary): vermagic matches KVER,
        # md5sums, maintainer scripts
        debs=$(jq -r '.kernels[] | .file // empty' "$summary")
        if [ -z "$debs" ]; then
            echo "build-modules: error: dkms-deb exited 0 but its summary names no package for $kver" >&2
            exit 1
        fi
        while IFS= read -r deb; do
            $dkms_deb inspect "$deb" >&2 || { echo "build-modules: error: dkms-deb inspect found a fault in $deb" >&2; exit 1; }
            echo "build-modules: built $deb" >&2
        done <<DEBS
$debs
DEBS
        ;;
    77)
        echo "build-modules: skipped $kver: the module excludes this kernel (BUILD_EXCLUSIVE_*)" >&2
        ;;
    *)
        echo "build-modules: error: bmdeb failed for $kver with exit code $rc (logs in $out/logs)" >&2
        ;;
esac

# Files written as root in a container stay deletable by the CI user who owns the workspace.
if [ "$(id -u)" = 0 ]; then
    owner=$(stat -c %u:%g .)
    [ "$owner" = 0:0 ] || chown -R "$owner" "$out"
fi
exit "$rc"

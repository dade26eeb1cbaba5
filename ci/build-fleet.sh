#!/bin/sh
# ci/build-fleet.sh [SOURCE]
#
# The Jenkins job that follows the archive (see Jenkinsfile), also usable by hand or in any CI: builds the
# kernel module SOURCE for every kernel the apt archive serves that KERNEL_FILTER selects, builds only what
# is new (a package built from the same inputs already in the repository is reused), and publishes the
# packages as an apt repository in $REPO_DIR. Steps:
#
#   1. the kernel listing: "dkms-deb kernels --json $KERNEL_FILTER" > $OUT_DIR/kernels.json (or the file
#      KERNEL_LIST names); bmdeb and repo both read this one file, so they see the same kernels
#   2. "dkms-deb bmdeb SOURCE --kernels-from-archive --kernel-list LISTING --reuse-from $REPO_DIR", which
#      builds the kernels in parallel and leaves in $OUT_DIR:
#        NAME-modules-KVER_VERSION_ARCH.deb   each package built in this run
#        bmdeb.json                           the JSON summary (per kernel: built, up-to-date, skipped, failed)
#        logs/                                the build logs
#   3. "dkms-deb repo $REPO_DIR DEBS --kernel-list LISTING" with the packages built in this run (none: the
#      indices and the NAME-modules-FLAVOUR meta-packages are written again, so that they follow a kernel
#      meta-package that moved to an ABI whose package is in the repository already); its JSON summary in
#      $OUT_DIR/repo.json
#   4. a summary: how many kernels were built, up to date, skipped and failed
#
# dkms-deb's JSON is read with jq (by key, as "dkms-deb bmdeb --json" documents it), so jq must be installed.
#
# SOURCE is what bmdeb takes: a module directory, a NAME-dkms .deb, or NAME/VERSION (default: $MODULE_SOURCE).
# For one kernel given by name, ci/build-modules.sh is the single-kernel job.
#
# Exit status:
#   0   no kernel failed (built, up to date or skipped by BUILD_EXCLUSIVE_*) and the repository was written
#   77  every kernel was excluded by the module's BUILD_EXCLUSIVE_*: nothing to publish, the repository is
#       left as it was. Not a failure: the Jenkinsfile marks the stage NOT_BUILT and the build stays green.
#   any other: failed. When some kernels failed, what was built is published all the same and the exit
#       status is bmdeb's (3 bad module source, 4 kernel headers missing, 5 build failed, 1 other);
#       the code of "dkms-deb kernels" (4: apt-cache failed) or "dkms-deb repo" when those fail;
#       2 usage, or jq is not installed; 100 when APT_UPDATE=1 and apt-get update failed.
#
# Environment:
#   MODULE_SOURCE   SOURCE when it is not given as an argument
#   KERNEL_FILTER   which kernels of the archive (series, flavours, arch=ARCH, releases; see "dkms-deb kernels
#                   --help"; default: arch=ARCH of this machine, every flavour)
#   KERNEL_LIST     a listing written by "dkms-deb kernels --json" to use instead of asking apt (default: ask
#                   apt and write $OUT_DIR/kernels.json)
#   OUT_DIR         where the packages, JSON summaries and logs go (default: out)
#   REPO_DIR        the published apt repository (default: repo); keep it between runs: its packages are
#                   not built again
#   SUITE           the repository's suite (default: dkms-deb repo's, this machine's codename)
#   SIGN_KEY        the gpg key that signs the repository (in GNUPGHOME, else ~/.gnupg); unset: the
#                   repository is not signed (a warning)
#   APT_UPDATE      1: run "apt-get update" first (root), so that the listing has the archive's newest kernels
#   DKMS_DEB        the dkms-deb command (default: dkms-deb, as installed by the build image)
#   BMDEB_ARGS      more bmdeb options, split at spaces, no quoting (e.g. "--revision 1 -j 2 --rebuild")
set -eu

usage() {
    echo "usage: $0 [SOURCE]   (SOURCE defaults to \$MODULE_SOURCE)" >&2
    exit 2
}

[ $# -le 1 ] || usage
source=${1:-${MODULE_SOURCE:-}}
[ -n "$source" ] || usage
command -v jq >/dev/null || { echo "build-fleet: error: jq is required to read dkms-deb's JSON (apt-get install jq)" >&2; exit 2; }

out=${OUT_DIR:-out}
repo=${REPO_DIR:-repo}
dkms_deb=${DKMS_DEB:-dkms-deb}
filter=${KERNEL_FILTER:-arch=$(dpkg --print-architecture)}
summary="$out/bmdeb.json"
mkdir -p "$out/logs"
rm -f "$summary" "$out/repo.json"

# Files written as root in a container stay deletable by the CI user who owns the workspace.
give_back() {
    if [ "$(id -u)" = 0 ]; then
        owner=$(stat -c %u:%g .)
        if [ "$owner" != 0:0 ]; then
            chown -R "$owner" "$out"
            [ ! -d "$repo" ] || chown -R "$owner" "$repo"
        fi
    fi
}

finish() { # exit-code
    give_back
    exit "$1"
}

# 1. the kernel listing
if [ -n "${KERNEL_LIST:-}" ]; then
    listing=$KERNEL_LIST
    [ -f "$listing" ] || { echo "build-fleet: error: KERNEL_LIST $listing is not a file" >&2; finish 2; }
else
    if [ "${APT_UPDATE:-}" = 1 ]; then
        echo "build-fleet: apt-get update" >&2
        apt-get update -q >&2 || { echo "build-fleet: error: apt-get update failed" >&2; finish 100; }
    fi
    listing="$out/kernels.json"
    set +e
    $dkms_deb kernels --json "$filter" > "$listing"
    rc=$?
    set -e
    if [ "$rc" != 0 ]; then
        echo "build-fleet: error: dkms-deb kernels failed with exit code $rc" >&2
        finish "$rc"
    fi
fi

# 2. build what is new
echo "build-fleet: dkms-deb bmdeb $source --kernels-from-archive=$filter --kernel-list $listing --reuse-from $repo -o $out" >&2
set +e
# shellcheck disable=SC2086 # DKMS_DEB and BMDEB_ARGS may hold several words
$dkms_deb bmdeb "$source" --kernels-from-archive="$filter" --kernel-list "$listing" --reuse-from "$repo" \
    -o "$out" --log-dir "$out/logs" --json ${BMDEB_ARGS:-} > "$summary"
rc=$?
set -e
# (the command key read as text: jq -e would also pass an empty file)
if [ "$(jq -r '.command' "$summary" 2>/dev/null)" != bmdeb ]; then
    echo "build-fleet: error: dkms-deb bmdeb printed no summary (exit $rc); see the error above" >&2
    [ "$rc" != 0 ] || rc=1
    finish "$rc"
fi

# How many kernels of the summary have this result.
count() { # result
    jq -r --arg result "$1" '[.kernels[] | select(.result == $result)] | length' "$summary"
}
built=$(count built)
uptodate=$(count up-to-date)
skipped=$(count skipped)
failed=$(count failed)
# the packages to publish: the "file" of each kernel built in this run, and of each one up to date
# whose package is not in the repository (left in OUT_DIR by an earlier run that did not publish it)
debs=$(jq -r '.kernels[] | select((.result == "built" or .result == "up-to-date") and .exitCode == 0 and .file != null) | .file' \
    "$summary" | while IFS= read -r f; do
        case "$f" in "$repo"/*) ;; *) printf '%s\n' "$f" ;; esac
    done)

echo "build-fleet: $built built, $uptodate up to date, $skipped skipped (BUILD_EXCLUSIVE_*), $failed failed"
if [ "$rc" = 77 ]; then
    echo "build-fleet: every kernel was skipped: the module's BUILD_EXCLUSIVE_* excludes them all; nothing to publish"
    finish 77
fi
if [ "$rc" != 0 ] && [ -z "$debs" ] && [ ! -d "$repo/dists" ]; then
    echo "build-fleet: error: bmdeb failed with exit code $rc and built nothing; no repository written (logs in $out/logs)" >&2
    finish "$rc"
fi

# 3. publish
set --
if [ -n "$debs" ]; then
    while IFS= read -r deb; do
        set -- "$@" "$deb"
    done <<DEBS
$debs
DEBS
fi
published=$#
[ -z "${SUITE:-}" ] || set -- "$@" --suite "$SUITE"
if [ -n "${SIGN_KEY:-}" ]; then
    set -- "$@" --sign-key "$SIGN_KEY"
else
    echo "build-fleet: warning: SIGN_KEY is not set: the repository is not signed" >&2
fi
set +e
$dkms_deb repo "$repo" "$@" --kernel-list "$listing" --json > "$out/repo.json"
repo_rc=$?
set -e
if [ "$repo_rc" != 0 ]; then
    echo "build-fleet: error: dkms-deb repo failed with exit code $repo_rc" >&2
    [ "$rc" != 0 ] || rc=$repo_rc
    finish "$rc"
fi
echo "build-fleet: repository $repo written, $published package(s) of $out given to it (added or already there: $out/repo.json)"

if [ "$rc" != 0 ]; then
    echo "build-fleet: error: bmdeb failed for $failed kernel(s) with exit code $rc (logs in $out/logs);" \
        "the $built package(s) built were published all the same" >&2
fi
finish "$rc"

#!/bin/sh
# ci/fleet-build.sh PART [SOURCE]
#
# Step 2 of the fleet job spread over CI agents: one branch (Jenkins) or one parallel job (GitLab) builds its part of
# the listing that ci/fleet-list.sh wrote: PART is a shard, I/N (GitLab: "$CI_NODE_INDEX/$CI_NODE_TOTAL"; a kernel's
# shard is a hash of its release, so it stays on the same agent's header cache from night to night), or one kernel
# release of the listing (Jenkins' one branch per kernel). It runs
#   dkms-deb bmdeb SOURCE --kernels-from-archive[=KVER] --kernel-list LISTING [--shard I/N] --reuse-from REUSE_FROM
# and leaves in $OUT_DIR/PART_ID/ (shard-I-of-N or kernel-KVER, so that the parts of all agents can be put together):
#   NAME-modules-KVER_VERSION_ARCH.deb   each package built here
#   bmdeb.json                           dkms-deb's JSON summary (per kernel: built, up-to-date, skipped, failed)
#   logs/                                the build logs
# A kernel whose package, built from the same inputs, is in REUSE_FROM (the repository, or a copy of its dists/) is
# up to date and not built again.
#
# Exit status: bmdeb's. 0 every kernel of the part built or up to date (an empty shard: nothing to do); 77 the module's
# BUILD_EXCLUSIVE_* excludes every kernel of the part (the branch is NOT_BUILT, not failed); 3, 4, 5, 1: some kernel
# failed (those built are in the part all the same: ci/fleet-publish.sh publishes them); 2 usage (also no listing, no jq).
#
# Environment:
#   MODULE_SOURCE   SOURCE when it is not given as an argument
#   KERNEL_LIST     the listing (default: $OUT_DIR/kernels.json, as ci/fleet-list.sh writes it)
#   OUT_DIR         (default: out)
#   REUSE_FROM      a directory with the packages or Packages indices built before (default: REPO_DIR when it is a
#                   directory on this agent)
#   REPO_DIR        the published repository (default: repo)
#   PRUNE_CACHE     1: after the build, remove from the header cache every kernel the listing no longer has
#   HEADERS_ARCHIVE a tar file that carries the header cache from one run to the next (a CI cache that keeps only
#                   plain files, such as GitLab's zip, would store every file the kernels share once per kernel): read
#                   into $XDG_CACHE_HOME/dkms-deb/headers before the build when it exists, written back after it (tar
#                   keeps the hard links), and the unpacked cache then removed
#   DKMS_DEB        the dkms-deb command (default: dkms-deb)
#   BMDEB_ARGS      more bmdeb options, split at spaces, no quoting (e.g. "--revision 1 --rebuild")
set -eu
usage() {
    echo "usage: $0 I/N|KVER [SOURCE]   (a shard of the listing, or one kernel of it; SOURCE defaults to \$MODULE_SOURCE)" >&2
    exit 2
}
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
part=$1
source=${2:-${MODULE_SOURCE:-}}
[ -n "$source" ] || usage
command -v jq >/dev/null || { echo "fleet-build: error: jq is required to read dkms-deb's JSON (apt-get install jq)" >&2; exit 2; }
out=${OUT_DIR:-out}
dkms_deb=${DKMS_DEB:-dkms-deb}
listing=${KERNEL_LIST:-$out/kernels.json}
repo=${REPO_DIR:-repo}
reuse=${REUSE_FROM:-}
[ -n "$reuse" ] || [ ! -d "$repo" ] || reuse=$repo
[ -f "$listing" ] || { echo "fleet-build: error: no kernel listing at $listing; run ci/fleet-list.sh first (or set KERNEL_LIST)" >&2; exit 2; }

case "$part" in
    [1-9]*/[1-9]*)
        id="shard-${part%/*}-of-${part#*/}"
        set -- --kernels-from-archive --shard "$part"
        ;;
    ''|-*|*[!A-Za-z0-9.+_~-]*)
        echo "fleet-build: error: '$part' is neither a shard I/N nor a kernel release" >&2
        exit 2
        ;;
    *)
        id="kernel-$part"
        set -- --kernels-from-archive="$part"
        ;;
esac
dir="$out/$id"
headers="${XDG_CACHE_HOME:-${HOME:-}/.cache}/dkms-deb/headers"
if [ -n "${HEADERS_ARCHIVE:-}" ] && [ -f "$HEADERS_ARCHIVE" ]; then
    mkdir -p "$headers"
    if tar -xf "$HEADERS_ARCHIVE" -C "$headers"; then
        echo "fleet-build: header cache read from $HEADERS_ARCHIVE ($(du -sh "$headers" | cut -f1))" >&2
    else
        echo "fleet-build: warning: $HEADERS_ARCHIVE could not be read; the headers are fetched again" >&2
    fi
fi
rm -rf "$dir"
mkdir -p "$dir/logs"
[ -z "$reuse" ] || set -- "$@" --reuse-from "$reuse"
echo "fleet-build: dkms-deb bmdeb $source $* --kernel-list $listing -o $dir" >&2
rc=0
# shellcheck disable=SC2086 # DKMS_DEB and BMDEB_ARGS may hold several words
$dkms_deb bmdeb "$source" "$@" --kernel-list "$listing" -o "$dir" --log-dir "$dir/logs" --json ${BMDEB_ARGS:-} \
    > "$dir/bmdeb.json" || rc=$?
if [ "$(jq -r '.command' "$dir/bmdeb.json" 2>/dev/null)" != bmdeb ]; then
    echo "fleet-build: error: dkms-deb bmdeb printed no summary (exit $rc); see the error above" >&2
    rm -f "$dir/bmdeb.json"
    [ "$rc" != 0 ] || rc=1
    exit "$rc"
fi
echo "fleet-build: $id: $(jq -r '[.kernels[].result] | if length == 0 then "no kernel in this part" else group_by(.) | map("\(length) \(.[0])") | join(", ") end' "$dir/bmdeb.json") (exit $rc)"
if [ "${PRUNE_CACHE:-}" = 1 ]; then
    $dkms_deb kernels --kernel-list "$listing" --prune-cache >/dev/null || echo "fleet-build: warning: pruning the header cache failed" >&2
fi
if [ -n "${HEADERS_ARCHIVE:-}" ] && [ -d "$headers" ]; then
    # unfinished fetches and lock files stay out; the written archive replaces the old one only when complete
    mkdir -p "$(dirname "$HEADERS_ARCHIVE")"
    if tar -cf "$HEADERS_ARCHIVE.tmp" -C "$headers" --exclude='./.tmp-*' --exclude='./*.lock' --sort=name . \
        && mv "$HEADERS_ARCHIVE.tmp" "$HEADERS_ARCHIVE"; then
        rm -rf "$headers"
        echo "fleet-build: header cache written to $HEADERS_ARCHIVE ($(du -h "$HEADERS_ARCHIVE" | cut -f1))" >&2
    else
        rm -f "$HEADERS_ARCHIVE.tmp"
        echo "fleet-build: warning: the header cache could not be written to $HEADERS_ARCHIVE" >&2
    fi
fi
# Files written as root in a container stay deletable by the CI user who owns the workspace.
if [ "$(id -u)" = 0 ]; then
    owner=$(stat -c %u:%g .)
    [ "$owner" = 0:0 ] || chown -R "$owner" "$out"
fi
exit "$rc"

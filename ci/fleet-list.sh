#!/bin/sh
# ci/fleet-list.sh
#
# Step 1 of the fleet job spread over CI agents (Jenkinsfile, ci/dkms-deb-fleet.gitlab-ci.yml): the kernel listing,
# written once to $OUT_DIR/kernels.json and handed to every build branch (Jenkins stash, GitLab artifact), so that every
# shard is cut from the same listing even when the archive changes during the run. Then ci/fleet-build.sh on each
# agent, then ci/fleet-publish.sh once.
#
# Prints the partition (dkms-deb kernels --shards $SHARDS) on standard error when SHARDS is set.
#
# Exit status: 0 written; dkms-deb kernels' code when it fails (2 usage: a filter that matches nothing; 4 apt-cache
# failed); 2 when KERNEL_LIST is not a file; 100 when APT_UPDATE=1 and apt-get update failed.
#
# Environment:
#   KERNEL_FILTER   which kernels (series, flavours, arch=ARCH, current[+N], releases; see "dkms-deb kernels --help";
#                   default: arch=ARCH of this machine)
#   KERNEL_LIST     a listing written by "dkms-deb kernels --json" to use instead of asking apt (copied, filtered)
#   OUT_DIR         where kernels.json goes (default: out)
#   SHARDS          N, to print the partition
#   APT_UPDATE      1: run "apt-get update" first (root), so that the listing has the archive's newest kernels
#   DKMS_DEB        the dkms-deb command (default: dkms-deb)
set -eu
[ $# -eq 0 ] || { echo "usage: $0   (no arguments; see the environment in its header)" >&2; exit 2; }
out=${OUT_DIR:-out}
dkms_deb=${DKMS_DEB:-dkms-deb}
filter=${KERNEL_FILTER:-arch=$(dpkg --print-architecture)}
mkdir -p "$out"
set --
if [ -n "${KERNEL_LIST:-}" ]; then
    [ -f "$KERNEL_LIST" ] || { echo "fleet-list: error: KERNEL_LIST $KERNEL_LIST is not a file; give a listing written by 'dkms-deb kernels --json'" >&2; exit 2; }
    set -- --kernel-list "$KERNEL_LIST"
elif [ "${APT_UPDATE:-}" = 1 ]; then
    echo "fleet-list: apt-get update" >&2
    apt-get update -q >&2 || { echo "fleet-list: error: apt-get update failed" >&2; exit 100; }
fi
rc=0
# (the filter is one argument: dkms-deb splits it at spaces and commas)
$dkms_deb kernels --json "$@" "$filter" > "$out/kernels.json.tmp" || rc=$?
if [ "$rc" != 0 ]; then
    rm -f "$out/kernels.json.tmp"
    echo "fleet-list: error: dkms-deb kernels failed with exit code $rc" >&2
    exit "$rc"
fi
mv "$out/kernels.json.tmp" "$out/kernels.json"
echo "fleet-list: $out/kernels.json: $(jq '.kernels | length' "$out/kernels.json") kernel(s) matching '$filter'" >&2
if [ -n "${SHARDS:-}" ]; then
    $dkms_deb kernels --kernel-list "$out/kernels.json" --shards "$SHARDS" >&2
fi

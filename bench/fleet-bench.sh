#!/usr/bin/env bash
# Benchmarks a fleet build: `dkms-deb bmdeb --kernels-from-archive` (through the ./dkms-deb launcher) over
# every kernel ABI that the apt archive serves and BENCH_FILTER selects (default: every ABI of the amd64
# flavour of the 6.1 and 6.12 series), for two modules: debian-example/hello and a larger Debian -dkms
# module (BENCH_DKMS_PACKAGE, default rtpengine-kernel-dkms, one that builds for both series: fetched with
# apt-get download, its module tree taken from the .deb's usr/src). For each module it prints:
#
#   1. the first run's wall time (every kernel built; headers of kernels not installed here are fetched)
#   2. the headers fetched: the unpacked bytes of dkms-deb's headers cache (XDG_CACHE_HOME/dkms-deb/headers,
#      a fresh XDG_CACHE_HOME shared by the two modules: the second module finds the first one's headers
#      there) and the number of kernels whose headers were fetched (the others are installed here)
#   3. the second run's wall time: the same command, every kernel up to date, nothing built.
#                                                                  target: under 5 s for the whole list
#   4. a third run after one kernel's package is deleted (a new ABI, as a nightly job meets it): its wall
#      time, and the make -j that kernel got (every CPU: the kernels up to date take no share)
#      A kernel the module failed to build for is tried again at every run, so the second run is no
#      no-op for it: the summary says so (xtables-addons 3.23 of bookworm, for one, does not build for 6.12)
#
# and the commands. The kernel listing is taken once (dkms-deb kernels --json) and given to every run with
# --kernel-list, so that all runs see the same kernels.
#
# Usage: bench/fleet-bench.sh        (from any directory; apt-get update run recently)
# Environment:
#   BENCH_FILTER='6.1 6.12 amd64'    the kernels (dkms-deb kernels FILTER: series, flavours, arch=ARCH,
#                                    releases); a short list (two releases) for a quick try
#   BENCH_DKMS_PACKAGE=rtpengine-kernel-dkms
#                                    the larger module's Debian -dkms package
#   BENCH_KEEP=1                     keep the temporary directory (its path is printed)
# Needs: java 17, make + gcc (build-essential), apt-get (download only: no root needed), dpkg-deb, du,
# network access to the archive for the headers. The first run of a long list takes long: each ABI's
# headers are fetched and the module is built for each.
set -euo pipefail
export LC_ALL=C

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAUNCHER="$REPO/dkms-deb"
FILTER=${BENCH_FILTER:-6.1 6.12 amd64}
DKMS_PACKAGE=${BENCH_DKMS_PACKAGE:-rtpengine-kernel-dkms}
BENCH_NAME=fleet-bench

die() { echo "fleet-bench: $*" >&2; exit 1; }
for tool in java make gcc apt-get dpkg-deb du awk; do
    command -v "$tool" >/dev/null || die "missing tool: $tool"
done
[ -x "$LAUNCHER" ] || die "launcher $LAUNCHER not found or not executable"
case "$DKMS_PACKAGE" in
    *-dkms) ;;
    *) die "BENCH_DKMS_PACKAGE must name a Debian -dkms package, not '$DKMS_PACKAGE'" ;;
esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}/fleet-bench.XXXXXX")
LOG="$WORK/commands.log"
# shellcheck source=bench/lib.sh
. "$REPO/bench/lib.sh"
trap bench_cleanup EXIT
export XDG_CACHE_HOME="$WORK/cache"
mkdir -p "$XDG_CACHE_HOME"

# ---------------------------------------------------------------- the kernels and the modules
LISTING="$WORK/kernels.json"
"$LAUNCHER" kernels --json "$FILTER" >"$LISTING" 2>>"$LOG" || die "dkms-deb kernels failed (see $LOG)"
mapfile -t RELEASES < <(grep -o '"release":"[^"]*","series"' "$LISTING" | sed -e 's/^"release":"//' -e 's/","series"$//')
[ "${#RELEASES[@]}" -gt 0 ] || die "the archive serves no kernel matching '$FILTER' (apt-get update?)"
echo "fleet-bench: ${#RELEASES[@]} kernels matching '$FILTER': ${RELEASES[*]}"

mkdir -p "$WORK/src" "$WORK/deb"
cp -a "$REPO/debian-example/hello" "$REPO/debian-example/debian" "$WORK/src/"
(cd "$WORK/deb" && apt-get download -q "$DKMS_PACKAGE" >>"$LOG" 2>&1) || die "apt-get download $DKMS_PACKAGE failed (see $LOG)"
dpkg-deb -x "$WORK"/deb/*.deb "$WORK/deb/root"
mapfile -t TREES < <(find "$WORK/deb/root/usr/src" -mindepth 2 -maxdepth 2 -name dkms.conf -printf '%h\n')
[ "${#TREES[@]}" = 1 ] || die "$DKMS_PACKAGE has ${#TREES[@]} module trees with a dkms.conf in usr/src, not one"
MODULES=("$WORK/src/hello" "${TREES[0]}")

# ---------------------------------------------------------------- runs
BMDEB_RC=0
bmdeb() { # SOURCE OUT: bmdeb over the listing; its exit code in BMDEB_RC (failed kernels are reported, not fatal)
    BMDEB_RC=0
    "$LAUNCHER" bmdeb "$1" --kernels-from-archive="$FILTER" --kernel-list "$LISTING" -o "$2" \
        --log-dir "$2/logs" --maintainer "Fleet Bench <bench@example.org>" --json >"$2.json" || BMDEB_RC=$?
    grep -q '^{"command":"bmdeb"' "$2.json" || { echo "fleet-bench: bmdeb printed no summary (exit $BMDEB_RC)" >&2; return 1; }
}
count() { # RESULT SUMMARY: how many kernels have that result
    { grep -o "\"result\":\"$1\"" "$2" || true; } | wc -l
}
results() { # SUMMARY: counts of each result
    local r out=""
    for r in built up-to-date skipped failed; do
        out="$out $r $(count "$r" "$1")"
    done
    echo "${out# }"
}
HEADERS_CACHE="$XDG_CACHE_HOME/dkms-deb/headers"
cache_bytes() { if [ -d "$HEADERS_CACHE" ]; then du -sb "$HEADERS_CACHE" | awk '{ print $1 }'; else echo 0; fi; }
cache_kernels() { find "$HEADERS_CACHE" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l; }

printf '\n%-28s %9s %12s %9s  %s\n' module "first s" "headers MB" "second s" "results (first / second)"
echo "(headers MB: unpacked in the fetch cache by this module's first run)"
summary=()
for src in "${MODULES[@]}"; do
    name=${src##*/}
    out="$WORK/out-$name"
    mkdir -p "$out"
    before=$(cache_bytes)
    run_timed bmdeb "$src" "$out"
    first=$T_REAL first_rc=$BMDEB_RC first_results=$(results "$out.json")
    headers=$(calc "($(cache_bytes) - $before) / 1048576" 1)
    run_timed bmdeb "$src" "$out"
    second=$T_REAL second_rc=$BMDEB_RC second_results=$(results "$out.json")
    printf '%-28s %9s %12s %9s  %s (exit %s) / %s (exit %s)\n' "$name" "$first" "$headers" "$second" \
        "$first_results" "$first_rc" "$second_results" "$second_rc"
    verdict=$(awk -v s="$second" 'BEGIN { print (s < 5 ? "met" : "MISSED") }')
    failed=$(count failed "$out.json")
    if [ "$failed" -gt 0 ]; then
        verdict="$verdict; $failed kernel(s) failed and were built again, so this was no no-op (BENCH_KEEP=1 keeps their logs)"
    fi
    summary+=("$name: second run ${second} s for ${#RELEASES[@]} kernels, target < 5 s: $verdict")
    # one kernel new again (its package deleted): only it is built, and its make gets every CPU
    victim=$(grep -o '"result":"up-to-date","exitCode":0,"package":"[^"]*","file":"[^"]*"' "$out.json" | head -n 1 |
        sed -e 's/.*"file":"//' -e 's/"$//')
    if [ -n "$victim" ] && [ -f "$victim" ]; then
        rm -f "$victim"
        run_timed bmdeb "$src" "$out"
        how=$(grep -o 'building for .* at a time (make -j[0-9]* each)' "$WORK/.out" || echo "no build line")
        summary+=("$name: one kernel new again (${victim##*/} deleted): ${T_REAL} s, $(results "$out.json") (exit $BMDEB_RC); $how")
    fi
done

echo
printf '%s\n' "${summary[@]}"
echo "headers fetched: $(cache_kernels) of ${#RELEASES[@]} kernels (the others are installed here), $(calc "$(cache_bytes) / 1048576" 1) MB unpacked"
echo "command: XDG_CACHE_HOME=(fresh) $LAUNCHER bmdeb SOURCE --kernels-from-archive='$FILTER' --kernel-list kernels.json -o OUT --log-dir OUT/logs --maintainer NAME --json"
echo "         (kernels.json: $LAUNCHER kernels --json '$FILTER'; SOURCE: debian-example/hello, then usr/src of $DKMS_PACKAGE)"

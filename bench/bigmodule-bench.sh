#!/usr/bin/env bash
# Benchmarks a real-size module for 1, 2, 4 and 8 kernels: one `dkms-deb bmdeb DIR -k K1 .. -k KN`
# call against `dkms build` of the same module for each kernel in turn (what a dkms host or a CI job
# with dkms does), and against the same work by hand, kernel after kernel ("raw": a copy of the tree,
# the module's own MAKE line from dkms.conf at -jNPROC, strip -g, dpkg-deb --build of the .ko files),
# runs interleaved. The module comes from Debian: `apt-get download NAME-dkms`,
# unpacked with `dpkg-deb -x` (nothing installed). dkms runs in a private mount namespace with temp
# dirs bound over /etc/dkms and /var/lib/dkms (its MOK key is made there), so the machine is left as
# it was; it builds only (no install), and so does bmdeb (--no-sign), plus its packaging.
#
# Needs a quiet machine and about an hour for 8 kernels and 2 runs. Kernels are those with headers
# under /lib/modules/*/build, the series of the first (newest) one first (or BENCH_KERNELS); a count
# larger than the kernels available is skipped and reported as not measured. More kernels: install
# more linux-headers-* (older ABIs of the same series: apt-cache search linux-headers-6.1.0).
#
# Usage: bench/bigmodule-bench.sh        (as root, for unshare and bind mounts)
# Environment:
#   BENCH_MODULE=xtables-addons   the Debian NAME-dkms package to use (lttng-modules, openafs, ...)
#   BENCH_COUNTS="1 2 4 8"        numbers of kernels
#   BENCH_KERNELS="K1 K2 ..."     kernels to use, in order (default: every /lib/modules/*/build)
#   BENCH_RUNS=2                  repetitions of each measurement
#   BENCH_RAW_COUNTS="1 4"        the counts at which the raw side, and bmdeb --compile-debug-info (compiling
#                                 with the debug info that strip -g removes, as dkms and raw do), are measured too
#   BENCH_PLOT_RUNS=$BENCH_RUNS   repetitions at the other counts (only plotted)
#   BENCH_KEEP=1                  keep the temporary directory
# Results: bench/results/bigmodule-bench.tsv (see bench/lib.sh), read by bench/report.sh.
set -euo pipefail
export LC_ALL=C

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODULE=${BENCH_MODULE:-xtables-addons}
COUNTS=${BENCH_COUNTS:-1 2 4 8}
RUNS=${BENCH_RUNS:-2}
RAW_COUNTS=" ${BENCH_RAW_COUNTS:-1 4} "
PLOT_RUNS=${BENCH_PLOT_RUNS:-$RUNS}
die() { echo "bigmodule-bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (unshare --mount and bind mounts for dkms)"
for tool in java apt-get dpkg-deb dkms unshare mount make gcc strip; do
    command -v "$tool" >/dev/null || die "missing tool: $tool"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bigmodule-bench.XXXXXX")
LOG="$WORK/commands.log"
: >"$LOG"
BENCH_NAME=bigmodule-bench
# shellcheck source=bench/lib.sh
. "$REPO/bench/lib.sh"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- kernels and module
if [ -n "${BENCH_KERNELS:-}" ]; then
    read -r -a KERNELS <<<"$BENCH_KERNELS"
else
    # newest first, the plain flavour before others; then kernels of that series before the others
    mapfile -t all < <(for b in /lib/modules/*/build; do [ -e "$b/Makefile" ] && { k=${b#/lib/modules/}; echo "${k%/build}"; }; done |
        sort -V -r)
    first=""
    for k in "${all[@]}"; do case $k in *-[0-9]*-amd64|*-[0-9]*-arm64) first=${first:-$k} ;; esac; done
    first=${first:-${all[0]:-}}
    series=${first%%.*}.$(echo "$first" | cut -d. -f2)
    KERNELS=()
    for k in "${all[@]}"; do case $k in "$series".*) KERNELS+=("$k") ;; esac; done
    for k in "${all[@]}"; do case $k in "$series".*) ;; *) KERNELS+=("$k") ;; esac; done
fi
[ "${#KERNELS[@]}" -ge 1 ] || die "no kernel headers under /lib/modules/*/build"
for k in "${KERNELS[@]}"; do [ -e "/lib/modules/$k/build/Makefile" ] || die "no headers for $k"; done

(cd "$WORK" && apt-get download "$MODULE-dkms") >>"$LOG" 2>&1 || die "apt-get download $MODULE-dkms failed"
dpkg-deb -x "$WORK"/"$MODULE"-dkms_*.deb "$WORK/pkg"
SRC=$(find "$WORK/pkg/usr/src" -mindepth 1 -maxdepth 1 -type d | head -n 1)
[ -f "$SRC/dkms.conf" ] || die "no dkms.conf in $MODULE-dkms"
NAME=$(sed -n 's/^PACKAGE_NAME="\{0,1\}\([^"]*\)"\{0,1\}.*/\1/p' "$SRC/dkms.conf" | head -n 1)
VER=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}.*/\1/p' "$SRC/dkms.conf" | head -n 1)
{ [ -n "$NAME" ] && [ -n "$VER" ]; } || die "cannot read PACKAGE_NAME/PACKAGE_VERSION from $SRC/dkms.conf"

result_open
result_meta module "$MODULE-dkms ($NAME $VER)"
result_meta kernels "${KERNELS[*]}"
result_meta dkms "$(dkms --version 2>&1 | head -n 1)"
echo "== $MODULE-dkms ($NAME $VER), kernels: ${KERNELS[*]}; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- the two sides
ours_run() { rm -rf "$WORK/out"; mkdir "$WORK/out"; local ks=(); for k in "$@"; do ks+=(-k "$k"); done
    run_timed "$REPO/dkms-deb" bmdeb "$SRC" "${ks[@]}" -o "$WORK/out" --no-sign --maintainer "Bench <bench@example.org>"; }
# the same, compiling with debug info as dkms does (--compile-debug-info), to tell the scheduling's share
# of the difference from that of compiling without the debug info strip -g removes
ours_g_run() { rm -rf "$WORK/out"; mkdir "$WORK/out"; local ks=(); for k in "$@"; do ks+=(-k "$k"); done
    run_timed "$REPO/dkms-deb" bmdeb "$SRC" "${ks[@]}" -o "$WORK/out" --no-sign --maintainer "Bench <bench@example.org>" \
        --compile-debug-info; }

# raw: what bmdeb does, by hand, one kernel after the other: copy the tree to where dkms.conf expects it,
# its MAKE line (make -jNPROC, as dkms runs it), strip -g every .ko, dpkg-deb --build of those files
raw_one() {
    local k=$1 t="$WORK/raw/$1"
    rm -rf "$t"; mkdir -p "$t/tree/$NAME/$VER" "$t/pkg/DEBIAN" "$t/pkg/lib/modules/$k/updates/dkms"
    cp -a "$SRC" "$t/tree/$NAME/$VER/build"
    (cd "$t/tree/$NAME/$VER/build" && env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin bash -c '
        kernelver=$1 kernel_source_dir=/lib/modules/$1/build dkms_tree=$2 source_tree=$2 arch=$(uname -m)
        . ./dkms.conf
        m=${MAKE[0]:-make -C $kernel_source_dir M=$PWD}
        eval "make -j$(nproc) ${m#make }"' raw "$k" "$t/tree")
    find "$t/tree" -name '*.ko' -exec strip -g {} +
    find "$t/tree" -name '*.ko' -exec cp {} "$t/pkg/lib/modules/$k/updates/dkms/" \;
    printf 'Package: %s-modules-%s\nVersion: %s\nArchitecture: %s\nMaintainer: Bench <bench@example.org>\nDepends: linux-image-%s\nDescription: %s for %s\n' \
        "$NAME" "$k" "$VER" "$(dpkg --print-architecture)" "$k" "$NAME" "$k" >"$t/pkg/DEBIAN/control"
    dpkg-deb --root-owner-group -Zxz --build "$t/pkg" "$t/$NAME-modules-$k.deb" >/dev/null
    [ -n "$(ls "$t/pkg/lib/modules/$k/updates/dkms")" ] || { echo "raw: no .ko built for $k" >&2; return 1; }
}
export -f raw_one
raw_run() { run_timed bash -c 'set -euo pipefail; for k in "${@:4}"; do WORK=$1 NAME=$2 VER=$3 raw_one "$k"; done' raw \
    "$WORK" "$NAME" "$VER" "$@"; }
export SRC

D="$WORK/dkms"
mkdir -p "$D/etc/framework.conf.d" "$D/mok" "$D/src"
[ -f /etc/dkms/framework.conf ] && cp -a /etc/dkms/framework.conf "$D/etc/"
printf 'mok_signing_key="%s"\nmok_certificate="%s"\n' "$D/mok/mok.key" "$D/mok/mok.pub" >"$D/etc/framework.conf.d/zz-bench.conf"
cp -a "$SRC" "$D/src/$NAME-$VER"
# dkms_inner D RUN NAME VER K...: in the new mount namespace, dkms add, then build for each kernel
dkms_inner() {
    set -euo pipefail
    local d=$1 run=$2 name=$3 ver=$4 k
    shift 4
    local tree=(--dkmstree "$run/tree" --sourcetree "$d/src")
    mount --bind "$d/etc" /etc/dkms
    mount --bind "$run/varlib" /var/lib/dkms
    dkms add -m "$name" -v "$ver" "${tree[@]}"
    for k in "$@"; do dkms build -m "$name" -v "$ver" -k "$k" "${tree[@]}"; done
}
export -f dkms_inner
RUN_N=0
dkms_run() {
    RUN_N=$((RUN_N + 1))
    local run="$D/run$RUN_N"
    mkdir -p "$run/tree" "$run/varlib"
    run_timed unshare --mount --propagation private bash -c 'dkms_inner "$@"' dkms_inner "$D" "$run" "$NAME" "$VER" "$@"
    rm -rf "$run"
}
# warm-up, untimed: page cache, and dkms's MOK key
ours_run "${KERNELS[0]}"; dkms_run "${KERNELS[0]}"; raw_run "${KERNELS[0]}"
# where bmdeb's time goes for one kernel: its progress lines, timestamped (untimed run)
"$REPO/dkms-deb" bmdeb "$SRC" -k "${KERNELS[0]}" -o "$WORK/out-phases" --no-sign --maintainer "Bench <bench@example.org>" --log-dir "$WORK/logs-phases" 2>&1 |
    while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done >"$WORK/phases.txt" || true
awk 'NR == 1 { t0 = $1 } { printf "  +%6.2f s  %s\n", $1 - t0, substr($0, index($0, " ") + 1) }' "$WORK/phases.txt" |
    sed "s|$WORK|WORK|g" | tee "$WORK/phases.out"
result_meta phases "$(awk '{ printf "%s%s", (NR > 1 ? "\\n" : ""), $0 }' "$WORK/phases.out")"

for n in $COUNTS; do
    if [ "$n" -gt "${#KERNELS[@]}" ]; then
        echo "$n kernels: not measured (only ${#KERNELS[@]} kernel(s) with headers)"
        continue
    fi
    ks=("${KERNELS[@]:0:$n}")
    t_ours=(); t_dkms=(); t_raw=(); t_g=()
    raw=0; runs=$PLOT_RUNS; case $RAW_COUNTS in *" $n "*) raw=1; runs=$RUNS ;; esac
    for ((i = 1; i <= runs; i++)); do
        if ((i % 2)); then
            ours_run "${ks[@]}"; t_ours+=("$T_REAL"); dkms_run "${ks[@]}"; t_dkms+=("$T_REAL")
            if ((raw)); then raw_run "${ks[@]}"; t_raw+=("$T_REAL"); ours_g_run "${ks[@]}"; t_g+=("$T_REAL"); fi
        else
            if ((raw)); then ours_g_run "${ks[@]}"; t_g+=("$T_REAL"); raw_run "${ks[@]}"; t_raw+=("$T_REAL"); fi
            dkms_run "${ks[@]}"; t_dkms+=("$T_REAL"); ours_run "${ks[@]}"; t_ours+=("$T_REAL")
        fi
    done
    result_row "kernels-$n" bmdeb "bmdeb $MODULE, $n kernel(s)" "${t_ours[@]}"
    result_row "kernels-$n" dkms "dkms build, $n kernel(s) in turn" "${t_dkms[@]}"
    echo "$n kernel(s): bmdeb fastest $(minimum "${t_ours[@]}") s median $(median "${t_ours[@]}") s (runs ${t_ours[*]}), dkms fastest $(minimum "${t_dkms[@]}") s median $(median "${t_dkms[@]}") s (runs ${t_dkms[*]}); bmdeb/dkms $(calc "$(minimum "${t_ours[@]}") / $(minimum "${t_dkms[@]}")") (medians $(calc "$(median "${t_ours[@]}") / $(median "${t_dkms[@]}")"))"
    if ((raw)); then
        result_row "kernels-$n" raw "raw make + strip + dpkg-deb, $n kernel(s) in turn" "${t_raw[@]}"
        echo "$n kernel(s): raw fastest $(minimum "${t_raw[@]}") s median $(median "${t_raw[@]}") s (runs ${t_raw[*]}); bmdeb/raw $(calc "$(minimum "${t_ours[@]}") / $(minimum "${t_raw[@]}")") (medians $(calc "$(median "${t_ours[@]}") / $(median "${t_raw[@]}")"))"
        result_row "kernels-$n" bmdeb-debuginfo "bmdeb --compile-debug-info, $n kernel(s)" "${t_g[@]}"
        echo "$n kernel(s): bmdeb --compile-debug-info fastest $(minimum "${t_g[@]}") s median $(median "${t_g[@]}") s (runs ${t_g[*]}); /dkms $(calc "$(minimum "${t_g[@]}") / $(minimum "${t_dkms[@]}")"), /raw $(calc "$(minimum "${t_g[@]}") / $(minimum "${t_raw[@]}")")"
    fi
done

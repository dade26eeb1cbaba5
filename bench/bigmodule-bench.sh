#!/usr/bin/env bash
# Benchmarks a real-size module for 1, 2, 4 and 8 kernels: one `dkms-deb bmdeb DIR -k K1 .. -k KN`
# call against `dkms build` of the same module for each kernel in turn (what a dkms host or a CI job
# with dkms does), runs interleaved. The module comes from Debian: `apt-get download NAME-dkms`,
# unpacked with `dpkg-deb -x` (nothing installed). dkms runs in a private mount namespace with temp
# dirs bound over /etc/dkms and /var/lib/dkms (its MOK key is made there), so the machine is left as
# it was; it builds only (no install), and so does bmdeb (--no-sign), plus its packaging.
#
# Needs a quiet machine and about half an hour for 8 kernels. Kernels are those with headers under
# /lib/modules/*/build (or BENCH_KERNELS); a count larger than the kernels available is skipped and
# reported as not measured. More kernels: install more linux-headers-* (in a container or VM).
#
# Usage: bench/bigmodule-bench.sh        (as root, for unshare and bind mounts)
# Environment:
#   BENCH_MODULE=xtables-addons   the Debian NAME-dkms package to use (lttng-modules, openafs, ...)
#   BENCH_COUNTS="1 2 4 8"        numbers of kernels
#   BENCH_KERNELS="K1 K2 ..."     kernels to use, in order (default: every /lib/modules/*/build)
#   BENCH_RUNS=3                  repetitions of each measurement
#   BENCH_KEEP=1                  keep the temporary directory
# Results: bench/results/bigmodule-bench.tsv (see bench/lib.sh), read by bench/report.sh.
set -euo pipefail
export LC_ALL=C

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODULE=${BENCH_MODULE:-xtables-addons}
COUNTS=${BENCH_COUNTS:-1 2 4 8}
RUNS=${BENCH_RUNS:-3}
die() { echo "bigmodule-bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (unshare --mount and bind mounts for dkms)"
for tool in java apt-get dpkg-deb dkms unshare mount make gcc; do
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
    KERNELS=()
    for b in /lib/modules/*/build; do
        [ -e "$b/Makefile" ] && { k=${b#/lib/modules/}; KERNELS+=("${k%/build}"); }
    done
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
    run_timed "$REPO/dkms-deb" bmdeb "$SRC" "${ks[@]}" -o "$WORK/out" --no-sign; }

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
ours_run "${KERNELS[0]}"; dkms_run "${KERNELS[0]}"

for n in $COUNTS; do
    if [ "$n" -gt "${#KERNELS[@]}" ]; then
        echo "$n kernels: not measured (only ${#KERNELS[@]} kernel(s) with headers)"
        continue
    fi
    ks=("${KERNELS[@]:0:$n}")
    t_ours=(); t_dkms=()
    for ((i = 1; i <= RUNS; i++)); do
        if ((i % 2)); then ours_run "${ks[@]}"; t_ours+=("$T_REAL"); dkms_run "${ks[@]}"; t_dkms+=("$T_REAL")
        else dkms_run "${ks[@]}"; t_dkms+=("$T_REAL"); ours_run "${ks[@]}"; t_ours+=("$T_REAL"); fi
    done
    result_row "kernels-$n" bmdeb "bmdeb $MODULE, $n kernel(s)" "${t_ours[@]}"
    result_row "kernels-$n" dkms "dkms build, $n kernel(s) in turn" "${t_dkms[@]}"
    echo "$n kernel(s): bmdeb fastest $(minimum "${t_ours[@]}") s (runs ${t_ours[*]}), dkms fastest $(minimum "${t_dkms[@]}") s (runs ${t_dkms[*]}), ratio $(calc "$(minimum "${t_ours[@]}") / $(minimum "${t_dkms[@]}")")"
done

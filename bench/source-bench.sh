#!/usr/bin/env bash
# Benchmarks `dkms-deb source` against the Debian tools, all figures measured in one run.
#
#   1. small package: `./dkms-deb source hello` vs `dpkg-buildpackage -us -uc -b`
#      on a fresh copy of debian-example/ (fastest of N runs, ratio ours/dh, target <= 0.25)
#   2. big tree (>= 50 MB, a copy of /usr/src/linux-headers-*-common): `dkms-deb source --compression xz`
#      vs `dpkg-deb --root-owner-group -Zxz --build` of the same package unpacked (same files, same
#      control members) (fastest of 3, MB/s, ratio ours/dpkg-deb in throughput, target >= 1.0;
#      size ratio, target within 1 %)
#
# Usage: bench/source-bench.sh            (from any directory)
# Environment:
#   BENCH_RUNS=5        repetitions for part 1
#   BENCH_BIG_RUNS=3    repetitions for part 2
#   BENCH_MIN_MB=50     minimum size of the big tree, in MB (10^6 bytes) of regular-file data
#   BENCH_JOBS=         if set, passed as `-j N` to dkms-deb (default: dkms-deb's own default, nproc)
#   BENCH_KEEP=1        keep the temporary directory (its path is printed)
# Needs: java 17, dpkg-dev, debhelper, dh-dkms, xz-utils, binutils (ar); mvn only if the jar is missing.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAR="$REPO/target/dkms-deb.jar"
RUNS=${BENCH_RUNS:-5}
BIG_RUNS=${BENCH_BIG_RUNS:-3}
MIN_MB=${BENCH_MIN_MB:-50}
MAINT="Bench <bench@example.org>"
JOBS_ARGS=()
if [ -n "${BENCH_JOBS:-}" ]; then JOBS_ARGS=(-j "$BENCH_JOBS"); fi

for tool in java dpkg-deb dpkg-buildpackage ar xz awk find; do
    command -v "$tool" >/dev/null || { echo "source-bench: missing tool: $tool" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dkms-deb-bench.XXXXXX")
LOG="$WORK/commands.log"
: >"$LOG"
BENCH_NAME=source-bench
bench_before_cleanup() {
    if [ -n "${SAMPLER_PID:-}" ]; then kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; fi
}
# shellcheck source=bench/lib.sh
. "$REPO/bench/lib.sh"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- helpers
file_bytes() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%d", s }'; }
# xz_blocks DEB: number of xz blocks in the .deb's data.tar.xz
xz_blocks() {
    ar p "$1" data.tar.xz >"$WORK/.data.tar.xz"
    xz --robot --list "$WORK/.data.tar.xz" | awk -F'\t' '$1 == "totals" { print $3 }'
    rm -f "$WORK/.data.tar.xz"
}
# Thread sampler for part 2: watches the descendants of this shell; for "java" it records the peak
# number of threads named xz-block (dkms-deb's compressor pool), for "dpkg-deb" the peak thread count
# of any dpkg-deb process (the one running liblzma) minus its main thread. Writes $WORK/.threads.
descendants() {
    local p
    for p in $(pgrep -P "$1" || true); do
        [ "$p" = "$2" ] || { echo "$p"; descendants "$p" "$2"; }
    done
}
sampler_loop() {
    local mode=$1 top=$2 me=$BASHPID max=0 n p
    while :; do
        for p in $(descendants "$top" "$me"); do
            n=0
            if [ "$mode" = java ]; then
                case "$(cat "/proc/$p/comm" 2>/dev/null)" in
                    java) n=$(cat /proc/"$p"/task/*/comm 2>/dev/null | grep -c '^xz-block$' || true) ;;
                    xz) n=$(awk '/^Threads:/ { print $2 - 1 }' "/proc/$p/status" 2>/dev/null || echo 0) ;;
                    *) continue ;;
                esac
            else
                [ "$(cat "/proc/$p/comm" 2>/dev/null)" = dpkg-deb ] || continue
                n=$(awk '/^Threads:/ { print $2 - 1 }' "/proc/$p/status" 2>/dev/null || echo 0)
            fi
            [ "${n:-0}" -gt "$max" ] && { max=$n; echo "$max" >"$WORK/.threads"; }
        done
        sleep 0.2
    done
}
SAMPLER_PID=
start_sampler() { echo 0 >"$WORK/.threads"; sampler_loop "$1" "$$" & SAMPLER_PID=$!; }
stop_sampler() {
    kill "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=
    T_THREADS=$(cat "$WORK/.threads")
}
# as a user runs it: the launcher (class-data sharing archive, C1 JIT, serial GC)
ours() { "$REPO/dkms-deb" source "$@" --maintainer "$MAINT" ${JOBS_ARGS[@]+"${JOBS_ARGS[@]}"}; }

# ---------------------------------------------------------------- jar
"$REPO/dkms-deb" --version >/dev/null    # builds the jar and the class-data archive when needed

# ---------------------------------------------------------------- 3. machine facts
NPROC=$(nproc)
result_open
result_meta dpkg "$(dpkg-deb --version | head -n 1)"
result_meta xz "$(xz --version | head -n 1)"
echo "== machine"
echo "date:            $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "nproc:           $NPROC"
echo "cpu:             $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)"
echo "memory:          $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "java:            $(java -version 2>&1 | head -n 1)"
echo "dpkg-deb:        $(dpkg-deb --version | head -n 1)"
echo "dkms-deb:        $(java -jar "$JAR" --version 2>&1 | head -n 1)"
echo "jar:             $JAR"
echo "load average:    $(cut -d' ' -f1-3 /proc/loadavg) at start (other load on the machine skews absolute times; runs are interleaved)"

# ---------------------------------------------------------------- 1. small package vs dh
echo
echo "== 1. small package: dkms-deb source hello vs dpkg-buildpackage -us -uc -b (debian-example)"
SNAP="$WORK/snapshot"
cp -a "$REPO/debian-example" "$SNAP"    # one snapshot, so concurrent edits of the repo don't skew runs

small_ours() {
    rm -rf "$WORK/s-out"
    mkdir "$WORK/s-out"
    run_timed ours "$SNAP/hello" -o "$WORK/s-out"
    [ -f "$WORK/s-out/hello-dkms_1.0-1_all.deb" ] || { echo "no hello .deb from dkms-deb" >&2; exit 1; }
}
small_dh() {
    rm -rf "$WORK/s-dh"
    mkdir "$WORK/s-dh"
    cp -a "$SNAP" "$WORK/s-dh/debian-example"    # fresh copy (not timed)
    run_timed env -C "$WORK/s-dh/debian-example" dpkg-buildpackage -us -uc -b
    [ -f "$WORK/s-dh/hello-dkms_1.0-1_all.deb" ] || { echo "no hello .deb from dpkg-buildpackage" >&2; exit 1; }
}
small_ours; small_dh    # one untimed warm-up of each (page cache, JIT-less JVM class data)
small_ours_t=(); small_dh_t=()
for ((i = 1; i <= RUNS; i++)); do
    small_ours; small_ours_t+=("$T_REAL")
    small_dh;   small_dh_t+=("$T_REAL")
done
S_OURS=$(median "${small_ours_t[@]}")
S_DH=$(median "${small_dh_t[@]}")
S_RATIO_MEDIAN=$(calc "$S_OURS / $S_DH")
S_OURS_MIN=$(minimum "${small_ours_t[@]}"); S_DH_MIN=$(minimum "${small_dh_t[@]}")
S_RATIO=$(calc "$S_OURS_MIN / $S_DH_MIN")
echo "runs:            $RUNS each (interleaved, after 1 untimed warm-up of each); JVM start included"
echo "dkms-deb runs:   ${small_ours_t[*]} s"
echo "dh runs:         ${small_dh_t[*]} s"
echo "dkms-deb median: $S_OURS s  (./dkms-deb source hello -o DIR --maintainer ...)"
echo "dh median:       $S_DH s  (dpkg-buildpackage -us -uc -b in a fresh copy of debian-example/)"
echo "deb sizes:       dkms-deb $(stat -c %s "$WORK/s-out/hello-dkms_1.0-1_all.deb") B, dh $(stat -c %s "$WORK/s-dh/hello-dkms_1.0-1_all.deb") B"
echo "ratio ours/dh:   $S_RATIO fastest runs ($S_OURS_MIN s / $S_DH_MIN s); ratio of the medians $S_RATIO_MEDIAN  (target <= 0.25)"
result_row small dkms-deb "./dkms-deb source hello" "${small_ours_t[@]}"
result_row small dh "dpkg-buildpackage -us -uc -b" "${small_dh_t[@]}"
rm -rf "$WORK/s-out" "$WORK/s-dh" "$SNAP"

# ---------------------------------------------------------------- 2. big tree throughput
echo
echo "== 2. big tree: dkms-deb source --compression xz vs dpkg-deb -Zxz --build"
HDRS=$(find /usr/src -mindepth 1 -maxdepth 1 -type d -name 'linux-headers-*-common' 2>/dev/null | sort | head -n 1)
if [ -z "$HDRS" ]; then echo "source-bench: no /usr/src/linux-headers-*-common found" >&2; exit 1; fi
TREE="$WORK/bigtree"
cp -a "$HDRS" "$TREE"
MIN_BYTES=$((MIN_MB * 1000000))
dups=0
while [ "$(file_bytes "$TREE")" -lt "$MIN_BYTES" ]; do
    dups=$((dups + 1))
    cp -a "$HDRS" "$TREE/dup$dups"
done
cat >"$TREE/dkms.conf" <<'EOF'
PACKAGE_NAME=bigtree
PACKAGE_VERSION=1.0
BUILT_MODULE_NAME[0]=bigtree
DEST_MODULE_LOCATION[0]=/updates/dkms
EOF
IN_BYTES=$(file_bytes "$TREE")
IN_MB=$(calc "$IN_BYTES / 1000000" 1)
echo "tree:            copy (cp -a) of $HDRS + ${dups} duplicate subdir(s) + dkms.conf"
echo "input:           $IN_MB MB ($IN_BYTES bytes in $(find "$TREE" -type f | wc -l) regular files, $(find "$TREE" -type l | wc -l) symlinks; MB = 10^6 bytes)"

# The same package laid out as dpkg-deb wants it: dkms-deb's own package of the tree, unpacked with
# `dpkg-deb -R` (so DEBIAN/ holds the same control, md5sums, postinst and prerm, and the tree the same
# /usr/src and /usr/share/doc files, escaping symlinks already left out). A reference with only
# DEBIAN/control lacks md5sums: for ~9,400 files that is ~0.2 MB of xz, 2.4 % of the package.
PKGROOT="$WORK/pkgroot"
mkdir "$WORK/layout"
ours "$TREE" -o "$WORK/layout" --compression xz >>"$LOG" 2>&1    # untimed
dpkg-deb -R "$WORK/layout/bigtree-dkms_1.0-1_all.deb" "$PKGROOT"
rm -rf "$WORK/layout"
echo "pkgroot:         dpkg-deb -R of dkms-deb's package of the tree: the same files, DEBIAN/ with control, md5sums, postinst, prerm"

# What each side compresses with.
DKMS_THREADS=${BENCH_JOBS:-$NPROC}
XZ_ENCODER=$("$REPO/dkms-deb" source "$REPO/debian-example" -o "$WORK" --json 2>/dev/null | sed -n 's/.*"xzEncoder":"\([^"]*\)".*/\1/p')
rm -f "$WORK"/*.deb
echo "dkms-deb xz:     ${XZ_ENCODER:-?} (DKMS_DEB_XZ=java forces xz-java), preset 6, CRC64, $DKMS_THREADS thread(s) (-j; default = nproc), with xz-utils an even number of equal blocks of at most 24 MiB cut from the tar's size, with xz-java 8 MiB blocks (dictionary no larger than the input)"
DPKG_VER=$(dpkg-query -W -f='${Version}' dpkg 2>/dev/null || dpkg-deb --version | awk '{ print $NF }')
xz_level=$(man dpkg-deb 2>/dev/null | tr -s ' \n' ' ' | grep -o '[0-9]* for xz' | head -n 1 | awk '{ print $1 }' || true)
# (no `cmd | grep -q` here: with pipefail, grep -q exiting early can SIGPIPE cmd and fail the pipe)
dpkg_help=$(dpkg-deb --help 2>&1 || true)
has_tmax=no; case "$dpkg_help" in *--threads-max*) has_tmax=yes ;; esac
mt_changelog=no
zgrep -q -i 'multi-threaded xz compression' /usr/share/doc/dpkg/changelog.gz 2>/dev/null && mt_changelog=yes
dpkg_libs=$(ldd "$(command -v dpkg-deb)" 2>/dev/null || true)
lzma_linked=no; case "$dpkg_libs" in *liblzma*) lzma_linked=yes ;; esac
echo "dpkg-deb xz:     preset ${xz_level:-6} (-z default for xz per dpkg-deb(1)); dpkg $DPKG_VER, linked to liblzma: $lzma_linked,"
echo "                 --threads-max in --help: $has_tmax (option since 1.21.9), changelog has 'multi-threaded xz compression': $mt_changelog (since 1.18.x)."
if [ "$lzma_linked" = yes ] && [ "$has_tmax" = yes ]; then
    echo "                 => dpkg-deb compresses xz MULTI-threaded with liblzma's mt encoder: threads ="
    echo "                    ${DPKG_DEB_THREADS_MAX:+DPKG_DEB_THREADS_MAX=$DPKG_DEB_THREADS_MAX, else }lzma_cputhreads() = $NPROC here, lowered only if memory is short; block size 3 x dict = 24 MiB."
else
    echo "                 => dpkg-deb here may compress xz single-threaded (see the observed threads below)."
fi
echo "                 (threads observed below: peak 'xz-block' threads of the java process, resp. peak thread"
echo "                 count of any dpkg-deb process minus its main thread, sampled every 0.2 s; cpu/wall is"
echo "                 only indicative when other load shares the CPUs)"

BIG_OUT="$WORK/big-out"
big_ours() {
    rm -rf "$BIG_OUT"
    mkdir "$BIG_OUT"
    start_sampler java
    run_timed ours "$TREE" -o "$BIG_OUT" --compression xz
    stop_sampler
    [ -f "$BIG_OUT/bigtree-dkms_1.0-1_all.deb" ] || { echo "no bigtree .deb from dkms-deb" >&2; exit 1; }
}
big_dpkg() {
    rm -f "$WORK/dpkg-deb.deb"
    start_sampler dpkg-deb
    run_timed dpkg-deb --root-owner-group -Zxz --build "$PKGROOT" "$WORK/dpkg-deb.deb"
    stop_sampler
}
big_ours_t=(); big_ours_c=(); big_ours_n=(); big_dpkg_t=(); big_dpkg_c=(); big_dpkg_n=()
for ((i = 1; i <= BIG_RUNS; i++)); do
    big_ours; big_ours_t+=("$T_REAL"); big_ours_c+=("$T_CPU"); big_ours_n+=("$T_THREADS")
    big_dpkg; big_dpkg_t+=("$T_REAL"); big_dpkg_c+=("$T_CPU"); big_dpkg_n+=("$T_THREADS")
done
B_OURS=$(median "${big_ours_t[@]}")
B_DPKG=$(median "${big_dpkg_t[@]}")
B_OURS_CPU=$(median "${big_ours_c[@]}")
B_DPKG_CPU=$(median "${big_dpkg_c[@]}")
OURS_MBS=$(calc "$IN_BYTES / 1000000 / $B_OURS" 2)
DPKG_MBS=$(calc "$IN_BYTES / 1000000 / $B_DPKG" 2)
B_RATIO_MEDIAN=$(calc "$OURS_MBS / $DPKG_MBS")
B_OURS_MIN=$(minimum "${big_ours_t[@]}"); B_DPKG_MIN=$(minimum "${big_dpkg_t[@]}")
B_RATIO=$(calc "$B_DPKG_MIN / $B_OURS_MIN")
OURS_DEB="$BIG_OUT/bigtree-dkms_1.0-1_all.deb"
DPKG_DEB="$WORK/dpkg-deb.deb"
echo "runs:            $BIG_RUNS each (interleaved); JVM start included"
echo "dkms-deb runs:   ${big_ours_t[*]} s (cpu ${big_ours_c[*]} s; xz threads observed ${big_ours_n[*]})"
echo "dpkg-deb runs:   ${big_dpkg_t[*]} s (cpu ${big_dpkg_c[*]} s; extra threads observed ${big_dpkg_n[*]})"
printf 'dkms-deb:        %s s median, %s MB/s, cpu/wall %s, deb %s bytes (%s xz blocks in data.tar.xz)\n' \
    "$B_OURS" "$OURS_MBS" "$(calc "$B_OURS_CPU / $B_OURS" 2)" "$(stat -c %s "$OURS_DEB")" "$(xz_blocks "$OURS_DEB")"
printf 'dpkg-deb:        %s s median, %s MB/s, cpu/wall %s, deb %s bytes (%s xz blocks in data.tar.xz)\n' \
    "$B_DPKG" "$DPKG_MBS" "$(calc "$B_DPKG_CPU / $B_DPKG" 2)" "$(stat -c %s "$DPKG_DEB")" "$(xz_blocks "$DPKG_DEB")"
echo "note:            both packages hold the same files and control members; dpkg-deb is given md5sums, dkms-deb computes them"
result_row big dkms-deb "$IN_MB MB tree, ${XZ_ENCODER:-?}, deb $(stat -c %s "$OURS_DEB") B" "${big_ours_t[@]}"
result_row big dpkg-deb "dpkg-deb -Zxz --build, deb $(stat -c %s "$DPKG_DEB") B" "${big_dpkg_t[@]}"
result_meta big_mb "$IN_MB"
result_meta big_deb_ours "$(stat -c %s "$OURS_DEB")"
result_meta big_deb_dpkg "$(stat -c %s "$DPKG_DEB")"
echo "size ours/dpkg-deb: $(calc "$(stat -c %s "$OURS_DEB") / $(stat -c %s "$DPKG_DEB")" 4)  (target within 1 %)"
echo "ratio ours/dpkg-deb throughput: $B_RATIO fastest runs ($B_OURS_MIN s / $B_DPKG_MIN s); of the medians $B_RATIO_MEDIAN  (target >= 1.0)"

# ---------------------------------------------------------------- summary
verdict() { awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { ok = (op == "<=") ? (v <= t) : (v >= t); print ok ? "PASS" : "FAIL" }'; }
echo
echo "== summary (one run, $NPROC CPUs, load average now $(cut -d' ' -f1-3 /proc/loadavg))"
echo "   Ratios of the fastest run of each side: other jobs on a shared machine only ever add time."
echo "small: dkms-deb $S_OURS_MIN s vs dh $S_DH_MIN s -> ratio $S_RATIO (target <= 0.25): $(verdict "$S_RATIO" '<=' 0.25)"
echo "big:   dkms-deb $(calc "$IN_BYTES / 1000000 / $B_OURS_MIN" 2) MB/s vs dpkg-deb $(calc "$IN_BYTES / 1000000 / $B_DPKG_MIN" 2) MB/s on $IN_MB MB -> ratio $B_RATIO (target >= 1.0): $(verdict "$B_RATIO" '>=' 1.0)"

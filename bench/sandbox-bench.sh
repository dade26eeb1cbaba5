#!/usr/bin/env bash
# What the sandbox adds to a module build: `dkms-deb bmdeb` of debian-example/hello for one kernel,
# with the sandbox (the default) and with --no-sandbox, runs interleaved, --rebuild each time (the same
# inputs are built again), SOURCE_DATE_EPOCH fixed. Prints the median wall time of each side and the
# difference per kernel, and checks that both sides wrote the same bytes.
#
# Usage: bench/sandbox-bench.sh            (as root or not; needs bubblewrap and the kernel's headers)
# Environment:
#   BENCH_KERNEL=KVER   the kernel (default: the newest with headers under /lib/modules)
#   BENCH_RUNS=7        runs of each side
set -euo pipefail
export LC_ALL=C SOURCE_DATE_EPOCH=1700000000

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jar="$REPO/target/dkms-deb.jar"
[ -f "$jar" ] || { echo "$0: $jar is missing; run 'mvn -B -DskipTests package' first" >&2; exit 2; }
kernel=${BENCH_KERNEL:-$(for d in /lib/modules/*/build/Makefile; do [ -f "$d" ] && basename "$(dirname "$(dirname "$d")")"; done | sort -V | tail -1)}
[ -n "$kernel" ] || { echo "$0: no kernel headers under /lib/modules; install linux-headers-*" >&2; exit 2; }
runs=${BENCH_RUNS:-7}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() { # SIDE [OPTIONS...]: one build, its wall time in seconds on stdout
    local side=$1; shift
    local start end
    start=$(date +%s.%N)
    java -jar "$jar" bmdeb "$REPO/debian-example/hello" -k "$kernel" -o "$work/$side" --no-sign --rebuild \
        --log-dir "$work/logs-$side" "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: > "$work/in.txt"
: > "$work/out.txt"
for _ in $(seq "$runs"); do
    run in >> "$work/in.txt"
    run out --no-sandbox >> "$work/out.txt"
done
in=$(median < "$work/in.txt")
out=$(median < "$work/out.txt")
printf 'kernel             %s\n' "$kernel"
printf 'runs               %d each, interleaved\n' "$runs"
printf 'sandbox            %.3f s (median wall time of one bmdeb call, one kernel)\n' "$in"
printf 'no sandbox         %.3f s\n' "$out"
printf 'sandbox adds       %.3f s per kernel\n' "$(echo "$in - $out" | bc -l)"
# the wrapper alone: the same bubblewrap set-up as a step gets, running `true`, against `true` unwrapped
wrap=(bwrap --die-with-parent --new-session)
if [ "$(id -u)" = 0 ]; then
    wrap+=(--unshare-ipc --unshare-pid --unshare-net --unshare-uts --unshare-cgroup-try)
    drop=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs --)
else
    wrap+=(--unshare-all)
    drop=()
fi
wrap+=(--ro-bind / / --dev /dev --proc /proc --perms 1777 --tmpfs /tmp --tmpfs /root --tmpfs /home --tmpfs /run --)
n=50
start=$(date +%s.%N); for _ in $(seq $n); do "${wrap[@]}" "${drop[@]}" true; done; end=$(date +%s.%N)
wrapped=$(echo "($end - $start) / $n" | bc -l)
start=$(date +%s.%N); for _ in $(seq $n); do true; done; end=$(date +%s.%N)
bare=$(echo "($end - $start) / $n" | bc -l)
steps=$(grep -c '^\$ ' "$work/logs-in/hello-1.0_${kernel}.log" || true)
steps=$((steps + 1))    # and dkms.conf's reading
printf 'one sandboxed step %.4f s more than unwrapped (mean of %d)\n' "$(echo "$wrapped - $bare" | bc -l)" "$n"
printf 'steps per kernel   %d (dkms.conf, make, strip, ...)\n' "$steps"
printf 'sandbox set-up     %.3f s per kernel (steps x the wrapper)\n' "$(echo "($wrapped - $bare) * $steps" | bc -l)"
if cmp -s "$work/in/hello-modules-${kernel}_1.0_amd64.deb" "$work/out/hello-modules-${kernel}_1.0_amd64.deb"; then
    echo "packages           byte-identical"
else
    echo "packages           DIFFER" >&2
    exit 1
fi

#!/usr/bin/env bash
# Benchmarks the start-up of dkms-deb: `./dkms-deb --version` (the launcher as a user runs it:
# staleness check, class-data archive, C1 JIT, serial GC) against the JVM alone with the same
# options (`java -version`), runs interleaved. Target: --version <= 0.15 s (fastest run).
#
# Usage: bench/version-bench.sh          (from any directory)
# Environment:
#   BENCH_RUNS=11   repetitions of each
#   BENCH_KEEP=1    keep the temporary directory (its path is printed)
# Results: bench/results/version-bench.tsv (see bench/lib.sh), read by bench/report.sh.
set -euo pipefail
export LC_ALL=C

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${BENCH_RUNS:-11}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/version-bench.XXXXXX")
LOG="$WORK/commands.log"
: >"$LOG"
BENCH_NAME=version-bench
# shellcheck source=bench/lib.sh
. "$REPO/bench/lib.sh"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

"$REPO/dkms-deb" --version >/dev/null    # builds the jar and the class-data archive when needed
jvm() { java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -Xlog:cds=off -version; }
ours() { "$REPO/dkms-deb" --version; }
ours >/dev/null; jvm >/dev/null 2>&1    # one untimed warm-up of each (page cache)

result_open
result_meta java "$(java -version 2>&1 | head -n 1)"
t_ours=(); t_jvm=()
for ((i = 1; i <= RUNS; i++)); do
    if ((i % 2)); then
        run_timed ours; t_ours+=("$T_REAL"); run_timed jvm; t_jvm+=("$T_REAL")
    else
        run_timed jvm; t_jvm+=("$T_REAL"); run_timed ours; t_ours+=("$T_REAL")
    fi
done
result_row version dkms-deb "./dkms-deb --version" "${t_ours[@]}"
result_row version jvm "java -version, same JVM options" "${t_jvm[@]}"
echo "== --version start-up ($RUNS interleaved runs each, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo "./dkms-deb --version: fastest $(minimum "${t_ours[@]}") s, median $(median "${t_ours[@]}") s (runs ${t_ours[*]})"
echo "java -version:        fastest $(minimum "${t_jvm[@]}") s, median $(median "${t_jvm[@]}") s (runs ${t_jvm[*]})"
echo "target:               --version <= 0.15 s: $(awk -v v="$(minimum "${t_ours[@]}")" 'BEGIN { print (v <= 0.15) ? "PASS" : "MISS" }')"

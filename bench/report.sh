#!/usr/bin/env bash
# Writes docs/PERFORMANCE.md and docs/performance-kernels.svg from the benchmarks' results
# (bench/results/*.tsv, written by source-bench.sh, bmdeb-bench.sh, version-bench.sh and
# bigmodule-bench.sh; format in bench/lib.sh). A figure a result file lacks is shown as "not
# measured in this run"; nothing is typed in by hand. The earlier runs' text is kept in
# bench/performance-history.md and appended as it is.
#
# Usage: bench/report.sh                 (BENCH_RESULTS=DIR to read another results dir)
set -euo pipefail
export LC_ALL=C
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RESULTS=${BENCH_RESULTS:-$REPO/bench/results}
OUT="$REPO/docs/PERFORMANCE.md"
SVG="$REPO/docs/performance-kernels.svg"
[ -d "$RESULTS" ] || { echo "report: no results in $RESULTS; run the bench scripts first" >&2; exit 1; }

# all rows, prefixed with the bench name: BENCH<TAB>row|meta<TAB>...
all() {
    local f
    for f in "$RESULTS"/*.tsv; do
        [ -e "$f" ] || continue
        awk -v b="$(basename "$f" .tsv)" -F'\t' -v OFS='\t' '{ print b, $0 }' "$f"
    done
}

all | awk -F'\t' -f "$REPO/bench/report-svg.awk" >"$SVG"
{
    all | awk -F'\t' -f "$REPO/bench/report-md.awk"
    echo
    cat "$REPO/bench/performance-history.md"
} >"$OUT"
echo "report: wrote $OUT and $SVG"

# shellcheck shell=bash disable=SC2034  # T_REAL and T_CPU are read by the scripts that source this
# Helpers shared by the bench scripts; sourced, not run. The script sets BENCH_NAME (for messages),
# WORK (its temp dir) and LOG (the command log in it) before it calls any of these, and may define
# bench_before_cleanup (e.g. to stop a background sampler).

# bench_cleanup: the EXIT trap. On failure shows the end of the command log; removes WORK unless
# BENCH_KEEP=1.
bench_cleanup() {
    local rc=$?
    if declare -F bench_before_cleanup >/dev/null; then bench_before_cleanup; fi
    if [ "$rc" -ne 0 ] && [ -s "$LOG" ]; then
        echo "$BENCH_NAME: FAILED (exit $rc); last lines of the command log:" >&2
        tail -n 30 "$LOG" >&2 || true
    fi
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "$BENCH_NAME: kept $WORK" >&2
    else
        rm -rf "$WORK"
    fi
}

# run_timed CMD...: runs CMD (a command or a function, in this shell), its output in $WORK/.out and
# appended to $LOG; sets T_REAL (s) and T_CPU (user+sys s, children included).
run_timed() {
    local tf="$WORK/.time" u s rc=0
    local TIMEFORMAT='%3R %3U %3S'
    echo "+ $*" >>"$LOG"
    { time "$@" >"$WORK/.out" 2>&1 || rc=$?; } 2>"$tf"
    cat "$WORK/.out" >>"$LOG"
    [ "$rc" = 0 ] || { echo "$BENCH_NAME: command failed (exit $rc): $*" >&2; return "$rc"; }
    read -r T_REAL u s <"$tf"
    T_CPU=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.3f", u + s }')
}

# median NUMBERS..., minimum NUMBERS...: three decimals
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
minimum() { printf '%s\n' "$@" | sort -g | head -n 1; }
# calc EXPR [DECIMALS]: awk arithmetic, 3 decimals unless told
calc() { awk "BEGIN { printf \"%.${2:-3}f\", $1 }"; }

# Machine-readable results: each script writes RESULTS/BENCH_NAME.tsv (RESULTS = $BENCH_RESULTS,
# else bench/results), which bench/report.sh turns into docs/PERFORMANCE.md. Lines:
#   meta<TAB>KEY<TAB>VALUE                                    (date, nproc, load, tool versions)
#   row<TAB>CASE<TAB>SIDE<TAB>FASTEST_S<TAB>MEDIAN_S<TAB>RUNS<TAB>DETAIL
# result_open: starts the file, with the machine facts every report shows.
result_open() {
    RESULT_FILE="${BENCH_RESULTS:-$REPO/bench/results}/$BENCH_NAME.tsv"
    mkdir -p "$(dirname "$RESULT_FILE")"
    : >"$RESULT_FILE"
    result_meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
    result_meta nproc "$(nproc)"
    result_meta load "$(cut -d' ' -f1-3 /proc/loadavg)"
    result_meta cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)"
}
result_meta() { printf 'meta\t%s\t%s\n' "$1" "$2" >>"$RESULT_FILE"; }
# result_row CASE SIDE DETAIL TIMES...: fastest and median of TIMES
result_row() {
    local case=$1 side=$2 detail=$3
    shift 3
    printf 'row\t%s\t%s\t%s\t%s\t%s\t%s\n' "$case" "$side" "$(minimum "$@")" "$(median "$@")" "$#" "$detail" >>"$RESULT_FILE"
}

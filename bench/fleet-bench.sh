#!/bin/sh
# bench/fleet-bench.sh [FILTER]: what a fleet costs per agent, measured on this machine.
#
# Builds debian-example/hello for every kernel the apt archive serves that FILTER selects (default arch=amd64, every
# flavour), with headers fetched into an empty cache, as an agent that has none installed would; then prints:
#   - the header cache on disk (files the kernels share stored once) and what the same trees take unshared (every
#     file counted in every tree it is in: what each kernel cost before the sharing), and the ratio;
#   - the time of the whole run and per kernel (fetch + build), from bmdeb's --json;
#   - the shard sizes for N = 1 to 8 (dkms-deb kernels --shards N).
# Needs network (apt-get download of ~15 MB per kernel; about 80 MB unpacked per kernel before sharing).
# Figures go to bench/results/fleet-FILTER.txt. DKMS_DEB names the dkms-deb command (default: ./dkms-deb).
set -eu
cd "$(dirname "$0")/.."
filter=${1:-arch=amd64}
dkms_deb=${DKMS_DEB:-./dkms-deb}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache" SOURCE_DATE_EPOCH=1700000000 DEBFULLNAME="Fleet Bench" DEBEMAIL=bench@example.org
$dkms_deb kernels --json "$filter" > "$work/kernels.json"
count=$(jq '.kernels | length' "$work/kernels.json")
start=$(date +%s)
$dkms_deb bmdeb debian-example/hello --kernels-from-archive="$filter" --kernel-list "$work/kernels.json" -o "$work/out" \
    --log-dir "$work/logs" --no-sign --json > "$work/bmdeb.json" || true
end=$(date +%s)
cache="$XDG_CACHE_HOME/dkms-deb/headers"
shared=$(du -sb "$cache" | cut -f1)
shared_disk=$(du -sk "$cache" | cut -f1)
unshared=0
unshared_disk=0
trees=0
for d in "$cache"/*/; do
    unshared=$((unshared + $(du -sb --count-links "$d" | cut -f1)))
    unshared_disk=$((unshared_disk + $(du -sk --count-links "$d" | cut -f1)))
    trees=$((trees + 1))
done
mkdir -p bench/results
out="bench/results/fleet-$(printf %s "$filter" | tr -c 'A-Za-z0-9.+-' _).txt"
{
    echo "fleet-bench: $count kernels matching '$filter' on $(nproc) CPUs, $(date -u +%Y-%m-%d)"
    echo "results: $(jq -r '[.kernels[].result] | group_by(.) | map("\(length) \(.[0])") | join(", ")' "$work/bmdeb.json")"
    echo "whole run: $((end - start)) s; per kernel (fetch + build, median of seconds): $(jq '[.kernels[].seconds] | sort | .[length/2|floor]' "$work/bmdeb.json")"
    echo "header cache, $trees trees fetched (installed headers are used, not fetched):"
    echo "  file sizes: $((shared / 1048576)) MB shared, $((unshared / 1048576)) MB unshared, ratio $((100 * shared / unshared)) %"
    echo "  disk blocks: $((shared_disk / 1024)) MB shared, $((unshared_disk / 1024)) MB unshared, ratio $((100 * shared_disk / unshared_disk)) %"
    for n in 1 2 3 4 5 6 7 8; do
        $dkms_deb kernels --kernel-list "$work/kernels.json" --shards "$n" 2>&1 >/dev/null | tail -1
    done
} | tee "$out"

#!/bin/sh
# ci/fleet-publish.sh
#
# Step 3 of the fleet job spread over CI agents, run once after every branch (Jenkins' publish stage, GitLab's publish
# job with its resource_group): takes the parts the branches left in $OUT_DIR/*/bmdeb.json (ci/fleet-build.sh), and
# publishes the packages built with "dkms-deb repo $REPO_DIR DEBS --kernel-list LISTING", which holds the repository's
# lock (one publisher at a time) and makes the new state visible at once. Its JSON summary goes to $OUT_DIR/repo.json.
# A part that failed does not stop the others from being published; a part that is missing (its branch died before
# writing its summary) is counted as failed when EXPECT_PARTS says how many there are.
#
# Exit status:
#   0   every kernel built, up to date or skipped, and the repository written
#   77  every kernel was excluded by the module's BUILD_EXCLUSIVE_*: nothing published (NOT_BUILT, not a failure)
#   5   some kernel failed or a part is missing: what was built is published all the same
#   2   usage (no part found, jq missing); the code of "dkms-deb repo" when it fails (75: another publisher held the lock)
#
# Environment:
#   OUT_DIR       where the parts are (default: out)
#   KERNEL_LIST   the listing (default: $OUT_DIR/kernels.json)
#   REPO_DIR      the apt repository (default: repo)
#   EXPECT_PARTS  how many parts the branches were to leave (default: those found)
#   SUITE, SIGN_KEY (in GNUPGHOME), DKMS_DEB   as for ci/build-fleet.sh
set -eu
[ $# -eq 0 ] || { echo "usage: $0   (no arguments; see the environment in its header)" >&2; exit 2; }
command -v jq >/dev/null || { echo "fleet-publish: error: jq is required to read dkms-deb's JSON (apt-get install jq)" >&2; exit 2; }
out=${OUT_DIR:-out}
repo=${REPO_DIR:-repo}
dkms_deb=${DKMS_DEB:-dkms-deb}
listing=${KERNEL_LIST:-$out/kernels.json}
[ -f "$listing" ] || { echo "fleet-publish: error: no kernel listing at $listing; run ci/fleet-list.sh first (or set KERNEL_LIST)" >&2; exit 2; }
summaries=$(find "$out" -mindepth 2 -maxdepth 2 -name bmdeb.json | sort)
parts=$(printf '%s' "$summaries" | grep -c . || true)
if [ "$parts" = 0 ]; then
    echo "fleet-publish: error: no part in $out (no $out/*/bmdeb.json): did the build branches run and hand over their $out/?" >&2
    exit 2
fi
# shellcheck disable=SC2086 # one summary file per line, names without spaces (shard-I-of-N, kernel-KVER)
all=$(jq -s '[.[].kernels[]]' $summaries)
count() { # result
    printf '%s' "$all" | jq -r --arg result "$1" '[.[] | select(.result == $result)] | length'
}
built=$(count built)
uptodate=$(count up-to-date)
skipped=$(count skipped)
failed=$(count failed)
missing=0
if [ -n "${EXPECT_PARTS:-}" ] && [ "$parts" -lt "$EXPECT_PARTS" ]; then
    missing=$((EXPECT_PARTS - parts))
fi
echo "fleet-publish: $parts part(s): $built built, $uptodate up to date, $skipped skipped (BUILD_EXCLUSIVE_*), $failed failed" \
    "$([ "$missing" = 0 ] || echo "; $missing part(s) missing")"
total=$((built + uptodate + skipped + failed))
if [ "$total" -gt 0 ] && [ "$skipped" = "$total" ] && [ "$missing" = 0 ]; then
    echo "fleet-publish: every kernel was skipped: the module's BUILD_EXCLUSIVE_* excludes them all; nothing to publish"
    exit 77
fi
rc=0
[ "$failed" = 0 ] && [ "$missing" = 0 ] || rc=5
# the packages to publish: each part's file of a kernel built or up to date, unless it is in the repository already
set --
for f in $(printf '%s' "$all" | jq -r '.[] | select((.result == "built" or .result == "up-to-date") and .exitCode == 0 and .file != null) | .file'); do
    case "$f" in "$repo"/*|*/"$repo"/*) ;; *) [ ! -f "$f" ] || set -- "$@" "$f" ;; esac
done
# the certificate package of signed modules (the same bytes in every part that built: one of them)
for f in "$out"/*/*-modules-cert_*.deb; do
    if [ -f "$f" ]; then
        set -- "$@" "$f"
        break
    fi
done
given=$#
[ -z "${SUITE:-}" ] || set -- "$@" --suite "$SUITE"
if [ -n "${SIGN_KEY:-}" ]; then
    set -- "$@" --sign-key "$SIGN_KEY"
else
    echo "fleet-publish: warning: SIGN_KEY is not set: the repository is not signed" >&2
fi
repo_rc=0
$dkms_deb repo "$repo" "$@" --kernel-list "$listing" --json > "$out/repo.json" || repo_rc=$?
if [ "$repo_rc" != 0 ]; then
    echo "fleet-publish: error: dkms-deb repo failed with exit code $repo_rc (repository $repo left as it was)" >&2
    exit "$repo_rc"
fi
echo "fleet-publish: repository $repo written, $given package(s) given to it (added or already there: $out/repo.json)"
[ "$rc" = 0 ] || echo "fleet-publish: error: $failed kernel(s) failed$([ "$missing" = 0 ] || echo " and $missing part(s) are missing");" \
    "what was built is published all the same (logs in $out/*/logs)" >&2
exit "$rc"

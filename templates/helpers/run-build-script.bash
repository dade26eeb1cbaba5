# Runs PRE_BUILD or POST_BUILD as dkms's run_build_script does: the value names a program
# relative to the build directory, followed by its arguments (word-split, not evaluated); it is
# run from the build directory, and skipped with a warning when not executable.
# Usage: bash run-build-script.bash BUILD_DIR SCRIPT_TYPE VALUE
cd "$1" || exit 1
run="$1/$3"
if [[ -x ${run%% *} ]]; then
    echo "Running the $2 script: $3"
    exec $run
else
    echo "dkms-deb: warning: the $2 script ${run%% *} is not executable; skipped, as dkms does" >&2
fi

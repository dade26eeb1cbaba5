# Runs a dkms.conf command (MAKE, CLEAN) the way dkms does: evaluated by bash in the build
# directory, so that quotes, '&&' and ';' in MAKE lines work as under dkms. dkms's default
# make command names paths (which may hold spaces or quotes) and is run as an argument list
# instead, never through this script.
# Usage: bash run-make.bash BUILD_DIR COMMAND
cd "$1" || exit 1
eval "$2"

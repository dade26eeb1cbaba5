#!/usr/bin/env bash
# The full conformance run: every Debian *-dkms package (apt-cache search --names-only -- '-dkms$',
# minus dh-dkms) on the newest installed 6.1 and 6.12 kernels with headers; real dkms build as the oracle,
# dkms-deb source / bmdeb / inspect compared with it, the modules loaded in that kernel under qemu.
# The arm64 column: the same trees cross-built for the newest 6.1 and 6.12 arm64 kernels of the archive
# (headers fetched), judged against dkms on the amd64 kernel of the same series, loaded under
# qemu-system-aarch64; -Dconformance.arm64=false leaves it out.
# The trixie column, opt-in with -Dconformance.trixie=true: every Debian 13 trixie *-dkms package (trixie's own
# version, downloaded by the apt of a trixie root of its own, target/oracle-roots/trixie-amd64, made once: a few
# minutes and about 1 GB) built for the kernel trixie's linux-headers-amd64 depends on, by trixie's dkms in that root
# and by dkms-deb bmdeb in its trixie build root (target/build-roots); with -Dconformance.packages, those packages;
# -Dconformance.trixie.packages=P1,P2 (or all) names the column's packages apart from the other columns'.
# Outcome, module set, compression and inspect are compared; these modules are not loaded.
# Writes docs/CONFORMANCE.md; fails when a disagreement is not explained in ConformanceKnown.java.
#
#   conformance/run.sh                                    everything (40 to 70 minutes on 2 cores)
#   conformance/run.sh -Dconformance.packages=vpoll-dkms,jool-dkms -Dconformance.resume=true
#                                                         (-Dconformance.rerun=PKG or PKG@KERNEL: build those again)
#                                                         re-run a few packages, keep the other rows, rewrite the report
#   conformance/run.sh -Dconformance.trixie=true          everything and the trixie column
#   other settings: -Dconformance.jobs=N (rows at a time, default 2), -Dconformance.load=false,
#   -Dconformance.kernels=K1,K2, -Dconformance.dir=DIR (default target/conformance),
#   -Dconformance.report=FILE (default docs/CONFORMANCE.md). Progress: target/conformance/progress.log.
#
# Needs root (dkms builds in a private mount namespace) and what .ci/run installs. It also installs
# libxtables-dev, which iptables-netflow-dkms declares (its PRE_BUILD ./configure looks for xtables),
# and libc6-dev-arm64-cross, without which a PRE_BUILD configure cannot link its test programs for arm64;
# CONFORMANCE_NO_APT=1 skips apt-get (that package then fails with dkms and with dkms-deb alike).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
    echo "conformance/run.sh: run it as root: dkms builds in a private mount namespace" >&2
    exit 2
fi
if [ -z "${CONFORMANCE_NO_APT:-}" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    for pkg in libxtables-dev libc6-dev-arm64-cross; do
        if ! dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed'; then
            apt-get install -y -q --no-install-recommends "$pkg"
        fi
    done
fi
echo "conformance/run.sh: follow the progress in target/conformance/progress.log" >&2
exec mvn -B test -Dtest=ConformanceFullTest -Dconformance.full=true -Dsurefire.failIfNoSpecifiedTests=false "$@"

#!/bin/sh
# docker/install-build-deps.sh DKMS_DEB_PACKAGE [--clean]
#
# Everything the dkms-deb build image installs, on Debian 12 "bookworm" or Debian 13 "trixie" (the same
# package names in both): the one RUN step of docker/Dockerfile. Kept as a script so that it can be run and
# tested without a Docker engine, on any throwaway root of either release (the tests run it in an isolated
# root over the bookworm CI machine and in a trixie root). Idempotent: a second run changes nothing.
#
#   - the release's Java runtime (default-jre-headless: Java 17 on bookworm, 21 on trixie), which the dkms-deb
#     package depends on;
#   - what "dkms-deb bmdeb" runs to build a module: build-essential (gcc, make, strip), kmod, xz-utils,
#     and pahole (BTF of modules for kernels built with it);
#   - bubblewrap, the sandbox in which bmdeb runs every module's own code (dkms.conf, PRE_BUILD, make, ...),
#     and util-linux's setpriv (essential already); libengine-pkcs11-openssl, with which "--sign-key pkcs11:..."
#     signs with a key on a token;
#   - jq, with which ci/build-modules.sh and ci/build-fleet.sh (in the image as build-modules and
#     build-fleet) read dkms-deb's --json output;
#   - the arm64 cross compiler and binutils (gcc-aarch64-linux-gnu: the release's gcc, 12 on bookworm and 14 on
#     trixie, the compiler of that release's arm64 kernels), and arm64 added to dpkg's architectures, so that "bmdeb --fetch-headers" builds for Debian's
#     arm64 kernels on an amd64 machine (their headers, with the machine's own linux-kbuild-*); and the arm64
#     C library for the cross compiler (libc6-dev-arm64-cross), which modules whose PRE_BUILD runs a
#     configure script need (it links test programs: openafs);
#   - dkms-deb itself from DKMS_DEB_PACKAGE (target/dkms-deb_VERSION_all.deb of "mvn package"), with dpkg -i;
#   - then checks that "dkms-deb --version" runs.
#
# --clean empties apt's caches and lists afterwards (for a small image; apt-get update is needed again).
# Kernel headers are not installed here: mount them or let ci/build-modules.sh fetch them (FETCH_HEADERS=apt).
set -eu

usage() {
    echo "usage: $0 DKMS_DEB_PACKAGE.deb [--clean]" >&2
    exit 2
}

[ $# -ge 1 ] || usage
deb=$1
clean=no
if [ $# -ge 2 ]; then
    [ "$2" = --clean ] || usage
    clean=yes
fi
[ -f "$deb" ] || { echo "$0: no such package: $deb (run 'mvn -DskipTests package' first)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "$0: must run as root (apt-get, dpkg -i)" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
if [ "$(dpkg --print-architecture)" != arm64 ]; then
    dpkg --add-architecture arm64
    cross="gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross"
else
    cross=
fi
apt-get update -q
# shellcheck disable=SC2086 # $cross is a list of package names
apt-get install -y -q --no-install-recommends \
    default-jre-headless \
    build-essential kmod xz-utils pahole jq bubblewrap libengine-pkcs11-openssl $cross
dpkg -i "$deb"

if [ "$clean" = yes ]; then
    apt-get clean
    rm -rf /var/lib/apt/lists/*
fi

dkms-deb --version

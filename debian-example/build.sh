#!/bin/sh
# The main job on the example: makes both packages of debian-example (hello, with its debian/) into
# debian-example/out/:
#   hello-dkms_1.0-1_all.deb                 (dkms-deb source)
#   hello-modules-KVER_1.0-1_ARCH.deb        (dkms-deb bmdeb from the -dkms package, whose revision it follows; one per kernel with headers)
# On a fresh Debian 12 machine, run it as root once: it installs what the build needs first.
set -eu
cd "$(dirname "$0")/.."

need=""
command -v java >/dev/null 2>&1 || need="$need openjdk-17-jre-headless"
command -v mvn >/dev/null 2>&1 || need="$need openjdk-17-jdk-headless maven"
command -v make >/dev/null 2>&1 && command -v gcc >/dev/null 2>&1 || need="$need build-essential"
ls /lib/modules/*/build/.config >/dev/null 2>&1 || need="$need linux-headers-amd64"
if [ -n "$need" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "build.sh: missing:$need; install them (sudo apt-get install$need) or run this script as root" >&2
        exit 1
    fi
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need
fi

out=debian-example/out
mkdir -p "$out"
./dkms-deb source debian-example -o "$out"
./dkms-deb bmdeb "$out/hello-dkms_1.0-1_all.deb" --all-kernels -o "$out"
ls -l "$out"

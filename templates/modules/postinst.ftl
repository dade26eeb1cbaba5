#!/bin/sh
set -e
# Automatically added by dkms-deb [=generator]
# Update the module dependencies of the kernel these modules are built for, when that kernel
# is installed (as debhelper's depmod snippets do).

KVER=[=sh(kernel)]

case "$1" in
	configure)
		if [ -d "/lib/modules/$KVER/kernel" ]; then
			if [ -e "/boot/System.map-$KVER" ]; then
				depmod -a -F "/boot/System.map-$KVER" "$KVER" || true
			else
				depmod -a "$KVER" || true
			fi
		fi
	;;
esac
# End automatically added section

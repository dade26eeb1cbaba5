#!/bin/sh
set -e
# Automatically added by dkms-deb [=generator]
# The modules are gone: update the module dependencies of their kernel, when it is installed.

KVER=[=sh(kernel)]

case "$1" in
	remove|purge|abort-install|abort-upgrade|disappear)
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

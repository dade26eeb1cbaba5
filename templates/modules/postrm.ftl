#!/bin/sh
set -e
# Automatically added by dkms-deb [=generator]
# The modules are gone: update the module dependencies and the initramfs of their kernel, when
# it is installed (when it is being removed too, there is nothing to update).

KVER=[=sh(kernel)]

case "$1" in
	remove|purge|abort-install|abort-upgrade|disappear)
		if [ -d "/lib/modules/$KVER/kernel" ]; then
			if [ -e "/boot/System.map-$KVER" ]; then
				depmod -a -F "/boot/System.map-$KVER" "$KVER" || true
			else
				depmod -a "$KVER" || true
			fi
			# the initramfs of this kernel, without the modules
			if command -v update-initramfs >/dev/null 2>&1 && [ -e "/boot/initrd.img-$KVER" ]; then
				update-initramfs -u -k "$KVER" || echo "${DPKG_MAINTSCRIPT_PACKAGE:-$0}: warning: update-initramfs -u -k $KVER failed; run it again" >&2
			fi
		fi
	;;
esac
# End automatically added section

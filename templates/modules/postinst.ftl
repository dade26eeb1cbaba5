#!/bin/sh
set -e
# Automatically added by dkms-deb [=generator]
# Update the module dependencies and the initramfs of the kernel these modules are built for,
# when that kernel is installed (depmod as debhelper's snippets do).

KVER=[=sh(kernel)]

case "$1" in
	configure)
		if [ -d "/lib/modules/$KVER/kernel" ]; then
			if [ -e "/boot/System.map-$KVER" ]; then
				depmod -a -F "/boot/System.map-$KVER" "$KVER" || true
			else
				depmod -a "$KVER" || true
			fi
			# the initramfs of this kernel, not the newest one's (what 'update-initramfs -u' and
			# initramfs-tools' trigger rebuild), so that a boot-time driver reaches the kernel it is for
			if command -v update-initramfs >/dev/null 2>&1 && [ -e "/boot/initrd.img-$KVER" ]; then
				update-initramfs -u -k "$KVER" || echo "${DPKG_MAINTSCRIPT_PACKAGE:-$0}: warning: update-initramfs -u -k $KVER failed; run it again" >&2
			fi
		fi
	;;
esac
# End automatically added section

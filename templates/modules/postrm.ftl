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
			# the initramfs of this kernel, without the modules; not when the kernel goes in the same
			# dpkg run (apt removes this package first, then the kernel and its initramfs)
			kernel_stays=yes
			for image in "linux-image-$KVER" "linux-image-$KVER-unsigned"; do
				case "$(dpkg-query -W -f "\${db:Status-Want}" "$image" 2>/dev/null || true)" in
					deinstall|purge) kernel_stays=no ;;
				esac
			done
			if [ "$kernel_stays" = yes ] && command -v update-initramfs >/dev/null 2>&1 && [ -e "/boot/initrd.img-$KVER" ]; then
				update-initramfs -u -k "$KVER" || echo "${DPKG_MAINTSCRIPT_PACKAGE:-$0}: warning: update-initramfs -u -k $KVER failed; run it again" >&2
			fi
		fi
	;;
esac
# End automatically added section

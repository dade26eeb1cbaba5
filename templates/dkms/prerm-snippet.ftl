# Automatically added by dkms-deb [=generator]
# Same behaviour as the dh_dkms prerm snippet: remove the module from dkms for all kernels.

DKMS_NAME=[=sh(module)]
DKMS_VERSION=[=sh(version)]

case "$1" in
	remove|upgrade|deconfigure)
		if [ "$(dkms status -m "$DKMS_NAME" -v "$DKMS_VERSION")" ]; then
			dkms remove -m "$DKMS_NAME" -v "$DKMS_VERSION" --all
		fi
	;;
esac
# End automatically added section

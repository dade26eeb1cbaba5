This package was made by dkms-deb. It holds the public X.509 certificate of the
key that signed the [=module] [=version] Linux kernel modules:
/usr/share/[=package]/[=package].der.

Copyright [=year] [=maintainer]

The certificate is public: it may be copied and distributed without restriction.

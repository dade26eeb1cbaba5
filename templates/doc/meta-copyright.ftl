This package was made by dkms-deb. It holds no code of its own, only a dependency on
[=target], which installs the [=module] Linux kernel module for the kernel that
[=kernelMeta] depends on.

Copyright [=year] the authors of the [=module] kernel module.

The module's copyright notices and licence are in
/usr/share/doc/[=target]/copyright once that package is installed, and in the
module's source files (MODULE_LICENSE, SPDX lines).

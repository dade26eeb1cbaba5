[=package] ([=debianVersion]) unstable; urgency=medium

  * Packaged with dkms-deb from the [=module] [=version] kernel module sources.

 -- [=maintainer]  [=date]

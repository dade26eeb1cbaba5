[=package] ([=debianVersion]) unstable; urgency=medium

  * Packaged with dkms-deb from the kernel module sources of
    [=module] [=version].

 -- [=maintainer]  [=date]

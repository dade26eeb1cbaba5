[=package] ([=debianVersion]) unstable; urgency=medium

  * Made by dkms-deb: the certificate of the key that signed the kernel
    modules of [=module] [=version].

 -- [=maintainer]  [=date]

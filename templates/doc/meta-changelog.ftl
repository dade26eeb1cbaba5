[=package] ([=debianVersion]) unstable; urgency=medium

  * Made by dkms-deb for an apt repository. Depends on
    [=target] ([=targetVersion]),
    the [=module] module for the kernel that
    [=kernelMeta] [=kernelMetaVersion] depends on.

 -- [=maintainer]  [=date]

[=package] ([=debianVersion]) unstable; urgency=medium

<#if kernel??>
  * Built with dkms-deb from the kernel module sources of
    [=module] [=version], for Linux [=kernel].
<#else>
  * Packaged with dkms-deb from the kernel module sources of
    [=module] [=version].
</#if>

 -- [=maintainer]  [=date]

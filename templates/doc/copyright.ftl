<#if kernel??>
This package was made by dkms-deb from the source code of the [=module] [=version]
Linux kernel module, compiled for Linux [=kernel]. It installs the built modules
under /lib/modules/[=kernel]/updates/dkms/.
<#else>
This package was made by dkms-deb from the source code of the [=module] [=version]
Linux kernel module, which it installs under /usr/src/[=module]-[=version]/.
</#if>

<#if notices?has_content>
Copyright notices found in the module's sources:
<#list notices as notice>
  [=notice]
</#list>
<#else>
The sources of the [=module] kernel module carry no copyright notice: they state
neither the years nor the holders of its copyright (MODULE_AUTHOR in them may
name its authors).
</#if>

<#if kernel??>
The module's licence is stated in its source files (MODULE_LICENSE, SPDX lines);
"modinfo -F license" shows it for each installed module.
<#else>
The module's licence is stated in its source files (MODULE_LICENSE, SPDX lines)
and in any licence file in /usr/src/[=module]-[=version]/.
</#if>

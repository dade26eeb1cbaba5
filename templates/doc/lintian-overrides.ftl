# dkms-deb writes a one-entry changelog for packages built outside the Debian archive;
# there is no bug to close.
[=package]: initial-upload-closes-no-bugs
<#if kernel??>
# the digest of what the package was built from, which dkms-deb reads back to skip unchanged builds
[=package]: unknown-field Dkms-Deb-Inputs
</#if>
<#if copyrightFrom?? && copyrightFrom == "doc" && !notices?has_content>
# the module's sources carry no copyright notice, and the copyright file says so instead of inventing one
[=package]: copyright-without-copyright-notice
</#if>

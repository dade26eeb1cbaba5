<#-- One word after "by", as debhelper writes it, so that lintian knows an added section. -->
# Automatically added by dkms-deb/[=generator]
# The lines of the package's debian/PACKAGE.maintscript, as dh_installdeb turns them into calls.
<#list calls as call>
dpkg-maintscript-helper<#list call as word> [=sh(word)]</#list> -- "$@"
</#list>
# End automatically added section

# dkms-deb writes a one-entry changelog for packages built outside the Debian archive;
# there is no bug to close.
[=package]: initial-upload-closes-no-bugs

[=package] for Debian
<#list 1..(package?length + 11) as i>=</#list>

This package holds the public certificate of the key that signed the kernel
modules of [=module] [=version] (the [=base]-modules-KVER packages):

    /usr/share/[=package]/[=package].der

    Subject:             [=subject]
    SHA-256 fingerprint: [=fingerprint]

With UEFI Secure Boot, the kernel loads only modules signed by a key it trusts.
Enroll this certificate as a Machine Owner Key (MOK), once per machine:

 1. Queue it for enrollment; mokutil asks for a one-time password:

        mokutil --import /usr/share/[=package]/[=package].der

 2. Reboot. Shim's MOK manager starts before the system: choose "Enroll MOK",
    check the key ("View key"), then "Continue", "Yes", type the password and
    reboot.

 3. Check that the key is enrolled:

        mokutil --test-key /usr/share/[=package]/[=package].der

    says "... is already enrolled".

Without Secure Boot ("mokutil --sb-state" says "SecureBoot disabled") the
modules load without this step. "mokutil --delete" with the same file removes
the key again (also confirmed in the MOK manager at the next boot).

 -- [=maintainer]  [=date]

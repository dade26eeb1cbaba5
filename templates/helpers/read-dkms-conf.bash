# Reads a dkms.conf the way dkms 3 does (safe_source in dkms): the file is sourced by bash in a
# subshell, its standard output is discarded, and the dkms variables are printed afterwards.
#
# Usage: bash read-dkms-conf.bash DKMS_CONF
# The caller sets kernelver, arch, kernel_source_dir, dkms_tree, source_tree, module and
# module_version in an otherwise clean environment.
#
# Output on standard output, NUL separated:
#   SYNTAX <bash -n message>                 when the file does not parse
#   VAR <name> <index> <value> ...           one triple per set array element
#   END                                      when sourcing completed
# Anything the dkms.conf prints to standard error is passed through on standard error.

__dkmsdeb_conf=$1
exec 3>&1 1>&2

if ! __dkmsdeb_err=$(LC_ALL=C "$BASH" -n "$__dkmsdeb_conf" 2>&1); then
    printf 'SYNTAX\0%s\0' "$__dkmsdeb_err" >&3
    exit 0
fi

(
    unset __dkmsdeb_err
    . "$__dkmsdeb_conf" >/dev/null 3>&- </dev/null
    for __dkmsdeb_var in PACKAGE_NAME PACKAGE_VERSION \
        BUILT_MODULE_NAME BUILT_MODULE_LOCATION DEST_MODULE_NAME DEST_MODULE_LOCATION \
        MAKE MAKE_MATCH CLEAN PATCH PATCH_MATCH STRIP AUTOINSTALL \
        BUILD_EXCLUSIVE_KERNEL BUILD_EXCLUSIVE_KERNEL_MIN BUILD_EXCLUSIVE_KERNEL_MAX \
        BUILD_EXCLUSIVE_ARCH BUILD_EXCLUSIVE_CONFIG \
        PRE_BUILD POST_BUILD BUILD_DEPENDS POST_ADD POST_INSTALL POST_REMOVE PRE_INSTALL \
        OBSOLETE_BY NO_WEAK_MODULES REMAKE_INITRD; do
        declare -n __dkmsdeb_ref=$__dkmsdeb_var
        for __dkmsdeb_i in "${!__dkmsdeb_ref[@]}"; do
            printf 'VAR\0%s\0%s\0%s\0' "$__dkmsdeb_var" "$__dkmsdeb_i" "${__dkmsdeb_ref[$__dkmsdeb_i]}" >&3
        done
        unset -n __dkmsdeb_ref
    done
    printf 'END\0' >&3
)

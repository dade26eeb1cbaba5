// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stand-in auxiliary bus for kernels older than 5.11, built only when
 * NEED_AUX_BUS=2 (see Makefile).
 */

#include <linux/module.h>

static int __init acme_auxiliary_init(void)
{
	return 0;
}
module_init(acme_auxiliary_init);

static void __exit acme_auxiliary_exit(void)
{
}
module_exit(acme_auxiliary_exit);

MODULE_DESCRIPTION("Auxiliary bus stand-in for older kernels");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0.0");

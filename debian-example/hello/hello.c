// SPDX-License-Identifier: GPL-2.0
/*
 * hello - minimal example kernel module for dkms-deb.
 */

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>

static int __init hello_init(void)
{
	pr_info("hello: loaded (dkms-deb example 1.0)\n");
	return 0;
}

static void __exit hello_exit(void)
{
	pr_info("hello: unloaded\n");
}

module_init(hello_init);
module_exit(hello_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
MODULE_AUTHOR("dkms-deb example");
MODULE_DESCRIPTION("Minimal example kernel module for dkms-deb");

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fanctl - fan controller of Acme embedded boards
 *
 * Copyright (C) 2024-2025 Ines Duarte <ines@fanctl.example>
 */

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>

static int __init fanctl_init(void)
{
	pr_info("fanctl: loaded\n");
	return 0;
}

static void __exit fanctl_exit(void)
{
	pr_info("fanctl: unloaded\n");
}

module_init(fanctl_init);
module_exit(fanctl_exit);

MODULE_AUTHOR("Ines Duarte <ines@fanctl.example>");
MODULE_DESCRIPTION("fan controller of Acme embedded boards");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.8");

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pciled - status LEDs of PCI riser cards
 *
 * Copyright (C) 2024-2025 Lena Vogt <lena@pciled.example>
 */

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>

static int __init pciled_init(void)
{
	pr_info("pciled: loaded\n");
	return 0;
}

static void __exit pciled_exit(void)
{
	pr_info("pciled: unloaded\n");
}

module_init(pciled_init);
module_exit(pciled_exit);

MODULE_AUTHOR("Lena Vogt <lena@pciled.example>");
MODULE_DESCRIPTION("status LEDs of PCI riser cards");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.4");

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hidkey - hardware security keys over HID
 *
 * Copyright (C) 2024-2025 Tomasz Nowak <tomasz@hidkey.example>
 */

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>

static int __init hidkey_init(void)
{
	pr_info("hidkey: loaded\n");
	return 0;
}

static void __exit hidkey_exit(void)
{
	pr_info("hidkey: unloaded\n");
}

module_init(hidkey_init);
module_exit(hidkey_exit);

MODULE_AUTHOR("Tomasz Nowak <tomasz@hidkey.example>");
MODULE_DESCRIPTION("hardware security keys over HID");
MODULE_LICENSE("GPL");
MODULE_VERSION("2.3");

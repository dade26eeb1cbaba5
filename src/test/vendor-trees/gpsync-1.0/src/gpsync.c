// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpsync - PPS time source from GPS receivers
 *
 * Copyright (C) 2024-2025 Rui Santos <rui@gpsync.example>
 */

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include "gpsync.h"

static int __init gpsync_init(void)
{
	pr_info("gpsync: loaded\n");
	return 0;
}

static void __exit gpsync_exit(void)
{
	pr_info("gpsync: unloaded\n");
}

module_init(gpsync_init);
module_exit(gpsync_exit);

MODULE_AUTHOR("Rui Santos <rui@gpsync.example>");
MODULE_DESCRIPTION("PPS time source from GPS receivers");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");

// SPDX-License-Identifier: GPL-2.0
/* Copyright (C) 2022-2025 The zfoo authors */

#include <linux/module.h>

#include "zfoo.h"
#include "zfoo_version.h"

static int __init zfoo_init(void)
{
	zfoo_count_event();
	pr_info("zfoo %s: %lu event(s)\n", ZFOO_VERSION, zfoo_events());
	return 0;
}

static void __exit zfoo_exit(void)
{
	pr_info("zfoo: unloaded after %lu event(s)\n", zfoo_events());
}

module_init(zfoo_init);
module_exit(zfoo_exit);

MODULE_AUTHOR("The zfoo authors <zfoo@lists.zfoo.example>");
MODULE_DESCRIPTION("Per-boot counter of foo events");
MODULE_LICENSE("GPL");
MODULE_VERSION(ZFOO_VERSION);

// SPDX-License-Identifier: GPL-2.0
/*
 * widget_extra - optional attributes for the Widget USB sensor hubs.
 *
 * Copyright (C) 2021-2025 Widget Labs
 */

#include <linux/module.h>

#include "widget.h"

static int __init widget_extra_init(void)
{
	pr_info("widget_extra: core revision %u\n", widget_core_revision());
	return 0;
}

static void __exit widget_extra_exit(void)
{
}

module_init(widget_extra_init);
module_exit(widget_extra_exit);

MODULE_AUTHOR("Widget Labs <kernel@widget.example>");
MODULE_DESCRIPTION("Widget sensor hub extra attributes");
MODULE_LICENSE("GPL");
MODULE_VERSION(WIDGET_VERSION);

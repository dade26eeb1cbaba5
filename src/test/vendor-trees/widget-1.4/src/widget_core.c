// SPDX-License-Identifier: GPL-2.0
/*
 * widget_core - bus glue for the Widget USB sensor hubs.
 *
 * Copyright (C) 2021-2025 Widget Labs
 */

#include <linux/module.h>
#include <linux/moduleparam.h>

#include "widget.h"

static int debug;
module_param(debug, int, 0644);
MODULE_PARM_DESC(debug, "Enable debug messages (0/1)");

unsigned int widget_core_revision(void)
{
	return 4;
}
EXPORT_SYMBOL_GPL(widget_core_revision);

static int __init widget_core_init(void)
{
	if (debug)
		pr_info("widget_core: version %s, debug on\n", WIDGET_VERSION);
	return 0;
}

static void __exit widget_core_exit(void)
{
}

module_init(widget_core_init);
module_exit(widget_core_exit);

MODULE_AUTHOR("Widget Labs <kernel@widget.example>");
MODULE_DESCRIPTION("Widget sensor hub core");
MODULE_LICENSE("GPL");
MODULE_VERSION(WIDGET_VERSION);

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * chime - log a chime request for the PC speaker when loaded.
 *
 * Copyright (C) 2023-2025 Ana Ferreira <ana@chime.example>
 */

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static unsigned int pitch = 440;
module_param(pitch, uint, 0644);
MODULE_PARM_DESC(pitch, "Chime frequency in Hz (default 440)");

static int __init chime_init(void)
{
	if (pitch < 20 || pitch > 20000)
		return -EINVAL;
	pr_info("chime: ready, %u Hz\n", pitch);
	return 0;
}

static void __exit chime_exit(void)
{
	pr_info("chime: done\n");
}

module_init(chime_init);
module_exit(chime_exit);

MODULE_AUTHOR("Ana Ferreira <ana@chime.example>");
MODULE_DESCRIPTION("Boot chime on the PC speaker");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.7.2");

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * acme_sense_i2c - Acme environment sensors I2C bridge
 *
 * Copyright (C) 2024-2025 Acme Sensors Packaging <debian@acme-sense.example>
 */

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>

static int __init acme_sense_i2c_init(void)
{
	pr_info("acme_sense_i2c: loaded\n");
	return 0;
}

static void __exit acme_sense_i2c_exit(void)
{
	pr_info("acme_sense_i2c: unloaded\n");
}

module_init(acme_sense_i2c_init);
module_exit(acme_sense_i2c_exit);

MODULE_AUTHOR("Acme Sensors Packaging <debian@acme-sense.example>");
MODULE_DESCRIPTION("Acme environment sensors I2C bridge");
MODULE_LICENSE("GPL");
MODULE_VERSION("5.0");

// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (C) 2019-2025 ACME Networks */

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>

#include "acme_nic.h"

static const char acme_nic_driver_name[] = "acme_nic";

int acme_nic_debug;
module_param_named(debug, acme_nic_debug, int, 0444);
MODULE_PARM_DESC(debug, "Debug level (0=none,...,16=all)");

static const struct pci_device_id acme_nic_pci_tbl[] = {
	{ PCI_DEVICE(ACME_NIC_VENDOR_ID, ACME_NIC_DEV_ID_SFP) },
	{ PCI_DEVICE(ACME_NIC_VENDOR_ID, ACME_NIC_DEV_ID_QSFP) },
	{ 0, }
};
MODULE_DEVICE_TABLE(pci, acme_nic_pci_tbl);

static int acme_nic_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	int err;

	err = pci_enable_device_mem(pdev);
	if (err)
		return err;
	dev_info(&pdev->dev, "%s port, driver %s\n",
		 acme_nic_port_type(ent), ACME_NIC_DRV_VERSION);
	return 0;
}

static void acme_nic_remove(struct pci_dev *pdev)
{
	pci_disable_device(pdev);
}

static struct pci_driver acme_nic_driver = {
	.name = acme_nic_driver_name,
	.id_table = acme_nic_pci_tbl,
	.probe = acme_nic_probe,
	.remove = acme_nic_remove,
};

static int __init acme_nic_init_module(void)
{
	pr_info("%s: ACME 10/25 Gigabit Ethernet driver, version %s\n",
		acme_nic_driver_name, ACME_NIC_DRV_VERSION);
	return pci_register_driver(&acme_nic_driver);
}
module_init(acme_nic_init_module);

static void __exit acme_nic_exit_module(void)
{
	pci_unregister_driver(&acme_nic_driver);
}
module_exit(acme_nic_exit_module);

MODULE_AUTHOR("ACME Networks, <linux.nics@acme.example>");
MODULE_DESCRIPTION("ACME 10/25 Gigabit Ethernet driver");
MODULE_LICENSE("GPL");
MODULE_VERSION(ACME_NIC_DRV_VERSION);

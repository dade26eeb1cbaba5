/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (C) 2019-2025 ACME Networks */

#ifndef _ACME_NIC_H_
#define _ACME_NIC_H_

#include <linux/pci.h>

#define ACME_NIC_DRV_VERSION "2.28.16"
#define ACME_NIC_VENDOR_ID 0x1fc9
#define ACME_NIC_DEV_ID_SFP 0x5100
#define ACME_NIC_DEV_ID_QSFP 0x5101

extern int acme_nic_debug;

const char *acme_nic_port_type(const struct pci_device_id *id);

#endif /* _ACME_NIC_H_ */

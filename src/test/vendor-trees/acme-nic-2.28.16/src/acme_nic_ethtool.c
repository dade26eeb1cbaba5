// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (C) 2019-2025 ACME Networks */

#include "acme_nic.h"

const char *acme_nic_port_type(const struct pci_device_id *id)
{
	switch (id->device) {
	case ACME_NIC_DEV_ID_QSFP:
		return "QSFP28";
	case ACME_NIC_DEV_ID_SFP:
		return "SFP28";
	default:
		return "unknown";
	}
}

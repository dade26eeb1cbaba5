// SPDX-License-Identifier: GPL-2.0
/* Copyright (C) 2022-2025 The zfoo authors */

#include <linux/atomic.h>

#include "zfoo.h"

static atomic_long_t zfoo_event_count = ATOMIC_LONG_INIT(0);

void zfoo_count_event(void)
{
	atomic_long_inc(&zfoo_event_count);
}

unsigned long zfoo_events(void)
{
	return atomic_long_read(&zfoo_event_count);
}

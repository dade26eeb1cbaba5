/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZFOO_H
#define ZFOO_H

void zfoo_count_event(void);
unsigned long zfoo_events(void);

#endif

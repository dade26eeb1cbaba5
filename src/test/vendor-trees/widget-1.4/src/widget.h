/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WIDGET_H
#define WIDGET_H

#define WIDGET_VERSION "1.4"

unsigned int widget_core_revision(void);

#endif

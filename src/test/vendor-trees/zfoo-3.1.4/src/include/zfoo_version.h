/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZFOO_VERSION_H
#define ZFOO_VERSION_H

#include <linux/stringify.h>

#define ZFOO_MAJOR 3
#define ZFOO_MINOR 1
#define ZFOO_PATCH 4

#define ZFOO_VERSION __stringify(ZFOO_MAJOR) "." __stringify(ZFOO_MINOR) "." __stringify(ZFOO_PATCH)

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
#define GPSYNC_PULSE_NS 1000000000UL

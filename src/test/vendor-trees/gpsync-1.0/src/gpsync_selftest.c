// SPDX-License-Identifier: GPL-2.0-or-later
/* built by hand only: not part of the package */
int main(void) { return 0; }

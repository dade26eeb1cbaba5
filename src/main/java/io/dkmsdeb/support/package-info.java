/**
 * Helpers that every layer may use and that depend on no other dkms-deb package: the log,
 * removal of directory trees, dkms-deb's own version, the rules for which files of a module tree
 * are version control or build output, and the daemon threads that work beside the main one.
 */
package io.dkmsdeb.support;

/**
 * Helpers that every layer may use and that depend on no other dkms-deb package: the log,
 * removal of directory trees, dkms-deb's own version, and the rules for which files of a module
 * tree are version control or build output.
 */
package io.dkmsdeb.support;

/**
 * The {@code --json} output of each command, as records: what the users' scripts read. A record's components are
 * its keys, in their order ({@link io.dkmsdeb.support.Json#write(Object)} is the one serialisation), so that a key
 * is renamed or moved only here, where the golden files of the tests catch it. Each report has a factory from its
 * command's result; nothing else builds the JSON.
 */
package io.dkmsdeb.cli.json;

package io.dkmsdeb.pipeline.repo;

import java.nio.file.Path;

/**
 * A file that is to join the pool: its bytes come from {@code source} or {@code bytes}.
 *
 * @param entry  its Packages entry
 * @param source the .deb given, or null
 * @param bytes  the package made here (a meta-package), or null
 */
record Incoming(RepoPool.Entry entry, Path source, byte[] bytes) {
}

package io.dkmsdeb.deb;

import io.dkmsdeb.support.TempFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a file so that no reader ever sees it half written: the content goes to a hidden temp
 * file in the same directory, named with this process's id, is synced, and is then renamed over
 * the target. On failure the temp file is removed; a temp file left by a killed process is
 * removed by the next run that writes into the directory.
 */
public final class AtomicOutput {
    private static final Pattern TEMP = Pattern.compile("\\.(.+)\\.(\\d+)\\.dkms-deb-tmp");

    private AtomicOutput() {
    }

    /** Writes {@code target} with what {@code writer} produces. */
    public interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    public static void write(Path target, Writer writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        cleanStaleTemps(dir);
        Path temp = TempFiles.track(dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".dkms-deb-tmp"));
        boolean done = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
                 OutputStream out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 16)) {
                writer.writeTo(out);
                out.flush();
                channel.force(true);
            }
            Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(temp);
            }
            TempFiles.forget(temp);
        }
    }

    /** Removes temp files of processes that no longer run. */
    static void cleanStaleTemps(Path dir) {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, ".*.dkms-deb-tmp")) {
            for (Path p : stream) {
                Matcher m = TEMP.matcher(p.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(2))).isEmpty()) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // cleaning leftovers is best effort; the write itself reports real problems
        }
    }
}

package io.dkmsdeb.deb;

import io.dkmsdeb.support.TempFiles;
import io.dkmsdeb.model.deb.Compression;
import io.dkmsdeb.model.deb.DebEntry;
import io.dkmsdeb.model.deb.DebPackage;
import io.dkmsdeb.model.deb.Trigger;
import io.dkmsdeb.support.Daemons;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a {@link DebPackage} as a Debian binary package: an ar archive with the members
 * {@code debian-binary} ("2.0\n"), {@code control.tar.*} and {@code data.tar.*}, in that order.
 *
 * <p>Both tars list {@code ./}-prefixed names, sorted, every parent directory present, owner
 * root:root (0/0), explicit modes (0755 for directories and maintainer scripts, as planned for
 * files), and one fixed time for every member, ar and gzip headers included, except data members
 * that carry an older mtime of their own ({@link DebEntry#mtime()}), which keep it as dpkg-deb does. md5sums is derived
 * from the data as it is written; it lists neither conffiles nor control members. The other control
 * members (control, md5sums, conffiles, triggers) are 0644.
 */
public final class DebWriter {
    private final Compression compression;
    private final long mtimeSeconds;
    private final int threads;
    private final Path tempDir;
    private XzEncoder xz;

    /**
     * @param compression  for control.tar and data.tar
     * @param mtimeSeconds the time stamped on every member (SOURCE_DATE_EPOCH); data members keep an older mtime of their own
     * @param threads      compression threads (xz); the output does not depend on it
     */
    public DebWriter(Compression compression, long mtimeSeconds, int threads) {
        this(compression, mtimeSeconds, threads, null);
    }

    /** @param xz the encoder of .xz members, null for {@link XzEncoder#selected()} */
    DebWriter(Compression compression, long mtimeSeconds, int threads, XzEncoder xz) {
        this(compression, mtimeSeconds, threads, xz, null);
    }

    /** @param tempDir where the compressed members are held until they are copied into the package, null for the system's */
    DebWriter(Compression compression, long mtimeSeconds, int threads, XzEncoder xz, Path tempDir) {
        this.compression = compression;
        this.mtimeSeconds = mtimeSeconds;
        this.threads = Math.max(1, threads);
        this.xz = xz;
        this.tempDir = tempDir;
    }

    /** The encoder of the .xz members, chosen on first use (it may run {@code xz --version}). */
    private XzEncoder xz() {
        if (xz == null) {
            xz = XzEncoder.selected();
        }
        return xz;
    }

    /**
     * Gets this writer ready for its first package while the caller waits for something else
     * (bmdeb: while make runs, on the core make leaves free). A first package otherwise spends
     * most of its time loading the JDK's security providers for MD5 and running the compressor's
     * code cold. This loads MD5 and compresses a few kilobytes to nowhere; nothing is written.
     */
    public void warmUp() {
        md5();
        if (compression == Compression.XZ && xz().isNative()) {
            return;
        }
        byte[] sample = new byte[32 << 10];
        for (int i = 0; i < sample.length; i++) {
            sample[i] = (byte) ("dkms-deb warm-up ".charAt(i % 17) + i / 4096);
        }
        try (OutputStream z = MemberCompression.wrap(compression, OutputStream.nullOutputStream(), 1, sample.length)) {
            z.write(sample);
        } catch (IOException e) {
            // writing to nowhere does not fail; were it to, the real package would report it
        }
    }

    public void write(DebPackage pkg, OutputStream out) throws IOException {
        List<DebEntry> data = DataLayout.normalize(pkg.data());
        Path dataCompressed = tempFile("dkms-deb-data", ".tar.z");
        try {
            // the tar is compressed as it is written; the compressed member goes to a file, as its ar header needs its size
            Map<String, String> md5sums = new TreeMap<>(DataLayout::compareUtf8);
            // once the data tar is written, its md5sums are known: the control tar is compressed
            // while xz still works through the data's last blocks
            ControlTar control = new ControlTar(pkg, md5sums);
            try {
                compress(tar -> {
                    writeDataTar(data, tar, md5sums);
                    control.start();
                }, dataTarSize(data), dataCompressed, threads);
            } catch (IOException | RuntimeException | Error e) {
                control.awaitQuietly();    // its xz and temporary file gone too before the failure is reported
                throw e;
            }
            byte[] controlTar = control.await();
            ArArchiveOutputStream ar = new ArArchiveOutputStream(out);
            addMember(ar, "debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII));
            addMember(ar, compression.memberName("control.tar"), controlTar);
            ar.putArchiveEntry(new ArArchiveEntry(compression.memberName("data.tar"), Files.size(dataCompressed), 0, 0, 0100644, mtimeSeconds));
            Files.copy(dataCompressed, ar);
            ar.closeArchiveEntry();
            ar.finish();
            out.flush();
        } finally {
            TempFiles.delete(dataCompressed);
        }
    }

    /**
     * The control tar, compressed on a thread of its own once {@link #start()} is called; {@link #await()}
     * waits for it and gives its bytes; {@link #awaitQuietly()}, after a failure of the data tar, waits
     * for it if it was started and drops its own failure.
     */
    private final class ControlTar {
        private final DebPackage pkg;
        private final Map<String, String> md5sums;
        private java.util.concurrent.FutureTask<byte[]> task;

        ControlTar(DebPackage pkg, Map<String, String> md5sums) {
            this.pkg = pkg;
            this.md5sums = md5sums;
        }

        void start() {
            task = new java.util.concurrent.FutureTask<>(() -> controlTar(pkg, md5sums));
            Daemons.start("control-tar", task);
        }

        void awaitQuietly() {
            if (task == null) {
                return;
            }
            try {
                await();
            } catch (IOException | RuntimeException e) {
                // the data tar's failure is the one reported
            }
        }

        byte[] await() throws IOException {
            if (task == null) {
                throw new IllegalStateException("the control tar was not started");
            }
            return Futures.get(task, "compressing the control tar");
        }
    }

    private void addMember(ArArchiveOutputStream ar, String name, byte[] content) throws IOException {
        ar.putArchiveEntry(new ArArchiveEntry(name, content.length, 0, 0, 0100644, mtimeSeconds));
        ar.write(content);
        ar.closeArchiveEntry();
    }

    /** Writes the data tar to {@code file} and the md5sum of each regular file into {@code md5sums}. */
    private void writeDataTar(List<DebEntry> data, OutputStream file, Map<String, String> md5sums) throws IOException {
        MessageDigest md5 = md5();
        try (TarArchiveOutputStream tar = tarStream(file)) {
            tar.putArchiveEntry(directoryEntry("./"));
            tar.closeArchiveEntry();
            byte[] buffer = new byte[1 << 16];
            for (DebEntry e : data) {
                switch (e.type()) {
                    case DIRECTORY -> {
                        TarArchiveEntry t = directoryEntry(tarName(e));
                        t.setMode(040000 | e.mode());
                        t.setLastModifiedTime(mtime(e));
                        tar.putArchiveEntry(t);
                    }
                    case SYMLINK -> {
                        TarArchiveEntry t = entry(tarName(e), TarConstants.LF_SYMLINK);
                        t.setLinkName(e.linkTarget());
                        t.setMode(0120777);
                        t.setLastModifiedTime(mtime(e));
                        tar.putArchiveEntry(t);
                    }
                    case FILE -> {
                        TarArchiveEntry t = entry(tarName(e), TarConstants.LF_NORMAL);
                        t.setMode(0100000 | e.mode());
                        t.setSize(e.data().size());
                        t.setLastModifiedTime(mtime(e));
                        tar.putArchiveEntry(t);
                        md5.reset();
                        long copied = 0;
                        try (InputStream in = new DigestInputStream(e.data().open(), md5)) {
                            for (int n; (n = in.read(buffer)) > 0; ) {
                                tar.write(buffer, 0, n);
                                copied += n;
                            }
                        }
                        if (copied != e.data().size()) {
                            throw new IOException(e.path() + " changed while the package was written ("
                                    + e.data().size() + " bytes planned, " + copied + " read)");
                        }
                        md5sums.put(e.path(), HexFormat.of().formatHex(md5.digest()));
                    }
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
    }

    /** The name of an entry in the data tar: "./" in front, and "/" behind a directory's. */
    private static String tarName(DebEntry e) {
        return "./" + e.path() + (e.type() == DebEntry.Type.DIRECTORY ? "/" : "");
    }

    /**
     * The size of the data tar {@link #writeDataTar} writes for {@code data}, known before it is
     * written (xz's block size depends on it): a 512-byte header for "./" and for each entry, a GNU
     * long-name entry (header and name) before a name or link target of 100 bytes or more, each
     * file's bytes padded to 512, and two zero records at the end (the tar's blocks are one record,
     * so nothing pads it further).
     */
    static long dataTarSize(List<DebEntry> data) {
        long size = TarConstants.DEFAULT_RCDSIZE;
        for (DebEntry e : data) {
            size += TarConstants.DEFAULT_RCDSIZE + longName(tarName(e));
            switch (e.type()) {
                case SYMLINK -> size += longName(e.linkTarget());
                case FILE -> size += records(e.data().size());
                case DIRECTORY -> {
                }
            }
        }
        return size + 2 * TarConstants.DEFAULT_RCDSIZE;
    }

    /** The GNU long-name entry written before a header whose {@code name} does not fit (100 bytes or more), else 0. */
    private static long longName(String name) {
        int length = name.getBytes(StandardCharsets.UTF_8).length;
        return length < TarConstants.NAMELEN ? 0 : TarConstants.DEFAULT_RCDSIZE + records(length + 1L);
    }

    /** {@code bytes} rounded up to whole tar records. */
    private static long records(long bytes) {
        return (bytes + TarConstants.DEFAULT_RCDSIZE - 1) / TarConstants.DEFAULT_RCDSIZE * TarConstants.DEFAULT_RCDSIZE;
    }

    private byte[] controlTar(DebPackage pkg, Map<String, String> md5sums) throws IOException {
        Map<String, byte[]> members = new TreeMap<>();
        members.put("control", ControlFile.render(pkg.control()));
        if (!md5sums.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            // as dh_md5sums: conffiles are not listed (dpkg keeps their sums in its status file)
            md5sums.forEach((path, sum) -> {
                if (!pkg.conffiles().contains("/" + path)) {
                    sb.append(sum).append("  ").append(path).append('\n');
                }
            });
            members.put("md5sums", sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        if (!pkg.conffiles().isEmpty()) {
            members.put("conffiles", (String.join("\n", pkg.conffiles()) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        if (!pkg.triggers().isEmpty()) {
            members.put("triggers", Trigger.file(pkg.triggers()).getBytes(StandardCharsets.UTF_8));
        }
        pkg.scripts().forEach((name, text) -> members.put(name, text.getBytes(StandardCharsets.UTF_8)));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = tarStream(bytes)) {
            tar.putArchiveEntry(directoryEntry("./"));
            tar.closeArchiveEntry();
            for (var m : members.entrySet()) {
                TarArchiveEntry t = entry("./" + m.getKey(), TarConstants.LF_NORMAL);
                t.setMode(pkg.scripts().containsKey(m.getKey()) ? 0100755 : 0100644);
                t.setSize(m.getValue().length);
                tar.putArchiveEntry(t);
                tar.write(m.getValue());
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
        Path packed = tempFile("dkms-deb-control", ".tar.z");
        try {
            compress(bytes::writeTo, bytes.size(), packed, 1);
            return Files.readAllBytes(packed);
        } finally {
            TempFiles.delete(packed);
        }
    }

    /**
     * Compresses what {@code producer} writes ({@code size} bytes) into the file {@code out}, while
     * it writes: .xz by {@link XzEncoder}, the others in Java.
     */
    private void compress(XzEncoder.Producer producer, long size, Path out, int threads) throws IOException {
        if (compression == Compression.XZ) {
            xz().compress(producer, size, out, threads);
            return;
        }
        try (OutputStream file = MemberCompression.wrap(compression, new BufferedOutputStream(Files.newOutputStream(out), 1 << 16),
                threads, -1)) {
            producer.writeTo(new FilterOutputStream(file) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void flush() {
                    // a flush would end a zstd block early and change the bytes; the compressor is flushed when closed
                }

                @Override
                public void close() {
                    // the tar's close: the compressor is finished and closed by the try above
                }
            });
        }
    }

    private Path tempFile(String prefix, String suffix) throws IOException {
        return TempFiles.file(tempDir, prefix.replace("dkms-deb-", ""), suffix);
    }

    private TarArchiveOutputStream tarStream(OutputStream out) {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_STAR);
        tar.setAddPaxHeadersForNonAsciiNames(false);
        return tar;
    }

    /** A member's time: its own when older than the package's, else the package's (dpkg-deb --clamp-mtime). */
    private FileTime mtime(DebEntry e) {
        return FileTime.fromMillis(e.clampedMtime(mtimeSeconds) * 1000);
    }

    private TarArchiveEntry directoryEntry(String name) {
        TarArchiveEntry t = entry(name, TarConstants.LF_DIR);
        t.setMode(040755);
        return t;
    }

    private TarArchiveEntry entry(String name, byte type) {
        TarArchiveEntry t = new TarArchiveEntry(name, type, true);
        t.setUserId(0);
        t.setGroupId(0);
        t.setUserName("root");
        t.setGroupName("root");
        t.setLastModifiedTime(FileTime.fromMillis(mtimeSeconds * 1000));
        return t;
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no MD5", e);
        }
    }
}

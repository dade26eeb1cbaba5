package io.dkmsdeb.deb;

import com.github.luben.zstd.ZstdInputStream;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.io.input.BoundedInputStream;
import org.apache.commons.io.input.CloseShieldInputStream;
import org.tukaani.xz.XZInputStream;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a .deb in one pass without installing anything: checks the ar members and their order
 * ({@code debian-binary}, {@code control.tar[.gz|.xz|.zst]}, {@code data.tar[...]}), loads the
 * control members, and streams the data members to a visitor. Names are normalized (no
 * {@code ./}); a name that is absolute or has {@code ..} is refused. Sizes are bounded so that a
 * decompression bomb stops with an error instead of filling memory or disk.
 */
public final class DebReader {
    /** Limits for untrusted packages. */
    public record Limits(long maxControlBytes, long maxDataBytes, int maxEntries) {
        /** 16 MiB of control, 4 GiB unpacked (the property dkmsdeb.unpack.limit overrides it, for tests), 500,000 entries. */
        public static final Limits DEFAULT = new Limits(16L << 20, Long.getLong("dkmsdeb.unpack.limit", 4L << 30), 500_000);
    }

    /** One member of data.tar. {@code content} is readable for regular files only, during the visit. */
    public record DataEntry(String path, char type, int mode, long size, String linkTarget, InputStream content) {
        public boolean isFile() {
            return type == 'f';
        }
    }

    /** Receives the data entries in archive order. */
    public interface DataVisitor {
        void visit(DataEntry entry) throws IOException;
    }

    /** A package's control members, by name ({@code control}, {@code md5sums}, {@code postinst}, ...). */
    public record Control(Map<String, byte[]> members, Map<String, Integer> modes) {
        public String text(String name) {
            byte[] b = members.get(name);
            return b == null ? null : new String(b, StandardCharsets.UTF_8);
        }
    }

    /** Thrown for a file that is not a well-formed package; the message says what is wrong. */
    public static final class BadPackageException extends IOException {
        private static final long serialVersionUID = 1L;

        public BadPackageException(String message) {
            super(message);
        }

        public BadPackageException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private DebReader() {
    }

    public static Control read(Path deb, Limits limits, DataVisitor visitor) throws IOException {
        Control control = null;
        boolean sawData = false;
        ArArchiveEntry current = null; // the member being read, for the message when it breaks off
        long currentStart = 0;
        try (InputStream file = new BufferedInputStream(Files.newInputStream(deb), 1 << 16)) {
            byte[] magic = file.readNBytes(8);
            if (!new String(magic, StandardCharsets.ISO_8859_1).equals("!<arch>\n")) {
                throw new BadPackageException("not a Debian package: " + deb + " is not an ar archive");
            }
            try (ArArchiveInputStream ar = new ArArchiveInputStream(new SequenceInputStream(new ByteArrayInputStream(magic), file))) {
                ArArchiveEntry e = ar.getNextEntry();
                if (e == null || !e.getName().equals("debian-binary")) {
                    throw new BadPackageException(deb + ": the first ar member must be debian-binary, found " + (e == null ? "nothing" : e.getName()));
                }
                String version = new String(ar.readNBytes(16), StandardCharsets.US_ASCII);
                if (!version.startsWith("2.")) {
                    throw new BadPackageException(deb + ": unsupported package format '" + version.strip() + "', expected 2.0");
                }
                while ((e = ar.getNextEntry()) != null) {
                    String name = e.getName();
                    if (name.startsWith("_")) {
                        continue; // dpkg ignores members starting with an underscore (signatures)
                    }
                    current = e;
                    currentStart = ar.getBytesRead();
                    // counts the bytes read; never closes the ar stream, which stays open for the next member
                    BoundedInputStream member = BoundedInputStream.builder().setInputStream(ar).setPropagateClose(false).get();
                    if (name.startsWith("control.tar")) {
                        if (control != null || sawData) {
                            throw new BadPackageException(deb + ": control.tar must come once, before data.tar");
                        }
                        control = readControl(decompress(name, member, deb), limits, deb);
                        requireComplete(member, e, deb);
                    } else if (name.startsWith("data.tar")) {
                        if (control == null || sawData) {
                            throw new BadPackageException(deb + ": data.tar must come once, after control.tar");
                        }
                        sawData = true;
                        readData(decompress(name, member, deb), limits, deb, visitor);
                        requireComplete(member, e, deb);
                    } else {
                        throw new BadPackageException(deb + ": unexpected ar member " + name);
                    }
                    current = null;
                }
            }
        } catch (BadPackageException bad) {
            throw bad;
        } catch (IOException | RuntimeException e) {
            throw new BadPackageException(broken(deb, current, currentStart, e), e);
        }
        if (control == null || !sawData) {
            throw new BadPackageException(deb + " is truncated: " + (control == null ? "no control.tar" : "no data.tar") + " member");
        }
        return control;
    }

    /**
     * What is wrong with a package whose reading broke off: where the file ends when it is shorter
     * than the member being read says, else which member is damaged and how.
     */
    private static String broken(Path deb, ArArchiveEntry member, long memberStart, Exception e) {
        long size;
        try {
            size = Files.size(deb);
        } catch (IOException notThere) {
            size = -1;
        }
        String reason = e.getMessage() != null && !e.getMessage().isBlank() ? e.getMessage()
                : e instanceof java.io.EOFException ? "its data ends early" : "it cannot be read";
        String again = "; download or copy it again";
        if (member == null) {
            return deb + " is damaged or truncated: its ar archive cannot be read (" + reason + ")" + again;
        }
        long end = memberStart + member.getLength();
        if (size >= 0 && size < end) {
            return deb + " is truncated: it ends at byte " + size + ", inside member " + member.getName() + " (bytes " + memberStart
                    + " to " + end + ")" + again;
        }
        return deb + " is damaged: member " + member.getName() + " (bytes " + memberStart + " to " + end + ") cannot be read: "
                + reason + again;
    }

    /** Reads what is left of an ar member and fails when it ends before its declared length. */
    private static void requireComplete(BoundedInputStream member, ArArchiveEntry e, Path deb) throws IOException {
        member.transferTo(OutputStream.nullOutputStream());
        if (member.getCount() < e.getLength()) {
            throw new BadPackageException(deb + " is truncated: member " + e.getName() + " has " + member.getCount() + " of its "
                    + e.getLength() + " bytes");
        }
    }

    private static InputStream decompress(String member, InputStream in, Path deb) throws IOException {
        InputStream shield = CloseShieldInputStream.wrap(in); // the ar stream stays open for the next member
        if (member.endsWith(".xz")) {
            return new XZInputStream(shield);
        }
        if (member.endsWith(".gz")) {
            return new GzipCompressorInputStream(shield);
        }
        if (member.endsWith(".zst")) {
            return new ZstdInputStream(shield);
        }
        if (member.endsWith(".tar")) {
            return shield;
        }
        throw new BadPackageException(deb + ": unsupported compression of member " + member);
    }

    private static Control readControl(InputStream in, Limits limits, Path deb) throws IOException {
        Map<String, byte[]> members = new TreeMap<>();
        Map<String, Integer> modes = new TreeMap<>();
        long total = 0;
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        for (TarArchiveEntry t; (t = tar.getNextEntry()) != null; ) {
            String name = normalize(t.getName(), deb);
            if (name.isEmpty() || t.isDirectory()) {
                continue;
            }
            if (!t.isFile() || t.isSymbolicLink() || t.isLink() || name.contains("/")) {
                throw new BadPackageException(deb + ": control member " + name + " is not a plain file");
            }
            total += t.getSize();
            if (total > limits.maxControlBytes()) {
                throw new BadPackageException(deb + ": control.tar is larger than " + limits.maxControlBytes() + " bytes");
            }
            members.put(name, tar.readNBytes((int) t.getSize()));
            modes.put(name, t.getMode() & 07777);
        }
        if (!members.containsKey("control")) {
            throw new BadPackageException(deb + ": control.tar has no control file");
        }
        return new Control(members, modes);
    }

    private static void readData(InputStream in, Limits limits, Path deb, DataVisitor visitor) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        long total = 0;
        int count = 0;
        for (TarArchiveEntry t; (t = tar.getNextEntry()) != null; ) {
            if (++count > limits.maxEntries()) {
                throw new BadPackageException(deb + ": data.tar has more than " + limits.maxEntries() + " entries");
            }
            String name = normalize(t.getName(), deb);
            if (name.isEmpty()) {
                continue;
            }
            if (t.isSparse() || t.getRealSize() != t.getSize() && t.isFile() && !t.isSymbolicLink()) {
                throw new BadPackageException(deb + ": member " + name + " is a sparse file; a -dkms package has no need for one");
            }
            char type;
            if (t.isSymbolicLink()) {
                type = 'l';
            } else if (t.isDirectory()) {
                type = 'd';
            } else if (t.isLink()) {
                type = 'h';
            } else if (t.isCharacterDevice() || t.isBlockDevice() || t.isFIFO()) {
                type = 'c';
            } else if (t.isFile()) {
                type = 'f';
            } else {
                type = '?';
            }
            total += type == 'f' ? t.getSize() : 0;
            if (total > limits.maxDataBytes()) {
                throw new BadPackageException(deb + ": data.tar unpacks to more than " + limits.maxDataBytes() + " bytes");
            }
            // a file's content is at most its size, and closing it leaves the tar stream open
            InputStream content = type == 'f'
                    ? BoundedInputStream.builder().setInputStream(tar).setMaxCount(t.getSize()).setPropagateClose(false).get()
                    : InputStream.nullInputStream();
            visitor.visit(new DataEntry(name, type, t.getMode() & 07777, t.getSize(),
                    type == 'l' || type == 'h' ? t.getLinkName() : null, content));
        }
    }

    /** {@code ./usr/x/} to {@code usr/x}; refuses absolute names and {@code ..}. */
    static String normalize(String raw, Path deb) throws BadPackageException {
        String n = raw;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        if (n.equals(".")) {
            return "";
        }
        while (n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        if (raw.startsWith("/") || n.indexOf('\0') >= 0) {
            throw new BadPackageException(deb + ": member '" + raw + "' has an absolute name");
        }
        for (String segment : n.split("/")) {
            if (segment.equals("..")) {
                throw new BadPackageException(deb + ": member '" + raw + "' leads out of the package root with '..'");
            }
        }
        return n;
    }
}

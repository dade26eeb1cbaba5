package io.dkmsdeb.deb;

import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZ;
import org.tukaani.xz.XZOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The index files of an apt repository, as apt-ftparchive and reprepro write them:
 * {@code Packages} stanzas (the package's control fields in their order, then {@code Filename},
 * {@code Size}, {@code MD5sum}, {@code SHA256}), {@code Packages.xz}, and the suite's
 * {@code Release} with the size and checksums of every index file. Text only: the caller
 * chooses the order of the stanzas and writes the files.
 */
public final class AptIndex {
    /** {@code Sat, 01 Jan 2000 00:00:00 UTC}: the Date form apt parses (RFC 2822, UTC spelled out, as apt-ftparchive writes it). */
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'UTC'", Locale.ROOT);

    /** The fields a Packages stanza adds to a package's control file. */
    public static final List<String> POOL_FIELDS = List.of("Filename", "Size", "MD5sum", "SHA256");

    private AptIndex() {
    }

    /** The size and checksums of a file's bytes. */
    public record Checksums(long size, String md5, String sha256) {
        public static Checksums of(byte[] bytes) {
            return new Checksums(bytes.length, hex("MD5", bytes), hex("SHA-256", bytes));
        }

        /** The size and checksums of a file, read once. */
        public static Checksums of(Path file) throws IOException {
            MessageDigest md5 = digest("MD5");
            MessageDigest sha256 = digest("SHA-256");
            long size = 0;
            byte[] buf = new byte[1 << 16];
            try (InputStream in = Files.newInputStream(file)) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    md5.update(buf, 0, n);
                    sha256.update(buf, 0, n);
                    size += n;
                }
            }
            return new Checksums(size, HexFormat.of().formatHex(md5.digest()), HexFormat.of().formatHex(sha256.digest()));
        }
    }

    /** One file of a suite's indices: its path below {@code dists/SUITE/} and its checksums. */
    public record IndexFile(String path, Checksums sums) {
    }

    /**
     * What a {@code Release} file says of its suite.
     *
     * @param origin        Origin field, or null
     * @param label         Label field, or null
     * @param suite         Suite and Codename
     * @param architectures the binary-ARCH directories, in order
     * @param components    the components, in order
     * @param description   Description field, or null
     * @param dateSeconds   the Date field, seconds since 1970
     */
    public record ReleaseInfo(String origin, String label, String suite, List<String> architectures, List<String> components,
                              String description, long dateSeconds) {
        public ReleaseInfo {
            architectures = List.copyOf(architectures);
            components = List.copyOf(components);
        }
    }

    /**
     * A Packages stanza: the control paragraph as the package carries it (its lines kept, the
     * trailing newline dropped), then the pool fields. {@code filename} is relative to the
     * repository root ({@code pool/main/h/hello-dkms/hello-dkms_1.0-1_all.deb}).
     */
    public static String stanza(String control, String filename, Checksums sums) {
        String fields = control.strip();
        if (fields.isEmpty() || fields.contains("\n\n")) {
            throw new IllegalArgumentException("a control file is one non-empty paragraph");
        }
        return fields + "\nFilename: " + filename + "\nSize: " + sums.size() + "\nMD5sum: " + sums.md5() + "\nSHA256: " + sums.sha256() + "\n";
    }

    /** The Packages file: the stanzas in the given order, separated by blank lines (empty for none). */
    public static byte[] packages(List<String> stanzas) {
        return String.join("\n", stanzas).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code bytes} as an .xz file: LZMA2 preset 6 and a CRC64 check, as {@code xz -6} writes it,
     * single-threaded so that the same input always gives the same bytes.
     */
    public static byte[] xz(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4 + 64);
        try (XZOutputStream xz = new XZOutputStream(out, new LZMA2Options(6), XZ.CHECK_CRC64)) {
            xz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("compressing in memory", e);
        }
        return out.toByteArray();
    }

    /** The Release file of a suite whose index files are {@code files} (paths relative to {@code dists/SUITE/}). */
    public static byte[] release(ReleaseInfo info, List<IndexFile> files) {
        StringBuilder sb = new StringBuilder();
        field(sb, "Origin", info.origin());
        field(sb, "Label", info.label());
        field(sb, "Suite", info.suite());
        field(sb, "Codename", info.suite());
        field(sb, "Date", date(info.dateSeconds()));
        field(sb, "Architectures", String.join(" ", info.architectures()));
        field(sb, "Components", String.join(" ", info.components()));
        field(sb, "Description", info.description());
        field(sb, "Acquire-By-Hash", "yes");
        sb.append("MD5Sum:\n");
        for (IndexFile f : files) {
            sb.append(String.format(Locale.ROOT, " %s %16d %s%n", f.sums().md5(), f.sums().size(), f.path()));
        }
        sb.append("SHA256:\n");
        for (IndexFile f : files) {
            sb.append(String.format(Locale.ROOT, " %s %16d %s%n", f.sums().sha256(), f.sums().size(), f.path()));
        }
        return sb.toString().replace(System.lineSeparator(), "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A Release file read back: its single-line fields and the index files its {@code MD5Sum} and
     * {@code SHA256} lists name (a file must be in both, with one size).
     *
     * @param fields the fields other than the checksum lists, in their order
     * @param files  the index files, in the order of the SHA256 list
     */
    public record ReleaseFile(Map<String, String> fields, List<IndexFile> files) {
        public ReleaseFile {
            fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
            files = List.copyOf(files);
        }

        /** Whether apt may fetch the indices from {@code by-hash/} ({@code Acquire-By-Hash: yes}). */
        public boolean byHash() {
            return "yes".equals(fields.get("Acquire-By-Hash"));
        }

        /**
         * Parses a Release file as apt reads it.
         *
         * @throws IllegalArgumentException naming the line that is not a field, a list line or a hash line
         */
        public static ReleaseFile parse(byte[] bytes) {
            Map<String, String> fields = new LinkedHashMap<>();
            Map<String, String[]> md5 = new LinkedHashMap<>();
            Map<String, String[]> sha256 = new LinkedHashMap<>();
            Map<String, String[]> list = null;
            int n = 0;
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n", -1)) {
                n++;
                if (line.isEmpty()) {
                    continue;
                }
                if (line.startsWith(" ")) {
                    String[] parts = line.strip().split("\\s+");
                    if (parts.length != 3 || !parts[1].matches("\\d{1,18}")) {
                        throw new IllegalArgumentException("line " + n + " is not 'HASH SIZE PATH': " + line.strip());
                    }
                    if (list != null) {
                        list.put(parts[2], parts);
                    }
                    continue;
                }
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException("line " + n + " is not a field: " + line);
                }
                String name = line.substring(0, colon);
                String value = line.substring(colon + 1).strip();
                list = name.equals("MD5Sum") ? md5 : name.equals("SHA256") ? sha256 : value.isEmpty() ? new LinkedHashMap<>() : null;
                if (list == null) {
                    fields.put(name, value);
                }
            }
            List<IndexFile> files = new ArrayList<>();
            for (var e : sha256.entrySet()) {
                String[] m = md5.get(e.getKey());
                if (m == null || !m[1].equals(e.getValue()[1])) {
                    throw new IllegalArgumentException(e.getKey() + " is in the SHA256 list but not with the same size in the MD5Sum list");
                }
                files.add(new IndexFile(e.getKey(), new Checksums(Long.parseLong(e.getValue()[1]), m[0], e.getValue()[0])));
            }
            return new ReleaseFile(fields, files);
        }
    }

    /** The Date field's form of {@code seconds}. */
    public static String date(long seconds) {
        return DATE.format(Instant.ofEpochSecond(seconds).atOffset(ZoneOffset.UTC));
    }

    private static void field(StringBuilder sb, String name, String value) {
        if (value != null && !value.isBlank()) {
            if (value.contains("\n")) {
                throw new IllegalArgumentException("Release field " + name + " must be one line");
            }
            sb.append(name).append(": ").append(value).append('\n');
        }
    }

    private static String hex(String algorithm, byte[] bytes) {
        return HexFormat.of().formatHex(digest(algorithm).digest(bytes));
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no " + algorithm, e);
        }
    }
}

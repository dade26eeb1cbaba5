package io.dkmsdeb.model.deb;

import java.util.Locale;
import java.util.Optional;

/**
 * A compression format, with the file suffix it gives: of the control.tar and data.tar members of
 * a package (dpkg-deb's {@code -Z}), and of kernel module files ({@code .ko.xz}). The one list of
 * formats and suffixes; the compressors themselves are in {@code deb} and {@code kernel}.
 */
public enum Compression {
    XZ(".xz"), GZIP(".gz"), ZSTD(".zst"), NONE("");

    private final String suffix;

    Compression(String suffix) {
        this.suffix = suffix;
    }

    /** The ar member name for {@code base} ("data.tar" gives "data.tar.xz"). */
    public String memberName(String base) {
        return base + suffix;
    }

    /** The suffix of a module file compressed this way: {@code .ko}, {@code .ko.xz}, {@code .ko.zst} or {@code .ko.gz}. */
    public String moduleSuffix() {
        return ".ko" + suffix;
    }

    /** The compression of a module file, by its name ({@code e1000e.ko.xz} gives XZ, {@code e1000e.ko} NONE). */
    public static Compression ofModuleFile(String fileName) {
        for (Compression c : values()) {
            if (c != NONE && fileName.endsWith(c.moduleSuffix())) {
                return c;
            }
        }
        return NONE;
    }

    /** The compression {@code text} names (xz, gzip or gz, zstd or zst, none; any case), if any. */
    public static Optional<Compression> parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "xz" -> Optional.of(XZ);
            case "gzip", "gz" -> Optional.of(GZIP);
            case "zstd", "zst" -> Optional.of(ZSTD);
            case "none" -> Optional.of(NONE);
            default -> Optional.empty();
        };
    }

    /** The name used on the command line and in messages: xz, gzip, zstd or none. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}

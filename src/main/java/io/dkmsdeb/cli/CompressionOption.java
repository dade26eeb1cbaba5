package io.dkmsdeb.cli;

import io.dkmsdeb.model.deb.Compression;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The values of {@code --compression}: a {@link Compression} name, and for module files also {@code auto}. */
final class CompressionOption {
    private CompressionOption() {
    }

    /** xz, gzip, zstd or none: the compression of a package's members. */
    static final class Member implements ITypeConverter<Compression> {
        @Override
        public Compression convert(String value) {
            return Compression.parse(value).orElseThrow(() -> new TypeConversionException(
                    "unknown compression '" + value + "', expected xz, gzip, zstd or none"));
        }
    }

    /** auto (null: as the kernel's own modules), none, xz, zstd or gzip: the compression of module files. */
    static final class Module implements ITypeConverter<Compression> {
        @Override
        public Compression convert(String value) {
            if (value.equals("auto")) {
                return null;
            }
            return Compression.parse(value).orElseThrow(() -> new TypeConversionException(
                    "unknown compression '" + value + "', expected auto, none, xz, zstd or gzip"));
        }
    }
}

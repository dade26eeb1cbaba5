package io.dkmsdeb.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * What an {@link IOException} says, in words for an error message: the file it is about and the
 * reason, never the exception's class name (an {@link AccessDeniedException}'s own message is
 * only the path, its class name is the reason).
 */
public final class IoErrors {
    private IoErrors() {
    }

    /** The reason, e.g. "permission denied", "no such file or directory", "Is a directory". */
    public static String reason(IOException e) {
        if (e instanceof FileSystemException f) {
            if (f.getReason() != null && !f.getReason().isBlank()) {
                return f.getReason();
            }
            if (f instanceof AccessDeniedException) {
                return "permission denied";
            }
            if (f instanceof NoSuchFileException) {
                return "no such file or directory";
            }
            if (f instanceof NotDirectoryException) {
                return "not a directory";
            }
            if (f instanceof FileAlreadyExistsException) {
                return "it already exists";
            }
            if (f instanceof DirectoryNotEmptyException) {
                return "the directory is not empty";
            }
            if (f instanceof FileSystemLoopException) {
                return "symbolic links that form a loop";
            }
            return "input/output error";
        }
        return e.getMessage() == null || e.getMessage().isBlank() ? "input/output error" : e.getMessage();
    }

    /** The reason of the {@link IOException} inside {@code e}. */
    public static String reason(UncheckedIOException e) {
        return reason(e.getCause());
    }

    /** The file the exception is about, else {@code fallback}. */
    public static String file(IOException e, Path fallback) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            return f.getFile();
        }
        return String.valueOf(fallback);
    }
}

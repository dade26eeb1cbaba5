package io.dkmsdeb.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Copyright lines of a module's sources ("Copyright (C) 2019 Jane Doe"), for the package's
 * copyright file: the first 50 distinct ones from .c, .h and licence files, cleaned of comment
 * markers.
 *
 * <p>"First" is in a fixed order: the tree is walked depth first (at most 6 levels down), each
 * folder's names sorted, so a tree gives the same notices on every file system (a folder's own
 * order differs between them). The walk ends once 50 notices were found. A file is searched for
 * the word "copyright" as bytes first; only the lines that hold it are matched against the notice
 * pattern, which keeps a tree of thousands of sources quick.
 */
public final class CopyrightNotices {
    /**
     * "Copyright", then "(C)" or a copyright sign, then a year. Lines are read one byte a character, so the
     * sign is U+00A9 in a Latin-1 file and U+00C2 U+00A9 (its two UTF-8 bytes) in a UTF-8 one.
     */
    private static final Pattern NOTICE = Pattern.compile("(?i)(copyright\\s*(\\(c\\)|\u00c2?\u00a9)?\\s*[0-9]{4}.*)");
    private static final byte[] WORD = "copyright".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX = 50;
    private static final int MAX_DEPTH = 6;

    private CopyrightNotices() {
    }

    public static List<String> find(Path dir) {
        Set<String> notices = new TreeSet<>();
        try {
            walk(dir, 0, notices);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(notices);
    }

    /**
     * Searches {@code p} (at {@code depth} below the tree's top) and, when it is a folder less than
     * {@link #MAX_DEPTH} deep, its entries in name order. Links are not followed. False once the
     * notices are complete.
     */
    private static boolean walk(Path p, int depth, Set<String> notices) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attrs.isRegularFile()) {
            return !interesting(p.getFileName().toString()) || scan(Files.readAllBytes(p), notices);
        }
        if (!attrs.isDirectory() || depth >= MAX_DEPTH) {
            return true;
        }
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(p)) {
            entries.forEach(children::add);
        }
        children.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        for (Path child : children) {
            if (!walk(child, depth + 1, notices)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Adds the notices of one file's {@code bytes} (read as ISO-8859-1, one character a byte; a
     * notice is stored as UTF-8 text when its bytes are UTF-8, else as Latin-1: {@link #restore}).
     * Only lines holding "copyright" in any case can match the pattern, so only those are decoded
     * and matched. False once the notices are complete.
     */
    static boolean scan(byte[] bytes, Set<String> notices) {
        for (int at = indexOfWord(bytes, 0); at >= 0; ) {
            if (notices.size() >= MAX) {
                return false;
            }
            int start = at;
            while (start > 0 && bytes[start - 1] != '\n') {
                start--;
            }
            int end = at;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            Matcher m = NOTICE.matcher(new String(bytes, start, end - start, StandardCharsets.ISO_8859_1));
            if (m.find()) {
                String notice = m.group(1).replaceAll("\\*/.*$", "").replaceAll("[\\p{Cntrl}]", " ").strip();
                notices.add(restore(notice));
            }
            at = end < bytes.length ? indexOfWord(bytes, end + 1) : -1;
        }
        return notices.size() < MAX;
    }

    /**
     * A notice read one byte a character, as the text it is: its bytes as UTF-8 when they are UTF-8,
     * else as Latin-1 (an older source's "J\u00f6rg" stays "J\u00f6rg", not "J\ufffdrg").
     */
    static String restore(String latin1) {
        byte[] bytes = latin1.getBytes(StandardCharsets.ISO_8859_1);
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return latin1;
        }
    }

    /** Where "copyright" (ASCII letters in any case) starts in {@code bytes} at or after {@code from}, or -1. */
    private static int indexOfWord(byte[] bytes, int from) {
        int last = bytes.length - WORD.length;
        for (int i = from; i <= last; i++) {
            if ((bytes[i] | 0x20) == 'c') {
                int j = 1;
                while (j < WORD.length && (bytes[i + j] | 0x20) == WORD[j]) {
                    j++;
                }
                if (j == WORD.length) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static boolean interesting(String name) {
        return name.endsWith(".c") || name.endsWith(".h") || name.matches("(?i)(copying|license|licence|copyright)(\\..*)?");
    }
}

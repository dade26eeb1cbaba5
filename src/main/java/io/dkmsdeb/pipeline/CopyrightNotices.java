package io.dkmsdeb.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Copyright lines of a module's sources ("Copyright (C) 2019 Jane Doe"), for the package's
 * copyright file: the first 50 distinct ones from .c, .h and licence files, cleaned of comment
 * markers.
 */
final class CopyrightNotices {
    private static final Pattern NOTICE = Pattern.compile("(?i)(copyright\\s*(\\(c\\)|©)?\\s*[0-9]{4}.*)");
    private static final int MAX = 50;

    private CopyrightNotices() {
    }

    static List<String> find(Path dir) {
        Set<String> notices = new TreeSet<>();
        try (Stream<Path> files = Files.walk(dir, 6)) {
            for (Path p : (Iterable<Path>) files.filter(CopyrightNotices::interesting)::iterator) {
                for (String line : Files.readString(p, StandardCharsets.ISO_8859_1).split("\n")) {
                    Matcher m = NOTICE.matcher(line);
                    if (m.find() && notices.size() < MAX) {
                        String notice = m.group(1).replaceAll("\\*/.*$", "").replaceAll("[\\p{Cntrl}]", " ").strip();
                        notices.add(new String(notice.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(notices);
    }

    private static boolean interesting(Path p) {
        String name = p.getFileName().toString();
        return Files.isRegularFile(p) && !Files.isSymbolicLink(p)
                && (name.endsWith(".c") || name.endsWith(".h") || name.matches("(?i)(copying|license|licence|copyright)(\\..*)?"));
    }
}

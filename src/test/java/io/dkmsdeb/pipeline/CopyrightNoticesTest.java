package io.dkmsdeb.pipeline;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The copyright notices of a tree: which files and lines count, and the same 50 whatever the file system's order. */
@Tag("unit")
class CopyrightNoticesTest {
    @TempDir
    Path tree;
    @TempDir
    Path elsewhere;

    /** Every line of every .c, .h and licence file matched against the pattern, in the walk's order: the notices to expect. */
    private static List<String> everyLine(Path dir) throws IOException {
        Pattern notice = Pattern.compile("(?i)(copyright\\s*(\\(c\\)|\u00c2?\u00a9)?\\s*[0-9]{4}.*)");
        Set<String> notices = new TreeSet<>();
        try (Stream<Path> files = Files.walk(dir, 6)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (!Files.isRegularFile(p) || Files.isSymbolicLink(p)
                        || !(name.endsWith(".c") || name.endsWith(".h") || name.matches("(?i)(copying|license|licence|copyright)(\\..*)?"))) {
                    continue;
                }
                for (String line : Files.readString(p, StandardCharsets.ISO_8859_1).split("\n")) {
                    Matcher m = notice.matcher(line);
                    if (m.find()) {
                        String n = m.group(1).replaceAll("\\*/.*$", "").replaceAll("[\\p{Cntrl}]", " ").strip();
                        byte[] bytes = n.getBytes(StandardCharsets.ISO_8859_1);
                        String utf8 = new String(bytes, StandardCharsets.UTF_8);
                        notices.add(Arrays.equals(utf8.getBytes(StandardCharsets.UTF_8), bytes) ? utf8 : n);
                    }
                }
            }
        }
        return List.copyOf(notices);
    }

    private void write(String rel, String text) throws IOException {
        Path p = tree.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    @Test
    void theLinesThatHoldANotice() throws IOException {
        write("hello.c", "/* Copyright (C) 2019 Jane Doe <jane@example.org> */\nint x;\n");
        write("hello.h", "// COPYRIGHT 2020 Upper Case\r\n/*\n * copyright (c)2021 Lower Case\n */\n");
        write("COPYING", "This copyright notice names no year, but: Copyright (C) 2022 Jörg Ünicode\n");
        Files.write(tree.resolve("old.h"), "/* Copyright (C) 1998 J\u00fcrgen Latin1 */\n".getBytes(StandardCharsets.ISO_8859_1));
        write("LICENSE.txt", "copyright  1999  Trailing Space   ");
        write("sub/dir/util.c", "int a; /* copyright note */\nCopyright 2005 Nested One\nCopyRight (C) 2006 Mixed Case\n");
        write("README", "Copyright 2010 Not A Source File\n");
        write("notes.txt", "Copyright 2011 Not A Source File Either\n");
        write("empty.c", "");
        write("a/b/c/d/e/deep.c", "Copyright 2012 Six Levels Down\n");
        write("a/b/c/d/e/f/deeper.c", "Copyright 2013 Seven Levels Down\n");
        Files.createSymbolicLink(tree.resolve("link.c"), tree.resolve("hello.c"));
        Files.writeString(elsewhere.resolve("outside.c"), "Copyright 2014 Outside\n");
        Files.createSymbolicLink(tree.resolve("outside.c"), elsewhere.resolve("outside.c"));

        List<String> found = CopyrightNotices.find(tree);

        assertThat(found).containsExactly(
                "COPYRIGHT 2020 Upper Case",
                "CopyRight (C) 2006 Mixed Case",
                "Copyright (C) 1998 J\u00fcrgen Latin1",
                "Copyright (C) 2019 Jane Doe <jane@example.org>",
                "Copyright (C) 2022 Jörg Ünicode",
                "Copyright 2005 Nested One",
                "Copyright 2012 Six Levels Down",
                "copyright  1999  Trailing Space",
                "copyright (c)2021 Lower Case");
        assertThat(found).isEqualTo(everyLine(tree));
    }

    @Test
    void theCopyrightSignInUtf8AndInLatin1() throws IOException {
        write("utf8.c", "/* Copyright \u00a9 2020 Sign In Utf8 */\n");
        Files.write(tree.resolve("latin1.h"), "// Copyright \u00a9 2021 Sign In Latin1\n".getBytes(StandardCharsets.ISO_8859_1));
        write("both.h", "/* Copyright \u00a92022 No Space */\n");

        List<String> found = CopyrightNotices.find(tree);

        assertThat(found).containsExactly(
                "Copyright \u00a9 2020 Sign In Utf8",
                // a Latin-1 file's notice is read as Latin-1: its one byte 0xA9 is no UTF-8
                "Copyright \u00a9 2021 Sign In Latin1",
                "Copyright \u00a92022 No Space");
        assertThat(found).isEqualTo(everyLine(tree));
    }

    @Test
    void noNoticesNoLines() throws IOException {
        write("hello.c", "int main(void) { return 0; } /* no copyright here */\n");
        assertThat(CopyrightNotices.find(tree)).isEmpty();
        assertThat(everyLine(tree)).isEmpty();
    }

    @Test
    void theFirstFiftyInNameOrderWhateverTheOrderFilesWereMade() throws IOException {
        List<Integer> numbers = new ArrayList<>(IntStream.range(0, 80).boxed().toList());
        Path one = tree.resolve("one");
        Path two = tree.resolve("two");
        for (int i : numbers) {
            make(one, i);
        }
        Collections.reverse(numbers);
        for (int i : numbers) {
            make(two, i);
        }
        Collections.shuffle(numbers, new java.util.Random(7));
        Path three = tree.resolve("three");
        for (int i : numbers) {
            make(three, i);
        }

        List<String> expected = IntStream.range(0, 50).mapToObj(i -> "Copyright " + (1900 + i) + " Author " + i).sorted().toList();
        assertThat(CopyrightNotices.find(one)).isEqualTo(expected);
        assertThat(CopyrightNotices.find(two)).isEqualTo(expected);
        assertThat(CopyrightNotices.find(three)).isEqualTo(expected);
    }

    /** A folder d/NN (NN = i, two digits) holding f.c with notice i, so that name order is number order. */
    private static void make(Path dir, int i) throws IOException {
        Path sub = dir.resolve(String.format("%02d", i));
        Files.createDirectories(sub);
        Files.writeString(sub.resolve("f.c"), "/* Copyright " + (1900 + i) + " Author " + i + " */\n");
    }
}

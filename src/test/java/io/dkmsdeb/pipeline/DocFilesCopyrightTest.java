package io.dkmsdeb.pipeline;

import io.dkmsdeb.model.deb.DebEntry;
import io.dkmsdeb.templates.ScriptTemplates;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The copyright file states what the sources say: their notices, or that they carry none; it never invents a year or a holder. */
@Tag("unit")
class DocFilesCopyrightTest {
    private static final long EPOCH = SourceDateEpoch.DEFAULT;

    private static String file(List<DebEntry> entries, String path) throws IOException {
        DebEntry e = entries.stream().filter(x -> x.path().equals(path)).findFirst().orElseThrow();
        try (var in = e.data().open()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<DebEntry> entries(List<String> notices, String kernel) {
        return DocFiles.entries(new ScriptTemplates(null), new DocFiles.About("hello-dkms", "1.0-1", "hello", "1.0",
                "Jane Doe <jane@example.org>", notices, kernel), EPOCH);
    }

    @Test
    void sourcesWithoutANoticeAreSaidToHaveNoneAndLintianIsToldWhy() throws IOException {
        List<DebEntry> docs = entries(List.of(), null);
        String copyright = file(docs, "usr/share/doc/hello-dkms/copyright");
        assertThat(copyright).contains("The sources of the hello kernel module carry no copyright notice")
                .doesNotContainPattern("\\b(19|20)[0-9]{2}\\b").doesNotContain("Copyright 2000").doesNotContain("Jane Doe");
        assertThat(file(docs, "usr/share/lintian/overrides/hello-dkms")).contains("hello-dkms: copyright-without-copyright-notice");
    }

    @Test
    void noticesFoundAreCopiedAndNeedNoOverride() throws IOException {
        List<DebEntry> docs = entries(List.of("Copyright (C) 2019 Jane Doe"), null);
        assertThat(file(docs, "usr/share/doc/hello-dkms/copyright")).contains("  Copyright (C) 2019 Jane Doe").doesNotContain("no copyright notice");
        assertThat(file(docs, "usr/share/lintian/overrides/hello-dkms")).doesNotContain("copyright-without-copyright-notice");
    }
}

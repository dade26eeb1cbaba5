package io.dkmsdeb.pipeline.source.debian;

import io.dkmsdeb.debiandir.DebianDir;
import io.dkmsdeb.model.ModuleSourceException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where debhelper puts two kinds of things: a man page (dh_installman: section from the page's
 * {@code .TH}/{@code .Dt} line, else from its name) and the target of a link (dh_link: relative
 * within one top-level directory, absolute between two, as Debian policy 10.5 asks).
 */
final class DhPaths {
    private static final Pattern TH = Pattern.compile("^\\.(?:TH\\s+\\S+|Dt\\s+\\S+)\\s+\"?(\\d+[^\"\\s]*)\"?");
    private static final Pattern NAME_SECTION = Pattern.compile("\\.([1-9]\\w*)$");

    private DhPaths() {
    }

    /** {@code usr/share/man/manN/NAME.SECTION} for a page, as dh_installman names it. */
    static String manPage(Path page) {
        String section = null;
        for (String line : DebianDir.readText(page).lines().limit(200).toList()) {
            Matcher m = TH.matcher(line);
            if (m.find()) {
                section = m.group(1).matches("\\d+[.]\\d+.*") ? null : m.group(1);
                break;
            }
        }
        String base = page.getFileName().toString();
        Matcher fromName = NAME_SECTION.matcher(base);
        if (section == null && fromName.find()) {
            section = fromName.group(1);
        }
        if (section == null || !Character.isDigit(section.charAt(0)) || section.charAt(0) == '0') {
            throw new ModuleSourceException("cannot tell the section of the man page " + page + " (no .TH line, no .N suffix), as "
                    + "dh_installman cannot; give it a .TH line or name it NAME.N");
        }
        String name = base.replaceFirst("\\.[1-9]\\w*$", "");
        return "usr/share/man/man" + section.charAt(0) + "/" + name + "." + section;
    }

    /** dh_link's target for a link at {@code link} to {@code target} (both package paths without a leading slash). */
    static String linkTarget(String target, String link, String where) {
        if (target.equals(link)) {
            throw new ModuleSourceException(where + ": a link from " + link + " to itself; fix the line");
        }
        List<String> src = new ArrayList<>(Arrays.asList(target.split("/")));
        List<String> dest = new ArrayList<>(Arrays.asList(link.split("/")));
        if (!src.get(0).equals(dest.get(0))) {
            return "/" + target;
        }
        int common = 0;
        while (common < src.size() && common < dest.size() && src.get(common).equals(dest.get(common))) {
            common++;
        }
        StringBuilder rel = new StringBuilder();
        for (int i = 1; i <= dest.size() - 1 - common; i++) {
            rel.append("../");
        }
        src.subList(common, src.size()).forEach(dir -> rel.append(dir).append('/'));
        String r = rel.toString().replaceFirst("/$", "");
        return r.isEmpty() ? "." : r;    // dh_link's special case: a link to the directory it is in
    }
}

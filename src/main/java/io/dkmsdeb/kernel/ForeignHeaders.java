package io.dkmsdeb.kernel;

import io.dkmsdeb.model.KernelHeadersException;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a kernel's headers package of another architecture asks of a build root that cross-builds for it, read from its
 * {@code apt-cache show} record: its Version; the packages of the root's own architecture that stand in for its
 * dependencies of the same version ({@code linux-headers-*-common}, which is {@code Architecture: all}, and
 * {@code linux-kbuild-*}, whose programs must run on the build machine); and the cross compiler of the gcc it depends on.
 *
 * @param version       the headers package's Version
 * @param natives       the -common headers and linux-kbuild ({@code NAME=VERSION} where the dependency names the version), to
 *                      install in the root
 * @param crossCompiler the cross compiler package ({@code gcc-14-aarch64-linux-gnu})
 * @param crossPackages the cross compiler and the cross binutils
 */
record ForeignHeaders(String version, List<String> natives, String crossCompiler, List<String> crossPackages) {
    private static final Pattern RELATION = Pattern.compile("^\\s*([a-z0-9][a-z0-9.+-]*)(?::[a-z0-9]+)?\\s*(?:\\(\\s*=\\s*([^)\\s]+)\\s*\\))?");
    private static final Pattern GCC = Pattern.compile("gcc-[0-9]+");

    ForeignHeaders {
        natives = List.copyOf(natives);
        crossPackages = List.copyOf(crossPackages);
    }

    /** From the {@code apt-cache show --no-all-versions} text of the headers package, for a build with {@code cross}. */
    static ForeignHeaders of(String record, CrossToolchain cross) {
        String version = field(record, "Version");
        String depends = field(record, "Depends");
        if (version.isEmpty() || cross.crossCompile().isEmpty()) {
            throw new KernelHeadersException("cannot read the headers package record: no Version, or no cross build (" + cross + ")");
        }
        List<String> natives = new ArrayList<>();
        String gcc = "";
        for (String alternatives : depends.split(",")) {
            for (String relation : alternatives.split("\\|")) {
                Matcher m = RELATION.matcher(relation);
                if (!m.find()) {
                    continue;
                }
                String name = m.group(1);
                String pinned = m.group(2);
                if (name.startsWith("linux-kbuild-") || (name.startsWith("linux-headers-") && name.contains("-common"))) {
                    natives.add(pinned == null ? name : name + "=" + pinned);
                } else if (GCC.matcher(name).matches() && gcc.isEmpty()) {
                    gcc = name;
                }
            }
        }
        String triplet = cross.crossCompile().substring(0, cross.crossCompile().length() - 1);
        String compiler = (gcc.isEmpty() ? "gcc" : gcc) + "-" + triplet;
        return new ForeignHeaders(version, natives, compiler, List.of(compiler, "binutils-" + triplet));
    }

    /** The value of {@code name} in a deb822 record (continuation lines joined), else "". */
    private static String field(String record, String name) {
        StringBuilder out = null;
        for (String line : record.split("\n", -1)) {
            if (out != null) {
                if (line.startsWith(" ") || line.startsWith("\t")) {
                    out.append(' ').append(line.strip());
                    continue;
                }
                break;
            }
            if (line.startsWith(name + ":")) {
                out = new StringBuilder(line.substring(name.length() + 1).strip());
            }
        }
        return out == null ? "" : out.toString();
    }
}

package io.dkmsdeb.it;

import io.dkmsdeb.it.ConformanceHarness.Outcome;
import io.dkmsdeb.it.ConformanceHarness.Result;
import io.dkmsdeb.it.ConformanceHarness.Row;
import io.dkmsdeb.it.ConformanceHarness.SourceCheck;
import io.dkmsdeb.it.ConformanceLoad.ModuleLoad;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** docs/CONFORMANCE.md (or another file) from a {@link ConformanceHarness.Result}: one row per (package, kernel), the summary line. */
final class ConformanceReport {
    private ConformanceReport() {
    }

    /** A disagreement found in a run and its explanation, if {@link ConformanceKnown} has one. */
    record Disagreement(String pkg, String kernel, String aspect, String what, ConformanceKnown.Known known) {
        boolean explained() {
            return known != null;
        }
    }

    static List<Disagreement> disagreements(Result r) {
        List<Disagreement> list = new ArrayList<>();
        for (SourceCheck s : r.sources()) {
            if (!s.same()) {
                list.add(new Disagreement(s.pkg(), null, "source", s.detail(), ConformanceKnown.explain(s.pkg(), null, "source").orElse(null)));
            }
        }
        for (Row row : r.rows()) {
            for (String aspect : row.problems()) {
                String what = switch (aspect) {
                    case "outcome" -> dkmsLabel(row) + " " + outcome(row.dkms()) + ", dkms-deb " + outcome(row.ours());
                    case "modules" -> dkmsLabel(row) + " built " + mods(row.dkms().modules()) + ", dkms-deb " + mods(row.ours().modules());
                    case "compression" -> row.compression();
                    case "inspect" -> row.inspect();
                    case "load" -> row.loads().stream().filter(l -> l.status().equals(ConformanceLoad.FAILED)).map(l -> l.module() + ": " + l.text())
                            .collect(Collectors.joining("; "));
                    default -> aspect;
                };
                list.add(new Disagreement(row.pkg(), row.kernel(), aspect, what,
                        ConformanceKnown.explain(row.pkg(), row.kernel(), aspect).orElse(null)));
            }
        }
        return list;
    }

    static String summary(Result r) {
        List<Row> rows = r.rows();
        List<Row> native_ = rows.stream().filter(x -> !x.cross()).toList();
        List<Row> cross = rows.stream().filter(Row::cross).toList();
        long outcomeAgree = native_.stream().filter(Row::outcomeAgrees).count();
        long modulesAgree = native_.stream().filter(Row::modulesAgree).count();
        Map<String, Long> dkms = new TreeMap<>(native_.stream().collect(Collectors.groupingBy(x -> x.dkms().result(), Collectors.counting())));
        String crossPart = "";
        if (!cross.isEmpty()) {
            Map<String, Long> ours = new TreeMap<>(cross.stream().collect(Collectors.groupingBy(x -> x.ours().result(), Collectors.counting())));
            crossPart = String.format(" %s rows (cross-built, judged against dkms on the %s kernel of the same series): outcome as there in "
                            + "%d/%d, module set in %d/%d (dkms-deb: %s);",
                    cross.stream().map(x -> QemuBoot.Machine.of(x.kernel()).debArch()).distinct().sorted().collect(Collectors.joining(", ")),
                    ConformanceHarness.HOST_ARCH, cross.stream().filter(Row::outcomeAgrees).count(), cross.size(),
                    cross.stream().filter(Row::modulesAgree).count(), cross.size(),
                    ours.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", ")));
        }
        long written = rows.stream().filter(x -> x.inspectOk() != null).count();
        long inspectOk = rows.stream().filter(x -> Boolean.TRUE.equals(x.inspectOk())).count();
        long compressionOk = rows.stream().filter(x -> Boolean.TRUE.equals(x.compressionOk())).count();
        long filesSame = r.sources().stream().filter(SourceCheck::filesSame).count();
        long confSame = r.sources().stream().filter(SourceCheck::confSame).count();
        Map<String, Long> loads = rows.stream().flatMap(x -> x.loads().stream())
                .collect(Collectors.groupingBy(ModuleLoad::status, TreeMap::new, Collectors.counting()));
        List<Disagreement> d = disagreements(r);
        long unexplained = d.stream().filter(x -> !x.explained()).count();
        long probes = r.sources().stream().filter(x -> x.pkg().contains("+")).count();
        long trixieRows = rows.stream().filter(x -> ConformanceHarness.isTrixie(x.kernel()) && !r.config().kernels().contains(x.kernel())).count();
        return String.format("%s x %d kernels%s = %d rows: build outcome agrees with dkms in %d/%d, module set in %d/%d "
                        + "(dkms: %s);%s packages written %d, inspect passes %d/%d, compression as the kernel %d/%d; "
                        + "source: /usr/src list as Debian's %d/%d, dkms.conf %d/%d; load: %d loaded, %d refused, %d failed, %d not tried; "
                        + "disagreements %d (%s).",
                probes == 0 ? r.sources().size() + " packages" : r.sources().size() + " packages (" + (r.sources().size() - probes)
                        + " from Debian, " + probes + " BUILD_EXCLUSIVE probe" + (probes == 1 ? "" : "s") + " derived from them)",
                r.config().kernels().size(), trixieRows == 0 ? "" : " + " + trixieRows + " trixie packages on the trixie kernel (judged against "
                        + "trixie's dkms)", rows.size(), outcomeAgree, native_.size(), modulesAgree, native_.size(),
                dkms.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", ")), crossPart,
                written, inspectOk, written, compressionOk, written, filesSame, r.sources().size(), confSame, r.sources().size(),
                loads.getOrDefault(ConformanceLoad.LOADED, 0L), loads.getOrDefault(ConformanceLoad.REFUSED, 0L),
                loads.getOrDefault(ConformanceLoad.FAILED, 0L), loads.getOrDefault(ConformanceLoad.NOT_TRIED, 0L),
                d.size(), d.isEmpty() ? "none" : unexplained == 0 ? "all explained below" : unexplained + " NOT EXPLAINED");
    }

    static String outcome(Outcome o) {
        return switch (o.result()) {
            case "built" -> "built";
            case "skipped" -> "skipped (" + o.exit() + ")";
            default -> "failed (" + o.exit() + ")";
        };
    }

    /** "dkms", for a cross-built row "dkms on REFERENCE", for a row of the trixie column "trixie's dkms". */
    private static String dkmsLabel(Row row) {
        return row.cross() ? "dkms on " + row.reference() : ConformanceHarness.isTrixie(row.kernel()) ? "trixie's dkms" : "dkms";
    }

    private static String mods(Set<String> m) {
        return m.isEmpty() ? "none" : String.join(", ", m);
    }

    static String loadSummary(Row row) {
        if (row.loads().isEmpty()) {
            return "";
        }
        Map<String, List<String>> by = new TreeMap<>();
        for (ModuleLoad l : row.loads()) {
            by.computeIfAbsent(l.status(), k -> new ArrayList<>()).add(l.module());
        }
        List<String> parts = new ArrayList<>();
        for (String status : List.of(ConformanceLoad.LOADED, ConformanceLoad.REFUSED, ConformanceLoad.FAILED, ConformanceLoad.NOT_TRIED)) {
            List<String> m = by.get(status);
            if (m != null) {
                parts.add(status + " " + (m.size() == row.loads().size() && m.size() > 3 ? "all " + m.size()
                        : m.size() > 6 ? m.size() + " modules" : String.join(", ", m)));
            }
        }
        return String.join("; ", parts);
    }

    private static String cell(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ").strip();
    }

    private static String shortKernel(String k) {
        return k;
    }

    static void write(Result r, Path file, String command, String environment) throws IOException {
        StringBuilder md = new StringBuilder();
        List<Disagreement> dis = disagreements(r);
        String summary = summary(r);
        md.append("# Conformance: Debian's `*-dkms` packages, dkms-deb against dkms\n\n");
        md.append("<!-- Generated by ConformanceHarness (").append(command.replace("--", "- -"))
                .append("); do not edit by hand, run it again. -->\n\n");
        md.append("**Summary:** ").append(summary).append("\n\n");
        md.append("""
                Every Debian 12 `*-dkms` package that `apt-cache search --names-only -- '-dkms$'` lists (minus `dh-dkms`) is
                downloaded with `apt-get download` (nothing is installed) and its module tree is taken from `usr/src/`. Then:

                - **source**: `dkms-deb source TREE` is compared with Debian's own package: the `/usr/src` file list (paths, types,
                  modes, link targets) and the bytes of `dkms.conf`.
                - **build**: for each kernel with headers, real `dkms build` (dkms is the oracle; private `--dkmstree`/`--sourcetree`
                  and a private mount namespace for `/etc/dkms` and `/var/lib/dkms`) and `dkms-deb bmdeb TREE -k KVER` on the same
                  tree. Compared: the outcome (built; failed; skipped = BUILD_EXCLUSIVE, exit 77), the set of module names, the
                  module compression against the kernel's own modules (suffix, and for xz a CRC32 check, which the kernel's
                  decompressor needs), and `dkms-deb inspect` on every package bmdeb wrote.
                - **load**: the modules of every package bmdeb wrote are loaded (busybox `insmod`, in dependency order) in that
                  very kernel booted under qemu (TCG) from its Debian image; the in-kernel modules they need (`modinfo -F depends`,
                  then the kernel's `modules.dep`, and the soft dependencies modprobe would load first, e.g. `crc32c_generic`
                  for `libcrc32c`) are loaded first from the kernel's own modules (the installed linux-image, or `lib/modules`
                  of the downloaded linux-image package, run through depmod). `loaded`; `load refused`: the module's init said no
                  (ENODEV and the like: the hardware is not in the guest) or something it needs was refused first; `load failed`:
                  the kernel rejected the file (format, vermagic, symbols) or the guest crashed; `not tried`: why. When one of
                  ours does not load, dkms's build of the same module is booted the same way and its result is given in brackets.
                - **probe**: `PKG+only-PREFIX` is PKG's tree with `BUILD_EXCLUSIVE_KERNEL="^PREFIX"` appended to its dkms.conf,
                  so that the skipped outcome (dkms exit 77) is compared as well: no Debian 12 package excludes these kernels.
                - **arm64** (the rows of `-arm64` kernels): the same trees cross-built on this amd64 machine,
                  `dkms-deb bmdeb TREE -k KVER --fetch-headers` (the arm64 headers package from the archive, the host's
                  linux-kbuild, the cross compiler). dkms cannot build for another architecture, so such a row is judged
                  against dkms's outcome on the amd64 kernel of the same series (its *dkms* cell says which): the same
                  outcome and module set are expected unless the architecture itself makes the difference, and each such
                  difference is explained below. Compression is checked against the kernel's own arm64 modules (from its
                  linux-image package), and the modules are loaded in the Debian arm64 kernel booted under
                  qemu-system-aarch64 (virt machine, TCG, busybox-static:arm64); there is no dkms build of them to boot for
                  comparison.
                - **trixie** (the rows of a `+deb13` kernel, with `-Dconformance.trixie=true`): trixie's own version of each
                  package (downloaded by the apt of a trixie root of its own), built for the kernel trixie's
                  `linux-headers-amd64` depends on by trixie's dkms in that root and by `dkms-deb bmdeb TREE -k KVER` in its
                  trixie build root; outcome, module set, compression (against the kernel's .config) and inspect are
                  compared as above; these modules are not loaded.

                """);
        md.append("Run: ").append(environment).append("\n\n");

        md.append("## Build, compression, inspect and load: one row per (package, kernel)\n\n");
        md.append("`dkms` and `dkms-deb` give the outcome and the exit code; *Agree* covers the outcome and the module set; a *Notes* cell gives why a build failed or was skipped (the first compiler error of each log when both failed), and the explanation of a disagreement.\n\n");
        md.append("| Package | Kernel | dkms | dkms-deb | Agree | Modules | Compression | inspect | Load | Notes |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row row : r.rows()) {
            boolean agree = row.outcomeAgrees() && row.modulesAgree();
            String modules = row.modulesAgree() ? (row.dkms().modules().isEmpty() ? "none" : String.join(", ", row.dkms().modules()))
                    : "dkms: " + mods(row.dkms().modules()) + "; dkms-deb: " + mods(row.ours().modules());
            String compression = row.compressionOk() == null ? "-" : row.compressionOk()
                    ? "`" + row.ours().suffix() + "` as kernel" + (row.ours().suffix().equals(".ko.xz") ? " (CRC32)" : "")
                    + (row.dkms().suffix().equals(row.ours().suffix()) || row.dkms().suffix().isEmpty() ? "" : "; dkms: `" + row.dkms().suffix() + "`")
                    : "**" + row.compression() + "**";
            String inspect = row.inspectOk() == null ? "-" : row.inspectOk() ? "ok" : "**FAIL**: " + row.inspect();
            String load = loadCell(row);
            List<String> notes = new ArrayList<>();
            if (row.sameError() != null && row.sameError().startsWith("same compiler errors")) {
                notes.add("both failed, " + row.sameError());
            } else if (!row.dkms().result().equals("built") && row.dkms().result().equals(row.ours().result())) {
                notes.add("both " + row.dkms().result() + ": " + dkmsLabel(row) + " " + compact(row.dkms().reason()) + "; dkms-deb "
                        + compact(row.ours().reason()));
                if (row.sameError() != null) {
                    notes.add(row.sameError());
                }
            } else {
                if (!row.dkms().result().equals("built")) {
                    notes.add(dkmsLabel(row) + " " + compact(row.dkms().reason()));
                }
                if (!row.ours().result().equals("built")) {
                    notes.add("dkms-deb " + compact(row.ours().reason()));
                }
            }
            for (String aspect : row.problems()) {
                ConformanceKnown.explain(row.pkg(), row.kernel(), aspect).ifPresentOrElse(
                        k -> notes.add("**" + aspect + " differs** (see below): " + k.what()),
                        () -> notes.add("**" + aspect + " differs, NOT EXPLAINED**"));
            }
            md.append("| ").append(cell(row.pkg())).append(" | ").append(cell(shortKernel(row.kernel()))).append(" | ")
                    .append(cell((row.cross() ? "on " + row.reference() + ": " : ConformanceHarness.isTrixie(row.kernel())
                            ? "trixie's dkms: " : "") + outcome(row.dkms()))).append(" | ").append(cell(outcome(row.ours()))).append(" | ")
                    .append(agree ? "yes" : "**no**").append(" | ").append(cell(modules)).append(" | ").append(cell(compression))
                    .append(" | ").append(cell(inspect)).append(" | ").append(cell(load)).append(" | ")
                    .append(cell(shorten(String.join("; ", notes), 700))).append(" |\n");
        }
        md.append("\n");

        md.append("## Source: `dkms-deb source` against Debian's package\n\n");
        md.append("| Package | Debian version | Tree in /usr/src | Files | /usr/src list | dkms.conf | Notes |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (SourceCheck s : r.sources()) {
            List<String> notes = new ArrayList<>();
            if (!s.detail().isEmpty()) {
                notes.add(s.detail());
            }
            if (!s.same()) {
                ConformanceKnown.explain(s.pkg(), null, "source").ifPresentOrElse(k -> notes.add("**differs** (see below): " + k.what()),
                        () -> notes.add("**differs, NOT EXPLAINED**"));
            }
            md.append("| ").append(cell(s.pkg())).append(" | ").append(cell(s.debVersion())).append(" | `").append(cell(s.tree()))
                    .append("` | ").append(s.files()).append(" | ").append(s.filesSame() ? "same" : "**differs**").append(" | ")
                    .append(s.confSame() ? "same" : "**differs**").append(" | ").append(cell(shorten(String.join("; ", notes), 600)))
                    .append(" |\n");
        }
        md.append("\n");

        md.append("## Disagreements\n\n");
        if (dis.isEmpty()) {
            md.append("None: dkms-deb agrees with dkms (and with Debian's packages) everywhere above.\n\n");
        } else {
            Set<ConformanceKnown.Known> done = new LinkedHashSet<>();
            for (Disagreement d : dis) {
                md.append("### ").append(d.pkg()).append(d.kernel() == null ? "" : " on " + d.kernel()).append(": ").append(d.aspect())
                        .append("\n\n");
                md.append("- Found: ").append(cell(shorten(d.what(), 1200))).append("\n");
                if (d.explained()) {
                    if (done.add(d.known())) {
                        md.append("- What: ").append(d.known().what()).append("\n");
                        md.append(d.known().arch().isEmpty() ? "- The dkms behaviour it comes from: " : "- Why " + d.known().arch()
                                + " differs from " + ConformanceHarness.HOST_ARCH + ": ").append(d.known().dkmsBehaviour()).append("\n");
                        md.append("- Our issue it exposes: ").append(d.known().ourIssue()).append("\n\n");
                    } else {
                        md.append("- Same explanation as above (").append(d.known().what()).append(").\n\n");
                    }
                } else {
                    md.append("- **Not explained yet**: add it to ConformanceKnown (the harness fails until then).\n\n");
                }
            }
        }
        List<ConformanceKnown.Known> stale = ConformanceKnown.KNOWN.stream()
                .filter(k -> r.sources().stream().anyMatch(s -> s.pkg().equals(k.pkg())))
                .filter(k -> dis.stream().noneMatch(d -> d.known() == k)).toList();
        if (!stale.isEmpty()) {
            md.append("Explanations that this run did not need (the disagreement is gone): ")
                    .append(stale.stream().map(k -> k.pkg() + " " + k.aspect()).collect(Collectors.joining(", "))).append(".\n\n");
        }

        md.append("## Modules that did not load, in detail\n\n");
        boolean any = false;
        for (Row row : r.rows()) {
            for (ModuleLoad l : row.loads()) {
                if (!l.status().equals(ConformanceLoad.LOADED)) {
                    if (!any) {
                        md.append("| Package | Kernel | Module | Result | Why |\n|---|---|---|---|---|\n");
                        any = true;
                    }
                    md.append("| ").append(cell(row.pkg())).append(" | ").append(cell(row.kernel())).append(" | ").append(cell(l.module()))
                            .append(" | ").append(cell(shorten(l.text(), 500))).append(" | ")
                            .append(cell(Optional.ofNullable(ConformanceKnown.loadNote(l.module(), row.kernel())).orElse(
                                    l.status().equals(ConformanceLoad.FAILED) ? "**a defect: see Disagreements**"
                                            : "**no note in ConformanceKnown.LOAD_NOTES**"))).append(" |\n");
                }
            }
        }
        md.append(any ? "\n" : "Every module of every package written loaded.\n\n");
        md.append("**Summary:** ").append(summary).append("\n");

        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, md.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String loadCell(Row row) {
        if (row.loads().isEmpty()) {
            return row.inspectOk() == null ? "-" : row.boot().isEmpty() ? "-" : row.boot();
        }
        String s = loadSummary(row);
        if (!row.kernelDeps().isEmpty()) {
            Set<String> deps = new TreeSet<>(row.kernelDeps());
            s += " (after " + (deps.size() > 6 ? deps.size() + " in-kernel modules" : String.join(", ", deps)) + ")";
        }
        return s;
    }

    /** A failure reason without what the row already says (module, version, kernel). */
    static String compact(String reason) {
        return reason.replaceAll("Error! Bad return status for module build on kernel: \\S+ \\(\\S+\\)", "bad return status for module build")
                .replaceAll("Error! The \\S+/dkms\\.conf for module \\S+ includes", "its dkms.conf includes")
                .replaceAll("building \\S+ \\S+ for \\S+ failed: ", "").replaceAll("^exit (\\d+): ", "exit $1: ").strip();
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    /** trixie's dkms version, as {@code dkms --version} says in the oracle's root. */
    private static String trixieDkms() {
        try {
            return TrixieOracle.get().dkmsVersion() + " in its own trixie root";
        } catch (IOException | AssertionError e) {
            return "trixie's dkms (its version unknown: " + e.getMessage() + ")";
        }
    }

    /** The environment line of the report: tools, kernels, the code measured, wall time. */
    static String environment(Result r) {
        String dkms = Cmd.run("dpkg-query", "-W", "-f", "${Version}", "dkms").out().strip();
        String head = Cmd.run(Cmd.repo(), Map.of(), List.of("git", "rev-parse", "--short", "HEAD")).out().strip();
        String dirty = Cmd.run(Cmd.repo(), Map.of(), List.of("git", "status", "--porcelain", "--", "src/main", "templates", "pom.xml")).out().strip();
        String cross = r.config().kernels().stream().anyMatch(ConformanceHarness::isCross)
                ? "; cross compiler " + Cmd.run("aarch64-linux-gnu-gcc", "-dumpfullversion").out().strip() + " (aarch64-linux-gnu)" : "";
        String trixie = r.rows().stream().map(Row::kernel).filter(ConformanceHarness::isTrixie).distinct()
                .map(k -> "; trixie column: `" + k + "` (" + r.rows().stream().filter(x -> x.kernel().equals(k)).count() + " packages), "
                        + trixieDkms())
                .collect(Collectors.joining());
        return String.format("dkms %s%s; kernels %s%s; dkms-deb at commit %s%s; %d rows at a time; load check %s; wall time %d min %02d s; "
                        + "finished %s UTC.",
                dkms, cross, r.config().kernels().stream().map(k -> "`" + k + "`").collect(Collectors.joining(", ")), trixie, head.isEmpty() ? "?" : head,
                dirty.isEmpty() ? "" : " (with uncommitted changes to src/main)", r.config().jobs(), r.config().load() ? "on" : "off",
                r.wall().toMinutes(), r.wall().toSecondsPart(), DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").format(r.finished().atOffset(ZoneOffset.UTC)));
    }
}

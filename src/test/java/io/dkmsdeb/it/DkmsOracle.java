package io.dkmsdeb.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Real {@code dkms build} as the oracle, without touching the machine's dkms state: it runs in
 * a private mount namespace where /etc/dkms and /var/lib/dkms are private directories (dkms
 * reads its framework.conf and signing keys at fixed paths), with --dkmstree and --sourcetree
 * pointing into the test's work directory.
 */
final class DkmsOracle {
    /** dkms's exit code and the module files it produced (names without .ko and compression suffix). */
    record Result(int exit, Set<String> modules, String output) {
    }

    private DkmsOracle() {
    }

    static Result build(Path tree, String name, String version, String kernel, Path work) throws IOException {
        return build(tree, name, version, kernel, work, work.resolve("keys"));
    }

    /** As {@link #build(Path, String, String, String, Path)}, with the signing key that dkms makes once in {@code keys} (shared by calls). */
    static Result build(Path tree, String name, String version, String kernel, Path work, Path keys) throws IOException {
        Path etc = Files.createDirectories(work.resolve("etc-dkms/framework.conf.d"));
        Files.createDirectories(keys);
        Files.writeString(etc.resolve("private.conf"), "mok_signing_key=\"" + keys.resolve("mok.key") + "\"\nmok_certificate=\""
                + keys.resolve("mok.pub") + "\"\n");
        Files.writeString(work.resolve("etc-dkms/framework.conf"), "");
        Path varlib = Files.createDirectories(work.resolve("var-lib-dkms"));
        Path sourceTree = Files.createDirectories(work.resolve("sourcetree"));
        Path dkmsTree = Files.createDirectories(work.resolve("dkmstree"));
        Path src = sourceTree.resolve(name + "-" + version);
        Cmd.ok("cp", "-a", tree.toString(), src.toString());
        Cmd.Result r = Cmd.run(work, Map.of(), List.of("timeout", "900", "unshare", "--mount", "--", "sh", "-c",
                "mount --bind \"$0\" /etc/dkms && mount --bind \"$1\" /var/lib/dkms && exec dkms build --dkmstree \"$2\" --sourcetree \"$3\" -m \"$4\" -v \"$5\" -k \"$6\"",
                work.resolve("etc-dkms").toString(), varlib.toString(), dkmsTree.toString(), sourceTree.toString(), name, version, kernel));
        Set<String> modules = new TreeSet<>();
        Path moduleDir = dkmsTree.resolve(name).resolve(version).resolve(kernel);
        if (Files.isDirectory(moduleDir)) {
            try (Stream<Path> s = Files.walk(moduleDir)) {
                s.filter(p -> p.getParent().getFileName().toString().equals("module") && p.getFileName().toString().contains(".ko"))
                        .forEach(p -> modules.add(stripSuffix(p.getFileName().toString())));
            }
        }
        return new Result(r.exit(), modules, r.all());
    }

    static String stripSuffix(String file) {
        return file.replaceAll("\\.ko(\\.xz|\\.zst|\\.gz)?$", "");
    }
}

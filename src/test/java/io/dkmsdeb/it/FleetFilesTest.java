package io.dkmsdeb.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What can be checked of the fleet files without Jenkins or a Docker engine: the Jenkinsfile is a declarative
 * pipeline whose brackets and strings balance, that names no kernel release (the kernels are discovered at run
 * time), whose one build stage calls ci/build-fleet.sh, treats 77 as NOT_BUILT and archives what the script
 * writes; the Dockerfile copies files that exist and runs the tested install script; shellcheck passes on every
 * shell script of ci/, docker/ and src/main/packaging/.
 */
@Tag("tools")
class FleetFilesTest {
    static final Path REPO = Cmd.repo();

    static String read(String path) throws IOException {
        return Files.readString(REPO.resolve(path));
    }

    /** Groovy source with comments removed and string contents blanked (quotes kept), so that brackets can be counted. */
    static String code(String groovy) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        int n = groovy.length();
        while (i < n) {
            char c = groovy.charAt(i);
            if (groovy.startsWith("//", i)) {
                while (i < n && groovy.charAt(i) != '\n') {
                    i++;
                }
            } else if (groovy.startsWith("/*", i)) {
                int end = groovy.indexOf("*/", i + 2);
                assertThat(end).as("unterminated /* comment at " + i).isPositive();
                i = end + 2;
            } else if (c == '\'' || c == '"') {
                String quote = groovy.startsWith(String.valueOf(c).repeat(3), i) ? String.valueOf(c).repeat(3) : String.valueOf(c);
                int j = i + quote.length();
                while (true) {
                    assertThat(j).as("unterminated string starting at offset " + i).isLessThan(n);
                    if (groovy.charAt(j) == '\\') {
                        j += 2;
                        continue;
                    }
                    if (quote.length() == 1 && groovy.charAt(j) == '\n') {
                        throw new AssertionError("newline in a one-line string starting at offset " + i);
                    }
                    if (groovy.startsWith(quote, j)) {
                        break;
                    }
                    j++;
                }
                out.append(quote).append(quote);
                i = j + quote.length();
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    @Test
    void jenkinsfileBracketsAndStringsBalance() throws IOException {
        String code = code(read("Jenkinsfile"));
        Deque<Character> open = new ArrayDeque<>();
        int line = 1;
        for (char c : code.toCharArray()) {
            if (c == '\n') {
                line++;
            } else if ("{[(".indexOf(c) >= 0) {
                open.push(c);
            } else if ("}])".indexOf(c) >= 0) {
                assertThat(open).as("unmatched " + c + " on line " + line).isNotEmpty();
                char o = open.pop();
                assertThat("{[(".indexOf(o)).as("'" + o + "' closed by '" + c + "' on line " + line).isEqualTo("}])".indexOf(c));
            }
        }
        assertThat(open).as("unclosed brackets").isEmpty();
    }

    /** A real Groovy parser (Debian's groovy package, when installed: .ci/run adds it) on the Jenkinsfile. */
    @Test
    void jenkinsfileParsesAsGroovy() throws IOException {
        assumeTrue(Cmd.run("sh", "-c", "command -v groovy").exit() == 0, "groovy is not installed (apt-get install groovy)");
        Path parse = Files.createTempFile("parse", ".groovy");
        try {
            Files.writeString(parse, """
                    def cu = new org.codehaus.groovy.control.CompilationUnit()
                    cu.addSource('Jenkinsfile', new File(args[0]).text)
                    cu.compile(org.codehaus.groovy.control.Phases.CONVERSION)
                    println 'parsed'
                    """);
            Cmd.Result r = Cmd.run(null, Map.of("JAVA_HOME", System.getProperty("java.home")),
                    List.of("groovy", parse.toString(), REPO.resolve("Jenkinsfile").toString()));
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).contains("parsed");
        } finally {
            Files.delete(parse);
        }
    }

    @Test
    void jenkinsfileIsADeclarativePipelineThatNamesNoKernel() throws IOException {
        String jf = read("Jenkinsfile");
        String code = code(jf);
        // one top-level pipeline block and nothing else (declarative)
        assertThat(code.strip()).startsWith("pipeline {").endsWith("}");
        for (String section : List.of("agent none", "parameters {", "stages {", "agent {", "docker {", "environment {",
                "steps {", "post {", "always {")) {
            assertThat(code).as(section).contains(section);
        }
        // the kernels are discovered at run time: no matrix, no kernel release anywhere in the file
        assertThat(code).doesNotContain("matrix {").doesNotContain("axes {");
        assertThat(Pattern.compile("\\b\\d+\\.\\d+\\.\\d+[-+]").matcher(jf).find()).as("a kernel release in the Jenkinsfile").isFalse();
        for (String param : List.of("KERNEL_FILTER", "MODULE_SOURCE", "BUILD_IMAGE", "REPO_DIR", "SIGN_KEY")) {
            assertThat(jf).as(param).contains("string(name: '" + param + "'");
        }
        assertThat(jf).contains("image \"${params.BUILD_IMAGE}\"").contains("defaultValue: 'dkms-deb-build:latest'")
                .contains("-v ${params.REPO_DIR}:/srv/repo").contains("REPO_DIR = \"/srv/repo\"");
        // no kernel is named: the branches come from the listing at run time
        assertThat(code).doesNotContain("stage('6.").doesNotContain("linux-headers-");
        // the single-kernel job is named in the header comment
        assertThat(jf.lines().takeWhile(l -> l.startsWith("//")).toList()).anyMatch(l -> l.contains("ci/build-modules.sh"));
    }

    /**
     * The fan-out over agents: a list stage that stashes the listing, a Build stage whose branches are generated at run
     * time (one per shard or per kernel) and run ci/fleet-build.sh (the script FleetGitlabCiTest runs) on any agent in
     * the image, each stashing its part; 77 is NOT_BUILT, a failure fails its branch only; one publish stage runs
     * ci/fleet-publish.sh with every part unstashed.
     */
    @Test
    void theStagesListOnceBuildInParallelBranchesAndPublishOnce() throws IOException {
        String jf = read("Jenkinsfile");
        // the pipeline without its comment lines, strings kept
        String code = String.join("\n", jf.lines().filter(l -> !l.strip().startsWith("//")).toList());
        assertThat(code).containsSubsequence("stage('List')", "stage('Build')", "stage('Publish')");
        String list = code.substring(code.indexOf("stage('List')"), code.indexOf("stage('Build')"));
        String build = code.substring(code.indexOf("stage('Build')"), code.indexOf("stage('Publish')"));
        String publish = code.substring(code.indexOf("stage('Publish')"));
        assertThat(list).contains("ci/fleet-list.sh").contains("stash name: 'listing', includes: 'out/kernels.json'")
                .contains("params.FAN_OUT == 'kernel'").contains(".kernels[].release");
        assertThat(jf).contains("choice(name: 'FAN_OUT', choices: ['shard', 'kernel']").contains("string(name: 'SHARDS'");
        // branches made at run time, on any agent, in the image, each with the listing and its own stash
        assertThat(build).contains("branches[part] = {").contains("parallel branches").contains("node(params.AGENT_LABEL)")
                .contains("docker.image(params.BUILD_IMAGE).inside(").contains("unstash 'listing'")
                .contains("sh(script: 'ci/fleet-build.sh \"$FLEET_PART\" \"$MODULE_SOURCE\"', returnStatus: true)")
                .contains("stash name: stashName").contains("if (rc == 77) {")
                .contains("catchError(buildResult: 'SUCCESS', stageResult: 'NOT_BUILT')")
                .contains("catchError(buildResult: 'FAILURE', stageResult: 'FAILURE')");
        assertThat(build).doesNotContain("dkms-deb repo").doesNotContain("fleet-publish");
        assertThat(publish).contains("unstash 'listing'").contains("unstash \"part-${i}\"").contains("ci/fleet-publish.sh")
                .contains("-v ${params.REPO_DIR}:/srv/repo").contains("if (rc == 77) {").contains("tar -czf repo.tar.gz -C \"$REPO_DIR\" .");
        // the names the scripts write are those the pipeline stashes and archives
        assertThat(read("ci/fleet-list.sh")).contains("\"$out/kernels.json\"");
        assertThat(read("ci/fleet-build.sh")).contains("dir=\"$out/$id\"").contains("\"$dir/bmdeb.json\"").contains("--log-dir \"$dir/logs\"");
        assertThat(read("ci/fleet-publish.sh")).contains("> \"$out/repo.json\"").contains("EXPECT_PARTS");
        assertThat(jf).contains("archiveArtifacts artifacts: 'out/*/*.deb, out/*/bmdeb.json, out/*/logs/**'")
                .contains("archiveArtifacts artifacts: 'out/repo.json, repo.tar.gz'");
        for (String var : List.of("OUT_DIR", "REPO_DIR", "KERNEL_FILTER", "SIGN_KEY", "GNUPGHOME", "APT_UPDATE", "MODULE_SOURCE", "SHARDS",
                "REUSE_FROM")) {
            assertThat(read("ci/fleet-list.sh") + read("ci/fleet-build.sh") + read("ci/fleet-publish.sh")).as(var).contains(var);
            assertThat(jf).as(var).contains(var);
        }
    }

    @Test
    void dockerfileCopiesFilesThatExistAndRunsTheTestedInstallScript() throws IOException {
        String df = read("docker/Dockerfile");
        List<String> instructions = df.lines().filter(l -> !l.startsWith("#") && !l.isBlank() && !l.startsWith(" ")).toList();
        // one Dockerfile for both releases: bookworm unless --build-arg DEBIAN_RELEASE=trixie, the only FROM
        assertThat(instructions.subList(0, 2)).containsExactly("ARG DEBIAN_RELEASE=bookworm", "FROM debian:${DEBIAN_RELEASE}");
        assertThat(instructions).filteredOn(l -> l.startsWith("FROM ")).hasSize(1);
        assertThat(df).contains("--build-arg DEBIAN_RELEASE=trixie");
        // Jenkins' docker agent gives the container its own command: no ENTRYPOINT
        assertThat(instructions).noneMatch(l -> l.startsWith("ENTRYPOINT"));
        String ignore = read("docker/Dockerfile.dockerignore");
        Matcher copy = Pattern.compile("(?m)^COPY (\\S+) (\\S+)$").matcher(df);
        int copies = 0;
        while (copy.find()) {
            copies++;
            String src = copy.group(1);
            assertThat(ignore).as("context of " + src).contains("!" + src);
            if (!src.startsWith("target/")) {
                assertThat(REPO.resolve(src)).as(src).isRegularFile().isExecutable();
            }
        }
        assertThat(copies).isEqualTo(7);
        assertThat(df).contains("COPY target/dkms-deb_*_all.deb /tmp/dkms-deb/")
                .contains("RUN /usr/local/sbin/install-build-deps /tmp/dkms-deb/dkms-deb_*_all.deb --clean");
        // the image's packages are the ones the install script installs, nothing in the Dockerfile itself
        assertThat(instructions).noneMatch(l -> l.contains("apt-get"));
    }

    @Test
    void shellcheckPassesOnEveryScript() {
        List<String> scripts = List.of("ci/build-fleet.sh", "ci/build-modules.sh", "ci/fleet-list.sh", "ci/fleet-build.sh",
                "ci/fleet-publish.sh", "bench/fleet-bench.sh", "docker/install-build-deps.sh", "src/main/packaging/dkms-deb",
                "src/main/packaging/deb/control/postinst", "src/main/packaging/deb/control/postrm");
        for (String s : scripts) {
            assertThat(REPO.resolve(s)).as(s).isExecutable();
            Cmd.Result r = Cmd.run("shellcheck", REPO.resolve(s).toString());
            assertThat(r.exit()).as(s + "\n" + r).isZero();
            Cmd.Result n = Cmd.run("sh", "-n", REPO.resolve(s).toString());
            assertThat(n.exit()).as(s + "\n" + n).isZero();
        }
    }
}

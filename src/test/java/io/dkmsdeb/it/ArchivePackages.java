package io.dkmsdeb.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Debian release's archive read the plain way, apart from dkms-deb's code: the {@code Packages.xz} of its suite,
 * {@code -updates} and {@code -security} (main; amd64, or the architectures named) downloaded from deb.debian.org, unpacked by xz and read as
 * stanzas; versions compared by {@code dpkg --compare-versions}. What the tests check {@code kernels --release} against.
 */
final class ArchivePackages {
    private final List<Map<String, String>> stanzas;

    private ArchivePackages(List<Map<String, String>> stanzas) {
        this.stanzas = stanzas;
    }

    /** The amd64 packages of {@code release} (its suite, -updates and -security), downloaded into {@code dir}. */
    static ArchivePackages of(String release, Path dir) throws IOException, InterruptedException {
        return of(release, List.of("amd64"), dir);
    }

    /** The packages of {@code release} (its suite, -updates and -security) of the architectures {@code arches}, into {@code dir}. */
    static ArchivePackages of(String release, List<String> arches, Path dir) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(30)).build();
        List<Map<String, String>> all = new ArrayList<>();
        List<String> urls = new ArrayList<>();
        for (String arch : arches) {
            urls.addAll(List.of("http://deb.debian.org/debian/dists/" + release + "/main/binary-" + arch + "/Packages.xz",
                    "http://deb.debian.org/debian/dists/" + release + "-updates/main/binary-" + arch + "/Packages.xz",
                    "http://deb.debian.org/debian-security/dists/" + release + "-security/main/binary-" + arch + "/Packages.xz"));
        }
        for (String url : urls) {
            Path xz = dir.resolve(url.replaceAll("[^A-Za-z0-9.]+", "_"));
            HttpResponse<Path> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).build(),
                    HttpResponse.BodyHandlers.ofFile(xz));
            assertThat(r.statusCode()).as(url).isEqualTo(200);
            Cmd.Result text = Cmd.ok("xz", "-dk", "--stdout", xz.toString());
            Path packages = dir.resolve(xz.getFileName() + ".txt");
            Files.writeString(packages, text.out(), StandardCharsets.UTF_8);
            all.addAll(RepoFixtures.stanzas(packages));
        }
        return new ArchivePackages(all);
    }

    /** The stanza of the highest version of {@code pkg} in any of the suites, as apt's candidate would be. */
    Optional<Map<String, String>> newest(String pkg) {
        Map<String, String> best = null;
        for (Map<String, String> s : stanzas) {
            if (pkg.equals(s.get("Package")) && (best == null
                    || Cmd.run("dpkg", "--compare-versions", s.get("Version"), "gt", best.get("Version")).exit() == 0)) {
                best = s;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Every package name of the suites that starts with {@code prefix}. */
    List<String> names(String prefix) {
        return stanzas.stream().map(s -> s.get("Package")).filter(n -> n.startsWith(prefix)).distinct().sorted().toList();
    }

    /**
     * The kernel release the newest {@code linux-headers-FLAVOUR} depends on ({@code amd64}: {@code 6.12.N+deb13-amd64}):
     * the ABI a fresh install of the release gets.
     */
    String currentKernel(String flavour) {
        Map<String, String> meta = newest("linux-headers-" + flavour).orElseThrow(() -> new AssertionError("no linux-headers-" + flavour));
        for (String dep : meta.get("Depends").split(",")) {
            String name = dep.strip().split("[ (]")[0];
            if (name.startsWith("linux-headers-") && name.endsWith("-" + flavour)) {
                return name.substring("linux-headers-".length());
            }
        }
        throw new AssertionError("linux-headers-" + flavour + " " + meta.get("Version") + " depends on no kernel's headers: " + meta.get("Depends"));
    }
}

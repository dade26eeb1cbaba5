package io.dkmsdeb.it;

import io.dkmsdeb.support.Json;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code dkms-deb kernels} against what apt-cache itself says (no download, no root). */
@Tag("tools")
class KernelsCommandTest {
    private static Set<String> aptSearch(String regex) {
        Cmd.Result r = Cmd.ok("apt-cache", "search", "--names-only", regex);
        return r.out().lines().map(l -> l.split(" ")[0].substring("linux-headers-".length())).collect(Collectors.toCollection(TreeSet::new));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> kernels(String... filter) throws Exception {
        String[] args = new String[filter.length + 2];
        args[0] = "kernels";
        args[1] = "--json";
        System.arraycopy(filter, 0, args, 2, filter.length);
        Cmd.Result r = Cmd.dkmsDeb(args);
        assertThat(r.exit()).as(r.toString()).isZero();
        return (List<Map<String, Object>>) ((Map<String, Object>) Json.read(r.out())).get("kernels");
    }

    @Test
    void namesEveryAbiThatAptCacheSearchShowsAndTheFiltersWork() throws Exception {
        Set<String> apt61 = aptSearch("^linux-headers-6\\.1\\.0-[0-9]+-amd64$");
        assertThat(apt61).as("the archive serves 6.1 amd64 kernels").isNotEmpty();
        Set<String> listed61 = kernels("6.1", "amd64").stream().map(k -> (String) k.get("release")).collect(Collectors.toCollection(TreeSet::new));
        assertThat(listed61).isEqualTo(apt61);

        Set<String> aptCloud = aptSearch("^linux-headers-[0-9.]+(-[0-9]+|\\+deb[0-9]+)-cloud-amd64$");
        List<Map<String, Object>> cloud = kernels("cloud-amd64");
        assertThat(cloud).extracting(k -> (String) k.get("release")).containsExactlyInAnyOrderElementsOf(aptCloud);
        assertThat(cloud).allSatisfy(k -> {
            assertThat(k.get("flavour")).isEqualTo("cloud-amd64");
            assertThat(k.get("arch")).isEqualTo("amd64");
            assertThat((String) k.get("headersVersion")).matches("[0-9][A-Za-z0-9.+~:-]*");
        });

        List<Map<String, Object>> all = kernels();
        assertThat(all).extracting(k -> (String) k.get("release")).containsAll(apt61).containsAll(aptCloud)
                .noneMatch(r -> r.endsWith("-common") || r.endsWith("-common-rt"));
        // series words: 6.12 lists no 6.1 kernel and the two together list both
        assertThat(kernels("6.12")).extracting(k -> (String) k.get("series")).containsOnly("6.12");
        assertThat(kernels("6.1", "6.12", "amd64")).hasSize(apt61.size() + aptSearch("^linux-headers-6\\.12\\.[0-9]+\\+deb[0-9]+-amd64$").size());
    }

    @Test
    @SuppressWarnings("unchecked")
    void metaPackagesPointAtTheAbiAptWouldInstall() throws Exception {
        Cmd.Result r = Cmd.dkmsDeb("kernels", "--json", "amd64");
        Map<String, Object> listing = (Map<String, Object>) Json.read(r.out());
        List<Map<String, Object>> metas = (List<Map<String, Object>>) listing.get("metas");
        Map<String, Object> amd64 = metas.stream().filter(m -> m.get("package").equals("linux-image-amd64")).findFirst().orElseThrow();
        String depends = Cmd.ok("apt-cache", "depends", "linux-image-amd64").out();
        assertThat(depends).contains("Depends: linux-image-" + amd64.get("release"));
        String policy = Cmd.ok("apt-cache", "policy", "linux-image-amd64").out();
        assertThat(policy).contains("Candidate: " + amd64.get("version"));
    }

    @Test
    void theTableNamesTheKernelsAndABadFilterIsUsage() {
        Cmd.Result table = Cmd.dkmsDeb("kernels", "6.1", "amd64");
        assertThat(table.exit()).isZero();
        assertThat(table.out()).startsWith("KERNEL").contains("linux-image-amd64");
        assertThat(table.err()).contains("kernels match '6.1 amd64'");
        Cmd.Result bad = Cmd.dkmsDeb("kernels", "6.1;reboot");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("'6.1;reboot' in the kernel filter");
    }
}

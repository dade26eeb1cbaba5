package io.dkmsdeb.model.kernel;

import io.dkmsdeb.model.UsageException;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * bmdeb --shard I/N: every kernel of a listing in exactly one shard, for listings of 1 to 200 kernels and N = 1..8; adding
 * a kernel (or removing one) moves no other kernel; a ninth agent takes kernels only from the others, never swaps them.
 */
@Tag("unit")
class KernelShardTest {
    private static final String[] FLAVOURS = {"amd64", "cloud-amd64", "rt-amd64", "arm64", "rt-arm64", "cloud-arm64"};

    /** A listing of {@code size} Debian-like releases, 6.1 and 6.12 ABIs of several flavours, from {@code seed}. */
    static List<String> listing(int size, long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        while (out.size() < size) {
            String flavour = FLAVOURS[r.nextInt(FLAVOURS.length)];
            String k = r.nextBoolean() ? "6.1.0-" + (10 + r.nextInt(90)) + "-" + flavour : "6.12." + (30 + r.nextInt(120)) + "+deb12-" + flavour;
            if (!out.contains(k)) {
                out.add(k);
            }
        }
        return out;
    }

    @Test
    void everyKernelIsInExactlyOneShardForEveryListingSizeAndN() {
        for (int size = 1; size <= 200; size++) {
            List<String> kernels = listing(size, size);
            for (int n = 1; n <= 8; n++) {
                Map<String, Integer> seen = new HashMap<>();
                for (int i = 1; i <= n; i++) {
                    KernelShard shard = new KernelShard(i, n);
                    for (String k : kernels) {
                        if (shard.contains(k)) {
                            assertThat(seen.put(k, i)).as("%s in shard %d and another of %d", k, i, n).isNull();
                        }
                    }
                }
                assertThat(seen.keySet()).as("size %d, N %d", size, n).containsExactlyInAnyOrderElementsOf(kernels);
            }
        }
    }

    @Test
    void addingOrRemovingAKernelMovesNoOtherKernel() {
        for (int size = 1; size <= 200; size += 7) {
            List<String> kernels = listing(size + 1, 1000 + size);
            List<String> before = kernels.subList(0, size);
            for (int n = 1; n <= 8; n++) {
                for (String k : before) {
                    // the shard is a function of the release alone: the same in the listing with one more kernel
                    int alone = shardIn(before, k, n);
                    assertThat(shardIn(kernels, k, n)).as("%s, N %d, a kernel added", k, n).isEqualTo(alone);
                    assertThat(shardIn(kernels.subList(1, kernels.size()), k, n)).as("%s, N %d, the oldest removed", k, n)
                            .isEqualTo(k.equals(kernels.get(0)) ? -1 : alone);
                }
            }
        }
    }

    /** The shard of {@code k} as a job over {@code listing} with N shards sees it: the I whose --shard I/N builds it, -1 if none. */
    private static int shardIn(List<String> listing, String k, int n) {
        if (!listing.contains(k)) {
            return -1;
        }
        for (int i = 1; i <= n; i++) {
            if (new KernelShard(i, n).contains(k)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void anotherAgentTakesKernelsFromTheOthersAndMovesNoneBetweenThem() {
        List<String> kernels = listing(200, 7);
        for (int n = 1; n < 8; n++) {
            int moved = 0;
            for (String k : kernels) {
                int was = KernelShard.of(k, n);
                int now = KernelShard.of(k, n + 1);
                assertThat(now).as("%s from %d to %d shards", k, n, n + 1).isIn(was, n + 1);
                moved += now != was ? 1 : 0;
            }
            assertThat(moved).as("kernels moved to the new shard %d", n + 1).isBetween(200 / (n + 1) / 3, 200 * 3 / (n + 1));
        }
    }

    @Test
    void theSharesAreEvenOnLargeListings() {
        List<String> kernels = new ArrayList<>();
        for (int abi = 1; abi <= 3000; abi++) {
            for (String flavour : FLAVOURS) {
                kernels.add("6." + (abi % 2 == 0 ? "1.0-" + abi : "12." + abi + "+deb12") + "-" + flavour);
            }
        }
        for (int n = 2; n <= 8; n++) {
            int[] sizes = new int[n + 1];
            for (String k : kernels) {
                sizes[KernelShard.of(k, n)]++;
            }
            for (int i = 1; i <= n; i++) {
                assertThat(sizes[i]).as("shard %d of %d", i, n).isBetween(kernels.size() / n * 9 / 10, kernels.size() / n * 11 / 10);
            }
        }
    }

    @Test
    void theFormIsIOfNFromOne() {
        assertThat(KernelShard.parse("2/4")).isEqualTo(new KernelShard(2, 4));
        assertThat(KernelShard.parse("1/1").toString()).isEqualTo("1/1");
        for (String bad : List.of("0/4", "5/4", "1/0", "2", "a/b", "-1/2", "1/4/5", "")) {
            assertThatThrownBy(() -> KernelShard.parse(bad)).as(bad).isInstanceOf(UsageException.class).hasMessageContaining("I");
        }
    }
}

package io.dkmsdeb.model.kernel;

import io.dkmsdeb.model.UsageException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One share of a kernel listing, {@code I/N} (1 &lt;= I &lt;= N), for a fleet job that spreads its kernels over N CI agents.
 *
 * <p>The rule: a kernel's shard is a function of its release and N only, a jump consistent hash (Lamping and Veach,
 * 2014) of the first 8 bytes of the SHA-256 of the release. So every kernel is in exactly one shard, and a kernel stays
 * in its shard when others are added to the listing or leave it (each agent's header cache keeps serving it night after
 * night); when N grows by one, only the kernels that move to the new shard change agent (about 1/N of them), none moves
 * between the old ones. The price is balance: the shard sizes are those of a random draw, so a short listing can leave
 * a shard empty or one with twice the mean (39 kernels on 4 agents: about 10 each, give or take 3). An empty shard is
 * no error: its job builds nothing. {@code dkms-deb kernels --shards N} shows the sizes before a job is set up.
 *
 * @param index I, from 1 (GitLab's {@code CI_NODE_INDEX})
 * @param count N ({@code CI_NODE_TOTAL})
 */
public record KernelShard(int index, int count) {
    /** At most this many shards: more agents than that for one module is no fleet we know of. */
    public static final int MAX = 1000;
    private static final Pattern FORM = Pattern.compile("(\\d{1,4})/(\\d{1,4})");

    public KernelShard {
        if (count < 1 || count > MAX) {
            throw new UsageException("the number of shards, N of I/N, must be from 1 to " + MAX + ", got " + count);
        }
        if (index < 1 || index > count) {
            throw new UsageException("shard " + index + "/" + count + " does not exist: I of I/N is from 1 to N (" + count + ")");
        }
    }

    /** {@code I/N}, as --shard takes it; a {@link UsageException} that names the form otherwise. */
    public static KernelShard parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new UsageException("--shard takes I/N (this job's shard I of N, from 1: 1/4 to 4/4), got '" + text + "'");
        }
        return new KernelShard(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    /** True when {@code release} is in this shard. */
    public boolean contains(String release) {
        return of(release, count) == index;
    }

    /** The shard (1 to {@code count}) of {@code release}: a jump consistent hash of its SHA-256. */
    public static int of(String release, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1");
        }
        long key = key(release);
        long b = -1;
        long j = 0;
        while (j < count) {
            b = j;
            key = key * 2862933555777941757L + 1;
            j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((key >>> 33) + 1)));
        }
        return (int) b + 1;
    }

    private static long key(String release) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(release.getBytes(StandardCharsets.UTF_8));
            long k = 0;
            for (int i = 0; i < 8; i++) {
                k = (k << 8) | (d[i] & 0xff);
            }
            return k;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}

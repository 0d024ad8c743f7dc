package org.redoubt.microbench;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.redoubt.engine.db.CowMap;

/**
 * The keyspace map, {@link CowMap}, with {@value #KEYS} (2^20) {@code byte[]} keys
 * {@code key:<i>} built once per fork in {@link #setup}. Lookups use separate copies of the keys
 * (as the server's keys come fresh from the parser, never identical to the stored instances) in a
 * precomputed random order, so the trie walk misses caches as it would on a large keyspace.
 * <ul>
 *   <li>{@code get}, {@code getMiss}: lookup of a present / absent key.</li>
 *   <li>{@code put}: overwrite of a present key with no snapshot alive (nodes owned, updated in
 *       place: expect 0 B/op).</li>
 *   <li>{@code putDuringSnapshot}: overwrite while a snapshot (as BGSAVE's) is alive; a fresh
 *       snapshot is taken every {@value #PUTS_PER_SNAPSHOT} puts, which in a 1M-key trie means
 *       nearly every put still copies its whole path (root to leaf): the copy-on-write cost per
 *       write at the start of a save.</li>
 *   <li>{@code snapshotThenPut}: {@code snapshot()} followed by one put, the worst case (every
 *       put copies its full path) with the snapshot cost included.</li>
 *   <li>{@code snapshot}: the cost of {@code snapshot()} itself (O(1), one small object).</li>
 * </ul>
 * {@code -prof gc}'s {@code gc.alloc.rate.norm} gives the bytes copied per operation.
 *
 * <p>Run: {@code java -jar microbench/target/benchmarks.jar CowMapBench -f 1 -wi 2 -i 3 -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class CowMapBench {
    static final int KEYS = 1 << 20;
    static final int PUTS_PER_SNAPSHOT = 1024;

    private CowMap map;
    /** Copies of the stored keys, in random order. */
    private byte[][] probes;
    /** Keys that are not in the map, in random order. */
    private byte[][] misses;
    private byte[][] values;
    private int i;
    private int putsSinceSnapshot;
    /** The live snapshot; kept reachable so that it really is alive while the map is written. */
    private CowMap snap;

    @Setup(Level.Trial)
    public void setup() {
        map = new CowMap();
        values = new byte[16][];
        for (int v = 0; v < values.length; v++) {
            values[v] = ("value:" + v).getBytes(StandardCharsets.US_ASCII);
        }
        for (int k = 0; k < KEYS; k++) {
            map.put(key(k), values[k & 15], 0);
        }
        int[] order = new int[KEYS];
        for (int k = 0; k < KEYS; k++) order[k] = k;
        SplittableRandom rnd = new SplittableRandom(1);
        for (int k = KEYS - 1; k > 0; k--) {
            int j = rnd.nextInt(k + 1);
            int t = order[k];
            order[k] = order[j];
            order[j] = t;
        }
        probes = new byte[KEYS][];
        misses = new byte[KEYS][];
        for (int k = 0; k < KEYS; k++) {
            probes[k] = key(order[k]);
            misses[k] = key(KEYS + order[k]);
        }
        if (map.size() != KEYS || map.get(probes[0]) == null || map.get(misses[0]) != null) {
            throw new IllegalStateException("bad benchmark input");
        }
    }

    private static byte[] key(int k) {
        return ("key:" + k).getBytes(StandardCharsets.US_ASCII);
    }

    private int next() {
        return i = (i + 1) & (KEYS - 1);
    }

    @Benchmark
    public Object get() {
        return map.get(probes[next()]);
    }

    @Benchmark
    public Object getMiss() {
        return map.get(misses[next()]);
    }

    @Benchmark
    public Object put() {
        int k = next();
        return map.put(probes[k], values[k & 15], 0);
    }

    @Benchmark
    public Object putDuringSnapshot() {
        if (++putsSinceSnapshot == PUTS_PER_SNAPSHOT || snap == null) {
            putsSinceSnapshot = 0;
            snap = map.snapshot();
        }
        int k = next();
        return map.put(probes[k], values[k & 15], 0);
    }

    @Benchmark
    public Object snapshotThenPut() {
        snap = map.snapshot();
        int k = next();
        return map.put(probes[k], values[k & 15], 0);
    }

    @Benchmark
    public CowMap snapshot() {
        return snap = map.snapshot();
    }
}

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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.redoubt.engine.type.ZSetValue;

/**
 * The cost of a ZADD on a skiplist-encoded {@link ZSetValue} of {@code size} members
 * ({@code member:<i>}, built once per fork in {@link #setup}) while a snapshot shares it.
 * Every operation moves an existing member to a new random score (delete + insert in the
 * ordered index, replace in the dict), so the size stays constant.
 * <ul>
 *   <li>{@code zaddNoSnapshot}: no snapshot alive, nodes owned and updated in place.</li>
 *   <li>{@code zaddDuringSnapshot}: a snapshot was taken just before every write (the epoch
 *       moves on each time and the previous value is kept reachable, as a saver holds it): each
 *       write pays the full copy-on-write step, {@link ZSetValue#writable} (an O(1) fork of the
 *       index and the dict) plus the copy of every node on its paths. This is the worst case of
 *       a write during a live BGSAVE, and it must grow with log(size), not with size.</li>
 *   <li>{@code zrank}: rank of a random member, O(log n) through the counted index.</li>
 * </ul>
 * {@code -prof gc}'s {@code gc.alloc.rate.norm} gives the bytes copied per operation.
 *
 * <p>Run: {@code java -jar microbench/target/benchmarks.jar ZSetSnapshotBench -f 1 -wi 2 -i 3 -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class ZSetSnapshotBench {
    @Param({"1000", "1000000"})
    int size;

    private ZSetValue live;
    /** The value the last snapshot references; kept reachable so that it really is alive. */
    private ZSetValue snap;
    private long epoch;
    private byte[][] probes;
    private double[] scores;
    private int i;
    private long pass;
    private final double[] out = new double[1];

    @Setup(Level.Trial)
    public void setup() {
        byte[][] ele = new byte[size][];
        double[] sc = new double[size];
        SplittableRandom rnd = new SplittableRandom(1);
        for (int k = 0; k < size; k++) {
            ele[k] = ("member:" + k).getBytes(StandardCharsets.US_ASCII);
            sc[k] = rnd.nextDouble() * size;
        }
        probes = new byte[1 << 16][];
        scores = new double[probes.length];
        for (int k = 0; k < probes.length; k++) {
            // Fresh copies: the server's members come from the parser, never the stored arrays.
            probes[k] = ("member:" + rnd.nextInt(size)).getBytes(StandardCharsets.US_ASCII);
            scores[k] = rnd.nextDouble() * size;
        }
        ZSetValue.sort(ele, sc, size);
        live = ZSetValue.fromSorted(ele, sc, size, false, epoch);
        if (live.size() != size || !live.encoding().equals("skiplist")) {
            throw new IllegalStateException("bad benchmark input");
        }
    }

    private int next() {
        return i = (i + 1) & (probes.length - 1);
    }

    /** A new score for probe k: the pass number moves it on so that no write is a no-op. */
    private double score(int k) {
        if (k == 0) pass++;
        return scores[k] + pass;
    }

    @Benchmark
    public int zaddNoSnapshot() {
        int k = next();
        return live.add(score(k), probes[k], 0, 0, 0, out);
    }

    @Benchmark
    public int zaddDuringSnapshot() {
        snap = live;
        live = live.writable(++epoch);
        int k = next();
        return live.add(score(k), probes[k], 0, 0, 0, out);
    }

    @Benchmark
    public long zrank() {
        return live.rank(probes[next()], false);
    }
}

package org.redoubt.microbench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.redoubt.engine.Client;
import org.redoubt.engine.Engine;
import org.redoubt.engine.commands.Families;
import org.redoubt.engine.config.Config;
import org.redoubt.engine.config.ConfigTable;

/**
 * The commands of bench/stream-hll.sh without the network: {@code XADD s * field <rand>} and
 * {@code PFADD hll <rand>} through {@link Engine#process} on an internal client, replies appended
 * to one reused buffer (as pipelined commands share a flush), so {@code gc.alloc.rate.norm} is
 * the command's own allocation (the rewritten XADD argument vector and the generated ID
 * included). The stream and the HLL are deleted before each iteration, so an iteration measures
 * appends to a stream growing from empty and PFADDs to an HLL going sparse to dense.
 *
 * <p>Run: {@code java -jar microbench/target/benchmarks.jar StreamHllBench -f 1 -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class StreamHllBench {
    /** Precomputed commands per kind; a power of two, cycled. */
    static final int SLOTS = 1 << 16;

    private Engine engine;
    private Client client;
    private byte[][][] xadds;
    private byte[][][] pfadds;
    private int i;
    private ByteBuf reused;

    @Setup(Level.Trial)
    public void setup() {
        Config config = new Config();
        engine = new Engine(config, Families.standard());
        engine.configTable = new ConfigTable(config);
        client = engine.newClient(null);
        client.authenticated = true;
        byte[] xadd = b("XADD"), stream = b("s"), star = b("*"), field = b("field");
        byte[] pfadd = b("PFADD"), hll = b("hll");
        SplittableRandom rnd = new SplittableRandom(5);
        xadds = new byte[SLOTS][][];
        pfadds = new byte[SLOTS][][];
        for (int s = 0; s < SLOTS; s++) {
            // redis-benchmark's __rand_int__ with -r 100000: 12 digits, zero padded.
            byte[] r = b(String.format("%012d", rnd.nextInt(100_000)));
            xadds[s] = new byte[][] {xadd, stream, star, field, r};
            pfadds[s] = new byte[][] {pfadd, hll, r};
        }
        reused = Unpooled.buffer(256);
        // The command must really append: the reply is a bulk ID.
        runReused(xadds[0]);
        if (reused.getByte(0) != '$') throw new IllegalStateException("XADD failed: " + reused.toString(StandardCharsets.US_ASCII));
    }

    @Setup(Level.Iteration)
    public void empty() {
        runReused(new byte[][] {b("DEL"), b("s"), b("hll")});
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        reused.release();
    }

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.US_ASCII); }

    private int runReused(byte[][] argv) {
        Client c = client;
        ByteBuf b = reused;
        b.clear();
        c.out = b;
        c.argv = argv;
        c.argc = argv.length;
        engine.process(c);
        c.out = null;
        return b.writerIndex();
    }

    private int next() {
        return i = (i + 1) & (SLOTS - 1);
    }

    @Benchmark
    public int xadd() {
        return runReused(xadds[next()]);
    }

    @Benchmark
    public int pfadd() {
        return runReused(pfadds[next()]);
    }
}

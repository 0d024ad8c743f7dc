package org.redoubt.microbench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
 * One command through the engine without the network: {@link Engine#process} of
 * {@code GET key:<i>} / {@code SET key:<i> <16 bytes>} on an internal client (no channel), over a
 * keyspace preloaded with {@value #KEYS} keys like redis-benchmark's {@code -r 100000}. This is
 * lookup in the command table, arity/auth checks, the handler, the keyspace access, the reply
 * encoding and the statistics. The argument vectors are precomputed in {@link #setup} (parsing is
 * measured by {@link RespParserBench}).
 * <ul>
 *   <li>{@code get}, {@code set}: each command's reply goes to a fresh output buffer that the
 *       benchmark takes and releases ({@code c.takeOutput().release()}), as for one unpipelined
 *       command per network flush.</li>
 *   <li>{@code getReusedOutput}, {@code setReusedOutput}: replies are appended to one reused
 *       buffer, as many pipelined commands share one flush; {@code gc.alloc.rate.norm} is then
 *       the dispatch's own allocation per command.</li>
 * </ul>
 *
 * <p>Run: {@code java -jar microbench/target/benchmarks.jar DispatchBench -f 1 -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class DispatchBench {
    static final int KEYS = 100_000;
    /** Precomputed commands per kind; a power of two, cycled in random key order. */
    static final int SLOTS = 1 << 16;

    private Engine engine;
    private Client client;
    private byte[][][] gets;
    private byte[][][] sets;
    private int i;
    private ByteBuf reused;

    @Setup(Level.Trial)
    public void setup() {
        Config config = new Config();
        engine = new Engine(config, Families.standard());
        engine.configTable = new ConfigTable(config);
        client = engine.newClient(null);
        client.authenticated = true;

        byte[] getName = "GET".getBytes(StandardCharsets.US_ASCII);
        byte[] setName = "SET".getBytes(StandardCharsets.US_ASCII);
        byte[] value = new byte[16];
        Arrays.fill(value, (byte) 'x');
        for (int k = 0; k < KEYS; k++) {
            run(new byte[][] {setName, key(k), value});
        }
        SplittableRandom rnd = new SplittableRandom(3);
        gets = new byte[SLOTS][][];
        sets = new byte[SLOTS][][];
        for (int s = 0; s < SLOTS; s++) {
            int k = rnd.nextInt(KEYS);
            gets[s] = new byte[][] {getName, key(k)};
            sets[s] = new byte[][] {setName, key(k), value};
        }
        // The commands must really hit: a GET of a preloaded key replies with its 16-byte value.
        client.argv = gets[0];
        client.argc = 2;
        engine.process(client);
        ByteBuf r = client.takeOutput();
        String reply = r.toString(StandardCharsets.US_ASCII);
        r.release();
        if (!reply.equals("$16\r\nxxxxxxxxxxxxxxxx\r\n")) {
            throw new IllegalStateException("unexpected GET reply: " + reply);
        }
        reused = Unpooled.buffer(256);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        reused.release();
    }

    private static byte[] key(int k) {
        return String.format("key:%012d", k).getBytes(StandardCharsets.US_ASCII);
    }

    private void run(byte[][] argv) {
        Client c = client;
        c.argv = argv;
        c.argc = argv.length;
        engine.process(c);
        c.takeOutput().release();
    }

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
    public void get() {
        run(gets[next()]);
    }

    @Benchmark
    public void set() {
        run(sets[next()]);
    }

    @Benchmark
    public int getReusedOutput() {
        return runReused(gets[next()]);
    }

    @Benchmark
    public int setReusedOutput() {
        return runReused(sets[next()]);
    }
}

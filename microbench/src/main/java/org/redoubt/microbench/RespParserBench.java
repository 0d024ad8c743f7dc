package org.redoubt.microbench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.redoubt.protocol.RespParser;

/**
 * Request parsing: {@link RespParser#parse} over a buffer holding {@value #BATCH} pipelined RESP
 * multibulk commands, alternating {@code SET key:<i> <value>} and {@code GET key:<i>} like
 * redis-benchmark's SET/GET tests. The buffer is filled once in {@link #setup}; every invocation
 * rewinds its reader index and parses all commands, so the score is per command and
 * {@code gc.alloc.rate.norm} is the allocation per parsed command (the argument byte[]s, which the
 * engine keeps, are the expected part of it).
 *
 * <p>Run: {@code java -jar microbench/target/benchmarks.jar RespParserBench -f 1 -prof gc}
 * (add {@code -p valueSize=1024} or {@code -p direct=false} to vary the input).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RespParserBench {
    /** Commands in the pre-built pipeline. */
    static final int BATCH = 64;

    /** Payload size of each SET value, as redis-benchmark's -d. */
    @Param({"16"})
    public int valueSize;

    /** Direct (off-heap, as Netty's socket reads) or heap buffer. */
    @Param({"true"})
    public boolean direct;

    private ByteBuf buf;
    private RespParser parser;

    @Setup(Level.Trial)
    public void setup() {
        byte[] value = new byte[valueSize];
        java.util.Arrays.fill(value, (byte) 'x');
        ByteBuf tmp = Unpooled.buffer();
        for (int i = 0; i < BATCH; i++) {
            // redis-benchmark's key:__rand_int__ with -r 100000: a 12-digit zero-padded number
            byte[] key = String.format("key:%012d", i * 7919 % 100_000).getBytes(StandardCharsets.US_ASCII);
            if ((i & 1) == 0) {
                writeCommand(tmp, "SET".getBytes(StandardCharsets.US_ASCII), key, value);
            } else {
                writeCommand(tmp, "GET".getBytes(StandardCharsets.US_ASCII), key);
            }
        }
        buf = direct ? Unpooled.directBuffer(tmp.readableBytes()) : Unpooled.buffer(tmp.readableBytes());
        buf.writeBytes(tmp);
        tmp.release();
        parser = new RespParser();
        // Sanity check outside the measurement: the input parses to exactly BATCH commands.
        if (parseAll(null) != BATCH) throw new IllegalStateException("bad benchmark input");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        buf.release();
    }

    private static void writeCommand(ByteBuf b, byte[]... args) {
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : args) {
            b.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(a);
            b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private int parseAll(Blackhole bh) {
        ByteBuf b = buf;
        b.readerIndex(0);
        RespParser p = parser;
        int n = 0;
        while (p.parse(b) == RespParser.OK) {
            if (bh != null) {
                bh.consume(p.argv());
                bh.consume(p.argc());
            }
            n++;
        }
        return n;
    }

    /** Parses the {@value #BATCH}-command pipeline; score is per command. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int parsePipelinedSetGet(Blackhole bh) {
        return parseAll(bh);
    }
}

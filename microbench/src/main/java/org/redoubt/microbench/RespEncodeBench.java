package org.redoubt.microbench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.SplittableRandom;
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
import org.redoubt.protocol.Resp;

/**
 * Reply encoding: {@link Resp#writeBulk(ByteBuf, byte[])} and {@link Resp#writeInteger} into one
 * reused direct buffer (as a client's output buffer between flushes). Each invocation clears the
 * buffer and writes {@value #BATCH} replies, so the score is per reply, and the encoders should
 * show {@code gc.alloc.rate.norm} ≈ 0 B/op. Inputs are precomputed in {@code @Setup}: bulk
 * values of {@code valueSize} bytes, small integers (0..1023, Resp's cached headers) and random
 * 64-bit integers (formatted digit by digit).
 *
 * <p>Run: {@code java -jar microbench/target/benchmarks.jar RespEncodeBench -f 1 -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RespEncodeBench {
    static final int BATCH = 64;
    /** Room for a batch of the largest bulk benchmarked, so the buffer never grows while measured. */
    private static final int OUT_CAPACITY = BATCH * (64 * 1024 + 32);

    private ByteBuf out;
    private long[] smallInts;
    private long[] largeInts;

    /** Bulk payloads; a separate state so that only writeBulk is repeated per valueSize. */
    @State(Scope.Thread)
    public static class Bulks {
        @Param({"16", "1024"})
        public int valueSize;

        byte[][] values;

        @Setup(Level.Trial)
        public void setup() {
            SplittableRandom rnd = new SplittableRandom(42);
            values = new byte[BATCH][valueSize];
            for (byte[] v : values) {
                for (int j = 0; j < v.length; j++) v[j] = (byte) ('a' + rnd.nextInt(26));
            }
        }
    }

    @Setup(Level.Trial)
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(7);
        smallInts = new long[BATCH];
        largeInts = new long[BATCH];
        for (int i = 0; i < BATCH; i++) {
            smallInts[i] = rnd.nextInt(1024);
            largeInts[i] = rnd.nextLong();
        }
        out = Unpooled.directBuffer(OUT_CAPACITY);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        out.release();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int writeBulk(Bulks in) {
        ByteBuf b = out;
        b.clear();
        byte[][] v = in.values;
        for (int i = 0; i < BATCH; i++) Resp.writeBulk(b, v[i]);
        return b.writerIndex();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int writeIntegerSmall() {
        ByteBuf b = out;
        b.clear();
        long[] v = smallInts;
        for (int i = 0; i < BATCH; i++) Resp.writeInteger(b, v[i]);
        return b.writerIndex();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int writeIntegerLarge() {
        ByteBuf b = out;
        b.clear();
        long[] v = largeInts;
        for (int i = 0; i < BATCH; i++) Resp.writeInteger(b, v[i]);
        return b.writerIndex();
    }
}

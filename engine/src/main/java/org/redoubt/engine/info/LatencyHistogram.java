package org.redoubt.engine.info;

/**
 * A per-command latency histogram with the bucket layout of an HdrHistogram tracking 1 ns to
 * 1 s with 2 significant digits (what Redis keeps per command): values below 256 are exact,
 * above that every power-of-two range is split into 128 equal sub-buckets, so any recorded value
 * is known within 1/128 (< 0.8%). Percentiles and the cumulative distribution therefore match
 * Redis's INFO latencystats and LATENCY HISTOGRAM.
 *
 * <p>Recording is allocation-free: one array index computation and one increment.
 */
public final class LatencyHistogram {
    /** Tracked range in nanoseconds; values outside are clamped, as Redis does. */
    public static final long MIN_NS = 1, MAX_NS = 1_000_000_000L;
    private static final int EXACT = 256;          // values [0,256) have their own bucket
    private static final int SUB = 128;            // sub-buckets per power of two above that
    private static final int TOP_EXP = 63 - Long.numberOfLeadingZeros(MAX_NS);  // 29
    private static final int BUCKETS = EXACT + (TOP_EXP - 7) * SUB;

    private final long[] counts = new long[BUCKETS];
    private long total;

    public void recordNanos(long ns) {
        if (ns < MIN_NS) ns = MIN_NS;
        else if (ns > MAX_NS) ns = MAX_NS;
        counts[index(ns)]++;
        total++;
    }

    public long totalCount() { return total; }

    static int index(long v) {
        if (v < EXACT) return (int) v;
        int exp = 63 - Long.numberOfLeadingZeros(v);          // >= 8
        int sub = (int) (v >>> (exp - 7)) & (SUB - 1);         // the 7 bits below the top one
        return EXACT + (exp - 8) * SUB + sub;
    }

    /** The smallest value that falls in bucket i. */
    static long lowestOf(int i) {
        if (i < EXACT) return i;
        int exp = (i - EXACT) / SUB + 8;
        int sub = (i - EXACT) % SUB;
        return (long) (SUB + sub) << (exp - 7);
    }

    /** The largest value that falls in bucket i. */
    static long highestOf(int i) {
        if (i < EXACT) return i;
        int exp = (i - EXACT) / SUB + 8;
        return lowestOf(i) + (1L << (exp - 7)) - 1;
    }

    /**
     * The value at a percentile (0..100) in nanoseconds, as hdr_value_at_percentile: the upper
     * end of the bucket holding the sample of that rank (the lower end for percentile 0).
     */
    public long valueAtPercentile(double percentile) {
        double p = Math.min(percentile, 100.0);
        long rank = (long) ((p / 100) * total + 0.5);
        if (rank < 1) rank = 1;
        long seen = 0;
        int found = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) { found = i; break; }
        }
        if (seen < rank) return 0;
        return percentile == 0.0 ? lowestOf(found) : highestOf(found);
    }

    /**
     * Visits the cumulative distribution at power-of-two steps starting at 1024 ns (Redis's
     * LATENCY HISTOGRAM buckets): for each step, the step's upper bound in microseconds and the
     * number of samples at or below it. Steps that add no samples are skipped; the walk ends
     * once every sample is counted.
     */
    public void forEachCumulative(CumulativeVisitor v) {
        long seen = 0, previous = 0;
        int i = 0;
        for (long level = 1024; total > 0; level <<= 1) {
            int last = index(Math.min(level, MAX_NS));
            while (i <= last) seen += counts[i++];
            if (seen > previous) v.visit(highestOf(last) / 1000, seen);
            previous = seen;
            if (seen >= total || i >= BUCKETS) break;
        }
    }

    @FunctionalInterface
    public interface CumulativeVisitor { void visit(long upperMicros, long cumulativeCount); }

    /** Number of steps {@link #forEachCumulative} reports. */
    public int cumulativeSteps() {
        int[] n = {0};
        forEachCumulative((u, c) -> n[0]++);
        return n[0];
    }
}

package org.redoubt.server;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Returns heap the dataset no longer needs to the operating system once the server goes quiet:
 * our counterpart of jemalloc's background purge thread, and switched by the same directive,
 * {@code jemalloc-bg-thread}.
 *
 * <p>Why: G1 grows the committed heap while a burst of writes keeps it collecting (its GC-time
 * goal), but gives memory back only at the end of a concurrent mark or a full GC. A server that
 * loads a dataset and then serves mostly reads may not start another mark for a long time, so its
 * RSS keeps the burst's garbage headroom. G1's own periodic collection
 * ({@code G1PeriodicGCInterval}) would fix that too, but it marks the whole heap every interval
 * for as long as the server idles, whether or not anything grew; this thread asks for a mark only
 * when the committed heap has grown since the last one it asked for.
 *
 * <p>Invariants: it never stops the world for a full collection: it runs only when the JVM turns
 * {@code System.gc()} into a concurrent cycle ({@code -XX:+ExplicitGCInvokesConcurrent}, set by
 * {@code bin/redoubt-server}); it asks only after {@link #IDLE_NANOS} without any collection (no
 * allocation pressure, so the mark competes with nobody); and it never touches the keyspace.
 */
final class HeapTrimmer implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(HeapTrimmer.class);
    private static final long POLL_MS = 250;
    /** Quiet time (no collection at all) before a mark is worth its CPU. */
    private static final long IDLE_NANOS = 1_000_000_000L;
    /** Growth of the committed heap since the last trim that is worth a mark. */
    private static final long MIN_GROWTH = 32L << 20;

    private final List<GarbageCollectorMXBean> gcs = ManagementFactory.getGarbageCollectorMXBeans();
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final BooleanSupplier enabled;
    private volatile boolean stopped;

    private HeapTrimmer(BooleanSupplier enabled) {
        this.enabled = enabled;
    }

    /**
     * Starts the trimmer thread if the JVM runs explicit collections concurrently; returns it,
     * or null when it would have to stop the world (then the heap shrinks only at G1's own
     * marks).
     */
    static HeapTrimmer startIfConcurrent(BooleanSupplier enabled) {
        if (!explicitGcIsConcurrent()) {
            log.debug("heap trimmer off: System.gc() would stop the world (no -XX:+ExplicitGCInvokesConcurrent)");
            return null;
        }
        HeapTrimmer t = new HeapTrimmer(enabled);
        Thread th = new Thread(t, "redoubt-heap-trim");
        th.setDaemon(true);
        th.setPriority(Thread.MIN_PRIORITY);
        th.start();
        return t;
    }

    static boolean explicitGcIsConcurrent() {
        try {
            HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return hs != null && "true".equals(hs.getVMOption("ExplicitGCInvokesConcurrent").getValue())
                && !"true".equals(hs.getVMOption("DisableExplicitGC").getValue());
        } catch (RuntimeException e) {
            return false;
        }
    }

    void stop() {
        stopped = true;
    }

    private long collections() {
        long n = 0;
        for (GarbageCollectorMXBean gc : gcs) n += Math.max(0, gc.getCollectionCount());
        return n;
    }

    @Override
    public void run() {
        long lastCount = collections();
        long lastChange = System.nanoTime();
        long baseline = memory.getHeapMemoryUsage().getCommitted();
        boolean retried = false;
        while (!stopped) {
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                return;
            }
            long count = collections();
            long now = System.nanoTime();
            if (count != lastCount) {
                lastCount = count;
                lastChange = now;
                // A collection that shrank the heap by itself lowers the bar for the next trim.
                baseline = Math.min(baseline, memory.getHeapMemoryUsage().getCommitted());
                continue;
            }
            if (now - lastChange < IDLE_NANOS || !enabled.getAsBoolean()) continue;
            long committed = memory.getHeapMemoryUsage().getCommitted();
            if (committed - baseline < MIN_GROWTH) continue;
            // Concurrent cycle: G1 resizes the heap at its remark pause (MaxHeapFreeRatio).
            System.gc();
            long after = memory.getHeapMemoryUsage().getCommitted();
            log.debug("heap trim: committed {} MB -> {} MB", committed >> 20, after >> 20);
            // A mark that was already running when the burst's data died (it started during the
            // burst) keeps that data alive, so a trim that gave little back is retried once at the
            // next quiet period; after that the heap is taken as live.
            if (committed - after < MIN_GROWTH && !retried) {
                retried = true;
            } else {
                retried = false;
                baseline = after;
            }
            lastCount = collections();
            lastChange = System.nanoTime();
        }
    }
}

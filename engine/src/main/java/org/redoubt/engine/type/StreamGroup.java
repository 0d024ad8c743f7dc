package org.redoubt.engine.type;

import java.util.Arrays;

/**
 * A consumer group (Redis's streamCG): last delivered ID, logical read counter, the pending
 * entries list and the consumers, kept sorted by name in unsigned byte order as Redis's rax
 * lists them.
 *
 * <p>Copy-on-write: mutable only while {@link #stamp} equals the stamp of the stream writing
 * it; {@link StreamValue#writableGroup} copies it otherwise (the PEL tree is shared and copied
 * node by node, the consumer array is copied, consumers and NACKs are copied when written).
 * Every mutator takes the writer's stamp.
 */
public final class StreamGroup {
    /** entries_read when the counter is unknown (SCG_INVALID_ENTRIES_READ). */
    public static final long INVALID_ENTRIES_READ = -1;

    public final byte[] name;
    public long lastMs, lastSeq;
    public long entriesRead;
    public final StreamIdTree<StreamNack> pel;
    private StreamConsumer[] consumers;
    private int nconsumers;
    final long stamp;

    StreamGroup(byte[] name, long lastMs, long lastSeq, long entriesRead, long stamp) {
        this(name, lastMs, lastSeq, entriesRead, new StreamIdTree<>(), new StreamConsumer[4], 0, stamp);
    }

    private StreamGroup(byte[] name, long lastMs, long lastSeq, long entriesRead, StreamIdTree<StreamNack> pel,
                        StreamConsumer[] consumers, int nconsumers, long stamp) {
        this.name = name;
        this.lastMs = lastMs;
        this.lastSeq = lastSeq;
        this.entriesRead = entriesRead;
        this.pel = pel;
        this.consumers = consumers;
        this.nconsumers = nconsumers;
        this.stamp = stamp;
    }

    StreamGroup copy(long stamp) {
        return new StreamGroup(name, lastMs, lastSeq, entriesRead, pel.copy(),
            Arrays.copyOf(consumers, Math.max(4, nconsumers)), nconsumers, stamp);
    }

    public int consumerCount() { return nconsumers; }

    public StreamConsumer consumerAt(int i) { return consumers[i]; }

    /** Index of the consumer named name, or -(insertion point) - 1. */
    public int findConsumer(byte[] name) {
        int lo = 0, hi = nconsumers - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Arrays.compareUnsigned(consumers[mid].name, name);
            if (c < 0) lo = mid + 1;
            else if (c > 0) hi = mid - 1;
            else return mid;
        }
        return -(lo + 1);
    }

    public StreamConsumer consumer(byte[] name) {
        int i = findConsumer(name);
        return i >= 0 ? consumers[i] : null;
    }

    /** The consumer at i, made writable for stamp. */
    public StreamConsumer writableConsumer(int i, long stamp) {
        StreamConsumer c = consumers[i];
        if (c.stamp != stamp) consumers[i] = c = c.copy(stamp);
        return c;
    }

    /** streamCreateConsumer: null when it exists already. */
    public StreamConsumer createConsumer(byte[] name, long now, long stamp) {
        int i = findConsumer(name);
        if (i >= 0) return null;
        i = -i - 1;
        if (nconsumers == consumers.length) consumers = Arrays.copyOf(consumers, nconsumers * 2);
        System.arraycopy(consumers, i, consumers, i + 1, nconsumers - i);
        StreamConsumer c = new StreamConsumer(name, now, new StreamIdTree<>(), stamp);
        consumers[i] = c;
        nconsumers++;
        return c;
    }

    /** streamDelConsumer: drops the consumer and its pending entries from the group PEL. */
    public void deleteConsumer(int i, long stamp) {
        StreamConsumer c = consumers[i];
        StreamIdTree.Cursor<Boolean> cur = c.pel.cursor();
        for (boolean ok = cur.first(); ok; ok = cur.next()) pel.remove(cur.ms, cur.seq, stamp);
        System.arraycopy(consumers, i + 1, consumers, i, nconsumers - i - 1);
        consumers[--nconsumers] = null;
    }

    /** The NACK for id, made writable for stamp (stored back into the PEL when copied). */
    public StreamNack writableNack(long ms, long seq, StreamNack n, long stamp) {
        if (n.stamp == stamp) return n;
        StreamNack w = n.copy(stamp);
        pel.put(ms, seq, w, stamp);
        return w;
    }

    public StreamNack newNack(long now, byte[] consumer, long stamp) {
        return new StreamNack(now, 1, consumer, stamp);
    }
}

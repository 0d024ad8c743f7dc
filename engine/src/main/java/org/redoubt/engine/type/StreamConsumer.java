package org.redoubt.engine.type;

/**
 * A consumer of a group (Redis's streamConsumer): its name, last-seen time and the IDs of the
 * entries pending for it (the details live in the group PEL's {@link StreamNack}s). Mutable
 * only while {@link #stamp} equals the writing stream's stamp.
 */
public final class StreamConsumer {
    public final byte[] name;
    public long seenTime;
    /** IDs pending for this consumer; values are Boolean.TRUE. */
    public final StreamIdTree<Boolean> pel;
    final long stamp;

    StreamConsumer(byte[] name, long seenTime, StreamIdTree<Boolean> pel, long stamp) {
        this.name = name;
        this.seenTime = seenTime;
        this.pel = pel;
        this.stamp = stamp;
    }

    StreamConsumer copy(long stamp) {
        return new StreamConsumer(name, seenTime, pel.copy(), stamp);
    }
}

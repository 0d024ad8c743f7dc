package org.redoubt.engine.type;

/**
 * A pending (delivered, not acknowledged) entry of a consumer group (Redis's streamNACK). It
 * lives in the group's PEL; the owning consumer's PEL holds only the ID. The consumer is named
 * rather than referenced, so that consumers can be copied on write without fixing up pointers.
 *
 * <p>Mutable only while {@link #stamp} equals the stamp of the stream writing it (see
 * {@link StreamValue}); otherwise a writer copies it and stores the copy in the PEL.
 */
public final class StreamNack {
    public long deliveryTime;
    public long deliveryCount;
    /** Name of the consumer it was last delivered to; null only transiently (XCLAIM FORCE). */
    public byte[] consumer;
    final long stamp;

    StreamNack(long deliveryTime, long deliveryCount, byte[] consumer, long stamp) {
        this.deliveryTime = deliveryTime;
        this.deliveryCount = deliveryCount;
        this.consumer = consumer;
        this.stamp = stamp;
    }

    StreamNack copy(long stamp) {
        return new StreamNack(deliveryTime, deliveryCount, consumer, stamp);
    }
}

package org.redoubt.persistence.rdb;

import java.io.IOException;

/**
 * How one kind of engine value is saved to and loaded from the RDB format. One codec per value
 * class; {@link Codecs} routes by value class when saving and by RDB type byte when loading.
 * A codec for a new value type plugs in by being listed in {@link Codecs#standard} (or added
 * with {@link Codecs#register}); nothing else in the persistence module changes.
 *
 * <p>Threads: {@link #save} runs on a saver thread against a value reachable from a snapshot;
 * it must only read the value, through accessors that are safe for a value frozen by the
 * copy-on-write contract of {@code RValue} (no lazy caches written on read). {@link #load} runs
 * on the loading thread (a loader thread at start-up, or the engine thread for RESTORE and DEBUG
 * RELOAD) and builds a new value owned by {@link LoadContext#epoch}.
 */
public interface TypeCodec {
    /** TYPE's name of the values this codec handles ("string", "list", ...). */
    String typeName();

    /** Whether this codec saves v. */
    boolean saves(Object v);

    /** The type byte Redis 7.0 writes for v in its current encoding. */
    int rdbType(Object v);

    /** Writes the body of v (everything after the type byte and the key). */
    void save(Object v, RdbOutput out, SaveContext ctx) throws IOException;

    /** The type bytes this codec reads. */
    int[] loadTypes();

    /**
     * Reads a body of type {@code rdbType}. Returns null for an empty collection, which the
     * loader skips as Redis does.
     */
    Object load(int rdbType, RdbInput in, LoadContext ctx) throws IOException;
}

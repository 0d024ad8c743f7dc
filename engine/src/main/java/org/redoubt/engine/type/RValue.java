package org.redoubt.engine.type;

/**
 * A non-string value in the keyspace (list, hash, set, zset, stream, ...). Strings are stored
 * as {@code byte[]} (immutable) or {@link Sds} (grown in place), with no wrapper, because
 * most keys are small strings and every header costs memory per key.
 *
 * <p>Copy-on-write contract: a value may be shared with a snapshot taken by a saver thread.
 * A value created (or last copied) in snapshot epoch E may be mutated in place only while
 * {@code engine.snapshotEpoch == E}; otherwise the writer first takes a copy that shares
 * whatever it can (chunks, trie nodes) and stores the copy in the keyspace. A snapshot must
 * never observe a change, and one write must cost a chunk or node copy, never O(n).
 */
public interface RValue {
    /** TYPE's answer: "list", "hash", "set", "zset", "stream". */
    String typeName();

    /** OBJECT ENCODING's answer, as Redis names encodings: "listpack", "quicklist", "hashtable", ... */
    String encoding();

    /**
     * An independent value with the same content (COPY, RESTORE-like duplication), owned by
     * {@code epoch}; it may share immutable structure with this one.
     */
    RValue duplicate(long epoch);
}

package org.redoubt.engine.type;

/**
 * A non-string value in the keyspace (list, hash, set, zset, stream, ...). Strings are stored
 * as {@code byte[]} (immutable) or {@link Sds} (grown in place), with no wrapper, because
 * most keys are small strings and every header costs memory per key.
 */
public interface RValue {
    /** TYPE's answer: "list", "hash", "set", "zset", "stream". */
    String typeName();

    /** OBJECT ENCODING's answer, as Redis names encodings: "listpack", "quicklist", "hashtable", ... */
    String encoding();
}

package org.redoubt.engine.info;

/**
 * A non-string value that can take part in DEBUG DIGEST / DIGEST-VALUE. Each type mixes its
 * content into the key's 20-byte digest with {@link Digest#mix} (order matters: lists, streams)
 * or {@link Digest#xor} (order does not: sets, hashes, sorted sets), as Redis's debug.c does
 * for that type, so a dataset digests to the same value as in Redis.
 */
public interface Digestible {
    /** Redis's type code (OBJ_LIST=1, OBJ_SET=2, OBJ_ZSET=3, OBJ_HASH=4, OBJ_STREAM=6). */
    int digestTypeCode();

    /** Mixes the value's content into digest (20 bytes), after the type code was mixed in. */
    void digestInto(byte[] digest);
}

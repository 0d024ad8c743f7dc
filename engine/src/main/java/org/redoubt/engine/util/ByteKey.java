package org.redoubt.engine.util;

import java.util.Arrays;

/**
 * A byte string as a hash-map key (channels, patterns, watched and tracked keys): content
 * equality, hash cached, ordered as unsigned bytes (memcmp, as Redis's rax iterates).
 *
 * <p>Stored keys are immutable: their bytes must not change after they went into a map. A
 * {@link Probe} is the one mutable kind: a reusable lookup key, so that a lookup allocates
 * nothing (engine thread only; never store a probe).
 */
public class ByteKey implements Comparable<ByteKey> {
    protected byte[] bytes;
    protected int hash;

    public ByteKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    private ByteKey() {}

    public final byte[] bytes() { return bytes; }

    @Override
    public final int hashCode() { return hash; }

    @Override
    public final boolean equals(Object o) {
        return o instanceof ByteKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public final int compareTo(ByteKey o) { return Arrays.compareUnsigned(bytes, o.bytes); }

    @Override
    public String toString() { return Bytes.str(bytes); }

    /** A mutable lookup key. */
    public static final class Probe extends ByteKey {
        public Probe() { bytes = Bytes.EMPTY; hash = 1; }

        /** Points this probe at b; returns itself for a lookup. */
        public Probe of(byte[] b) {
            bytes = b;
            hash = Arrays.hashCode(b);
            return this;
        }

        /** An immutable key with the probe's bytes (which must not be changed afterwards). */
        public ByteKey freeze() { return new ByteKey(bytes); }
    }
}

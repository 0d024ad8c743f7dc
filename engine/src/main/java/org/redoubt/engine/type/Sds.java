package org.redoubt.engine.type;

import java.util.Arrays;

/**
 * A string value that was modified in place (APPEND, SETRANGE, SETBIT, BITFIELD...): Redis's
 * "raw" encoding. It keeps spare capacity so repeated appends are amortized O(1).
 *
 * <p>Copy-on-write: a snapshot may still reference this object, so it may be mutated in place
 * only while {@link #epoch} equals the engine's current snapshot epoch (no snapshot has been
 * taken since it was created or last copied). Otherwise the writer must {@link #copy} first
 * and store the copy in the keyspace. Use {@link #writable} to get a mutable instance.
 */
public final class Sds {
    public byte[] buf;
    public int len;
    public final long epoch;

    public Sds(byte[] data, int len, long epoch) {
        this.buf = data;
        this.len = len;
        this.epoch = epoch;
    }

    /** A mutable copy of any string value (byte[] or Sds) valid for writing in {@code epoch}. */
    public static Sds writable(Object v, long epoch) {
        if (v instanceof Sds s) {
            if (s.epoch == epoch) return s;
            return new Sds(Arrays.copyOf(s.buf, Math.max(s.len, 16)), s.len, epoch);
        }
        byte[] b = (byte[]) v;
        return new Sds(Arrays.copyOf(b, Math.max(b.length, 16)), b.length, epoch);
    }

    public void ensureCapacity(int n) {
        if (n <= buf.length) return;
        // Redis's sdsMakeRoomFor: double below 1MB, then grow by 1MB.
        int cap = n < (1 << 20) ? Math.max(n * 2, 16) : n + (1 << 20);
        buf = Arrays.copyOf(buf, cap);
    }

    public void append(byte[] b, int off, int n) {
        ensureCapacity(len + n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    /** Grows to n bytes, zero-filling (SETRANGE/SETBIT past the end). */
    public void growZero(int n) {
        if (n <= len) return;
        ensureCapacity(n);
        Arrays.fill(buf, len, n, (byte) 0);
        len = n;
    }

    public byte[] toBytes() { return Arrays.copyOf(buf, len); }

    /** Spare bytes beyond len, for MEMORY USAGE and OBJECT ENCODING decisions. */
    public int free() { return buf.length - len; }
}

package org.redoubt.persistence.rdb;

/**
 * Redis's intset serialization (intset.c's format), used for small sets of integers: a header of
 * two little-endian u32, the element width in bytes (2, 4 or 8) and the count, then the elements
 * sorted ascending, unique, little endian, all of that width (the smallest that fits them all).
 */
public final class Intset {
    private Intset() {}

    /** Receives the elements in ascending order. */
    public interface LongVisitor {
        void value(long v) throws RdbException;
    }

    /** Serializes sorted, distinct values. */
    public static byte[] encode(long[] sorted, int n) {
        int width = 2;
        for (int i = 0; i < n; i++) {
            long v = sorted[i];
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) { width = 8; break; }
            if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) width = 4;
        }
        byte[] b = new byte[8 + n * width];
        putLE(b, 0, width, 4);
        putLE(b, 4, n, 4);
        for (int i = 0; i < n; i++) putLE(b, 8 + i * width, sorted[i], width);
        return b;
    }

    private static void putLE(byte[] b, int p, long v, int n) {
        for (int i = 0; i < n; i++) b[p + i] = (byte) (v >>> (8 * i));
    }

    /**
     * Validates as intsetValidateIntegrity with deep validation (width, size, strictly ascending
     * order) and decodes. Returns the element count.
     */
    public static int decode(byte[] is, LongVisitor v, long errOffset) throws RdbException {
        if (is.length < 8) throw bad(errOffset, "too short");
        long width = le(is, 0, 4);
        if (width != 2 && width != 4 && width != 8) throw bad(errOffset, "invalid encoding " + width);
        long count = le(is, 4, 4);
        if (count == 0) throw bad(errOffset, "empty intset");
        if (8 + count * width != is.length) throw bad(errOffset, "length mismatch");
        long prev = 0;
        for (int i = 0; i < count; i++) {
            int w = (int) width;
            long u = le(is, 8 + i * w, w);
            if (w < 8) {
                int bits = 8 * w;
                if ((u & (1L << (bits - 1))) != 0) u -= 1L << bits;
            }
            if (i > 0 && u <= prev) throw bad(errOffset, "elements not sorted or duplicated");
            prev = u;
            if (v != null) v.value(u);
        }
        return (int) count;
    }

    private static long le(byte[] b, int p, int n) {
        long u = 0;
        for (int i = n - 1; i >= 0; i--) u = (u << 8) | (b[p + i] & 0xffL);
        return u;
    }

    private static RdbException bad(long offset, String what) {
        return new RdbException(RdbException.Kind.CORRUPT, offset, "Intset integrity check failed: " + what);
    }
}

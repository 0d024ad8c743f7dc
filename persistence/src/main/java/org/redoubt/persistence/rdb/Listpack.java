package org.redoubt.persistence.rdb;

import java.util.Arrays;
import org.redoubt.protocol.Numbers;

/**
 * Redis's listpack serialization (listpack.c's format), used in RDB files for small hashes and
 * sorted sets, list nodes and stream nodes. Layout, all integers little endian:
 * <pre>
 *   total-bytes:u32  num-elements:u16 (65535 = unknown)  entry*  0xFF
 *   entry = encoding-and-data  backlen (1..5 bytes: the size of encoding-and-data, 7 bits per
 *           byte, most significant group first, every byte but the first with bit 7 set)
 * </pre>
 * Encodings by their first byte: {@code 0xxxxxxx} 7-bit unsigned int; {@code 10xxxxxx} string
 * of up to 63 bytes; {@code 110xxxxx yyyyyyyy} 13-bit signed int; {@code 1110xxxx yyyyyyyy}
 * string of up to 4095 bytes; {@code F0} + u32 length string; {@code F1}/{@code F2}/{@code F3}/
 * {@code F4} 16/24/32/64-bit signed int. A string element that is a canonical 64-bit integer is
 * always stored as an integer, so the bytes of a listpack depend on the values alone.
 */
public final class Listpack {
    private Listpack() {}

    public static final int HEADER = 6;
    public static final int EOF = 0xFF;
    /** lpSafeToAdd's ceiling: a listpack never grows past 1 GB. */
    public static final int MAX_SAFE_SIZE = 1 << 30;

    /** Receives the decoded elements of a listpack, in order. */
    public interface Visitor {
        /** A string element, {@code b[off, off + len)} (valid during the call only). */
        void string(byte[] b, int off, int len) throws RdbException;

        /** An integer element. */
        void integer(long v) throws RdbException;
    }

    // =====================================================================================
    // Writing
    // =====================================================================================

    /** Builds a listpack by appending elements; {@link #toByteArray} seals it. */
    public static final class Builder {
        private byte[] buf;
        private int pos = HEADER;
        private int count;

        public Builder() { this(64); }

        public Builder(int capacity) { buf = new byte[Math.max(capacity, HEADER + 1)]; }

        public int count() { return count; }

        /** Bytes the sealed listpack would have now. */
        public int bytes() { return pos + 1; }

        private void ensure(int n) {
            if (pos + n + 1 > buf.length) buf = Arrays.copyOf(buf, Math.max(pos + n + 1, buf.length * 2));
        }

        /** Appends a string element; canonical integers are stored as integers (lpAppend). */
        public Builder add(byte[] s, int off, int len) {
            if (len > 0 && len < Numbers.LONG_STR_SIZE) {
                long v = Numbers.parseLong(s, off, len);
                if (v != Numbers.NOT_A_LONG || Numbers.isLong(s, off, len)) return add(v);
            }
            int hdr = len < 64 ? 1 : len < 4096 ? 2 : 5;
            int entry = hdr + len;
            ensure(entry + 5);
            byte[] b = buf;
            int p = pos;
            if (len < 64) {
                b[p++] = (byte) (0x80 | len);
            } else if (len < 4096) {
                b[p++] = (byte) (0xE0 | (len >>> 8));
                b[p++] = (byte) len;
            } else {
                b[p++] = (byte) 0xF0;
                b[p++] = (byte) len;
                b[p++] = (byte) (len >>> 8);
                b[p++] = (byte) (len >>> 16);
                b[p++] = (byte) (len >>> 24);
            }
            System.arraycopy(s, off, b, p, len);
            p += len;
            pos = p + writeBacklen(b, p, entry);
            count++;
            return this;
        }

        public Builder add(byte[] s) { return add(s, 0, s.length); }

        /** Appends an integer element in its smallest encoding. */
        public Builder add(long v) {
            ensure(9 + 5);
            byte[] b = buf;
            int p = pos;
            int entry;
            if (v >= 0 && v <= 127) {
                b[p] = (byte) v;
                entry = 1;
            } else if (v >= -4096 && v <= 4095) {
                long u = v < 0 ? (1L << 13) + v : v;
                b[p] = (byte) ((u >>> 8) | 0xC0);
                b[p + 1] = (byte) u;
                entry = 2;
            } else if (v >= -32768 && v <= 32767) {
                b[p] = (byte) 0xF1;
                b[p + 1] = (byte) v;
                b[p + 2] = (byte) (v >>> 8);
                entry = 3;
            } else if (v >= -8388608 && v <= 8388607) {
                b[p] = (byte) 0xF2;
                b[p + 1] = (byte) v;
                b[p + 2] = (byte) (v >>> 8);
                b[p + 3] = (byte) (v >>> 16);
                entry = 4;
            } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                b[p] = (byte) 0xF3;
                for (int i = 0; i < 4; i++) b[p + 1 + i] = (byte) (v >>> (8 * i));
                entry = 5;
            } else {
                b[p] = (byte) 0xF4;
                for (int i = 0; i < 8; i++) b[p + 1 + i] = (byte) (v >>> (8 * i));
                entry = 9;
            }
            p += entry;
            pos = p + writeBacklen(b, p, entry);
            count++;
            return this;
        }

        /** The sealed listpack. The builder may keep appending afterwards. */
        public byte[] toByteArray() {
            byte[] b = Arrays.copyOf(buf, pos + 1);
            b[pos] = (byte) EOF;
            int total = pos + 1;
            b[0] = (byte) total;
            b[1] = (byte) (total >>> 8);
            b[2] = (byte) (total >>> 16);
            b[3] = (byte) (total >>> 24);
            int n = count < 65535 ? count : 65535;
            b[4] = (byte) n;
            b[5] = (byte) (n >>> 8);
            return b;
        }

        /** Empties the builder for reuse. */
        public void reset() {
            pos = HEADER;
            count = 0;
        }
    }

    /** Bytes the element {@code s[off, off + len)} takes in a listpack, backlen included. */
    public static int entrySize(byte[] s, int off, int len) {
        int entry;
        long v;
        if (len > 0 && len < Numbers.LONG_STR_SIZE
            && ((v = Numbers.parseLong(s, off, len)) != Numbers.NOT_A_LONG || Numbers.isLong(s, off, len))) {
            if (v >= 0 && v <= 127) entry = 1;
            else if (v >= -4096 && v <= 4095) entry = 2;
            else if (v >= -32768 && v <= 32767) entry = 3;
            else if (v >= -8388608 && v <= 8388607) entry = 4;
            else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) entry = 5;
            else entry = 9;
        } else {
            entry = (len < 64 ? 1 : len < 4096 ? 2 : 5) + len;
        }
        return entry + backlenSize(entry);
    }

    /** Bytes needed by the backlen of an entry of size l (lpEncodeBacklen). */
    static int backlenSize(long l) {
        if (l <= 127) return 1;
        if (l < 16383) return 2;
        if (l < 2097151) return 3;
        if (l < 268435455) return 4;
        return 5;
    }

    private static int writeBacklen(byte[] b, int p, long l) {
        int n = backlenSize(l);
        for (int i = 0; i < n; i++) {
            int shift = 7 * (n - 1 - i);
            int v = (int) ((l >>> shift) & 127);
            b[p + i] = (byte) (i == 0 ? v : v | 128);
        }
        return n;
    }

    // =====================================================================================
    // Reading
    // =====================================================================================

    /** The element count in the header (65535 when unknown), without validation. */
    public static int headerCount(byte[] lp) {
        return lp.length < HEADER ? 0 : (lp[4] & 0xff) | (lp[5] & 0xff) << 8;
    }

    /**
     * Decodes every element of {@code lp} after validating it the way lpValidateIntegrity with
     * deep validation does: header length equal to the blob's, entries within bounds, each
     * backlen equal to its entry's size, the terminator last, and the header count matching.
     * Returns the number of elements. A malformed listpack throws a CORRUPT exception at
     * {@code errOffset} (the offset of the blob in the file).
     */
    public static int decode(byte[] lp, Visitor v, long errOffset) throws RdbException {
        int size = lp.length;
        if (size < HEADER + 1) throw bad(errOffset, "listpack too short");
        long total = (lp[0] & 0xffL) | (lp[1] & 0xffL) << 8 | (lp[2] & 0xffL) << 16 | (lp[3] & 0xffL) << 24;
        if (total != size) throw bad(errOffset, "listpack header length " + total + " != " + size);
        if ((lp[size - 1] & 0xff) != EOF) throw bad(errOffset, "listpack not terminated");
        int headerCount = headerCount(lp);
        int p = HEADER;
        int count = 0;
        int end = size - 1;
        while (p < end) {
            int start = p;
            int c = lp[p] & 0xff;
            int entry;
            if ((c & 0x80) == 0) {
                entry = 1;
                if (v != null) v.integer(c);
            } else if ((c & 0xC0) == 0x80) {
                int len = c & 0x3F;
                entry = 1 + len;
                if (start + entry > end) throw bad(errOffset, "listpack entry out of range");
                if (v != null) v.string(lp, p + 1, len);
            } else if ((c & 0xE0) == 0xC0) {
                entry = 2;
                if (start + entry > end) throw bad(errOffset, "listpack entry out of range");
                int u = ((c & 0x1F) << 8) | (lp[p + 1] & 0xff);
                if (v != null) v.integer(u >= 1 << 12 ? u - (1 << 13) : u);
            } else if ((c & 0xF0) == 0xE0) {
                if (start + 2 > end) throw bad(errOffset, "listpack entry out of range");
                int len = ((c & 0x0F) << 8) | (lp[p + 1] & 0xff);
                entry = 2 + len;
                if (start + entry > end) throw bad(errOffset, "listpack entry out of range");
                if (v != null) v.string(lp, p + 2, len);
            } else if (c == 0xF0) {
                if (start + 5 > end) throw bad(errOffset, "listpack entry out of range");
                long len = (lp[p + 1] & 0xffL) | (lp[p + 2] & 0xffL) << 8 | (lp[p + 3] & 0xffL) << 16 | (lp[p + 4] & 0xffL) << 24;
                if (start + 5 + len > end) throw bad(errOffset, "listpack entry out of range");
                entry = 5 + (int) len;
                if (v != null) v.string(lp, p + 5, (int) len);
            } else if (c >= 0xF1 && c <= 0xF4) {
                int n = c == 0xF1 ? 2 : c == 0xF2 ? 3 : c == 0xF3 ? 4 : 8;
                entry = 1 + n;
                if (start + entry > end) throw bad(errOffset, "listpack entry out of range");
                long u = 0;
                for (int i = n - 1; i >= 0; i--) u = (u << 8) | (lp[p + 1 + i] & 0xffL);
                if (n < 8) {
                    int bits = 8 * n;
                    if ((u & (1L << (bits - 1))) != 0) u -= 1L << bits;
                }
                if (v != null) v.integer(u);
            } else {
                throw bad(errOffset, "listpack invalid encoding byte " + c);
            }
            p = start + entry;
            int bl = backlenSize(entry);
            if (p + bl > end) throw bad(errOffset, "listpack backlen out of range");
            long back = 0;
            for (int i = 0; i < bl; i++) {
                int x = lp[p + i] & 0xff;
                if ((i == 0) == ((x & 128) != 0)) throw bad(errOffset, "listpack invalid backlen");
                back = (back << 7) | (x & 127);
            }
            if (back != entry) throw bad(errOffset, "listpack backlen mismatch");
            p += bl;
            count++;
        }
        if (p != end) throw bad(errOffset, "listpack entries overrun the terminator");
        if (headerCount != 65535 && headerCount != count) throw bad(errOffset, "listpack count mismatch");
        return count;
    }

    /** Counts and validates without decoding. */
    public static int validate(byte[] lp, long errOffset) throws RdbException {
        return decode(lp, null, errOffset);
    }

    private static RdbException bad(long offset, String what) {
        return new RdbException(RdbException.Kind.CORRUPT, offset, "Listpack integrity check failed: " + what);
    }

    /** A visitor that hands every element over as its bytes (integers as decimal text). */
    public abstract static class BytesVisitor implements Visitor {
        public abstract void element(byte[] e) throws RdbException;

        @Override public final void string(byte[] b, int off, int len) throws RdbException {
            element(Arrays.copyOfRange(b, off, off + len));
        }

        @Override public final void integer(long v) throws RdbException {
            element(Numbers.longToBytes(v));
        }
    }
}

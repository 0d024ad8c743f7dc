package org.redoubt.engine.type;

import java.util.Arrays;

/**
 * Redis's listpack format (listpack.c), the encoding of a stream node, kept byte-compatible so
 * that node sizes (which decide where stream-node-max-bytes starts a new node, and therefore
 * what approximate trimming removes) are exactly Redis's.
 *
 * <p>Layout: 4-byte little-endian total size, 2-byte element count (65535 = unknown), the
 * elements, and an 0xFF terminator. An element is an encoding byte with its data (7-bit uint,
 * 13/16/24/32/64-bit signed ints, strings with 6-bit, 12-bit or 32-bit lengths) followed by a
 * 1-5 byte "backlen" holding the encoded size, readable from its last byte backwards, which
 * makes reverse iteration possible. Strings that are canonical 64-bit integers are stored as
 * integers, as Redis stores them, and read back as the same text.
 *
 * <p>A listpack is a {@code byte[]} whose capacity may exceed its size; positions are byte
 * offsets of an element's first byte. Functions that grow it return the (possibly new) array.
 */
public final class StreamListpack {
    private StreamListpack() {}

    public static final int HDR_SIZE = 6;
    private static final int EOF = 0xFF;
    private static final int NUMELE_UNKNOWN = 0xFFFF;

    public static byte[] create(int capacity) {
        byte[] lp = new byte[Math.max(capacity, HDR_SIZE + 1)];
        setBytes(lp, HDR_SIZE + 1);
        lp[HDR_SIZE] = (byte) EOF;
        return lp;
    }

    /** Total bytes (lpBytes). */
    public static int bytes(byte[] lp) {
        return (lp[0] & 0xff) | (lp[1] & 0xff) << 8 | (lp[2] & 0xff) << 16 | (lp[3] & 0xff) << 24;
    }

    private static void setBytes(byte[] lp, int n) {
        lp[0] = (byte) n;
        lp[1] = (byte) (n >>> 8);
        lp[2] = (byte) (n >>> 16);
        lp[3] = (byte) (n >>> 24);
    }

    public static int numElements(byte[] lp) { return (lp[4] & 0xff) | (lp[5] & 0xff) << 8; }

    private static void incrNumElements(byte[] lp) {
        int n = numElements(lp);
        if (n == NUMELE_UNKNOWN) return;
        n++;
        lp[4] = (byte) n;
        lp[5] = (byte) (n >>> 8);
    }

    // ------------------------------------------------------------------ sizes

    /** {@link #canonicalLong}'s "not an integer" answer (also the value of "-9223372036854775808"). */
    static final long NOT_CANONICAL = Long.MIN_VALUE;
    private static final byte[] MIN_TEXT = "-9223372036854775808".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * lpStringToInt64: the value when s[off, off+len) is the canonical text of a 64-bit integer,
     * else {@link #NOT_CANONICAL}; {@link #isCanonicalLong} tells the two meanings apart.
     */
    static long canonicalLong(byte[] s, int off, int len) {
        if (len == 0 || len >= 21) return NOT_CANONICAL;
        if (len == 1 && s[off] == '0') return 0;
        int p = off, end = off + len;
        boolean neg = false;
        if (s[p] == '-') {
            neg = true;
            if (++p == end) return NOT_CANONICAL;
        }
        if (s[p] < '1' || s[p] > '9') return NOT_CANONICAL;
        long v = s[p++] - '0';
        while (p < end && s[p] >= '0' && s[p] <= '9') {
            int d = s[p] - '0';
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L, 10)) > 0) return NOT_CANONICAL;
            v *= 10;
            if (Long.compareUnsigned(v, -1L - d) > 0) return NOT_CANONICAL;
            v += d;
            p++;
        }
        if (p < end) return NOT_CANONICAL;
        if (neg) return Long.compareUnsigned(v, 1L << 63) > 0 ? NOT_CANONICAL : -v;
        return v < 0 ? NOT_CANONICAL : v;
    }

    /** Whether s[off, off+len) is stored as an integer element. */
    static boolean isCanonicalLong(byte[] s, int off, int len) {
        return canonicalLong(s, off, len) != NOT_CANONICAL || isMinText(s, off, len);
    }

    private static boolean isMinText(byte[] s, int off, int len) {
        return len == MIN_TEXT.length && java.util.Arrays.equals(s, off, off + len, MIN_TEXT, 0, len);
    }

    /** Bytes of an integer's encoding and data (without backlen). */
    static int intEncodedSize(long v) {
        if (v >= 0 && v <= 127) return 1;
        if (v >= -4096 && v <= 4095) return 2;
        if (v >= -32768 && v <= 32767) return 3;
        if (v >= -8388608 && v <= 8388607) return 4;
        if (v >= -2147483648L && v <= 2147483647L) return 5;
        return 9;
    }

    static int strEncodedSize(int len) {
        if (len < 64) return 1 + len;
        if (len < 4096) return 2 + len;
        return 5 + len;
    }

    static int backlenSize(long l) {
        if (l <= 127) return 1;
        if (l < 16383) return 2;
        if (l < 2097151) return 3;
        if (l < 268435455) return 4;
        return 5;
    }

    // ------------------------------------------------------------------ writing

    private static byte[] ensure(byte[] lp, int need) {
        if (need <= lp.length) return lp;
        return Arrays.copyOf(lp, Math.max(need, lp.length + (lp.length >> 1) + 16));
    }

    private static int writeInt(byte[] b, int p, long v) {
        if (v >= 0 && v <= 127) {
            b[p] = (byte) v;
            return 1;
        }
        if (v >= -4096 && v <= 4095) {
            long u = v < 0 ? (1L << 13) + v : v;
            b[p] = (byte) ((u >>> 8) | 0xC0);
            b[p + 1] = (byte) u;
            return 2;
        }
        int n;
        int tag;
        if (v >= -32768 && v <= 32767) {
            n = 2;
            tag = 0xF1;
        } else if (v >= -8388608 && v <= 8388607) {
            n = 3;
            tag = 0xF2;
        } else if (v >= -2147483648L && v <= 2147483647L) {
            n = 4;
            tag = 0xF3;
        } else {
            n = 8;
            tag = 0xF4;
        }
        b[p] = (byte) tag;
        for (int i = 0; i < n; i++) b[p + 1 + i] = (byte) (v >>> (8 * i));
        return n + 1;
    }

    private static int writeString(byte[] b, int p, byte[] s, int off, int len) {
        int h;
        if (len < 64) {
            b[p] = (byte) (len | 0x80);
            h = 1;
        } else if (len < 4096) {
            b[p] = (byte) ((len >>> 8) | 0xE0);
            b[p + 1] = (byte) len;
            h = 2;
        } else {
            b[p] = (byte) 0xF0;
            b[p + 1] = (byte) len;
            b[p + 2] = (byte) (len >>> 8);
            b[p + 3] = (byte) (len >>> 16);
            b[p + 4] = (byte) (len >>> 24);
            h = 5;
        }
        System.arraycopy(s, off, b, p + h, len);
        return h + len;
    }

    private static int writeBacklen(byte[] b, int p, int l) {
        int n = backlenSize(l);
        switch (n) {
            case 1 -> b[p] = (byte) l;
            case 2 -> {
                b[p] = (byte) (l >>> 7);
                b[p + 1] = (byte) ((l & 127) | 128);
            }
            case 3 -> {
                b[p] = (byte) (l >>> 14);
                b[p + 1] = (byte) (((l >>> 7) & 127) | 128);
                b[p + 2] = (byte) ((l & 127) | 128);
            }
            case 4 -> {
                b[p] = (byte) (l >>> 21);
                b[p + 1] = (byte) (((l >>> 14) & 127) | 128);
                b[p + 2] = (byte) (((l >>> 7) & 127) | 128);
                b[p + 3] = (byte) ((l & 127) | 128);
            }
            default -> {
                b[p] = (byte) (l >>> 28);
                b[p + 1] = (byte) (((l >>> 21) & 127) | 128);
                b[p + 2] = (byte) (((l >>> 14) & 127) | 128);
                b[p + 3] = (byte) (((l >>> 7) & 127) | 128);
                b[p + 4] = (byte) ((l & 127) | 128);
            }
        }
        return n;
    }

    public static byte[] appendInt(byte[] lp, long v) {
        int enc = intEncodedSize(v);
        int total = bytes(lp), add = enc + backlenSize(enc);
        lp = ensure(lp, total + add);
        int p = total - 1;
        p += writeInt(lp, p, v);
        p += writeBacklen(lp, p, enc);
        lp[p] = (byte) EOF;
        setBytes(lp, total + add);
        incrNumElements(lp);
        return lp;
    }

    /** Appends a string element (as an integer when it is a canonical integer, as Redis). */
    public static byte[] append(byte[] lp, byte[] s, int off, int len) {
        long v = canonicalLong(s, off, len);
        if (v != NOT_CANONICAL || isMinText(s, off, len)) return appendInt(lp, v);
        int enc = strEncodedSize(len);
        int total = bytes(lp), add = enc + backlenSize(enc);
        lp = ensure(lp, total + add);
        int p = total - 1;
        p += writeString(lp, p, s, off, len);
        p += writeBacklen(lp, p, enc);
        lp[p] = (byte) EOF;
        setBytes(lp, total + add);
        incrNumElements(lp);
        return lp;
    }

    // ------------------------------------------------------------------ batched appends
    // An entry is appended as reserve, put..., commitAppend: one capacity check and one header
    // update for all its elements, with the same bytes as one append per element.

    /** Bytes of an integer element (encoding, data, backlen). */
    static int intElementSize(long v) {
        int enc = intEncodedSize(v);
        return enc + backlenSize(enc);
    }

    /** Bytes s[off, off+len) takes as an element (an integer when it is a canonical one). */
    static int elementSize(byte[] s, int off, int len) {
        long v = canonicalLong(s, off, len);
        if (v != NOT_CANONICAL || isMinText(s, off, len)) return intElementSize(v);
        int enc = strEncodedSize(len);
        return enc + backlenSize(enc);
    }

    /** The listpack with room for add more bytes (possibly a new array); contents unchanged. */
    static byte[] reserve(byte[] lp, int add) {
        return ensure(lp, bytes(lp) + add);
    }

    /** Writes an integer element at p, which must have room; returns the position after it. */
    static int putInt(byte[] lp, int p, long v) {
        int enc = writeInt(lp, p, v);
        return p + enc + writeBacklen(lp, p + enc, enc);
    }

    /** Writes s[off, off+len) as an element at p, as {@link #append} would; returns the end. */
    static int putElement(byte[] lp, int p, byte[] s, int off, int len) {
        long v = canonicalLong(s, off, len);
        if (v != NOT_CANONICAL || isMinText(s, off, len)) return putInt(lp, p, v);
        int enc = writeString(lp, p, s, off, len);
        return p + enc + writeBacklen(lp, p + enc, enc);
    }

    /**
     * Ends a batch of count elements written from the old terminator (bytes - 1) up to end:
     * the terminator, the total size and the element count (which stays "unknown" once it
     * reaches 65535, as element-by-element increments leave it).
     */
    static void commitAppend(byte[] lp, int end, int count) {
        lp[end] = (byte) EOF;
        setBytes(lp, end + 1);
        int n = numElements(lp);
        if (n == NUMELE_UNKNOWN) return;
        n = Math.min(n + count, NUMELE_UNKNOWN);
        lp[4] = (byte) n;
        lp[5] = (byte) (n >>> 8);
    }

    /**
     * Replaces the integer element at p by v (lpReplaceInteger), moving the tail when the
     * encoding size changes. The element stays at offset p.
     */
    public static byte[] replaceInt(byte[] lp, int p, long v) {
        int oldEnc = encodedSize(lp, p);
        int oldLen = oldEnc + backlenSize(oldEnc);
        int enc = intEncodedSize(v);
        int len = enc + backlenSize(enc);
        int total = bytes(lp);
        if (len != oldLen) {
            lp = ensure(lp, total + len - oldLen);
            System.arraycopy(lp, p + oldLen, lp, p + len, total - (p + oldLen));
            setBytes(lp, total + len - oldLen);
        }
        int q = p + writeInt(lp, p, v);
        writeBacklen(lp, q, enc);
        return lp;
    }

    // ------------------------------------------------------------------ reading

    /** Size of the encoding byte(s) plus data of the element at p. */
    static int encodedSize(byte[] lp, int p) {
        int b = lp[p] & 0xff;
        if ((b & 0x80) == 0) return 1;
        if ((b & 0xC0) == 0x80) return 1 + (b & 0x3F);
        if ((b & 0xE0) == 0xC0) return 2;
        if ((b & 0xF0) == 0xE0) return 2 + (((b & 0xF) << 8) | (lp[p + 1] & 0xff));
        return switch (b) {
            case 0xF1 -> 3;
            case 0xF2 -> 4;
            case 0xF3 -> 5;
            case 0xF4 -> 9;
            case 0xF0 -> 5 + ((lp[p + 1] & 0xff) | (lp[p + 2] & 0xff) << 8 | (lp[p + 3] & 0xff) << 16
                | (lp[p + 4] & 0xff) << 24);
            default -> throw new IllegalStateException("bad listpack encoding " + b);
        };
    }

    public static int first(byte[] lp) {
        return (lp[HDR_SIZE] & 0xff) == EOF ? -1 : HDR_SIZE;
    }

    /** The element after p, or -1 at the end. */
    public static int next(byte[] lp, int p) {
        int enc = encodedSize(lp, p);
        int q = p + enc + backlenSize(enc);
        return (lp[q] & 0xff) == EOF ? -1 : q;
    }

    /** The element before p, or -1 when p is the first. */
    public static int prev(byte[] lp, int p) {
        if (p <= HDR_SIZE) return -1;
        return p - elementLenBefore(lp, p - 1);
    }

    /** Full length (encoding, data, backlen) of the element whose last byte is at q. */
    private static int elementLenBefore(byte[] lp, int q) {
        long val = 0;
        int shift = 0, n = 0;
        while (true) {
            int b = lp[q - n] & 0xff;
            val |= (long) (b & 127) << shift;
            n++;
            if ((b & 128) == 0) break;
            shift += 7;
        }
        return (int) val + n;
    }

    public static int last(byte[] lp) {
        int end = bytes(lp) - 1;
        if (end <= HDR_SIZE) return -1;
        return end - elementLenBefore(lp, end - 1);
    }

    public static boolean isInt(byte[] lp, int p) {
        int b = lp[p] & 0xff;
        return (b & 0x80) == 0 || (b & 0xE0) == 0xC0 || (b >= 0xF1 && b <= 0xF4);
    }

    /** The integer at p; a string element is parsed (stream nodes store counters as integers). */
    public static long getInt(byte[] lp, int p) {
        int b = lp[p] & 0xff;
        if ((b & 0x80) == 0) return b;
        if ((b & 0xE0) == 0xC0) {
            long u = ((b & 0x1F) << 8) | (lp[p + 1] & 0xff);
            return u >= 1 << 12 ? u - (1 << 13) : u;
        }
        int n;
        switch (b) {
            case 0xF1 -> n = 2;
            case 0xF2 -> n = 3;
            case 0xF3 -> n = 4;
            case 0xF4 -> n = 8;
            default -> {
                return canonicalLong(lp, strOff(lp, p), strLen(lp, p));
            }
        }
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = v << 8 | (lp[p + 1 + i] & 0xff);
        int sh = 64 - 8 * n;
        return (v << sh) >> sh;
    }

    /** Offset of a string element's bytes. */
    public static int strOff(byte[] lp, int p) {
        int b = lp[p] & 0xff;
        if ((b & 0xC0) == 0x80) return p + 1;
        if ((b & 0xF0) == 0xE0) return p + 2;
        return p + 5;
    }

    public static int strLen(byte[] lp, int p) {
        int b = lp[p] & 0xff;
        if ((b & 0xC0) == 0x80) return b & 0x3F;
        if ((b & 0xF0) == 0xE0) return ((b & 0xF) << 8) | (lp[p + 1] & 0xff);
        return (lp[p + 1] & 0xff) | (lp[p + 2] & 0xff) << 8 | (lp[p + 3] & 0xff) << 16 | (lp[p + 4] & 0xff) << 24;
    }

    /** The element at p as bytes (integers as their decimal text). */
    public static byte[] getBytes(byte[] lp, int p) {
        if (isInt(lp, p)) return org.redoubt.protocol.Numbers.longToBytes(getInt(lp, p));
        int off = strOff(lp, p);
        return Arrays.copyOfRange(lp, off, off + strLen(lp, p));
    }

    /** Whether the element at p equals s[off, off+len) as text. */
    public static boolean equalsBytes(byte[] lp, int p, byte[] s, int off, int len) {
        if (isInt(lp, p)) {
            long v = canonicalLong(s, off, len);
            return (v != NOT_CANONICAL || isMinText(s, off, len)) && v == getInt(lp, p);
        }
        int o = strOff(lp, p), l = strLen(lp, p);
        return l == len && Arrays.equals(lp, o, o + l, s, off, off + len);
    }
}

package org.redoubt.persistence.rdb;

/**
 * Reader for Redis's ziplist serialization (ziplist.c's format), found in RDB files written by
 * Redis before 7.0: list nodes (quicklist v1 and the older single-ziplist lists) and small
 * hashes and sorted sets. Layout, header integers little endian:
 * <pre>
 *   zlbytes:u32  zltail:u32 (offset of the last entry)  zllen:u16 (65535 = unknown)  entry*  0xFF
 *   entry = prevlen (1 byte below 254, else 0xFE + u32 LE)  encoding  data
 * </pre>
 * Encodings: {@code 00xxxxxx} string of up to 63 bytes; {@code 01xxxxxx yyyyyyyy} up to 16383
 * (big endian); {@code 10000000} + u32 big-endian length; {@code C0}/{@code D0}/{@code E0}
 * int16/int32/int64; {@code F0} int24; {@code FE} int8; {@code F1..FD} the immediate values
 * 0..12. Integers are little endian. We only read ziplists: Redis 7.0 never writes them.
 */
public final class Ziplist {
    private Ziplist() {}

    private static final int HEADER = 10;

    /**
     * Decodes every entry after validating the structure as ziplistValidateIntegrity does with
     * deep validation (sizes, prevlen chain, tail offset, count). Returns the entry count.
     */
    public static int decode(byte[] zl, Listpack.Visitor v, long errOffset) throws RdbException {
        int size = zl.length;
        if (size < HEADER + 1) throw bad(errOffset, "too short");
        long bytes = le32(zl, 0);
        if (bytes != size) throw bad(errOffset, "header length " + bytes + " != " + size);
        if ((zl[size - 1] & 0xff) != 0xFF) throw bad(errOffset, "not terminated");
        long tail = le32(zl, 4);
        if (tail > size - 1) throw bad(errOffset, "tail offset out of range");
        int headerCount = (zl[8] & 0xff) | (zl[9] & 0xff) << 8;
        int p = HEADER;
        int end = size - 1;
        int count = 0;
        int prevRaw = 0;
        int prevStart = -1;
        while (p < end) {
            int start = p;
            int prevlen;
            if ((zl[p] & 0xff) < 254) {
                prevlen = zl[p] & 0xff;
                p += 1;
            } else {
                if (p + 5 > end) throw bad(errOffset, "entry out of range");
                long pl = le32(zl, p + 1);
                if (pl > Integer.MAX_VALUE) throw bad(errOffset, "bad prevlen");
                prevlen = (int) pl;
                p += 5;
            }
            if (prevlen != prevRaw) throw bad(errOffset, "prevlen mismatch");
            if (p >= end) throw bad(errOffset, "entry out of range");
            int enc = zl[p] & 0xff;
            int top = enc & 0xC0;
            if (top == 0x00) {
                int len = enc & 0x3F;
                p += 1;
                if (p + len > end) throw bad(errOffset, "entry out of range");
                if (v != null) v.string(zl, p, len);
                p += len;
            } else if (top == 0x40) {
                if (p + 2 > end) throw bad(errOffset, "entry out of range");
                int len = ((enc & 0x3F) << 8) | (zl[p + 1] & 0xff);
                p += 2;
                if (p + len > end) throw bad(errOffset, "entry out of range");
                if (v != null) v.string(zl, p, len);
                p += len;
            } else if (enc == 0x80) {
                if (p + 5 > end) throw bad(errOffset, "entry out of range");
                long len = (zl[p + 1] & 0xffL) << 24 | (zl[p + 2] & 0xffL) << 16 | (zl[p + 3] & 0xffL) << 8 | (zl[p + 4] & 0xffL);
                p += 5;
                if (p + len > end) throw bad(errOffset, "entry out of range");
                if (v != null) v.string(zl, p, (int) len);
                p += (int) len;
            } else {
                int n;
                switch (enc) {
                    case 0xC0 -> n = 2;
                    case 0xD0 -> n = 4;
                    case 0xE0 -> n = 8;
                    case 0xF0 -> n = 3;
                    case 0xFE -> n = 1;
                    default -> {
                        if (enc >= 0xF1 && enc <= 0xFD) n = 0;
                        else throw bad(errOffset, "invalid encoding byte " + enc);
                    }
                }
                p += 1;
                if (p + n > end) throw bad(errOffset, "entry out of range");
                long val;
                if (n == 0) {
                    val = (enc & 0x0F) - 1;
                } else {
                    long u = 0;
                    for (int i = n - 1; i >= 0; i--) u = (u << 8) | (zl[p + i] & 0xffL);
                    if (n < 8) {
                        int bits = 8 * n;
                        if ((u & (1L << (bits - 1))) != 0) u -= 1L << bits;
                    }
                    val = u;
                }
                if (v != null) v.integer(val);
                p += n;
            }
            prevRaw = p - start;
            prevStart = start;
            count++;
        }
        if (p != end) throw bad(errOffset, "entries overrun the terminator");
        if (prevStart >= 0 && prevStart != tail) throw bad(errOffset, "tail offset mismatch");
        if (headerCount != 65535 && headerCount != count) throw bad(errOffset, "count mismatch");
        return count;
    }

    private static long le32(byte[] b, int p) {
        return (b[p] & 0xffL) | (b[p + 1] & 0xffL) << 8 | (b[p + 2] & 0xffL) << 16 | (b[p + 3] & 0xffL) << 24;
    }

    private static RdbException bad(long offset, String what) {
        return new RdbException(RdbException.Kind.CORRUPT, offset, "Ziplist integrity check failed: " + what);
    }
}

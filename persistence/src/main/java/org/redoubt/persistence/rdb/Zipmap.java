package org.redoubt.persistence.rdb;

/**
 * Reader for Redis's zipmap serialization (zipmap.c's format), the small-hash encoding of RDB
 * files written by Redis 2.x: a count byte (254 = unknown), then pairs of
 * {@code len key len free value} where {@code len} is one byte below 254 or 254 followed by a
 * u32 (little endian), {@code free} is one byte of padding count after the value, and 0xFF ends
 * the map.
 */
public final class Zipmap {
    private Zipmap() {}

    /** Receives the pairs in order. */
    public interface PairVisitor {
        void pair(byte[] zm, int fieldOff, int fieldLen, int valueOff, int valueLen) throws RdbException;
    }

    /** Validates as zipmapValidateIntegrity with deep validation and decodes; returns the pair count. */
    public static int decode(byte[] zm, PairVisitor v, long errOffset) throws RdbException {
        int size = zm.length;
        if (size < 2) throw bad(errOffset, "too short");
        if ((zm[size - 1] & 0xff) != 0xFF) throw bad(errOffset, "not terminated");
        int p = 1;
        int count = 0;
        int[] lenOut = new int[1];
        while ((zm[p] & 0xff) != 0xFF) {
            p = readLen(zm, p, lenOut, errOffset);
            int fieldOff = p;
            int fieldLen = lenOut[0];
            p += fieldLen;
            if (p > size - 1) throw bad(errOffset, "entry out of range");
            p = readLen(zm, p, lenOut, errOffset);
            int valueLen = lenOut[0];
            if (p > size - 1) throw bad(errOffset, "entry out of range");
            int free = zm[p++] & 0xff;
            int valueOff = p;
            long next = (long) p + valueLen + free;
            if (next > size - 1) throw bad(errOffset, "entry out of range");
            if (v != null) v.pair(zm, fieldOff, fieldLen, valueOff, valueLen);
            p = (int) next;
            count++;
        }
        if (count == 0) throw bad(errOffset, "empty zipmap");
        int hdr = zm[0] & 0xff;
        if (hdr != 254 && hdr != count) throw bad(errOffset, "count mismatch");
        return count;
    }

    private static int readLen(byte[] zm, int p, int[] out, long errOffset) throws RdbException {
        int size = zm.length;
        if (p > size - 1) throw bad(errOffset, "entry out of range");
        int b = zm[p] & 0xff;
        if (b < 254) {
            out[0] = b;
            return p + 1;
        }
        if (b == 255 || p + 5 > size - 1) throw bad(errOffset, "invalid length");
        long len = (zm[p + 1] & 0xffL) | (zm[p + 2] & 0xffL) << 8 | (zm[p + 3] & 0xffL) << 16 | (zm[p + 4] & 0xffL) << 24;
        if (len > Integer.MAX_VALUE) throw bad(errOffset, "invalid length");
        out[0] = (int) len;
        return p + 5;
    }

    private static RdbException bad(long offset, String what) {
        return new RdbException(RdbException.Kind.CORRUPT, offset, "Zipmap integrity check failed: " + what);
    }
}

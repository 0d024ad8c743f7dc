package org.redoubt.engine.commands;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Bit-level primitives over string values, shared by the bitmap commands.
 *
 * <p>Bit numbering is Redis's: bit 0 is the most significant bit of byte 0, so a bitmap reads
 * left to right like a big-endian number. Bulk loops read eight bytes at a time through a
 * byte-array view; an aligned 64-bit load is not required by the JVM, and for popcount and
 * "all zeros / all ones" tests the byte order of the load does not matter.
 */
final class BitOps {
    private BitOps() {}

    static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** Overflow policies of BITFIELD. */
    static final int WRAP = 0, SAT = 1, FAIL = 2;

    /** Number of set bits in p[from, to). */
    static long popcount(byte[] p, int from, int to) {
        long n = 0;
        int i = from;
        for (; i + 32 <= to; i += 32) {
            n += Long.bitCount((long) LONGS.get(p, i)) + Long.bitCount((long) LONGS.get(p, i + 8))
                + Long.bitCount((long) LONGS.get(p, i + 16)) + Long.bitCount((long) LONGS.get(p, i + 24));
        }
        for (; i + 8 <= to; i += 8) n += Long.bitCount((long) LONGS.get(p, i));
        for (; i < to; i++) n += Integer.bitCount(p[i] & 0xFF);
        return n;
    }

    /**
     * Number of set bits among the bits [s, e] (inclusive, 0 &lt;= s &lt;= e, both inside the
     * first len bytes).
     */
    static long countRange(byte[] p, long s, long e) {
        int sb = (int) (s >>> 3), eb = (int) (e >>> 3);
        long n = popcount(p, sb, eb + 1);
        // Take back the bits of the edge bytes that lie outside the range.
        int lead = (int) (s & 7), trail = 7 - (int) (e & 7);
        if (lead != 0) n -= Integer.bitCount((p[sb] & 0xFF) >>> (8 - lead));
        if (trail != 0) n -= Integer.bitCount(p[eb] & ((1 << trail) - 1));
        return n;
    }

    /**
     * Index of the first bit equal to {@code bit} among the bits [s, e] (inclusive, both inside
     * the array), or -1 when there is none.
     */
    static long firstBit(byte[] p, long s, long e, int bit) {
        int sb = (int) (s >>> 3), eb = (int) (e >>> 3);
        long skipWord = bit == 1 ? 0L : -1L;
        int flip = bit == 1 ? 0 : 0xFF;
        int i = sb;
        while (i <= eb) {
            // Interior bytes (neither edge) can be skipped a word at a time.
            if (i > sb) {
                while (i + 8 <= eb && (long) LONGS.get(p, i) == skipWord) i += 8;
            }
            // After the flip we look for a 1 whatever bit was asked for.
            int b = (p[i] & 0xFF) ^ flip;
            if (i == sb) b &= 0xFF >>> (int) (s & 7);
            if (i == eb) b &= (0xFF << (7 - (int) (e & 7))) & 0xFF;
            if (b != 0) return ((long) i << 3) + (Integer.numberOfLeadingZeros(b) - 24);
            i++;
        }
        return -1;
    }

    /**
     * The {@code bits}-wide unsigned field at bit {@code off}; bytes at or beyond {@code len}
     * read as zero (a bitmap is an infinite string of zeros past its end).
     */
    static long getUnsigned(byte[] p, int len, long off, int bits) {
        long v = 0;
        long pos = off, end = off + bits;
        while (pos < end) {
            long bi = pos >>> 3;
            int within = (int) (pos & 7);
            int n = (int) Math.min(8 - within, end - pos);
            int b = bi < len ? p[(int) bi] & 0xFF : 0;
            int chunk = (b >>> (8 - within - n)) & ((1 << n) - 1);
            v = (v << n) | chunk;
            pos += n;
        }
        return v;
    }

    /** The field read as two's complement of width bits. */
    static long getSigned(byte[] p, int len, long off, int bits) {
        long v = getUnsigned(p, len, off, bits);
        if (bits < 64) v = (v << (64 - bits)) >> (64 - bits);
        return v;
    }

    /** Stores the low {@code bits} bits of value at bit {@code off}; the array covers the field. */
    static void setField(byte[] p, long off, int bits, long value) {
        long pos = off, end = off + bits;
        while (pos < end) {
            int bi = (int) (pos >>> 3);
            int within = (int) (pos & 7);
            int n = (int) Math.min(8 - within, end - pos);
            int rest = (int) (end - pos - n);          // value bits still to write after these
            int chunk = (int) ((value >>> rest) & ((1 << n) - 1));
            int shift = 8 - within - n;
            int mask = ((1 << n) - 1) << shift;
            p[bi] = (byte) ((p[bi] & ~mask) | (chunk << shift));
            pos += n;
        }
    }

    /**
     * Overflow check of value + incr stored as an unsigned field of width bits (&lt;= 63).
     * value is taken as a 64-bit unsigned number (a negative SET value is a huge one).
     * Returns 0 when it fits, else 1 (overflow) or -1 (underflow) with the replacement value
     * for WRAP and SAT in {@code limit[0]}.
     */
    static int unsignedOverflow(long value, long incr, int bits, int policy, long[] limit) {
        long max = (1L << bits) - 1;
        long roomUp = max - value;
        long roomDown = -value;
        int r;
        if (Long.compareUnsigned(value, max) > 0 || (incr > 0 && incr > roomUp)) r = 1;
        else if (incr < 0 && incr < roomDown) r = -1;
        else return 0;
        if (policy == WRAP) limit[0] = (value + incr) & max;
        else if (policy == SAT) limit[0] = r > 0 ? max : 0;
        return r;
    }

    /** As {@link #unsignedOverflow} for a signed field of width bits (&lt;= 64). */
    static int signedOverflow(long value, long incr, int bits, int policy, long[] limit) {
        long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
        long min = -max - 1;
        // Both may wrap for 64-bit fields; they are only consulted where they cannot.
        long roomUp = max - value;
        long roomDown = min - value;
        int r;
        if (value > max || (bits != 64 && incr > roomUp) || (value >= 0 && incr > 0 && incr > roomUp)) r = 1;
        else if (value < min || (bits != 64 && incr < roomDown) || (value < 0 && incr < 0 && incr < roomDown)) r = -1;
        else return 0;
        if (policy == WRAP) {
            long sum = value + incr;
            if (bits < 64) sum = (sum << (64 - bits)) >> (64 - bits);
            limit[0] = sum;
        } else if (policy == SAT) {
            limit[0] = r > 0 ? max : min;
        }
        return r;
    }
}

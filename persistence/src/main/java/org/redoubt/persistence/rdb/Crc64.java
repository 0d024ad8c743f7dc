package org.redoubt.persistence.rdb;

/**
 * CRC-64/Jones as Redis computes it for RDB files and DUMP payloads: the polynomial
 * 0xad93d23594c935a9, bits processed least significant first (reflected), initial value 0 and no
 * final xor, so {@code update(0, "123456789")} is {@code 0xe9c6d914c4b8d9ca}. The checksum of a
 * stream may be computed piecewise: {@code update(update(0, a), b) == update(0, a + b)}.
 *
 * <h2>Implementation notes</h2>
 * Slicing-by-8: eight 256-entry tables, where {@code T[k][b]} is the CRC contribution of byte
 * {@code b} followed by {@code k} zero bytes. The main loop folds eight input bytes into the low
 * 64 bits of the register per step with one table lookup per byte, independent of each other, so
 * the CPU overlaps them; the tail is processed a byte at a time with {@code T[0]}. Tables are
 * built once per class load (16 KB).
 */
public final class Crc64 {
    private Crc64() {}

    /** The Jones polynomial, bit-reversed for the least-significant-bit-first algorithm. */
    private static final long POLY_REFLECTED = Long.reverse(0xad93d23594c935a9L);
    private static final long[][] T = new long[8][256];

    static {
        for (int b = 0; b < 256; b++) {
            long crc = b;
            for (int i = 0; i < 8; i++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ POLY_REFLECTED : crc >>> 1;
            }
            T[0][b] = crc;
        }
        for (int b = 0; b < 256; b++) {
            long crc = T[0][b];
            for (int k = 1; k < 8; k++) {
                crc = T[0][(int) crc & 0xff] ^ (crc >>> 8);
                T[k][b] = crc;
            }
        }
    }

    /** Continues {@code crc} over {@code b[off, off + len)}. */
    public static long update(long crc, byte[] b, int off, int len) {
        final long[] t0 = T[0], t1 = T[1], t2 = T[2], t3 = T[3], t4 = T[4], t5 = T[5], t6 = T[6], t7 = T[7];
        int i = off;
        final int end = off + len;
        for (int stop = end - 7; i < stop; i += 8) {
            long x = crc ^ ((b[i] & 0xffL) | (b[i + 1] & 0xffL) << 8 | (b[i + 2] & 0xffL) << 16
                | (b[i + 3] & 0xffL) << 24 | (b[i + 4] & 0xffL) << 32 | (b[i + 5] & 0xffL) << 40
                | (b[i + 6] & 0xffL) << 48 | (b[i + 7] & 0xffL) << 56);
            crc = t7[(int) x & 0xff] ^ t6[(int) (x >>> 8) & 0xff] ^ t5[(int) (x >>> 16) & 0xff]
                ^ t4[(int) (x >>> 24) & 0xff] ^ t3[(int) (x >>> 32) & 0xff] ^ t2[(int) (x >>> 40) & 0xff]
                ^ t1[(int) (x >>> 48) & 0xff] ^ t0[(int) (x >>> 56)];
        }
        for (; i < end; i++) {
            crc = t0[((int) crc ^ b[i]) & 0xff] ^ (crc >>> 8);
        }
        return crc;
    }

    public static long of(byte[] b) {
        return update(0, b, 0, b.length);
    }

    public static long of(byte[] b, int off, int len) {
        return update(0, b, off, len);
    }
}

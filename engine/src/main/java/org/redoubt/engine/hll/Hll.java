package org.redoubt.engine.hll;

import org.redoubt.engine.geo.LibM;
import org.redoubt.engine.info.MemoryEstimator;
import org.redoubt.engine.type.Sds;

/**
 * Redis's HyperLogLog representation (hyperloglog.c), byte for byte, so that an HLL string moves
 * between Redoubt and Redis with GET/SET and PFCOUNT answers the same number for the same inputs.
 *
 * <h2>Layout</h2>
 * A 16-byte header: "HYLL", the encoding byte (0 dense, 1 sparse), three zero bytes, then the
 * cached cardinality as 8 little-endian bytes whose most significant bit set means "stale".
 * After it the registers: 16384 registers of 6 bits each. Dense packs them LSB-first into
 * 12288 bytes (register i starts at bit 6*i). Sparse is a run-length code of opcodes:
 * {@code 00xxxxxx} ZERO (1..64 zero registers), {@code 01xxxxxx yyyyyyyy} XZERO (1..16384 zero
 * registers), {@code 1vvvvvxx} VAL (1..4 registers of value 1..32).
 *
 * <h2>Invariants</h2>
 * A value the commands accept ({@link #isValid}) has the magic, an encoding of 0 or 1 and, when
 * dense, exactly {@link #DENSE_SIZE} bytes. A sparse body may still be corrupt (wrong register
 * total, runs past the end): every walker bounds its indices and reports corruption instead of
 * reading or writing outside the registers, so a hostile string can never hurt the server.
 */
public final class Hll {
    private Hll() {}

    public static final int P = 14;
    public static final int Q = 64 - P;
    public static final int REGISTERS = 1 << P;
    private static final int P_MASK = REGISTERS - 1;
    public static final int BITS = 6;
    public static final int REGISTER_MAX = (1 << BITS) - 1;
    public static final int HDR_SIZE = 16;
    public static final int DENSE_SIZE = HDR_SIZE + (REGISTERS * BITS + 7) / 8;
    public static final int DENSE = 0, SPARSE = 1;
    private static final int MAX_ENCODING = 1;
    private static final long SEED = 0xadc83b19L;
    /** 0.5 / ln(2): the bias constant of the estimator as the register count tends to infinity. */
    private static final double ALPHA_INF = 0.721347520444481703680;

    static final int SPARSE_VAL_MAX_VALUE = 32;
    static final int SPARSE_VAL_MAX_LEN = 4;
    static final int SPARSE_ZERO_MAX_LEN = 64;
    static final int SPARSE_XZERO_MAX_LEN = 16384;

    // =====================================================================================
    // Hashing
    // =====================================================================================

    /**
     * MurmurHash2 64-bit (MurmurHash64A) with 8-byte blocks read little endian, as Redis's
     * endian-neutral variant.
     */
    public static long murmur64a(byte[] key, int off, int len, long seed) {
        final long m = 0xc6a4a7935bd1e995L;
        final int r = 47;
        long h = (seed & 0xffffffffL) ^ (len * m);
        int i = off, blockEnd = off + (len & ~7);
        while (i < blockEnd) {
            long k = (key[i] & 0xffL) | (key[i + 1] & 0xffL) << 8 | (key[i + 2] & 0xffL) << 16
                | (key[i + 3] & 0xffL) << 24 | (key[i + 4] & 0xffL) << 32 | (key[i + 5] & 0xffL) << 40
                | (key[i + 6] & 0xffL) << 48 | (key[i + 7] & 0xffL) << 56;
            k *= m;
            k ^= k >>> r;
            k *= m;
            h ^= k;
            h *= m;
            i += 8;
        }
        int rest = len & 7;
        if (rest != 0) {
            for (int j = rest - 1; j >= 0; j--) h ^= (key[i + j] & 0xffL) << (8 * j);
            h *= m;
        }
        h ^= h >>> r;
        h *= m;
        h ^= h >>> r;
        return h;
    }

    /**
     * The register an element maps to and the length of its "00..1" pattern, packed as
     * {@code count << P | index}: the low P hash bits pick the register, the position of the
     * first set bit among the remaining Q bits (1-based, at most Q+1) is the count.
     */
    public static int patLen(byte[] ele, int off, int len) {
        long hash = murmur64a(ele, off, len, SEED);
        int index = (int) (hash & P_MASK);
        hash >>>= P;
        hash |= 1L << Q;
        int count = Long.numberOfTrailingZeros(hash) + 1;
        return count << P | index;
    }

    // =====================================================================================
    // Header
    // =====================================================================================

    /** isHLLObjectOrReply's checks on a string value's bytes [0, len). */
    public static boolean isValid(byte[] b, int len) {
        if (len < HDR_SIZE) return false;
        if (b[0] != 'H' || b[1] != 'Y' || b[2] != 'L' || b[3] != 'L') return false;
        int enc = b[4] & 0xff;
        if (enc > MAX_ENCODING) return false;
        return enc != DENSE || len == DENSE_SIZE;
    }

    public static int encoding(byte[] b) { return b[4] & 0xff; }

    public static boolean validCache(byte[] b) { return (b[15] & 0x80) == 0; }

    public static void invalidateCache(byte[] b) { b[15] |= (byte) 0x80; }

    public static long cachedCard(byte[] b) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = v << 8 | (b[8 + i] & 0xffL);
        return v;
    }

    public static void setCachedCard(byte[] b, long card) {
        for (int i = 0; i < 8; i++) b[8 + i] = (byte) (card >>> (8 * i));
    }

    /**
     * sdsMakeRoomFor as Redis grows the sparse string (greedy: double the needed length below
     * 1 MB, rounded up to the allocator's size class), so that the string's spare room, and
     * with it MEMORY USAGE, evolves as Redis's.
     */
    static void makeRoomFor(Sds s, int addlen) {
        if (s.buf.length - s.len >= addlen) return;
        long newlen = (long) s.len + addlen;
        if (newlen < (1 << 20)) newlen *= 2;
        else newlen += 1 << 20;
        int hdr = newlen < 256 ? 3 : newlen < 65536 ? 5 : 9;
        long usable = MemoryEstimator.mallocSize(hdr + newlen + 1) - hdr - 1;
        long max = hdr == 3 ? 255 : hdr == 5 ? 65535 : Integer.MAX_VALUE - 16;
        if (usable > max) usable = max;
        s.buf = java.util.Arrays.copyOf(s.buf, (int) usable);
    }

    /** The capacity sdsnewlen gives a string of len bytes (a type-5 header has no spare room). */
    static int rawCapacity(int len) {
        if (len < 32) return len;
        int hdr = len < 256 ? 3 : len < 65536 ? 5 : 9;
        long usable = MemoryEstimator.mallocSize(hdr + (long) len + 1) - hdr - 1;
        long max = hdr == 3 ? 255 : hdr == 5 ? 65535 : Integer.MAX_VALUE - 16;
        return (int) Math.min(usable, max);
    }

    /**
     * The sds capacity Redis's string has when a value written whole (SET) is first modified:
     * an embedded string (up to 44 bytes) is copied into a fresh raw string; a longer one is
     * the argument's raw string, whose spare room SET trimmed away when above a tenth.
     */
    public static int capacityAfterSet(int len) {
        int usable = rawCapacity(len);
        if (len <= 44) return usable;
        return usable - len > len / 10 ? len : usable;
    }

    /** A new empty HLL: sparse, registers all zero as one XZERO opcode, cache valid at 0. */
    public static Sds create(long epoch) {
        int n = HDR_SIZE + ((REGISTERS + SPARSE_XZERO_MAX_LEN - 1) / SPARSE_XZERO_MAX_LEN) * 2;
        // Exactly sized, as sdsnewlen makes it (no spare room).
        byte[] b = new byte[n];
        b[0] = 'H';
        b[1] = 'Y';
        b[2] = 'L';
        b[3] = 'L';
        b[4] = SPARSE;
        int p = HDR_SIZE;
        for (int left = REGISTERS; left > 0; ) {
            int run = Math.min(left, SPARSE_XZERO_MAX_LEN);
            p = putXZero(b, p, run);
            left -= run;
        }
        return new Sds(b, n, epoch);
    }

    // =====================================================================================
    // Dense registers (register i at bits [6i, 6i+6) of the body, LSB first)
    // =====================================================================================

    /** Register i of a dense body starting at {@code base}; the body is 12288 bytes long. */
    public static int denseGet(byte[] b, int base, int i) {
        int bit = i * BITS;
        int at = base + (bit >>> 3), fb = bit & 7;
        int b0 = b[at] & 0xff;
        // Only the last register's run ends inside its byte; never look past the body.
        int b1 = fb > 2 ? b[at + 1] & 0xff : 0;
        return ((b0 >>> fb) | (b1 << (8 - fb))) & REGISTER_MAX;
    }

    public static void denseSet(byte[] b, int base, int i, int val) {
        int bit = i * BITS;
        int at = base + (bit >>> 3), fb = bit & 7;
        b[at] = (byte) ((b[at] & ~(REGISTER_MAX << fb)) | (val << fb));
        if (fb > 2) {
            int sh = 8 - fb;
            b[at + 1] = (byte) ((b[at + 1] & ~(REGISTER_MAX >>> sh)) | (val >>> sh));
        }
    }

    /** hllDenseSet: raise register i to count if it is lower; true when it changed. */
    static boolean denseRaise(byte[] b, int i, int count) {
        if (count > denseGet(b, HDR_SIZE, i)) {
            denseSet(b, HDR_SIZE, i, count);
            return true;
        }
        return false;
    }

    private static void denseHisto(byte[] b, int[] histo) {
        int p = HDR_SIZE;
        // 4 registers per 3 bytes.
        for (int j = 0; j < REGISTERS / 4; j++) {
            int b0 = b[p] & 0xff, b1 = b[p + 1] & 0xff, b2 = b[p + 2] & 0xff;
            histo[b0 & 63]++;
            histo[(b0 >>> 6 | b1 << 2) & 63]++;
            histo[(b1 >>> 4 | b2 << 4) & 63]++;
            histo[b2 >>> 2]++;
            p += 3;
        }
    }

    // =====================================================================================
    // Sparse opcodes
    // =====================================================================================

    static boolean isZero(int op) { return (op & 0xc0) == 0; }

    static boolean isXZero(int op) { return (op & 0xc0) == 0x40; }

    static boolean isVal(int op) { return (op & 0x80) != 0; }

    static int zeroLen(int op) { return (op & 0x3f) + 1; }

    static int xzeroLen(int op, int next) { return ((op & 0x3f) << 8 | next) + 1; }

    static int valValue(int op) { return ((op >>> 2) & 0x1f) + 1; }

    static int valLen(int op) { return (op & 3) + 1; }

    static byte valOp(int val, int len) { return (byte) ((val - 1) << 2 | (len - 1) | 0x80); }

    private static int putXZero(byte[] b, int p, int len) {
        int l = len - 1;
        b[p] = (byte) (l >>> 8 | 0x40);
        b[p + 1] = (byte) l;
        return p + 2;
    }

    /** Writes a ZERO or XZERO run of len registers at p; returns the next position. */
    private static int putZeros(byte[] b, int p, int len) {
        if (len > SPARSE_ZERO_MAX_LEN) return putXZero(b, p, len);
        b[p] = (byte) (len - 1);
        return p + 1;
    }

    /**
     * hllSparseToDense: rewrites s in the dense encoding (header and cached cardinality kept).
     * False, with s untouched, when the sparse body does not describe exactly 16384 registers.
     */
    public static boolean sparseToDense(Sds s) {
        byte[] sb = s.buf;
        if (encoding(sb) == DENSE) return true;
        byte[] d = new byte[DENSE_SIZE];
        System.arraycopy(sb, 0, d, 0, HDR_SIZE);
        d[4] = DENSE;
        long idx = 0;
        int p = HDR_SIZE, end = s.len;
        while (p < end) {
            int op = sb[p] & 0xff;
            if (isZero(op)) {
                idx += zeroLen(op);
                p++;
            } else if (isXZero(op)) {
                // A truncated XZERO reads the byte past the end as Redis reads the terminator.
                idx += xzeroLen(op, p + 1 < end ? sb[p + 1] & 0xff : 0);
                p += 2;
            } else {
                int run = valLen(op), val = valValue(op);
                // Registers past the 16384th: corrupt (as Redis with the CVE-2025-32023 fix).
                if (idx + run > REGISTERS) return false;
                for (int k = 0; k < run; k++) denseSet(d, HDR_SIZE, (int) idx++, val);
                p++;
            }
        }
        if (idx != REGISTERS) return false;
        s.buf = d;
        s.len = DENSE_SIZE;
        return true;
    }

    /**
     * hllSparseSet: raises register index to count in a sparse HLL, splitting the opcode that
     * covers it and merging equal neighbours afterwards. Promotes s to dense when count does
     * not fit a VAL opcode or the body would grow past maxBytes.
     *
     * @return 1 when the register changed, 0 when it already was at least count, -1 when the
     *         sparse body is corrupt
     */
    static int sparseSet(Sds s, int index, int count, long maxBytes) {
        if (count > SPARSE_VAL_MAX_VALUE) return promote(s, index, count);
        // A split turns one opcode into at most three (XZERO -> XZERO VAL XZERO): 3 more bytes.
        makeRoomFor(s, 3);
        byte[] b = s.buf;
        int sparse = HDR_SIZE, end = s.len;
        int p = sparse, prev = -1;
        long first = 0, span = 0;
        while (p < end) {
            int op = b[p] & 0xff, oplen = 1;
            if (isZero(op)) {
                span = zeroLen(op);
            } else if (isVal(op)) {
                span = valLen(op);
            } else {
                // A truncated XZERO reads the byte past the end as Redis reads the terminator.
                span = xzeroLen(op, p + 1 < end ? b[p + 1] & 0xff : 0);
                oplen = 2;
            }
            if (index <= first + span - 1) break;
            prev = p;
            p += oplen;
            first += span;
        }
        if (span == 0 || p >= end) return -1;

        int op = b[p] & 0xff;
        boolean zero = isZero(op), xzero = isXZero(op), val = isVal(op);
        int next = xzero ? p + 2 : p + 1;
        if (next >= end) next = -1;
        long runlen = zero ? zeroLen(op) : xzero ? xzeroLen(op, p + 1 < end ? b[p + 1] & 0xff : 0) : valLen(op);

        if (val) {
            if (valValue(op) >= count) return 0;
            if (runlen == 1) {
                b[p] = valOp(count, 1);
                return mergeAndInvalidate(s, prev, sparse);
            }
        }
        if (zero && runlen == 1) {
            b[p] = valOp(count, 1);
            return mergeAndInvalidate(s, prev, sparse);
        }

        // General case: replace the opcode at p by the up to three opcodes of its split.
        byte[] seq = new byte[5];
        int n = 0;
        long last = first + span - 1;
        if (zero || xzero) {
            if (index != first) n = putZeros(seq, n, (int) (index - first));
            seq[n++] = valOp(count, 1);
            if (index != last) n = putZeros(seq, n, (int) (last - index));
        } else {
            int cur = valValue(op);
            if (index != first) seq[n++] = valOp(cur, (int) (index - first));
            seq[n++] = valOp(count, 1);
            if (index != last) seq[n++] = valOp(cur, (int) (last - index));
        }
        int oldlen = xzero ? 2 : 1;
        int delta = n - oldlen;
        if (delta > 0 && (long) s.len + delta > maxBytes) return promote(s, index, count);
        if (delta != 0 && next >= 0) System.arraycopy(b, next, b, next + delta, end - next);
        s.len += delta;
        // Only a corrupt XZERO cut by the end writes past the room made above (Redis writes
        // into its spare bytes); never outside the array.
        if (p + n > b.length) s.buf = b = java.util.Arrays.copyOf(b, p + n);
        System.arraycopy(seq, 0, b, p, n);
        return mergeAndInvalidate(s, prev, sparse);
    }

    /** Step 4 of hllSparseSet: merge adjacent equal VAL opcodes near the change, stale the cache. */
    private static int mergeAndInvalidate(Sds s, int prev, int sparse) {
        byte[] b = s.buf;
        int end = s.len;
        int p = prev >= 0 ? prev : sparse;
        int scan = 5;
        while (p < end && scan-- > 0) {
            int op = b[p] & 0xff;
            if (isXZero(op)) {
                p += 2;
                continue;
            } else if (isZero(op)) {
                p++;
                continue;
            }
            if (p + 1 < end && isVal(b[p + 1] & 0xff)) {
                int v1 = valValue(op), v2 = valValue(b[p + 1] & 0xff);
                if (v1 == v2) {
                    int len = valLen(op) + valLen(b[p + 1] & 0xff);
                    if (len <= SPARSE_VAL_MAX_LEN) {
                        b[p + 1] = valOp(v1, len);
                        System.arraycopy(b, p + 1, b, p, end - p - 1);
                        end--;
                        s.len = end;
                        continue;
                    }
                }
            }
            p++;
        }
        invalidateCache(b);
        return 1;
    }

    private static int promote(Sds s, int index, int count) {
        if (!sparseToDense(s)) return -1;
        // The conversion keeps every register, and this one needed to grow: it changes.
        denseRaise(s.buf, index, count);
        return 1;
    }

    // =====================================================================================
    // Operations
    // =====================================================================================

    /** hllAdd: 1 when a register changed, 0 when not, -1 when the HLL is corrupt. */
    public static int add(Sds s, byte[] ele, int off, int len, long sparseMaxBytes) {
        int pl = patLen(ele, off, len);
        return set(s, pl & P_MASK, pl >>> P, sparseMaxBytes);
    }

    /** Raises register index to count in either encoding: 1 changed, 0 not, -1 corrupt. */
    public static int set(Sds s, int index, int count, long sparseMaxBytes) {
        return switch (encoding(s.buf)) {
            case DENSE -> denseRaise(s.buf, index, count) ? 1 : 0;
            case SPARSE -> sparseSet(s, index, count, sparseMaxBytes);
            default -> -1;
        };
    }

    /**
     * hllMerge: max[i] = max(max[i], register i) over a valid HLL's bytes [0, len). False when a
     * sparse body is corrupt, including a value run past the last register, which Redis with
     * the CVE-2025-32023 fix (Debian's 7.0.15) rejects (max may then be partly updated).
     */
    public static boolean merge(byte[] max, byte[] b, int len) {
        if (encoding(b) == DENSE) {
            for (int i = 0; i < REGISTERS; i++) {
                int v = denseGet(b, HDR_SIZE, i);
                if (v > max[i]) max[i] = (byte) v;
            }
            return true;
        }
        long i = 0;
        int p = HDR_SIZE;
        while (p < len) {
            int op = b[p] & 0xff;
            if (isZero(op)) {
                i += zeroLen(op);
                p++;
            } else if (isXZero(op)) {
                i += xzeroLen(op, p + 1 < len ? b[p + 1] & 0xff : 0);
                p += 2;
            } else {
                int run = valLen(op), val = valValue(op);
                if (run + i > REGISTERS) return false;
                for (int k = 0; k < run; k++, i++) if (val > max[(int) i]) max[(int) i] = (byte) val;
                p++;
            }
        }
        return i == REGISTERS;
    }

    /**
     * hllCount of a valid HLL's bytes [0, len): the estimate, or -1 when a sparse body does not
     * describe exactly 16384 registers.
     */
    public static long count(byte[] b, int len) {
        int[] histo = new int[64];
        if (encoding(b) == DENSE) {
            denseHisto(b, histo);
        } else {
            long idx = 0;
            int p = HDR_SIZE;
            while (p < len) {
                int op = b[p] & 0xff;
                if (isZero(op)) {
                    int run = zeroLen(op);
                    idx += run;
                    histo[0] += run;
                    p++;
                } else if (isXZero(op)) {
                    int run = xzeroLen(op, p + 1 < len ? b[p + 1] & 0xff : 0);
                    idx += run;
                    histo[0] += run;
                    p += 2;
                } else {
                    int run = valLen(op);
                    idx += run;
                    histo[valValue(op)] += run;
                    p++;
                }
            }
            if (idx != REGISTERS) return -1;
        }
        return estimate(histo);
    }

    /** hllCount of 16384 one-byte registers (PFCOUNT of several keys, PFSELFTEST). */
    public static long countRaw(byte[] regs) {
        int[] histo = new int[64];
        for (int i = 0; i < REGISTERS; i++) histo[regs[i] & 63]++;
        return estimate(histo);
    }

    /**
     * Ertl's improved estimator ("New cardinality estimation algorithms for HyperLogLog
     * sketches", arXiv:1702.01284) from the register histogram, evaluated in the same order of
     * double operations as Redis so results are identical.
     */
    static long estimate(int[] histo) {
        double m = REGISTERS;
        double z = m * tau((m - histo[Q + 1]) / m);
        for (int j = Q; j >= 1; --j) {
            z += histo[j];
            z *= 0.5;
        }
        z += m * sigma(histo[0] / m);
        double e = ALPHA_INF * m * m / z;
        // llroundl: half away from zero; e is never negative.
        if (!(e < 0x1p62)) return e != e ? 0 : Long.MAX_VALUE;
        long f = (long) e;
        return e - f >= 0.5 ? f + 1 : f;
    }

    static double sigma(double x) {
        if (x == 1.) return Double.POSITIVE_INFINITY;
        double zPrime;
        double y = 1;
        double z = x;
        do {
            x *= x;
            zPrime = z;
            z += x * y;
            y += y;
        } while (zPrime != z);
        return z;
    }

    static double tau(double x) {
        if (x == 0. || x == 1.) return 0.;
        double zPrime;
        double y = 1.0;
        double z = 1 - x;
        do {
            x = Math.sqrt(x);
            zPrime = z;
            y *= 0.5;
            z -= LibM.pow(1 - x, 2) * y;
        } while (zPrime != z);
        return z / 3;
    }

    /** PFDEBUG DECODE's text of a sparse body: "z:N", "Z:N", "v:VAL,LEN" joined by spaces. */
    public static String decode(byte[] b, int len) {
        StringBuilder sb = new StringBuilder();
        int p = HDR_SIZE;
        while (p < len) {
            int op = b[p] & 0xff;
            if (sb.length() > 0) sb.append(' ');
            if (isZero(op)) {
                sb.append("z:").append(zeroLen(op));
                p++;
            } else if (isXZero(op)) {
                sb.append("Z:").append(xzeroLen(op, p + 1 < len ? b[p + 1] & 0xff : 0));
                p += 2;
            } else {
                sb.append("v:").append(valValue(op)).append(',').append(valLen(op));
                p++;
            }
        }
        return sb.toString();
    }
}

package org.redoubt.persistence.rdb;

/**
 * LZF compression in the stream format Redis uses for RDB strings (liblzf's format; this is an
 * independent implementation). A compressed stream is a sequence of items, each introduced by a
 * control byte {@code c}:
 * <ul>
 *   <li>{@code c < 32}: a literal run, the next {@code c + 1} bytes are copied as they are;</li>
 *   <li>otherwise a back-reference: {@code len = c >> 5} (when 7, one more byte is added to it),
 *       then one byte {@code lo}; it copies {@code len + 2} bytes starting
 *       {@code ((c & 31) << 8 | lo) + 1} bytes back in the output (the source may overlap the
 *       bytes being produced, which repeats a short pattern).</li>
 * </ul>
 * So a reference covers 3..264 bytes at a distance of 1..8192.
 *
 * <h2>Implementation notes</h2>
 * The compressor is greedy: a hash table indexed by the next three input bytes remembers the
 * last position where each triple was seen; a candidate within reach whose three bytes really
 * match becomes a reference, extended as far as it goes. Positions inside a match are hashed
 * too, which costs a little speed for a noticeably better ratio on repetitive data. The table is
 * owned by the instance (one per saver thread), so {@link #compress} allocates nothing and, as it
 * is never cleared, costs nothing per call beyond the input's length.
 */
public final class Lzf {
    private static final int HASH_BITS = 14;
    private static final int MAX_LITERAL = 32;
    private static final int MAX_OFFSET = 1 << 13;
    private static final int MAX_REF = (1 << 8) + (1 << 3);

    /** Position + 1 of the last occurrence of each hashed triple; 0 means none. */
    private final int[] table = new int[1 << HASH_BITS];

    private static int hash(byte[] in, int p) {
        int v = (in[p] & 0xff) << 16 | (in[p + 1] & 0xff) << 8 | (in[p + 2] & 0xff);
        return (v * 0x9E3779B1) >>> (32 - HASH_BITS);
    }

    /**
     * Compresses {@code in[inOff, inOff + inLen)} into {@code out[outOff, outOff + outLen)}.
     * Returns the compressed length, or 0 when the result would not fit in {@code outLen} bytes
     * (the caller then stores the data uncompressed).
     */
    public int compress(byte[] in, int inOff, int inLen, byte[] out, int outOff, int outLen) {
        if (inLen == 0) return 0;
        // The table is never cleared: an entry left by an earlier input is only a candidate,
        // used when it lies before ip and its bytes really match, so it stays correct.
        final int[] htab = table;
        final int inEnd = inOff + inLen;
        final int outEnd = outOff + outLen;
        int ip = inOff;
        int op = outOff;
        int lit = 0;
        // op always points past the bytes of the open literal run; its control byte sits at op - lit - 1.
        if (op >= outEnd) return 0;
        op++;
        while (ip + 2 < inEnd) {
            int h = hash(in, ip);
            int ref = htab[h] - 1 + inOff;
            htab[h] = ip - inOff + 1;
            int off = ip - ref - 1;
            if (ref >= inOff && off >= 0 && off < MAX_OFFSET
                && in[ref] == in[ip] && in[ref + 1] == in[ip + 1] && in[ref + 2] == in[ip + 2]) {
                int max = Math.min(MAX_REF, inEnd - ip);
                int len = 3;
                while (len < max && in[ref + len] == in[ip + len]) len++;
                // Close the literal run (or take back its unused control byte).
                if (lit > 0) out[op - lit - 1] = (byte) (lit - 1);
                else op--;
                int l = len - 2;
                // Reference (2 or 3 bytes) plus the control byte of the next literal run.
                if (op + (l < 7 ? 2 : 3) + 1 > outEnd) return 0;
                if (l < 7) {
                    out[op++] = (byte) ((off >>> 8) + (l << 5));
                } else {
                    out[op++] = (byte) ((off >>> 8) + (7 << 5));
                    out[op++] = (byte) (l - 7);
                }
                out[op++] = (byte) off;
                lit = 0;
                op++;
                int next = ip + len;
                for (int p = ip + 1; p < next && p + 2 < inEnd; p++) htab[hash(in, p)] = p - inOff + 1;
                ip = next;
                continue;
            }
            if (op >= outEnd) return 0;
            out[op++] = in[ip++];
            if (++lit == MAX_LITERAL) {
                out[op - lit - 1] = (byte) (MAX_LITERAL - 1);
                lit = 0;
                if (op >= outEnd) return 0;
                op++;
            }
        }
        while (ip < inEnd) {
            if (op >= outEnd) return 0;
            out[op++] = in[ip++];
            if (++lit == MAX_LITERAL) {
                out[op - lit - 1] = (byte) (MAX_LITERAL - 1);
                lit = 0;
                if (op >= outEnd && ip < inEnd) return 0;
                op++;
            }
        }
        if (lit > 0) out[op - lit - 1] = (byte) (lit - 1);
        else op--;
        return op - outOff;
    }

    /**
     * Decompresses {@code in[inOff, inOff + inLen)} into {@code out[outOff, outOff + outLen)}.
     * Returns the number of bytes produced, or -1 when the input is malformed or would produce
     * more than {@code outLen} bytes.
     */
    public static int decompress(byte[] in, int inOff, int inLen, byte[] out, int outOff, int outLen) {
        int ip = inOff;
        final int inEnd = inOff + inLen;
        int op = outOff;
        final int outEnd = outOff + outLen;
        while (ip < inEnd) {
            int c = in[ip++] & 0xff;
            if (c < 32) {
                int n = c + 1;
                if (ip + n > inEnd || op + n > outEnd) return -1;
                System.arraycopy(in, ip, out, op, n);
                ip += n;
                op += n;
            } else {
                int len = c >>> 5;
                if (len == 7) {
                    if (ip >= inEnd) return -1;
                    len += in[ip++] & 0xff;
                }
                if (ip >= inEnd) return -1;
                int ref = op - ((c & 0x1f) << 8) - (in[ip++] & 0xff) - 1;
                len += 2;
                if (ref < outOff || op + len > outEnd) return -1;
                if (ref + len <= op) {
                    System.arraycopy(out, ref, out, op, len);
                    op += len;
                } else {
                    // Overlapping copy: the pattern repeats, byte by byte.
                    for (int k = 0; k < len; k++) out[op++] = out[ref++];
                }
            }
        }
        return op - outOff;
    }
}

package org.redoubt.persistence.aof;

import java.util.Arrays;

/**
 * A growable byte buffer of commands in the AOF's RESP form ({@code *argc\r\n} then one
 * {@code $len\r\n<bytes>\r\n} per argument). Not thread-safe: the engine thread fills one, then
 * hands the bytes over ({@link #take}) to the writer, which owns them from then on.
 */
final class AofBuffer {
    private byte[] buf;
    private int len;

    AofBuffer(int capacity) {
        buf = new byte[Math.max(64, capacity)];
    }

    int length() { return len; }

    boolean isEmpty() { return len == 0; }

    byte[] array() { return buf; }

    void clear() { len = 0; }

    /**
     * Hands the content over as an array of exactly its length (the taker owns it) and starts
     * empty, keeping this buffer's array: a batch costs one allocation of its own size. An array
     * grown past 1 MB by a burst is not kept.
     */
    byte[] take() {
        byte[] b = Arrays.copyOf(buf, len);
        if (buf.length > 1 << 20) buf = new byte[1 << 16];
        len = 0;
        return b;
    }

    private void ensure(int extra) {
        int need = len + extra;
        if (need < 0) throw new IllegalStateException("AOF buffer over 2GB");
        if (need > buf.length) buf = Arrays.copyOf(buf, Math.max(need, buf.length << 1));
    }

    void write(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    void write(byte[] b) { write(b, 0, b.length); }

    void writeByte(int b) {
        ensure(1);
        buf[len++] = (byte) b;
    }

    /** {@code prefix<n>\r\n}, e.g. "*3\r\n" or "$5\r\n". */
    void header(char prefix, long n) {
        ensure(24);
        buf[len++] = (byte) prefix;
        len = writeLong(buf, len, n);
        buf[len++] = '\r';
        buf[len++] = '\n';
    }

    void bulk(byte[] b, int off, int n) {
        header('$', n);
        ensure(n + 2);
        System.arraycopy(b, off, buf, len, n);
        len += n;
        buf[len++] = '\r';
        buf[len++] = '\n';
    }

    void bulk(byte[] b) { bulk(b, 0, b.length); }

    void bulkLong(long v) {
        int n = decimalLength(v);
        header('$', n);
        ensure(n + 2);
        len = writeLong(buf, len, v);
        buf[len++] = '\r';
        buf[len++] = '\n';
    }

    static int decimalLength(long v) {
        if (v == Long.MIN_VALUE) return 20;
        int n = v < 0 ? 2 : 1;
        for (long t = Math.abs(v); t >= 10; t /= 10) n++;
        return n;
    }

    /** One command: argv[0..argc). */
    void command(byte[][] argv, int argc) {
        header('*', argc);
        for (int i = 0; i < argc; i++) bulk(argv[i]);
    }

    private static final byte[] SELECT_HEAD = "*2\r\n$6\r\nSELECT\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    void select(int db) {
        write(SELECT_HEAD);
        bulkLong(db);
    }

    /** Writes the decimal form of v at pos; returns the position after it. */
    static int writeLong(byte[] b, int pos, long v) {
        if (v == Long.MIN_VALUE) {
            byte[] s = Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            System.arraycopy(s, 0, b, pos, s.length);
            return pos + s.length;
        }
        if (v < 0) {
            b[pos++] = '-';
            v = -v;
        }
        int digits = 1;
        for (long t = v; t >= 10; t /= 10) digits++;
        int end = pos + digits;
        for (int i = end - 1; i >= pos; i--) {
            b[i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        return end;
    }
}

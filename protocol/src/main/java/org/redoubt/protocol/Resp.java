package org.redoubt.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Static RESP2/RESP3 reply encoders writing into a {@link ByteBuf}. None of them allocates
 * (except {@link #writeDouble} for non-integral values, which formats through {@link Numbers}).
 * The {@code resp} parameters take the protocol version negotiated with HELLO: 2 or 3.
 */
public final class Resp {
    private Resp() {}

    public static final int RESP2 = 2, RESP3 = 3;

    private static final short CRLF = ('\r' << 8) | '\n';
    private static final int CACHED = 1024;
    private static final byte[][] INT_HDR = new byte[CACHED][];
    private static final byte[][] BULK_HDR = new byte[CACHED][];
    private static final byte[][] ARRAY_HDR = new byte[CACHED][];
    /** {@code +OK\r\n} (shared: never modify). */
    public static final byte[] OK = bytes("+OK\r\n");
    private static final byte[] NULL_BULK = bytes("$-1\r\n");
    private static final byte[] NULL_ARRAY = bytes("*-1\r\n");
    private static final byte[] NULL3 = bytes("_\r\n");
    private static final byte[] INT_MINUS_ONE = bytes(":-1\r\n");
    private static final byte[] TRUE3 = bytes("#t\r\n");
    private static final byte[] FALSE3 = bytes("#f\r\n");
    private static final byte[] EMPTY_BULK = bytes("$0\r\n\r\n");

    static {
        for (int i = 0; i < CACHED; i++) {
            INT_HDR[i] = bytes(":" + i + "\r\n");
            BULK_HDR[i] = bytes("$" + i + "\r\n");
            ARRAY_HDR[i] = bytes("*" + i + "\r\n");
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Writes {@code prefix}, the decimal value and CRLF. */
    public static void writePrefixed(ByteBuf buf, byte prefix, long v) {
        int n = Numbers.stringSize(v);
        buf.ensureWritable(n + 3);
        int w = buf.writerIndex();
        buf.setByte(w, prefix);
        int p = w + 1 + n;
        boolean neg = v < 0;
        if (!neg) v = -v;
        do {
            long q = v / 10;
            buf.setByte(--p, (int) ('0' + (q * 10 - v)));
            v = q;
        } while (v != 0);
        if (neg) buf.setByte(--p, '-');
        buf.setShort(w + 1 + n, CRLF);
        buf.writerIndex(w + n + 3);
    }

    // ------------------------------------------------------------------ simple types

    /** {@code +OK\r\n} */
    public static void writeOk(ByteBuf buf) {
        buf.writeBytes(OK);
    }

    /** Status reply {@code +<s>\r\n}; s must not contain CR or LF. */
    public static void writeSimple(ByteBuf buf, byte[] s) {
        buf.ensureWritable(s.length + 3);
        buf.writeByte('+');
        buf.writeBytes(s);
        buf.writeShort(CRLF);
    }

    /** Status reply from an ASCII / ISO-8859-1 string (each char written as one byte). */
    public static void writeSimple(ByteBuf buf, String s) {
        buf.ensureWritable(s.length() + 3);
        buf.writeByte('+');
        buf.writeCharSequence(s, StandardCharsets.ISO_8859_1);
        buf.writeShort(CRLF);
    }

    /**
     * Error reply {@code -<msg>\r\n}. {@code msg} carries its code and no leading '-' (e.g.
     * "ERR unknown command"); each char is written as one byte (ISO-8859-1, so raw client bytes
     * decoded as ISO-8859-1 round-trip), and CR / LF are written as spaces so the reply stays
     * well-formed, as Redis's addReplyErrorFormat does.
     */
    public static void writeError(ByteBuf buf, String msg) {
        int n = msg.length();
        buf.ensureWritable(n + 3);
        buf.writeByte('-');
        int w = buf.writerIndex();
        for (int i = 0; i < n; i++) {
            char c = msg.charAt(i);
            buf.setByte(w + i, (c == '\r' || c == '\n') ? ' ' : c);
        }
        buf.writerIndex(w + n);
        buf.writeShort(CRLF);
    }

    /** Error reply from raw bytes (no leading '-'); CR / LF written as spaces. */
    public static void writeError(ByteBuf buf, byte[] msg) {
        buf.ensureWritable(msg.length + 3);
        buf.writeByte('-');
        int w = buf.writerIndex();
        for (int i = 0; i < msg.length; i++) {
            byte c = msg[i];
            buf.setByte(w + i, (c == '\r' || c == '\n') ? ' ' : c);
        }
        buf.writerIndex(w + msg.length);
        buf.writeShort(CRLF);
    }

    /** Integer reply {@code :<v>\r\n}. */
    public static void writeInteger(ByteBuf buf, long v) {
        if (v >= 0 && v < CACHED) buf.writeBytes(INT_HDR[(int) v]);
        else if (v == -1) buf.writeBytes(INT_MINUS_ONE);
        else writePrefixed(buf, (byte) ':', v);
    }

    // ------------------------------------------------------------------ bulk strings

    /** Bulk header {@code $<len>\r\n} alone (the caller writes the payload and CRLF). */
    public static void writeBulkHeader(ByteBuf buf, long len) {
        if (len >= 0 && len < CACHED) buf.writeBytes(BULK_HDR[(int) len]);
        else writePrefixed(buf, (byte) '$', len);
    }

    public static void writeBulk(ByteBuf buf, byte[] b) {
        writeBulk(buf, b, 0, b.length);
    }

    public static void writeBulk(ByteBuf buf, byte[] b, int off, int len) {
        if (len == 0) {
            buf.writeBytes(EMPTY_BULK);
            return;
        }
        buf.ensureWritable(len + 8 + Numbers.digits10(len));
        writeBulkHeader(buf, len);
        buf.writeBytes(b, off, len);
        buf.writeShort(CRLF);
    }

    /** Bulk string with the UTF-8 bytes of s. */
    public static void writeBulk(ByteBuf buf, String s) {
        writeBulk(buf, s.getBytes(StandardCharsets.UTF_8));
    }

    /** Bulk string holding the decimal text of v (Redis addReplyBulkLongLong). */
    public static void writeBulkLong(ByteBuf buf, long v) {
        int n = Numbers.stringSize(v);
        writeBulkHeader(buf, n);
        buf.ensureWritable(n + 2);
        int w = buf.writerIndex();
        buf.writerIndex(w + n);
        int p = w + n;
        boolean neg = v < 0;
        if (!neg) v = -v;
        do {
            long q = v / 10;
            buf.setByte(--p, (int) ('0' + (q * 10 - v)));
            v = q;
        } while (v != 0);
        if (neg) buf.setByte(--p, '-');
        buf.writeShort(CRLF);
    }

    /** Null reply: {@code $-1} in RESP2, {@code _} in RESP3 (Redis addReplyNull). */
    public static void writeNullBulk(ByteBuf buf, int resp) {
        buf.writeBytes(resp >= 3 ? NULL3 : NULL_BULK);
    }

    /** Null array: {@code *-1} in RESP2, {@code _} in RESP3 (Redis addReplyNullArray). */
    public static void writeNullArray(ByteBuf buf, int resp) {
        buf.writeBytes(resp >= 3 ? NULL3 : NULL_ARRAY);
    }

    // ------------------------------------------------------------------ aggregates

    public static void writeArrayHeader(ByteBuf buf, long n) {
        if (n >= 0 && n < CACHED) buf.writeBytes(ARRAY_HDR[(int) n]);
        else writePrefixed(buf, (byte) '*', n);
    }

    /** {@code %<n>} in RESP3; RESP2 flattens the n pairs: {@code *<2n>}. */
    public static void writeMapHeader(ByteBuf buf, long n, int resp) {
        if (resp >= 3) writePrefixed(buf, (byte) '%', n);
        else writeArrayHeader(buf, 2 * n);
    }

    /** {@code ~<n>} in RESP3, {@code *<n>} in RESP2. */
    public static void writeSetHeader(ByteBuf buf, long n, int resp) {
        if (resp >= 3) writePrefixed(buf, (byte) '~', n);
        else writeArrayHeader(buf, n);
    }

    /** {@code ><n>} in RESP3, {@code *<n>} in RESP2. */
    public static void writePushHeader(ByteBuf buf, long n, int resp) {
        if (resp >= 3) writePrefixed(buf, (byte) '>', n);
        else writeArrayHeader(buf, n);
    }

    /** RESP3 attribute header {@code |<n>} (n key/value pairs follow, then the reply). RESP3 only. */
    public static void writeAttributeHeader(ByteBuf buf, long n) {
        writePrefixed(buf, (byte) '|', n);
    }

    // ------------------------------------------------------------------ RESP3 scalars

    /**
     * Double reply like Redis 7.0 addReplyDouble: RESP3 {@code ,<%.17g>} ("inf", "-inf", "nan"),
     * RESP2 a bulk string with the same text.
     */
    public static void writeDouble(ByteBuf buf, double d, int resp) {
        if (resp < 3 && d == (long) d && Math.abs(d) < 1e17 && !(d == 0 && 1 / d < 0)) {
            writeBulkLong(buf, (long) d); // same text as %.17g for these, without allocating
            return;
        }
        String s = Numbers.formatDouble(d);
        if (resp >= 3) {
            buf.ensureWritable(s.length() + 3);
            buf.writeByte(',');
            buf.writeCharSequence(s, StandardCharsets.US_ASCII);
            buf.writeShort(CRLF);
        } else {
            writeBulkHeader(buf, s.length());
            buf.writeCharSequence(s, StandardCharsets.US_ASCII);
            buf.writeShort(CRLF);
        }
    }

    /**
     * A double already formatted (e.g. {@link Numbers.LongDouble#toHumanBytes()}, as Redis's
     * addReplyHumanLongDouble): RESP3 {@code ,<text>}, RESP2 bulk string.
     */
    public static void writeDoubleText(ByteBuf buf, byte[] text, int resp) {
        if (resp >= 3) {
            buf.ensureWritable(text.length + 3);
            buf.writeByte(',');
            buf.writeBytes(text);
            buf.writeShort(CRLF);
        } else {
            writeBulk(buf, text);
        }
    }

    /** RESP3 {@code #t}/{@code #f}; RESP2 {@code :1}/{@code :0}. */
    public static void writeBool(ByteBuf buf, boolean b, int resp) {
        if (resp >= 3) buf.writeBytes(b ? TRUE3 : FALSE3);
        else buf.writeBytes(INT_HDR[b ? 1 : 0]);
    }

    /** RESP3 {@code (<digits>}; RESP2 bulk string. */
    public static void writeBigNumber(ByteBuf buf, byte[] digits, int resp) {
        if (resp >= 3) {
            buf.ensureWritable(digits.length + 3);
            buf.writeByte('(');
            buf.writeBytes(digits);
            buf.writeShort(CRLF);
        } else {
            writeBulk(buf, digits);
        }
    }

    public static void writeBigNumber(ByteBuf buf, String digits, int resp) {
        writeBigNumber(buf, digits.getBytes(StandardCharsets.US_ASCII), resp);
    }

    /**
     * Verbatim string: RESP3 {@code =<len+4>\r\n<fmt>:<data>\r\n} where fmt is the first three
     * chars of {@code fmt} padded with spaces (Redis addReplyVerbatim); RESP2 plain bulk string.
     */
    public static void writeVerbatim(ByteBuf buf, String fmt, byte[] data, int resp) {
        if (resp < 3) {
            writeBulk(buf, data);
            return;
        }
        writePrefixed(buf, (byte) '=', data.length + 4L);
        buf.ensureWritable(data.length + 6);
        for (int i = 0; i < 3; i++) buf.writeByte(i < fmt.length() ? fmt.charAt(i) : ' ');
        buf.writeByte(':');
        buf.writeBytes(data);
        buf.writeShort(CRLF);
    }

    // ------------------------------------------------------------------ numbers (see Numbers)

    /** The ASCII decimal text of v; same as {@link Numbers#longToBytes}. */
    public static byte[] longToBytes(long v) {
        return Numbers.longToBytes(v);
    }

    /** string2ll parsing; same as {@link Numbers#parseLong(byte[], int, int)} (sentinel Long.MIN_VALUE). */
    public static long parseLong(byte[] b, int off, int len) {
        return Numbers.parseLong(b, off, len);
    }

    /** Whether b[off, off+len) is a valid string2ll integer; same as {@link Numbers#isLong(byte[], int, int)}. */
    public static boolean isLong(byte[] b, int off, int len) {
        return Numbers.isLong(b, off, len);
    }

    // ------------------------------------------------------------------ commands

    /** Encodes a command as a RESP multibulk (what clients send). */
    public static void writeCommand(ByteBuf buf, byte[]... args) {
        writeArrayHeader(buf, args.length);
        for (byte[] a : args) writeBulk(buf, a);
    }
}

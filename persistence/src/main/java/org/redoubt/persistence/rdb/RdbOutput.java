package org.redoubt.persistence.rdb;

import java.io.IOException;
import java.util.Arrays;
import org.redoubt.protocol.Numbers;

/**
 * The RDB primitives on the writing side (Redis's rdbSave* helpers): lengths, strings with
 * integer and LZF encodings, times, doubles. Bytes go to a buffer that is either kept whole
 * ({@link #toByteArray}, for DUMP payloads) or handed to a {@link Sink} in chunks (files,
 * sockets). A running CRC64 covers every byte written so far.
 *
 * <p>One instance per writer thread: it owns its buffer and LZF state and is not thread-safe.
 */
public final class RdbOutput {
    /** Where full chunks go. */
    public interface Sink {
        void write(byte[] b, int off, int len) throws IOException;
    }

    private static final int CHUNK = 64 * 1024;

    private final Sink sink;
    private byte[] buf;
    private int pos;
    /** Bytes of buf already folded into crc. */
    private int crcPos;
    private long crc;
    /** Bytes handed to the sink so far. */
    private long flushed;
    private final boolean compress;
    private final boolean checksum;
    private final Lzf lzf = new Lzf();
    private byte[] lzfOut = new byte[256];
    private final byte[] numBuf = new byte[24];

    /** An output kept in memory (DUMP payloads, tests). */
    public RdbOutput(boolean compress) {
        this(null, compress, true);
    }

    /**
     * @param sink receives the bytes chunk by chunk; null keeps everything in memory
     * @param compress rdbcompression: LZF for strings longer than 20 bytes when it pays
     * @param checksum rdbchecksum: when false {@link #crc} stays 0, which readers take as "no check"
     */
    public RdbOutput(Sink sink, boolean compress, boolean checksum) {
        this.sink = sink;
        this.compress = compress;
        this.checksum = checksum;
        this.buf = new byte[sink == null ? 256 : CHUNK];
    }

    /** Bytes written so far (the offset of the next byte). */
    public long position() { return flushed + pos; }

    // =====================================================================================
    // Raw bytes
    // =====================================================================================

    private void ensure(int n) throws IOException {
        if (pos + n <= buf.length) return;
        if (sink != null) {
            flush();
            if (n <= buf.length) return;
        }
        buf = Arrays.copyOf(buf, Math.max(pos + n, buf.length * 2));
    }

    public void writeByte(int b) throws IOException {
        if (pos == buf.length) ensure(1);
        buf[pos++] = (byte) b;
    }

    public void writeBytes(byte[] b, int off, int len) throws IOException {
        if (sink != null && len >= buf.length) {
            // Large blobs skip the buffer.
            flush();
            if (checksum) crc = Crc64.update(crc, b, off, len);
            sink.write(b, off, len);
            flushed += len;
            return;
        }
        ensure(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
    }

    public void writeBytes(byte[] b) throws IOException {
        writeBytes(b, 0, b.length);
    }

    /** Hands buffered bytes to the sink (no-op in memory mode). */
    public void flush() throws IOException {
        if (sink == null || pos == 0) return;
        foldCrc();
        sink.write(buf, 0, pos);
        flushed += pos;
        pos = 0;
        crcPos = 0;
    }

    private void foldCrc() {
        if (checksum && crcPos < pos) crc = Crc64.update(crc, buf, crcPos, pos - crcPos);
        crcPos = pos;
    }

    /** CRC64 of every byte written so far (0 with checksums disabled). */
    public long crc() {
        foldCrc();
        return crc;
    }

    /** Everything written, in memory mode. */
    public byte[] toByteArray() {
        if (sink != null) throw new IllegalStateException("streaming output");
        return Arrays.copyOf(buf, pos);
    }

    public void writeLongLE(long v) throws IOException {
        ensure(8);
        for (int i = 0; i < 8; i++) buf[pos++] = (byte) (v >>> (8 * i));
    }

    // =====================================================================================
    // RDB primitives
    // =====================================================================================

    public void writeType(int type) throws IOException {
        writeByte(type);
    }

    /** rdbSaveLen: 1, 2, 5 or 9 bytes. */
    public void writeLen(long len) throws IOException {
        ensure(9);
        byte[] b = buf;
        if (len >= 0 && len < (1 << 6)) {
            b[pos++] = (byte) len;
        } else if (len >= 0 && len < (1 << 14)) {
            b[pos++] = (byte) ((len >>> 8) | (Rdb.LEN_14BIT << 6));
            b[pos++] = (byte) len;
        } else if (len >= 0 && len <= 0xFFFFFFFFL) {
            b[pos++] = (byte) Rdb.LEN_32BIT;
            b[pos++] = (byte) (len >>> 24);
            b[pos++] = (byte) (len >>> 16);
            b[pos++] = (byte) (len >>> 8);
            b[pos++] = (byte) len;
        } else {
            b[pos++] = (byte) Rdb.LEN_64BIT;
            for (int i = 7; i >= 0; i--) b[pos++] = (byte) (len >>> (8 * i));
        }
    }

    /** Milliseconds (expire times, stream PEL times): 8 bytes little endian. */
    public void writeMillis(long t) throws IOException {
        writeLongLE(t);
    }

    /** rdbSaveBinaryDoubleValue: IEEE 754, little endian. */
    public void writeBinaryDouble(double d) throws IOException {
        writeLongLE(Double.doubleToRawLongBits(d));
    }

    /**
     * rdbEncodeInteger: the 2-, 3- or 5-byte form for values fitting 8, 16 or 32 signed bits;
     * false (nothing written) otherwise.
     */
    private boolean writeEncodedInt(long v) throws IOException {
        ensure(5);
        byte[] b = buf;
        if (v >= -(1 << 7) && v <= (1 << 7) - 1) {
            b[pos++] = (byte) ((Rdb.ENCVAL << 6) | Rdb.ENC_INT8);
            b[pos++] = (byte) v;
        } else if (v >= -(1 << 15) && v <= (1 << 15) - 1) {
            b[pos++] = (byte) ((Rdb.ENCVAL << 6) | Rdb.ENC_INT16);
            b[pos++] = (byte) v;
            b[pos++] = (byte) (v >>> 8);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            b[pos++] = (byte) ((Rdb.ENCVAL << 6) | Rdb.ENC_INT32);
            b[pos++] = (byte) v;
            b[pos++] = (byte) (v >>> 8);
            b[pos++] = (byte) (v >>> 16);
            b[pos++] = (byte) (v >>> 24);
        } else {
            return false;
        }
        return true;
    }

    /**
     * rdbSaveRawString: a string that is a canonical integer of at most 11 characters and fits 32
     * bits is integer-encoded; one longer than 20 bytes is LZF-compressed when compression is on
     * and saves at least 4 bytes; anything else is stored verbatim after its length.
     */
    public void writeString(byte[] s, int off, int len) throws IOException {
        if (len <= 11 && len > 0) {
            long v = Numbers.parseLong(s, off, len);
            if ((v != Numbers.NOT_A_LONG || Numbers.isLong(s, off, len)) && writeEncodedInt(v)) return;
        }
        if (compress && len > 20 && writeLzf(s, off, len)) return;
        writeLen(len);
        if (len > 0) writeBytes(s, off, len);
    }

    public void writeString(byte[] s) throws IOException {
        writeString(s, 0, s.length);
    }

    /** An ASCII string (AUX fields). */
    public void writeString(String s) throws IOException {
        writeString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** rdbSaveLongLongAsStringObject: the integer encodings, else its decimal text. */
    public void writeLongAsString(long v) throws IOException {
        if (writeEncodedInt(v)) return;
        int n = Numbers.stringSize(v);
        byte[] t = numBuf;
        long x = v;
        int i = n;
        if (x == Long.MIN_VALUE) {
            writeString(Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return;
        }
        boolean neg = x < 0;
        if (neg) x = -x;
        do {
            t[--i] = (byte) ('0' + x % 10);
            x /= 10;
        } while (x != 0);
        if (neg) t[--i] = '-';
        writeLen(n);
        writeBytes(t, 0, n);
    }

    /** rdbSaveLzfStringObject; false when compression does not save 4 bytes or more. */
    private boolean writeLzf(byte[] s, int off, int len) throws IOException {
        int outLen = len - 4;
        if (lzfOut.length < outLen) lzfOut = new byte[Math.max(outLen, lzfOut.length * 2)];
        int clen = lzf.compress(s, off, len, lzfOut, 0, outLen);
        if (clen == 0) return false;
        writeLzfBlob(lzfOut, 0, clen, len);
        // Do not pin a huge scratch buffer after one huge string.
        if (lzfOut.length > (1 << 20)) lzfOut = new byte[256];
        return true;
    }

    /** rdbSaveLzfBlob: an already compressed string. */
    public void writeLzfBlob(byte[] c, int off, int clen, int originalLen) throws IOException {
        writeByte((Rdb.ENCVAL << 6) | Rdb.ENC_LZF);
        writeLen(clen);
        writeLen(originalLen);
        writeBytes(c, off, clen);
    }

    /** rdbSaveDoubleValue (RDB_TYPE_ZSET, old format): length byte then "%.17g" text. */
    public void writeTextDouble(double d) throws IOException {
        if (Double.isNaN(d)) {
            writeByte(253);
        } else if (Double.isInfinite(d)) {
            writeByte(d < 0 ? 255 : 254);
        } else {
            byte[] t = (d == (long) d && Math.abs(d) < 1e17 ? Long.toString((long) d) : Numbers.formatDouble(d))
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            writeByte(t.length);
            writeBytes(t);
        }
    }
}

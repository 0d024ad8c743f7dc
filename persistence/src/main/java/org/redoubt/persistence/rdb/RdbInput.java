package org.redoubt.persistence.rdb;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.redoubt.persistence.rdb.RdbException.Kind;
import org.redoubt.protocol.Numbers;

/**
 * The RDB primitives on the reading side (Redis's rdbLoad* helpers), over a stream or a byte
 * array, keeping the absolute offset (for error messages) and a running CRC64 of every byte
 * consumed (for the checksum at the end of a file).
 *
 * <p>Errors are {@link RdbException}s carrying the offset where reading stopped: a premature end
 * is {@link Kind#SHORT_READ}, an impossible encoding {@link Kind#CORRUPT}. When the total length
 * is known (files, payloads) a length prefix pointing past the end is reported before anything is
 * allocated for it, so a corrupted length cannot exhaust the heap.
 *
 * <p>Not thread-safe; one reader per input.
 */
public final class RdbInput {
    /** Told about progress every {@code interval} bytes (loading_* fields of INFO). */
    public interface Progress {
        void at(long offset) throws IOException;
    }

    private static final int CHUNK = 64 * 1024;

    private final InputStream in;
    private byte[] buf;
    private int pos;
    private int lim;
    /** Absolute offset of buf[0]. */
    private long base;
    /** Bytes of buf before this index are folded into crc. */
    private int crcPos;
    private long crc;
    /** Total length of the input when known, else -1. */
    private final long length;
    private Progress progress;
    private long progressInterval;
    private long nextProgress = Long.MAX_VALUE;

    /** Reads {@code length} bytes (or until EOF when -1) from a stream. */
    public RdbInput(InputStream in, long length) {
        this.in = in;
        this.buf = new byte[CHUNK];
        this.length = length;
    }

    /** Reads {@code b[off, off + len)}; offsets are relative to {@code off}. */
    public RdbInput(byte[] b, int off, int len) {
        this.in = null;
        this.buf = b;
        this.pos = off;
        this.lim = off + len;
        this.crcPos = off;
        this.base = -off;
        this.length = len;
    }

    public RdbInput(byte[] b) {
        this(b, 0, b.length);
    }

    public void setProgress(Progress p, long intervalBytes) {
        this.progress = p;
        this.progressInterval = Math.max(1, intervalBytes);
        this.nextProgress = intervalBytes;
    }

    /** The offset of the next byte to read. */
    public long offset() { return base + pos; }

    /** Total input length, or -1 when unknown. */
    public long length() { return length; }

    /** CRC64 of every byte consumed so far. */
    public long crc() {
        if (crcPos < pos) {
            crc = Crc64.update(crc, buf, crcPos, pos - crcPos);
            crcPos = pos;
        }
        return crc;
    }

    public RdbException shortRead(String what) {
        return new RdbException(Kind.SHORT_READ, offset(), "Unexpected EOF reading RDB file" + (what == null ? "" : " (" + what + ")"));
    }

    public RdbException corrupt(String message) {
        return new RdbException(Kind.CORRUPT, offset(), message);
    }

    public RdbException corruptAt(long offset, String message) {
        return new RdbException(Kind.CORRUPT, offset, message);
    }

    // =====================================================================================
    // Buffer management
    // =====================================================================================

    /** Makes at least n bytes available in buf[pos, lim); false at end of input. */
    private boolean fill(int n) throws IOException {
        if (lim - pos >= n) return true;
        if (in == null) return false;
        crc();
        int remaining = lim - pos;
        if (n > buf.length) {
            byte[] nb = new byte[Math.max(n, buf.length * 2)];
            System.arraycopy(buf, pos, nb, 0, remaining);
            buf = nb;
        } else if (remaining > 0) {
            System.arraycopy(buf, pos, buf, 0, remaining);
        }
        base += pos;
        pos = 0;
        crcPos = 0;
        lim = remaining;
        while (lim < n) {
            int want = buf.length - lim;
            if (length >= 0) want = (int) Math.min(want, length - (base + lim));
            if (want <= 0) return false;
            int r = in.read(buf, lim, want);
            if (r < 0) return false;
            lim += r;
        }
        if (base + lim >= nextProgress && progress != null) {
            nextProgress = (base + lim) / progressInterval * progressInterval + progressInterval;
            progress.at(base + pos);
        }
        return true;
    }

    private void need(int n, String what) throws IOException {
        if (!fill(n)) throw shortRead(what);
    }

    /** Checks a length prefix against what is left of a bounded input. */
    private void checkAvailable(long n, String what) throws RdbException {
        if (n < 0 || n > Integer.MAX_VALUE - 16) throw corrupt("Invalid " + what + " length " + Long.toUnsignedString(n));
        if (length >= 0 && offset() + n > length) throw shortRead(what);
    }

    public int readUnsignedByte() throws IOException {
        if (pos >= lim && !fill(1)) throw shortRead(null);
        return buf[pos++] & 0xff;
    }

    /** The next byte, or -1 at the end of the input. */
    public int readByteOrEof() throws IOException {
        if (pos >= lim && !fill(1)) return -1;
        return buf[pos++] & 0xff;
    }

    public void readFully(byte[] dst, int off, int len) throws IOException {
        int avail = lim - pos;
        if (avail >= len) {
            System.arraycopy(buf, pos, dst, off, len);
            pos += len;
            return;
        }
        if (in == null) throw shortRead(null);
        if (len <= CHUNK) {
            need(len, null);
            System.arraycopy(buf, pos, dst, off, len);
            pos += len;
            return;
        }
        // Large read: drain the buffer, then read straight into dst, keeping the CRC exact.
        System.arraycopy(buf, pos, dst, off, avail);
        pos += avail;
        crc();
        int done = avail;
        while (done < len) {
            int r = in.read(dst, off + done, len - done);
            if (r < 0) {
                crc = Crc64.update(crc, dst, off + avail, done - avail);
                base += done - avail;
                throw shortRead(null);
            }
            done += r;
        }
        crc = Crc64.update(crc, dst, off + avail, len - avail);
        base += len - avail;
        if (progress != null && offset() >= nextProgress) {
            nextProgress = offset() / progressInterval * progressInterval + progressInterval;
            progress.at(offset());
        }
    }

    public byte[] readBytes(int n) throws IOException {
        checkAvailable(n, "blob");
        byte[] b = new byte[n];
        readFully(b, 0, n);
        return b;
    }

    public void skip(long n) throws IOException {
        while (n > 0) {
            int step = (int) Math.min(n, CHUNK);
            need(step, null);
            pos += step;
            n -= step;
        }
    }

    public long readLongLE() throws IOException {
        need(8, null);
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (buf[pos + i] & 0xffL);
        pos += 8;
        return v;
    }

    public int readIntLE() throws IOException {
        need(4, null);
        int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16 | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    // =====================================================================================
    // RDB primitives
    // =====================================================================================

    public int readType() throws IOException {
        return readUnsignedByte();
    }

    /** Set by {@link #readLenOrEncoding} when the prefix announced a special string encoding. */
    private boolean encoded;

    /** rdbLoadLen for a plain length (an encoded prefix here is corruption). */
    public long readLen() throws IOException {
        long v = readLenOrEncoding();
        if (encoded) throw corrupt("Unexpected string encoding " + v + " where a length was expected");
        return v;
    }

    /** A length that must fit an int (element counts, sizes of things we allocate). */
    public int readIntLen(String what) throws IOException {
        long v = readLen();
        if (v < 0 || v > Integer.MAX_VALUE - 16) throw corrupt("Invalid " + what + " " + Long.toUnsignedString(v));
        return (int) v;
    }

    private long readLenOrEncoding() throws IOException {
        int b = readUnsignedByte();
        int type = (b & 0xC0) >>> 6;
        encoded = false;
        if (type == Rdb.ENCVAL) {
            encoded = true;
            return b & 0x3F;
        }
        if (type == Rdb.LEN_6BIT) return b & 0x3F;
        if (type == Rdb.LEN_14BIT) return ((b & 0x3F) << 8) | readUnsignedByte();
        if (b == Rdb.LEN_32BIT) {
            need(4, null);
            long v = (buf[pos] & 0xffL) << 24 | (buf[pos + 1] & 0xffL) << 16 | (buf[pos + 2] & 0xffL) << 8 | (buf[pos + 3] & 0xffL);
            pos += 4;
            return v;
        }
        if (b == Rdb.LEN_64BIT) {
            need(8, null);
            long v = 0;
            for (int i = 0; i < 8; i++) v = (v << 8) | (buf[pos + i] & 0xffL);
            pos += 8;
            return v;
        }
        throw corruptAt(offset() - 1, "Unknown length encoding " + type + " in rdbLoadLen()");
    }

    /** rdbLoadMillisecondTime: 8 bytes little endian. */
    public long readMillis() throws IOException {
        return readLongLE();
    }

    /** rdbLoadBinaryDoubleValue. */
    public double readBinaryDouble() throws IOException {
        return Double.longBitsToDouble(readLongLE());
    }

    /** rdbLoadDoubleValue (old ZSET scores): a length byte, with 253/254/255 for nan/+inf/-inf. */
    public double readTextDouble() throws IOException {
        int len = readUnsignedByte();
        switch (len) {
            case 255: return Double.NEGATIVE_INFINITY;
            case 254: return Double.POSITIVE_INFINITY;
            case 253: return Double.NaN;
            default:
                byte[] t = new byte[len];
                readFully(t, 0, len);
                try {
                    return Double.parseDouble(new String(t, StandardCharsets.US_ASCII).trim());
                } catch (NumberFormatException e) {
                    throw corrupt("Invalid double value");
                }
        }
    }

    /**
     * rdbGenericLoadStringObject: a string in any of its encodings (plain, 8/16/32-bit integer,
     * LZF), returned as its bytes; an integer comes back as its decimal text.
     */
    public byte[] readString() throws IOException {
        long start = offset();
        long len = readLenOrEncoding();
        if (encoded) {
            switch ((int) len) {
                case Rdb.ENC_INT8: return Numbers.longToBytes((byte) readUnsignedByte());
                case Rdb.ENC_INT16: {
                    int lo = readUnsignedByte();
                    int hi = readUnsignedByte();
                    return Numbers.longToBytes((short) (lo | hi << 8));
                }
                case Rdb.ENC_INT32: return Numbers.longToBytes(readIntLE());
                case Rdb.ENC_LZF: return readLzf();
                default: throw corruptAt(start, "Unknown RDB string encoding type " + len);
            }
        }
        checkAvailable(len, "string");
        byte[] b = new byte[(int) len];
        readFully(b, 0, (int) len);
        return b;
    }

    /** A string that must decode to an integer (stream IDs kept as strings are not this). */
    public String readAsciiString() throws IOException {
        return new String(readString(), StandardCharsets.UTF_8);
    }

    private byte[] readLzf() throws IOException {
        long clen = readLen();
        long len = readLen();
        checkAvailable(clen, "compressed string");
        if (len < 0 || len > Integer.MAX_VALUE - 16) throw corrupt("Invalid LZF uncompressed length " + Long.toUnsignedString(len));
        // An LZF stream expands at most ~132x (a 2-byte back-reference yields 264 bytes); a bigger
        // claim is corruption, not a reason to allocate gigabytes.
        if (len > clen * 133 + 64) throw corrupt("Invalid LZF compressed string");
        byte[] c = new byte[(int) clen];
        readFully(c, 0, (int) clen);
        byte[] out = new byte[(int) len];
        int n = Lzf.decompress(c, 0, c.length, out, 0, out.length);
        if (n != len) throw corrupt("Invalid LZF compressed string");
        return out;
    }

    /** Skips one string of any encoding. */
    public void skipString() throws IOException {
        long len = readLenOrEncoding();
        if (encoded) {
            switch ((int) len) {
                case Rdb.ENC_INT8 -> skip(1);
                case Rdb.ENC_INT16 -> skip(2);
                case Rdb.ENC_INT32 -> skip(4);
                case Rdb.ENC_LZF -> {
                    long clen = readLen();
                    readLen();
                    checkAvailable(clen, "compressed string");
                    skip(clen);
                }
                default -> throw corrupt("Unknown RDB string encoding type " + len);
            }
            return;
        }
        checkAvailable(len, "string");
        skip(len);
    }
}

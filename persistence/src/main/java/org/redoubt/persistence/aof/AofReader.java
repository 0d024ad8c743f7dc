package org.redoubt.persistence.aof;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads the commands of an AOF (or of the tail after an RDB preamble) one at a time, with the
 * tolerance of Redis's loader: a command is {@code *<argc>} on one line, then per argument a
 * {@code $<len>} line, the bytes and two more bytes (the CRLF, not checked); lines that start
 * with '#' are annotations and are skipped. The reader tracks the byte offset after the last
 * complete command so that a torn tail can be cut there.
 *
 * <p>Lines are read as C's fgets with a 1024-byte buffer reads them: at most 1023 bytes, the
 * rest of a longer line being the next "line".
 */
final class AofReader {
    /** Outcome of {@link #next}. */
    static final int COMMAND = 0, END = 1, SHORT_READ = 2, BAD_FORMAT = 3;
    static final int LINE_MAX = 1023;

    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int pos, lim;
    /** File offset of buf[0]. */
    private long bufBase;
    private final long fileLength;
    private final byte[] line = new byte[LINE_MAX + 1];
    private int lineLen;

    byte[][] argv = new byte[8][];
    int argc;
    /** Offset just after the last complete command (the "valid up to" point). */
    long validUpTo;
    /** Offset at which the command being parsed started (for error reports). */
    long commandStart;

    /**
     * @param in         positioned at {@code startOffset} of the file
     * @param fileLength the file's length, or -1 when unknown (used to refuse absurd lengths)
     */
    AofReader(InputStream in, long startOffset, long fileLength) {
        this.in = in;
        this.bufBase = startOffset;
        this.validUpTo = startOffset;
        this.fileLength = fileLength;
    }

    long offset() { return bufBase + pos; }

    private boolean fill() throws IOException {
        if (pos < lim) return true;
        bufBase += lim;
        pos = lim = 0;
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) return false;
        lim = n;
        return true;
    }

    /** fgets: false at end of file with nothing read. */
    private boolean readLine() throws IOException {
        lineLen = 0;
        while (lineLen < LINE_MAX) {
            if (!fill()) return lineLen > 0;
            byte b = buf[pos++];
            line[lineLen++] = b;
            if (b == '\n') return true;
        }
        return true;
    }

    /** C's strtol/atoi on line[from..lineLen): blanks, sign, digits. */
    private long parseNumber(int from) {
        int i = from;
        while (i < lineLen && (line[i] == ' ' || line[i] == '\t')) i++;
        boolean neg = false;
        if (i < lineLen && (line[i] == '-' || line[i] == '+')) neg = line[i++] == '-';
        long r = 0;
        while (i < lineLen && line[i] >= '0' && line[i] <= '9') {
            r = r * 10 + (line[i++] - '0');
            if (r > (1L << 50)) break;      // far beyond any real length; stops overflow
        }
        return neg ? -r : r;
    }

    private boolean readFully(byte[] dst, int off, int n) throws IOException {
        while (n > 0) {
            if (!fill()) return false;
            int k = Math.min(n, lim - pos);
            System.arraycopy(buf, pos, dst, off, k);
            pos += k;
            off += k;
            n -= k;
        }
        return true;
    }

    private boolean skip(int n) throws IOException {
        while (n > 0) {
            if (!fill()) return false;
            int k = Math.min(n, lim - pos);
            pos += k;
            n -= k;
        }
        return true;
    }

    /** Reads the next command into argv[0..argc). */
    int next() throws IOException {
        while (true) {
            commandStart = offset();
            if (!readLine()) return END;
            if (line[0] == '#') {
                // An annotation: the rest of an over-long line is read (and judged) as a new line.
                continue;
            }
            break;
        }
        if (line[0] != '*') return BAD_FORMAT;
        if (lineLen == 1 && line[0] == '*' && !moreInput()) return SHORT_READ;
        long n = parseNumber(1);
        if (n < 1 || n > Integer.MAX_VALUE / 2) return BAD_FORMAT;
        int count = (int) n;
        if (argv.length < count) argv = new byte[Math.min(count, 1 << 20)][];
        argc = 0;
        for (int j = 0; j < count; j++) {
            if (!readLine()) return SHORT_READ;
            if (line[0] != '$') return BAD_FORMAT;
            long len = parseNumber(1);
            if (len < 0 || len > Integer.MAX_VALUE - 16) return BAD_FORMAT;
            if (fileLength >= 0 && offset() + len > fileLength) return SHORT_READ;
            byte[] a = new byte[(int) len];
            if (!readFully(a, 0, a.length)) return SHORT_READ;
            if (!skip(2)) return SHORT_READ;
            if (argc == argv.length) argv = java.util.Arrays.copyOf(argv, argv.length * 2);
            argv[argc++] = a;
        }
        validUpTo = offset();
        return COMMAND;
    }

    private boolean moreInput() throws IOException { return fill(); }
}

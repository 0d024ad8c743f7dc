package org.redoubt.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.util.Arrays;

/**
 * Incremental parser of client commands, following Redis 7.0's processInputBuffer: RESP
 * multibulk requests ({@code *N\r\n$len\r\n...}) and inline requests (any other first byte),
 * with Redis's limits and exact error texts. Not thread-safe: one instance per connection.
 *
 * <p>Usage: append received bytes to one cumulating buffer and call {@link #parse} until it
 * returns {@link #NEED_MORE}. The parser keeps its progress inside a partially received command
 * as an offset from {@code buf.readerIndex()}, so between calls the caller may only append to the
 * buffer (discarding already-consumed bytes before the reader index is fine). A huge bulk that
 * arrives in small pieces costs O(1) per call; a line that is still incomplete is not rescanned.
 *
 * <p>Faithful quirks of Redis: like {@code strchr}, line searches stop at a NUL byte, so a NUL
 * inside a header line (or an inline command) leaves the command incomplete until the 64 KB
 * limit error; the two bytes after a header's '\r' and after a bulk payload are skipped without
 * checking that they are "\n" / "\r\n".
 */
public final class RespParser {
    public static final int OK = 0, NEED_MORE = 1, ERROR = 2;

    /** PROTO_INLINE_MAX_SIZE: longest unterminated inline request or header line. */
    public static final int INLINE_MAX_SIZE = 64 * 1024;
    /** Default proto-max-bulk-len (512 MB). */
    public static final long DEFAULT_PROTO_MAX_BULK_LEN = 512L * 1024 * 1024;
    /** Largest bulk a Java byte[] can hold; longer bulks are refused as "invalid bulk length". */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    public static final String ERR_TOO_BIG_INLINE = "ERR Protocol error: too big inline request";
    public static final String ERR_UNBALANCED = "ERR Protocol error: unbalanced quotes in request";
    public static final String ERR_TOO_BIG_MBULK = "ERR Protocol error: too big mbulk count string";
    public static final String ERR_INVALID_MBULK = "ERR Protocol error: invalid multibulk length";
    public static final String ERR_UNAUTH_MBULK = "ERR Protocol error: unauthenticated multibulk length";
    public static final String ERR_TOO_BIG_BULK = "ERR Protocol error: too big bulk count string";
    public static final String ERR_INVALID_BULK = "ERR Protocol error: invalid bulk length";
    public static final String ERR_UNAUTH_BULK = "ERR Protocol error: unauthenticated bulk length";

    private static final int REQ_UNKNOWN = 0, REQ_INLINE = 1, REQ_MULTIBULK = 2;

    /** Stops at '\n' or NUL (strchr(p, '\n') semantics). */
    private static final ByteProcessor FIND_LF_OR_NUL = b -> b != '\n' && b != 0;
    /** Stops at '\r' or NUL (strchr(p, '\r') semantics). */
    private static final ByteProcessor FIND_CR_OR_NUL = b -> b != '\r' && b != 0;

    private long protoMaxBulkLen = DEFAULT_PROTO_MAX_BULK_LEN;
    private boolean authenticated = true;

    // progress inside the buffer, relative to its reader index
    private int pos;          // start of the element being parsed
    private int scanned;      // bytes after pos already searched for a line terminator
    // per-command state
    private int reqType;
    private long multibulkLen; // arguments still to read
    private long bulkLen = -1; // pending bulk length, -1 when its header has not been read
    private int filled;        // arguments read so far

    private byte[][] argv = new byte[8][];
    private int argc;
    private boolean lastInline;
    private String error;
    private byte[] scratch = new byte[64];
    private final long[] num = new long[1];

    public RespParser() {}

    /** Redis proto-max-bulk-len (default 512 MB): longer bulks are an "invalid bulk length". */
    public void setProtoMaxBulkLen(long v) {
        this.protoMaxBulkLen = v;
    }

    public long protoMaxBulkLen() {
        return protoMaxBulkLen;
    }

    /**
     * Whether the client is authenticated or needs no authentication (the default). When false
     * (Redis authRequired(c)), multibulk counts above 10 and bulks above 16384 bytes are refused
     * with "unauthenticated multibulk length" / "unauthenticated bulk length".
     */
    public void setAuthenticated(boolean authenticated) {
        this.authenticated = authenticated;
    }

    /** The arguments of the last command (entries [0, argc) valid after {@link #OK}). */
    public byte[][] argv() {
        return argv;
    }

    public int argc() {
        return argc;
    }

    /** The error text (without the leading '-') after {@link #ERROR}, else null. */
    public String errorMessage() {
        return error;
    }

    /** Whether the last command returned with {@link #OK} was sent inline. */
    public boolean lastWasInline() {
        return lastInline;
    }

    /** Forgets all progress and any error (e.g. after the buffer was discarded). */
    public void reset() {
        pos = 0;
        scanned = 0;
        resetCommand();
        argc = 0;
        error = null;
        lastInline = false;
    }

    private void resetCommand() {
        reqType = REQ_UNKNOWN;
        multibulkLen = 0;
        bulkLen = -1;
        filled = 0;
    }

    /**
     * Parses at most one command from {@code buf} starting at its reader index.
     * <ul>
     *   <li>{@link #OK}: the command's bytes (and any empty commands before it) are consumed;
     *       {@link #argv()} / {@link #argc()} hold it (argc &gt;= 1).</li>
     *   <li>{@link #NEED_MORE}: no complete command. Empty commands (blank inline lines,
     *       {@code *0}, {@code *-1}) that were skipped are consumed; the bytes of a partial
     *       command are not, but the progress made inside them is remembered.</li>
     *   <li>{@link #ERROR}: {@link #errorMessage()} holds Redis's text; the caller replies and
     *       closes. The parser stays in error until {@link #reset()}.</li>
     * </ul>
     */
    public int parse(ByteBuf buf) {
        if (error != null) return ERROR;
        for (;;) {
            final int readable = buf.readableBytes();
            if (pos >= readable) return NEED_MORE;
            if (reqType == REQ_UNKNOWN) {
                reqType = buf.getByte(buf.readerIndex() + pos) == '*' ? REQ_MULTIBULK : REQ_INLINE;
            }
            int r = reqType == REQ_INLINE ? parseInline(buf) : parseMultibulk(buf);
            if (r != OK) return r;
            // A complete command (possibly empty) ends at pos.
            boolean inline = reqType == REQ_INLINE;
            int n = filled;
            resetCommand();
            buf.skipBytes(pos);
            pos = 0;
            scanned = 0;
            if (n > 0) {
                argc = n;
                lastInline = inline;
                return OK;
            }
            // Empty command: skipped, like Redis's resetClient on argc == 0.
        }
    }

    private int fail(String msg) {
        error = msg;
        return ERROR;
    }

    // ------------------------------------------------------------------ inline

    private int parseInline(ByteBuf buf) {
        final int base = buf.readerIndex() + pos;
        final int avail = buf.writerIndex() - base;
        int idx = avail > scanned ? buf.forEachByte(base + scanned, avail - scanned, FIND_LF_OR_NUL) : -1;
        if (idx < 0 || buf.getByte(idx) == 0) {
            if (avail > INLINE_MAX_SIZE) return fail(ERR_TOO_BIG_INLINE);
            scanned = idx < 0 ? avail : idx - base; // a NUL keeps stopping the search
            return NEED_MORE;
        }
        int lineEnd = idx;
        if (idx != base && buf.getByte(idx - 1) == '\r') lineEnd--;
        int len = lineEnd - base;
        if (len > 0) {
            if (scratch.length < len) scratch = new byte[Math.max(len, scratch.length * 2)];
            buf.getBytes(base, scratch, 0, len);
            if (!splitArgs(scratch, len)) return fail(ERR_UNBALANCED);
        }
        pos += idx + 1 - base;
        scanned = 0;
        return OK;
    }

    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    private static boolean isHex(int c) {
        return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
    }

    private static int hexVal(int c) {
        return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    }

    /**
     * Splits line[0,len) into arguments with the rules of Redis's sdssplitargs; the line holds
     * no NUL (the search for its end stopped at NULs). Returns false on unbalanced quotes.
     */
    private boolean splitArgs(byte[] line, int len) {
        int i = 0;
        int count = 0;
        byte[] tok = null;
        for (;;) {
            while (i < len && isSpace(line[i])) i++;
            if (i >= len) break;
            if (tok == null) tok = new byte[Math.min(len - i, 256)];
            int tl = 0;
            boolean dq = false, sq = false;
            for (boolean done = false; !done; ) {
                int c = i < len ? line[i] : 0;
                int next = i + 1 < len ? line[i + 1] : 0;
                int out = -1;
                if (dq) {
                    if (c == '\\' && next == 'x' && i + 3 < len && isHex(line[i + 2]) && isHex(line[i + 3])) {
                        out = hexVal(line[i + 2]) * 16 + hexVal(line[i + 3]);
                        i += 3;
                    } else if (c == '\\' && next != 0) {
                        i++;
                        switch (next) {
                            case 'n': out = '\n'; break;
                            case 'r': out = '\r'; break;
                            case 't': out = '\t'; break;
                            case 'b': out = '\b'; break;
                            case 'a': out = 7; break;
                            default: out = next & 0xff; break;
                        }
                    } else if (c == '"') {
                        // a closing quote must be followed by a blank or the end of the line
                        if (next != 0 && !isSpace(next)) return false;
                        done = true;
                    } else if (c == 0) {
                        return false;
                    } else {
                        out = c & 0xff;
                    }
                } else if (sq) {
                    if (c == '\\' && next == '\'') {
                        i++;
                        out = '\'';
                    } else if (c == '\'') {
                        if (next != 0 && !isSpace(next)) return false;
                        done = true;
                    } else if (c == 0) {
                        return false;
                    } else {
                        out = c & 0xff;
                    }
                } else {
                    switch (c) {
                        case ' ': case '\n': case '\r': case '\t': case 0:
                            done = true;
                            break;
                        case '"':
                            dq = true;
                            break;
                        case '\'':
                            sq = true;
                            break;
                        default:
                            out = c & 0xff;
                    }
                }
                if (out >= 0) {
                    if (tl == tok.length) tok = Arrays.copyOf(tok, tok.length * 2);
                    tok[tl++] = (byte) out;
                }
                if (i < len) i++;
            }
            addArg(count++, Arrays.copyOf(tok, tl));
        }
        filled = count;
        return true;
    }

    private void addArg(int index, byte[] arg) {
        if (index == argv.length) argv = Arrays.copyOf(argv, argv.length * 2);
        argv[index] = arg;
    }

    // ------------------------------------------------------------------ multibulk

    private int parseMultibulk(ByteBuf buf) {
        final int start = buf.readerIndex();
        final int end = buf.writerIndex();
        if (multibulkLen == 0) {
            int base = start + pos;
            int cr = findLine(buf, base, end, FIND_CR_OR_NUL);
            if (cr < 0) {
                if (end - base > INLINE_MAX_SIZE) return fail(ERR_TOO_BIG_MBULK);
                return NEED_MORE;
            }
            if (cr >= end - 1) return NEED_MORE; // the byte after '\r' has not arrived
            if (!parseNumber(buf, base + 1, cr) || num[0] > Integer.MAX_VALUE) return fail(ERR_INVALID_MBULK);
            long ll = num[0];
            if (ll > 10 && !authenticated) return fail(ERR_UNAUTH_MBULK);
            pos = cr + 2 - start;
            scanned = 0;
            if (ll <= 0) {
                filled = 0;
                return OK; // empty command, skipped by the caller
            }
            multibulkLen = ll;
            filled = 0;
            bulkLen = -1;
        }
        while (multibulkLen > 0) {
            if (bulkLen == -1) {
                int base = start + pos;
                int cr = findLine(buf, base, end, FIND_CR_OR_NUL);
                if (cr < 0) {
                    if (end - base > INLINE_MAX_SIZE) return fail(ERR_TOO_BIG_BULK);
                    return NEED_MORE;
                }
                if (cr >= end - 1) return NEED_MORE;
                byte first = buf.getByte(base);
                if (first != '$') return fail(expectedDollar(first));
                if (!parseNumber(buf, base + 1, cr)) return fail(ERR_INVALID_BULK);
                long ll = num[0];
                if (ll < 0 || ll > protoMaxBulkLen || ll > MAX_ARRAY) return fail(ERR_INVALID_BULK);
                if (ll > 16384 && !authenticated) return fail(ERR_UNAUTH_BULK);
                pos = cr + 2 - start;
                scanned = 0;
                bulkLen = ll;
            }
            if ((long) (end - start) - pos < bulkLen + 2) return NEED_MORE;
            byte[] arg = new byte[(int) bulkLen];
            buf.getBytes(start + pos, arg);
            addArg(filled++, arg);
            pos += (int) bulkLen + 2;
            bulkLen = -1;
            multibulkLen--;
        }
        return OK;
    }

    /**
     * Finds the '\r' ending the line that starts at base, resuming where the previous search
     * stopped. Returns its index, or -1 (also when a NUL comes first, like strchr).
     */
    private int findLine(ByteBuf buf, int base, int end, ByteProcessor finder) {
        int from = base + scanned;
        int idx = from < end ? buf.forEachByte(from, end - from, finder) : -1;
        if (idx < 0) {
            scanned = end - base;
            return -1;
        }
        if (buf.getByte(idx) == 0) {
            scanned = idx - base;
            return -1;
        }
        scanned = idx - base;
        return idx;
    }

    private static String expectedDollar(byte got) {
        // Redis formats the byte with %c and its error formatter turns CR / LF into spaces.
        char c = (got == '\r' || got == '\n') ? ' ' : (char) (got & 0xff);
        return "ERR Protocol error: expected '$', got '" + c + "'";
    }

    /** string2ll over buf[from, to) into num[0]. */
    private boolean parseNumber(ByteBuf buf, int from, int to) {
        int len = to - from;
        if (len <= 0 || len >= Numbers.LONG_STR_SIZE) return false;
        // Multibulk counts and bulk lengths are short plain decimals: read them in place. At most
        // 18 digits cannot overflow a long; anything else (sign, leading zero, junk) takes
        // string2ll's full rules below.
        byte b = buf.getByte(from);
        if (b >= '1' && b <= '9' && len <= 18) {
            long v = b - '0';
            int i = from + 1;
            for (; i < to; i++) {
                b = buf.getByte(i);
                if (b < '0' || b > '9') break;
                v = v * 10 + (b - '0');
            }
            if (i == to) {
                num[0] = v;
                return true;
            }
        }
        if (scratch.length < len) scratch = new byte[64];
        buf.getBytes(from, scratch, 0, len);
        return Numbers.tryParseLong(scratch, 0, len, num);
    }
}

package org.redoubt.engine.commands;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.redoubt.engine.Blocking;
import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Errors;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.config.Notify;
import org.redoubt.engine.db.Db;
import org.redoubt.engine.type.StreamConsumer;
import org.redoubt.engine.type.StreamGroup;
import org.redoubt.engine.type.StreamIdTree;
import org.redoubt.engine.type.StreamListpack;
import org.redoubt.engine.type.StreamNack;
import org.redoubt.engine.type.StreamValue;
import org.redoubt.engine.util.Bytes;
import org.redoubt.protocol.Numbers;

/**
 * The stream commands (Redis's t_stream.c): entries, trimming, XREAD/XREADGROUP (blocking
 * through {@link Blocking}), consumer groups, pending lists, claiming and XINFO.
 *
 * <p>Replies whose length Redis sends deferred are written into a scratch buffer swapped in
 * as the client's output ({@link #beginDeferred}/{@link #endArray}), then emitted after their
 * header, so every entry is walked once and side effects happen in Redis's order.
 *
 * <p>A write obtains the stream with {@link #writableStream}, which copies a value shared with
 * a snapshot (see {@link StreamValue}) and stores the copy; groups, consumers and NACKs are
 * copied on their own first write through the stream's writable accessors.
 *
 * <p>Engine thread only: the scratch fields are reused by every command.
 */
public final class StreamCommands implements CommandFamily {
    static final String INVALID_ID = "ERR Invalid stream ID specified as stream command argument";
    private static final long MAX = -1L;
    private static final int XREAD_BLOCKED_DEFAULT_COUNT = 1000;

    private static final int RWR_NOACK = 1, RWR_RAWENTRIES = 2, RWR_HISTORY = 4;

    private static final byte[] XGROUP = Bytes.of("XGROUP"), XREADGROUP = Bytes.of("XREADGROUP"),
        GROUP = Bytes.of("GROUP"), COUNT = Bytes.of("COUNT"), NOACK = Bytes.of("NOACK"),
        STREAMS = Bytes.of("STREAMS"), GT = Bytes.of(">"), EQUALS = Bytes.of("=");

    // Result of the last successful parseId.
    private long idMs, idSeq;
    private boolean idSeqGiven;
    private long num;
    private final byte[] idBuf = new byte[41];
    private final long[] edge = new long[2];

    @Override
    public void register(CommandTable t, Engine e) {
        t.bind("xadd", this::xadd);
        t.bind("xrange", c -> xrange(c, false));
        t.bind("xrevrange", c -> xrange(c, true));
        t.bind("xlen", this::xlen);
        t.bind("xdel", this::xdel);
        t.bind("xtrim", this::xtrim);
        t.bind("xsetid", this::xsetid);
        t.bind("xread", this::xread);
        t.bind("xreadgroup", this::xread);
        t.bind("xgroup|create", this::xgroup);
        t.bind("xgroup|setid", this::xgroup);
        t.bind("xgroup|destroy", this::xgroup);
        t.bind("xgroup|createconsumer", this::xgroup);
        t.bind("xgroup|delconsumer", this::xgroup);
        t.bind("xgroup|help", this::xgroupHelp);
        t.bind("xack", this::xack);
        t.bind("xpending", this::xpending);
        t.bind("xclaim", this::xclaim);
        t.bind("xautoclaim", this::xautoclaim);
        t.bind("xinfo|stream", this::xinfoStream);
        t.bind("xinfo|groups", this::xinfoGroups);
        t.bind("xinfo|consumers", this::xinfoConsumers);
        t.bind("xinfo|help", this::xinfoHelp);
    }

    // =====================================================================================
    // Helpers
    // =====================================================================================

    private static boolean eq(byte[] a, String lower) { return Bytes.equalsIgnoreCase(a, lower); }

    private static boolean isOne(byte[] a, char ch) { return a.length == 1 && a[0] == ch; }

    private static String str(byte[] b) { return new String(b, StandardCharsets.UTF_8); }

    /** getLongLongFromObjectOrReply into {@link #num}. */
    private boolean longArg(Client c, byte[] a, String msg) {
        long v = Numbers.parseLong(a);
        if (v == Numbers.NOT_A_LONG && !Numbers.isLong(a)) {
            c.addError(msg != null ? "ERR " + msg : Errors.NOT_INTEGER);
            return false;
        }
        num = v;
        return true;
    }

    /** The stream at key for reading, null (having replied WRONGTYPE) for another type. */
    private static final Object WRONG = new Object();

    private static Object streamOrWrong(Client c, Object v) {
        if (v == null || v instanceof StreamValue) return v;
        c.addError(Errors.WRONGTYPE);
        return WRONG;
    }

    /** The stream stored at key, made writable (a copy replaces a shared value). */
    private static StreamValue writableStream(Client c, byte[] key, StreamValue s) {
        StreamValue w = s.writable(c.engine.snapshotEpoch);
        if (w != s) c.db.overwrite(key, w);
        return w;
    }

    /** C's isspace. */
    private static boolean space(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == 0x0b || b == '\f' || b == '\r';
    }

    /**
     * Redis's string2ull over b[from, to): a canonical non-negative long, or what strtoull
     * accepts (leading spaces, a sign, leading zeros; a '-' negates modulo 2^64). The value goes
     * to {@link #num}.
     */
    private boolean string2ull(byte[] b, int from, int to) {
        long v = Numbers.parseLong(b, from, to - from);
        if (v != Numbers.NOT_A_LONG || Numbers.isLong(b, from, to - from)) {
            if (v < 0) return false;
            num = v;
            return true;
        }
        int p = from;
        if (p >= to) return false;
        while (p < to && space(b[p])) p++;
        boolean neg = false;
        if (p < to && (b[p] == '+' || b[p] == '-')) neg = b[p++] == '-';
        if (p >= to || b[p] < '0' || b[p] > '9') return false;
        long acc = 0;
        for (; p < to; p++) {
            int d = b[p] - '0';
            if (d < 0 || d > 9) return false;
            if (Long.compareUnsigned(acc, Long.divideUnsigned(-1L, 10)) > 0) return false;
            acc *= 10;
            if (Long.compareUnsigned(acc, -1L - d) > 0) return false;
            acc += d;
        }
        num = neg ? -acc : acc;
        return true;
    }

    /**
     * streamGenericParseIDOrReply into {@link #idMs}/{@link #idSeq}. strict rejects "-" and
     * "+"; seqStar accepts "ms-*" (then {@link #idSeqGiven} is false). Replies the error unless
     * quiet.
     */
    private boolean parseId(Client c, byte[] a, long missingSeq, boolean strict, boolean seqStar, boolean quiet) {
        int len = a.length;
        // Redis parses a C string copy: it ends at the first NUL.
        for (int i = 0; i < len; i++) if (a[i] == 0) { len = i; break; }
        if (a.length > 127) return invalidId(c, quiet);
        if (strict && len == 1 && (a[0] == '-' || a[0] == '+')) return invalidId(c, quiet);
        idSeqGiven = true;
        if (len == 1 && a[0] == '-') {
            idMs = 0;
            idSeq = 0;
            return true;
        }
        if (len == 1 && a[0] == '+') {
            idMs = MAX;
            idSeq = MAX;
            return true;
        }
        int dash = -1;
        for (int i = 0; i < len; i++) if (a[i] == '-') { dash = i; break; }
        if (!string2ull(a, 0, dash < 0 ? len : dash)) return invalidId(c, quiet);
        long ms = num, seq;
        if (dash >= 0) {
            if (seqStar && len - dash - 1 == 1 && a[dash + 1] == '*') {
                seq = 0;
                idSeqGiven = false;
            } else if (string2ull(a, dash + 1, len)) {
                seq = num;
            } else {
                return invalidId(c, quiet);
            }
        } else {
            seq = missingSeq;
        }
        idMs = ms;
        idSeq = seq;
        return true;
    }

    private static boolean invalidId(Client c, boolean quiet) {
        if (!quiet) c.addError(INVALID_ID);
        return false;
    }

    /** streamParseIntervalIDOrReply: "(" makes it exclusive; sets {@link #exclusive}. */
    private boolean exclusive;

    private boolean parseIntervalId(Client c, byte[] a, long missingSeq) {
        exclusive = a.length > 1 && a[0] == '(';
        if (exclusive) return parseId(c, java.util.Arrays.copyOfRange(a, 1, a.length), missingSeq, true, false, false);
        return parseId(c, a, missingSeq, false, false, false);
    }

    /**
     * The ms part last formatted into {@link #idBuf}: {@code idBuf[0, fmtMsEnd)} holds its
     * digits and the '-' (fmtMsEnd 0: nothing cached yet). Consecutive IDs (XADD, range
     * replies) mostly share their millisecond, so only the sequence is formatted again.
     */
    private long fmtMs;
    private int fmtMsEnd;

    /** "ms-seq" with both parts unsigned, into {@link #idBuf}; returns its length. */
    private int formatId(long ms, long seq) {
        byte[] b = idBuf;
        if (fmtMsEnd == 0 || ms != fmtMs) {
            int n = writeUnsigned(b, 0, ms);
            b[n++] = '-';
            fmtMs = ms;
            fmtMsEnd = n;
        }
        return writeUnsigned(b, fmtMsEnd, seq);
    }

    private static final long[] POW10 = new long[19];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) POW10[i] = POW10[i - 1] * 10;
    }

    /** Decimal digits of v read as unsigned, at b[at...]; returns the end. */
    private static int writeUnsigned(byte[] b, int at, long v) {
        if (v < 0) {
            // Above 2^63: peel one digit with unsigned division, the rest is a positive long.
            long q = Long.divideUnsigned(v, 10);
            int end = writeUnsigned(b, at, q);
            b[end] = (byte) ('0' + (v - q * 10));
            return end + 1;
        }
        int len = 1;
        while (len < POW10.length && v >= POW10[len]) len++;
        int i = at + len;
        while (v >= 100) {
            long q = v / 100;
            int r = (int) (v - q * 100);
            b[--i] = (byte) ('0' + r % 10);
            b[--i] = (byte) ('0' + r / 10);
            v = q;
        }
        if (v >= 10) {
            b[--i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        b[--i] = (byte) ('0' + v);
        return at + len;
    }

    private void addId(Client c, long ms, long seq) {
        c.addBulk(idBuf, 0, formatId(ms, seq));
    }

    /** A fresh array with the text of an ID (for rewritten arguments, which are kept). */
    private byte[] idBytes(long ms, long seq) {
        return java.util.Arrays.copyOf(idBuf, formatId(ms, seq));
    }

    private final byte[] numBuf = new byte[21];

    private void addElement(Client c, byte[] lp, int p) {
        if (StreamListpack.isInt(lp, p)) {
            long v = StreamListpack.getInt(lp, p);
            int n;
            if (v < 0) {
                numBuf[0] = '-';
                // -v overflows only for Long.MIN_VALUE, whose unsigned reading is its magnitude.
                n = writeUnsigned(numBuf, 1, v == Long.MIN_VALUE ? v : -v);
            } else {
                n = writeUnsigned(numBuf, 0, v);
            }
            c.addBulk(numBuf, 0, n);
        } else {
            c.addBulk(lp, StreamListpack.strOff(lp, p), StreamListpack.strLen(lp, p));
        }
    }

    /** The entry at the iterator as [id, [field, value, ...]]. */
    private void emitEntry(Client c, StreamValue.Iter it) {
        c.addArrayLen(2);
        addId(c, it.ms, it.seq);
        c.addArrayLen(2L * it.numFields);
        byte[] lp = it.lp;
        int fp = it.masterFieldsStart, vp = it.dataPos;
        boolean same = it.sameFields();
        for (int i = 0; i < it.numFields; i++) {
            if (same) {
                addElement(c, lp, fp);
                fp = StreamListpack.next(lp, fp);
            } else {
                addElement(c, lp, vp);
                vp = StreamListpack.next(lp, vp);
            }
            addElement(c, lp, vp);
            vp = StreamListpack.next(lp, vp);
        }
    }

    // ---- deferred lengths: the body goes to a scratch buffer, then header + body.

    private static ByteBuf beginDeferred(Client c) {
        ByteBuf saved = c.out;
        c.out = c.alloc().buffer(256);
        return saved;
    }

    private static void endArray(Client c, ByteBuf saved, long n) {
        end(c, saved, n, false);
    }

    private static void endMap(Client c, ByteBuf saved, long n) {
        end(c, saved, n, true);
    }

    private static void end(Client c, ByteBuf saved, long n, boolean map) {
        ByteBuf body = c.out;
        c.out = saved;
        try {
            if (map) c.addMapLen(n);
            else c.addArrayLen(n);
            if (body.isReadable() && c.out != null) c.out.writeBytes(body);
        } finally {
            body.release();
        }
    }

    /** streamLookupConsumer with refresh, made writable, or null. */
    private static StreamConsumer lookupConsumer(StreamGroup g, byte[] name, long now, long stamp, boolean refresh) {
        int i = g.findConsumer(name);
        if (i < 0) return null;
        if (!refresh) return g.consumerAt(i);
        StreamConsumer cons = g.writableConsumer(i, stamp);
        cons.seenTime = now;
        return cons;
    }

    /** streamCreateConsumer with its side effects (dirty, keyspace event). */
    private static StreamConsumer createConsumer(Client c, StreamGroup g, byte[] name, byte[] key, long stamp) {
        StreamConsumer cons = g.createConsumer(name, c.engine.nowMs(), stamp);
        if (cons == null) return null;
        c.engine.dirty++;
        c.engine.notify(Notify.STREAM, "xgroup-createconsumer", key, c.db.id);
        return cons;
    }

    /** Removes a PEL entry from the group and from its consumer. */
    private static void dropNack(StreamGroup g, long ms, long seq, StreamNack nack, long stamp) {
        g.pel.remove(ms, seq, stamp);
        if (nack.consumer != null) {
            int ci = g.findConsumer(nack.consumer);
            if (ci >= 0) g.writableConsumer(ci, stamp).pel.remove(ms, seq, stamp);
        }
    }

    /**
     * streamReplyWithRange: emits entries in [start, end] (at most count, 0 = all). With a group
     * and consumer, advances the group's last ID and read counter and records PEL entries
     * (unless NOACK); with HISTORY it serves the consumer's own PEL instead. Returns the count.
     */
    private long replyWithRange(Client c, StreamValue s, long sms, long sseq, long ems, long eseq, long count,
                                boolean rev, StreamGroup group, StreamConsumer consumer, int flags) {
        if (group != null && (flags & RWR_HISTORY) != 0) {
            return replyFromConsumerPel(c, s, sms, sseq, count, group, consumer);
        }
        boolean noack = (flags & RWR_NOACK) != 0;
        boolean deferred = (flags & RWR_RAWENTRIES) == 0;
        ByteBuf saved = deferred ? beginDeferred(c) : null;
        long n = 0;
        long now = c.engine.nowMs();
        long stamp = s.stamp();
        StreamValue.Iter it = s.iterator(sms, sseq, ems, eseq, rev);
        while (it.next()) {
            if (group != null && StreamIdTree.compare(it.ms, it.seq, group.lastMs, group.lastSeq) > 0) {
                if (group.entriesRead != StreamGroup.INVALID_ENTRIES_READ
                    && !s.rangeHasTombstones(it.ms, it.seq, MAX, MAX)) {
                    group.entriesRead++;
                } else if (s.entriesAdded != 0) {
                    group.entriesRead = s.estimateDistanceFromFirstEverEntry(it.ms, it.seq);
                }
                group.lastMs = it.ms;
                group.lastSeq = it.seq;
            }
            emitEntry(c, it);
            if (group != null && !noack) {
                StreamNack nack = group.pel.get(it.ms, it.seq);
                if (nack == null) {
                    group.pel.put(it.ms, it.seq, group.newNack(now, consumer.name, stamp), stamp);
                } else {
                    if (nack.consumer != null) {
                        int ci = group.findConsumer(nack.consumer);
                        if (ci >= 0) group.writableConsumer(ci, stamp).pel.remove(it.ms, it.seq, stamp);
                    }
                    nack = group.writableNack(it.ms, it.seq, nack, stamp);
                    nack.consumer = consumer.name;
                    nack.deliveryTime = now;
                    nack.deliveryCount = 1;
                }
                consumer.pel.put(it.ms, it.seq, Boolean.TRUE, stamp);
            }
            n++;
            if (count != 0 && count == n) break;
        }
        if (deferred) endArray(c, saved, n);
        return n;
    }

    private long replyFromConsumerPel(Client c, StreamValue s, long sms, long sseq, long count,
                                      StreamGroup group, StreamConsumer consumer) {
        ByteBuf saved = beginDeferred(c);
        long n = 0;
        long now = c.engine.nowMs();
        long stamp = s.stamp();
        StreamIdTree.Cursor<Boolean> cur = consumer.pel.cursor();
        for (boolean ok = cur.seekGE(sms, sseq, false); ok && (count == 0 || n < count); ok = cur.next()) {
            long ms = cur.ms, seq = cur.seq;
            StreamValue.Iter it = s.iterator(ms, seq, ms, seq, false);
            if (it.next()) {
                emitEntry(c, it);
                StreamNack nack = group.pel.get(ms, seq);
                if (nack != null) {
                    nack = group.writableNack(ms, seq, nack, stamp);
                    nack.deliveryTime = now;
                    nack.deliveryCount++;
                }
            } else {
                c.addArrayLen(2);
                addId(c, ms, seq);
                c.addNullArray();
            }
            n++;
        }
        endArray(c, saved, n);
        return n;
    }

    // =====================================================================================
    // XADD / XTRIM
    // =====================================================================================

    /** Parsed XADD/XTRIM options (streamAddTrimArgs). */
    private static final class TrimArgs {
        boolean idGiven, seqGiven, noMkstream, approx;
        long idMs, idSeq;
        int strategy, strategyArgIdx;
        long limit, maxlen, minMs, minSeq;

        TrimArgs reset() {
            idGiven = noMkstream = approx = false;
            seqGiven = true;
            idMs = idSeq = limit = maxlen = minMs = minSeq = 0;
            strategy = StreamValue.TRIM_NONE;
            strategyArgIdx = 0;
            return this;
        }
    }

    private final TrimArgs trimArgs = new TrimArgs();

    /**
     * The start of MAXLEN or MINID at argv[i]: refuses a second trim strategy, then skips the
     * optional '~' (approximate) or '=' operator. Returns the index before the operand, or -1
     * after the error reply.
     */
    private static int trimOperator(Client c, TrimArgs a, int i, int more) {
        if (a.strategy != StreamValue.TRIM_NONE) {
            c.addError("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
            return -1;
        }
        a.approx = false;
        byte[] next = c.argv[i + 1];
        if (more >= 2 && isOne(next, '~')) {
            a.approx = true;
            return i + 1;
        }
        return more >= 2 && isOne(next, '=') ? i + 1 : i;
    }

    /** streamParseAddOrTrimArgsOrReply: the ID position (XADD), or -1 after an error reply. */
    private int parseAddOrTrim(Client c, TrimArgs a, boolean xadd) {
        int i = 2;
        boolean limitGiven = false;
        for (; i < c.argc; i++) {
            int more = c.argc - 1 - i;
            byte[] opt = c.argv[i];
            if (xadd && isOne(opt, '*')) {
                break;
            } else if (eq(opt, "maxlen") && more > 0) {
                i = trimOperator(c, a, i, more);
                if (i < 0) return -1;
                if (!longArg(c, c.argv[i + 1], null)) return -1;
                if (num < 0) {
                    c.addError("ERR The MAXLEN argument must be >= 0.");
                    return -1;
                }
                a.maxlen = num;
                i++;
                a.strategy = StreamValue.TRIM_MAXLEN;
                a.strategyArgIdx = i;
            } else if (eq(opt, "minid") && more > 0) {
                i = trimOperator(c, a, i, more);
                if (i < 0) return -1;
                if (!parseId(c, c.argv[i + 1], 0, true, false, false)) return -1;
                a.minMs = idMs;
                a.minSeq = idSeq;
                i++;
                a.strategy = StreamValue.TRIM_MINID;
                a.strategyArgIdx = i;
            } else if (eq(opt, "limit") && more > 0) {
                if (!longArg(c, c.argv[i + 1], null)) return -1;
                if (num < 0) {
                    c.addError("ERR The LIMIT argument must be >= 0.");
                    return -1;
                }
                a.limit = num;
                limitGiven = true;
                i++;
            } else if (xadd && eq(opt, "nomkstream")) {
                a.noMkstream = true;
            } else if (xadd) {
                if (!parseId(c, opt, 0, true, true, false)) return -1;
                a.idGiven = true;
                a.seqGiven = idSeqGiven;
                a.idMs = idMs;
                a.idSeq = idSeq;
                break;
            } else {
                c.addError(Errors.SYNTAX);
                return -1;
            }
        }
        if (a.limit != 0 && a.strategy == StreamValue.TRIM_NONE) {
            c.addError("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
            return -1;
        }
        if (!xadd && a.strategy == StreamValue.TRIM_NONE) {
            c.addError("ERR syntax error, XTRIM must be called with a trimming strategy");
            return -1;
        }
        if (c.has(Client.F_MASTER) || c.engine.loading) {
            // Commands from a master or the AOF were rewritten to trim exactly.
            a.limit = 0;
        } else if (limitGiven) {
            if (!a.approx) {
                c.addError("ERR syntax error, LIMIT cannot be used without the special ~ option");
                return -1;
            }
        } else if (a.approx) {
            a.limit = 100 * c.engine.config.streamNodeMaxEntries;
            if (a.limit <= 0) a.limit = 10000;
            if (a.limit > 1000000) a.limit = 1000000;
        } else {
            a.limit = 0;
        }
        return i;
    }

    /** Propagates "~ n" as "= <resulting length or first ID>", as Redis. */
    private void rewriteTrim(Client c, StreamValue s, TrimArgs a) {
        byte[][] argv = java.util.Arrays.copyOf(c.argv, c.argc);
        argv[a.strategyArgIdx - 1] = EQUALS;
        if (a.strategy == StreamValue.TRIM_MAXLEN) {
            argv[a.strategyArgIdx] = Numbers.longToBytes(s.length);
        } else {
            s.edgeId(true, false, edge);
            argv[a.strategyArgIdx] = idBytes(edge[0], edge[1]);
        }
        KeyCommands.rewriteArgv(c, argv);
    }

    void xadd(Client c) {
        TrimArgs a = trimArgs.reset();
        int idpos = parseAddOrTrim(c, a, true);
        if (idpos < 0) return;
        int fieldPos = idpos + 1;
        if (c.argc - fieldPos < 2 || (c.argc - fieldPos) % 2 == 1) {
            c.addError(Errors.wrongArgs("xadd"));
            return;
        }
        if (a.idGiven && a.seqGiven && a.idMs == 0 && a.idSeq == 0) {
            c.addError("ERR The ID specified in XADD must be greater than 0-0");
            return;
        }
        byte[] key = c.argv[1];
        Db db = c.db;
        Object v = db.lookupWrite(key);
        StreamValue s;
        if (v == null) {
            if (a.noMkstream) {
                c.addNull();
                return;
            }
            s = StreamValue.create(c.engine.snapshotEpoch);
            db.add(key, s);
        } else if (v instanceof StreamValue sv) {
            s = writableStream(c, key, sv);
        } else {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        if (s.lastMs == MAX && s.lastSeq == MAX) {
            c.addError("ERR The stream has exhausted the last possible ID, unable to add more items");
            return;
        }
        int r = s.append(c.argv, fieldPos, (c.argc - fieldPos) / 2, a.idGiven, a.idMs, a.idSeq, a.seqGiven,
            System.currentTimeMillis(), c.engine.config.streamNodeMaxBytes, c.engine.config.streamNodeMaxEntries);
        if (r == StreamValue.APPEND_EDOM) {
            c.addError("ERR The ID specified in XADD is equal or smaller than the target stream top item");
            return;
        } else if (r == StreamValue.APPEND_ERANGE) {
            c.addError("ERR Elements are too large to be stored");
            return;
        }
        long ams = s.addedMs, aseq = s.addedSeq;
        int idLen = formatId(ams, aseq);
        c.addBulk(idBuf, 0, idLen);
        // Taken before trimming, which may format another ID into idBuf.
        byte[] generated = !a.idGiven || !a.seqGiven ? java.util.Arrays.copyOf(idBuf, idLen) : null;
        c.engine.signalModifiedKey(db, key);
        c.engine.notify(Notify.STREAM, "xadd", key, db.id);
        c.engine.dirty++;
        if (a.strategy != StreamValue.TRIM_NONE) {
            if (s.trim(a.strategy, a.maxlen, a.minMs, a.minSeq, a.approx, a.limit) != 0) {
                c.engine.notify(Notify.STREAM, "xtrim", key, db.id);
            }
            if (a.approx) rewriteTrim(c, s, a);
        }
        if (generated != null) {
            byte[][] argv = java.util.Arrays.copyOf(c.argv, c.argc);
            argv[idpos] = generated;
            KeyCommands.rewriteArgv(c, argv);
        }
    }

    void xtrim(Client c) {
        TrimArgs a = trimArgs.reset();
        if (parseAddOrTrim(c, a, false) < 0) return;
        byte[] key = c.argv[1];
        Object v = c.db.lookupWrite(key);
        if (v == null) {
            c.addLong(0);
            return;
        }
        if (!(v instanceof StreamValue sv)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        StreamValue s = sv;
        // Forking is O(1); the copy is stored only when something was trimmed.
        StreamValue w = s.writable(c.engine.snapshotEpoch);
        long deleted = w.trim(a.strategy, a.maxlen, a.minMs, a.minSeq, a.approx, a.limit);
        if (deleted != 0) {
            if (w != s) c.db.overwrite(key, w);
            c.engine.notify(Notify.STREAM, "xtrim", key, c.db.id);
            if (a.approx) rewriteTrim(c, w, a);
            c.engine.signalModifiedKey(c.db, key);
            c.engine.dirty += deleted;
        }
        c.addLong(deleted);
    }

    // =====================================================================================
    // XRANGE / XREVRANGE / XLEN / XDEL / XSETID
    // =====================================================================================

    void xrange(Client c, boolean rev) {
        byte[] startArg = rev ? c.argv[3] : c.argv[2], endArg = rev ? c.argv[2] : c.argv[3];
        if (!parseIntervalId(c, startArg, 0)) return;
        long sms = idMs, sseq = idSeq;
        if (exclusive) {
            if (sms == MAX && sseq == MAX) {
                c.addError("ERR invalid start ID for the interval");
                return;
            }
            sseq++;
            if (sseq == 0) sms++;
        }
        if (!parseIntervalId(c, endArg, MAX)) return;
        long ems = idMs, eseq = idSeq;
        if (exclusive) {
            if (ems == 0 && eseq == 0) {
                c.addError("ERR invalid end ID for the interval");
                return;
            }
            if (eseq == 0) ems--;
            eseq--;
        }
        long count = -1;
        for (int j = 4; j < c.argc; j++) {
            int additional = c.argc - j - 1;
            if (eq(c.argv[j], "count") && additional >= 1) {
                if (!longArg(c, c.argv[j + 1], null)) return;
                count = num < 0 ? 0 : num;
                j++;
            } else {
                c.addError(Errors.SYNTAX);
                return;
            }
        }
        Object v = streamOrWrong(c, c.db.lookupRead(c.argv[1]));
        if (v == WRONG) return;
        if (v == null) {
            c.addArrayLen(0);
            return;
        }
        if (count == 0) {
            c.addNullArray();
            return;
        }
        replyWithRange(c, (StreamValue) v, sms, sseq, ems, eseq, count == -1 ? 0 : count, rev, null, null, 0);
    }

    void xlen(Client c) {
        Object v = streamOrWrong(c, c.db.lookupRead(c.argv[1]));
        if (v == WRONG) return;
        c.addLong(v == null ? 0 : ((StreamValue) v).length);
    }

    void xdel(Client c) {
        byte[] key = c.argv[1];
        Object v = c.db.lookupWrite(key);
        if (v == null) {
            c.addLong(0);
            return;
        }
        if (!(v instanceof StreamValue sv)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        int n = c.argc - 2;
        long[] ids = new long[2 * n];
        for (int j = 0; j < n; j++) {
            if (!parseId(c, c.argv[j + 2], 0, true, false, false)) return;
            ids[2 * j] = idMs;
            ids[2 * j + 1] = idSeq;
        }
        StreamValue s = sv;
        int deleted = 0;
        boolean firstEntry = false;
        for (int j = 0; j < n; j++) {
            long ms = ids[2 * j], seq = ids[2 * j + 1];
            if (!s.exists(ms, seq)) continue;
            if (s == sv) s = writableStream(c, key, sv);
            s.delete(ms, seq);
            if (ms == s.firstMs && seq == s.firstSeq) firstEntry = true;
            if (StreamIdTree.compare(ms, seq, s.maxDelMs, s.maxDelSeq) > 0) {
                s.maxDelMs = ms;
                s.maxDelSeq = seq;
            }
            deleted++;
        }
        if (deleted > 0) {
            if (s.length == 0) {
                s.firstMs = 0;
                s.firstSeq = 0;
            } else if (firstEntry) {
                s.edgeId(true, true, edge);
                s.firstMs = edge[0];
                s.firstSeq = edge[1];
            }
            c.engine.signalModifiedKey(c.db, key);
            c.engine.notify(Notify.STREAM, "xdel", key, c.db.id);
            c.engine.dirty += deleted;
        }
        c.addLong(deleted);
    }

    void xsetid(Client c) {
        if (!parseId(c, c.argv[2], 0, true, false, false)) return;
        long ms = idMs, seq = idSeq;
        long entriesAdded = -1, xdelMs = 0, xdelSeq = 0;
        int i = 3;
        while (i < c.argc) {
            int more = c.argc - 1 - i;
            byte[] opt = c.argv[i];
            if (eq(opt, "entriesadded") && more > 0) {
                if (!longArg(c, c.argv[i + 1], null)) return;
                if (num < 0) {
                    c.addError("ERR entries_added must be positive");
                    return;
                }
                entriesAdded = num;
                i += 2;
            } else if (eq(opt, "maxdeletedid") && more > 0) {
                if (!parseId(c, c.argv[i + 1], 0, true, false, false)) return;
                if (StreamIdTree.compare(ms, seq, idMs, idSeq) < 0) {
                    c.addError("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
                    return;
                }
                xdelMs = idMs;
                xdelSeq = idSeq;
                i += 2;
            } else {
                c.addError(Errors.SYNTAX);
                return;
            }
        }
        byte[] key = c.argv[1];
        Object v = c.db.lookupWrite(key);
        if (v == null) {
            c.addError(Errors.NO_SUCH_KEY);
            return;
        }
        if (!(v instanceof StreamValue sv)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        if (sv.length > 0) {
            sv.lastValidId(edge);
            if (StreamIdTree.compare(ms, seq, edge[0], edge[1]) < 0) {
                c.addError("ERR The ID specified in XSETID is smaller than the target stream top item");
                return;
            }
            if (entriesAdded != -1 && Long.compareUnsigned(sv.length, entriesAdded) > 0) {
                c.addError("ERR The entries_added specified in XSETID is smaller than the target stream length");
                return;
            }
        }
        StreamValue s = writableStream(c, key, sv);
        s.lastMs = ms;
        s.lastSeq = seq;
        if (entriesAdded != -1) s.entriesAdded = entriesAdded;
        if (xdelMs != 0 || xdelSeq != 0) {
            s.maxDelMs = xdelMs;
            s.maxDelSeq = xdelSeq;
        }
        c.addOk();
        c.engine.dirty++;
        c.engine.notify(Notify.STREAM, "xsetid", key, c.db.id);
    }

    // =====================================================================================
    // XREAD / XREADGROUP
    // =====================================================================================

    /** The blocked side of XREAD/XREADGROUP: what to serve when a key it waits on is written. */
    private final class BlockedRead implements Blocking.BlockedCommand {
        final byte[][] keys;
        /** Per key (first occurrence), the ID entries must exceed. */
        final long[] gt;
        final long count;
        final byte[] group, consumer;
        final boolean noack;

        BlockedRead(byte[][] keys, long[] gt, long count, byte[] group, byte[] consumer, boolean noack) {
            this.keys = keys;
            this.gt = gt;
            this.count = count;
            this.group = group;
            this.consumer = consumer;
            this.noack = noack;
        }

        @Override
        public boolean servesAbsentKey() { return group != null; }

        @Override
        public boolean tryServe(Client c, Db db, byte[] key) {
            int k = -1;
            for (int i = 0; i < keys.length && k < 0; i++) if (java.util.Arrays.equals(keys[i], key)) k = i;
            if (k < 0) return false;
            Object v = db.lookupNoTouch(key);
            if (!(v instanceof StreamValue sv)) {
                if (group == null) return false;
                c.addError("UNBLOCKED the stream key no longer exists");
                return true;
            }
            StreamValue s = sv;
            StreamGroup g = null;
            long gms = gt[2 * k], gseq = gt[2 * k + 1];
            if (group != null) {
                g = s.group(group);
                if (g == null) {
                    c.addError("NOGROUP the consumer group this client was blocked on no longer exists");
                    return true;
                }
                gms = g.lastMs;
                gseq = g.lastSeq;
                gt[2 * k] = gms;
                gt[2 * k + 1] = gseq;
            }
            if (StreamIdTree.compare(s.lastMs, s.lastSeq, gms, gseq) <= 0) return false;
            long startMs = gms, startSeq = gseq + 1;
            if (startSeq == 0) startMs++;
            StreamConsumer cons = null;
            if (group != null) {
                s = writableStream(c, key, sv);
                g = s.writableGroup(group);
                cons = lookupConsumer(g, consumer, c.engine.nowMs(), s.stamp(), true);
                if (cons == null) cons = createConsumer(c, g, consumer, key, s.stamp());
            }
            if (c.resp == 2) {
                c.addArrayLen(1);
                c.addArrayLen(2);
            } else {
                c.addMapLen(1);
            }
            c.addBulk(key);
            replyWithRange(c, s, startMs, startSeq, MAX, MAX, count, false, g, cons, noack ? RWR_NOACK : 0);
            if (group != null) {
                c.engine.dirty++;
                // Propagate the read as a non-blocking XREADGROUP of the same new entries: from
                // the same group state, ">" selects exactly what was served here.
                byte[][] argv = noack
                    ? new byte[][] {XREADGROUP, GROUP, group, consumer, COUNT, Numbers.longToBytes(count), NOACK, STREAMS, key, GT}
                    : new byte[][] {XREADGROUP, GROUP, group, consumer, COUNT, Numbers.longToBytes(count), STREAMS, key, GT};
                KeyCommands.rewriteArgv(c, argv);
            }
            return true;
        }
    }

    void xread(Client c) {
        boolean xreadgroup = c.argv[0].length == 10;
        boolean[] blockArgs = null;
        long timeout = -1, count = 0;
        int streamsArg = 0, streamsCount = 0;
        boolean noack = false;
        byte[] groupName = null, consumerName = null;
        for (int i = 1; i < c.argc; i++) {
            int more = c.argc - i - 1;
            byte[] o = c.argv[i];
            if (eq(o, "block") && more > 0) {
                if (c.has(Client.F_SCRIPT)) {
                    c.addError("ERR " + str(c.argv[0]) + " command is not allowed with BLOCK option from scripts");
                    return;
                }
                if (blockArgs == null) blockArgs = new boolean[c.argc];
                blockArgs[i] = blockArgs[i + 1] = true;
                i++;
                timeout = Blocking.parseTimeout(c, c.argv[i], false);
                if (timeout == Blocking.INVALID) return;
            } else if (eq(o, "count") && more > 0) {
                i++;
                if (!longArg(c, c.argv[i], null)) return;
                count = num < 0 ? 0 : num;
            } else if (eq(o, "streams") && more > 0) {
                streamsArg = i + 1;
                streamsCount = c.argc - streamsArg;
                if (streamsCount % 2 != 0) {
                    c.addError("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
                    return;
                }
                streamsCount /= 2;
                break;
            } else if (eq(o, "group") && more >= 2) {
                if (!xreadgroup) {
                    c.addError("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
                    return;
                }
                groupName = c.argv[i + 1];
                consumerName = c.argv[i + 2];
                i += 2;
            } else if (eq(o, "noack")) {
                if (!xreadgroup) {
                    c.addError("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
                    return;
                }
                noack = true;
            } else {
                c.addError(Errors.SYNTAX);
                return;
            }
        }
        if (streamsArg == 0) {
            c.addError(Errors.SYNTAX);
            return;
        }
        if (xreadgroup && groupName == null) {
            c.addError("ERR Missing GROUP option for XREADGROUP");
            return;
        }
        long[] ids = new long[2 * streamsCount];
        for (int i = streamsArg + streamsCount; i < c.argc; i++) {
            int idx = i - streamsArg - streamsCount;
            byte[] key = c.argv[i - streamsCount];
            Object o = streamOrWrong(c, c.db.lookupRead(key));
            if (o == WRONG) return;
            StreamValue s = (StreamValue) o;
            if (groupName != null && (s == null || s.group(groupName) == null)) {
                c.addError("NOGROUP No such key '" + str(key) + "' or consumer group '" + str(groupName)
                    + "' in XREADGROUP with GROUP option");
                return;
            }
            byte[] a = c.argv[i];
            if (isOne(a, '$')) {
                if (xreadgroup) {
                    c.addError("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the "
                        + "history of this consumer by specifying a proper ID, or use the > ID to get new messages. "
                        + "The $ ID would just return an empty result set.");
                    return;
                }
                ids[2 * idx] = s != null ? s.lastMs : 0;
                ids[2 * idx + 1] = s != null ? s.lastSeq : 0;
                continue;
            } else if (isOne(a, '>')) {
                if (!xreadgroup) {
                    c.addError("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
                        + "<consumer> option.");
                    return;
                }
                ids[2 * idx] = MAX;
                ids[2 * idx + 1] = MAX;
                continue;
            }
            if (!parseId(c, a, 0, true, false, false)) return;
            ids[2 * idx] = idMs;
            ids[2 * idx + 1] = idSeq;
        }

        ByteBuf saved = null;
        long arraylen = 0;
        for (int i = 0; i < streamsCount; i++) {
            byte[] key = c.argv[streamsArg + i];
            Object o = c.db.lookupRead(key);
            if (o == null) continue;
            StreamValue s = (StreamValue) o;
            long gms = ids[2 * i], gseq = ids[2 * i + 1];
            boolean serve = false, history = false;
            if (groupName != null) {
                StreamGroup g = s.group(groupName);
                if (gms != MAX || gseq != MAX) {
                    serve = true;
                    history = true;
                } else if (s.length != 0) {
                    s.lastValidId(edge);
                    if (StreamIdTree.compare(edge[0], edge[1], g.lastMs, g.lastSeq) > 0) {
                        serve = true;
                        gms = g.lastMs;
                        gseq = g.lastSeq;
                    }
                }
            } else if (s.length != 0) {
                s.lastValidId(edge);
                if (StreamIdTree.compare(edge[0], edge[1], gms, gseq) > 0) serve = true;
            }
            if (!serve) continue;
            arraylen++;
            if (arraylen == 1) saved = beginDeferred(c);
            long startMs = gms, startSeq = gseq + 1;
            if (startSeq == 0) startMs++;
            if (c.resp == 2) c.addArrayLen(2);
            c.addBulk(key);
            StreamGroup g = null;
            StreamConsumer cons = null;
            if (groupName != null) {
                s = writableStream(c, key, s);
                g = s.writableGroup(groupName);
                cons = lookupConsumer(g, consumerName, c.engine.nowMs(), s.stamp(), true);
                if (cons == null) cons = createConsumer(c, g, consumerName, key, s.stamp());
            }
            int flags = (noack ? RWR_NOACK : 0) | (history ? RWR_HISTORY : 0);
            replyWithRange(c, s, startMs, startSeq, MAX, MAX, count, false, g, cons, flags);
            if (groupName != null) c.engine.dirty++;
        }
        if (arraylen > 0) {
            if (c.resp == 2) endArray(c, saved, arraylen);
            else endMap(c, saved, arraylen);
            // XREADGROUP changed the group: it propagates as is, minus BLOCK, which a replica
            // replaying it must never honour.
            if (groupName != null && blockArgs != null) {
                int keep = 0;
                for (int i = 0; i < c.argc; i++) if (!blockArgs[i]) keep++;
                byte[][] argv = new byte[keep][];
                for (int i = 0, k = 0; i < c.argc; i++) if (!blockArgs[i]) argv[k++] = c.argv[i];
                KeyCommands.rewriteArgv(c, argv);
            }
            return;
        }
        if (timeout != -1) {
            if (!c.engine.blocking.mayBlock(c)) {
                c.addNullArray();
                return;
            }
            byte[][] keys = new byte[streamsCount][];
            long[] gt = new long[2 * streamsCount];
            for (int i = 0; i < streamsCount; i++) {
                keys[i] = c.argv[streamsArg + i];
                int first = i;
                for (int j = 0; j < i; j++) {
                    if (java.util.Arrays.equals(keys[j], keys[i])) {
                        first = j;
                        break;
                    }
                }
                gt[2 * i] = ids[2 * first];
                gt[2 * i + 1] = ids[2 * first + 1];
            }
            BlockedRead br = new BlockedRead(keys, gt, count != 0 ? count : XREAD_BLOCKED_DEFAULT_COUNT,
                groupName, consumerName, noack);
            c.engine.blocking.block(c, keys, timeout, br);
            return;
        }
        c.addNullArray();
    }

    // =====================================================================================
    // XGROUP
    // =====================================================================================

    void xgroupHelp(Client c) {
        c.addHelp("XGROUP",
            "CREATE <key> <groupname> <id|$> [option]",
            "    Create a new consumer group. Options are:",
            "    * MKSTREAM",
            "      Create the empty stream if it does not exist.",
            "    * ENTRIESREAD entries_read",
            "      Set the group's entries_read counter (internal use).",
            "CREATECONSUMER <key> <groupname> <consumer>",
            "    Create a new consumer in the specified group.",
            "DELCONSUMER <key> <groupname> <consumer>",
            "    Remove the specified consumer.",
            "DESTROY <key> <groupname>",
            "    Remove the specified group.",
            "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
            "    Set the current group ID and entries_read counter.");
    }

    void xgroup(Client c) {
        byte[] opt = c.argv[1];
        boolean create = eq(opt, "create"), setid = eq(opt, "setid");
        boolean mkstream = false;
        long entriesRead = StreamGroup.INVALID_ENTRIES_READ;
        int i = 5;
        while (i < c.argc) {
            if (create && eq(c.argv[i], "mkstream")) {
                mkstream = true;
                i++;
            } else if ((create || setid) && eq(c.argv[i], "entriesread") && i + 1 < c.argc) {
                if (!longArg(c, c.argv[i + 1], null)) return;
                if (num < 0 && num != StreamGroup.INVALID_ENTRIES_READ) {
                    c.addError("ERR value for ENTRIESREAD must be positive or -1");
                    return;
                }
                entriesRead = num;
                i += 2;
            } else {
                c.addSubcommandSyntaxError();
                return;
            }
        }
        byte[] key = c.argv[2], grp = c.argv[3];
        Object v = c.db.lookupWrite(key);
        if (v != null && !(v instanceof StreamValue)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        StreamValue s = (StreamValue) v;
        StreamGroup cg = null;
        if (!mkstream) {
            if (s == null) {
                c.addError("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want "
                    + "to use the MKSTREAM option to create an empty stream automatically.");
                return;
            }
            cg = s.group(grp);
            if (cg == null && (setid || eq(opt, "createconsumer") || eq(opt, "delconsumer"))) {
                c.addError("NOGROUP No such consumer group '" + str(grp) + "' for key name '" + str(key) + "'");
                return;
            }
        }
        if (create && c.argc >= 5 && c.argc <= 8) {
            long ms, seq;
            if (isOne(c.argv[4], '$')) {
                ms = s != null ? s.lastMs : 0;
                seq = s != null ? s.lastSeq : 0;
            } else if (parseId(c, c.argv[4], 0, true, false, false)) {
                ms = idMs;
                seq = idSeq;
            } else {
                return;
            }
            if (s == null) {
                s = StreamValue.create(c.engine.snapshotEpoch);
                c.db.add(key, s);
                c.engine.signalModifiedKey(c.db, key);
            } else {
                if (s.group(grp) != null) {
                    c.addError("BUSYGROUP Consumer Group name already exists");
                    return;
                }
                s = writableStream(c, key, s);
            }
            if (s.createGroup(grp, ms, seq, entriesRead) != null) {
                c.addOk();
                c.engine.dirty++;
                c.engine.notify(Notify.STREAM, "xgroup-create", key, c.db.id);
            } else {
                c.addError("BUSYGROUP Consumer Group name already exists");
            }
        } else if (setid && (c.argc == 5 || c.argc == 7)) {
            long ms, seq;
            if (isOne(c.argv[4], '$')) {
                ms = s.lastMs;
                seq = s.lastSeq;
            } else if (parseId(c, c.argv[4], 0, false, false, false)) {
                ms = idMs;
                seq = idSeq;
            } else {
                return;
            }
            s = writableStream(c, key, s);
            StreamGroup g = s.writableGroup(grp);
            g.lastMs = ms;
            g.lastSeq = seq;
            g.entriesRead = entriesRead;
            c.addOk();
            c.engine.dirty++;
            c.engine.notify(Notify.STREAM, "xgroup-setid", key, c.db.id);
        } else if (eq(opt, "destroy") && c.argc == 4) {
            if (cg != null) {
                s = writableStream(c, key, s);
                s.deleteGroup(s.findGroup(grp));
                c.addLong(1);
                c.engine.dirty++;
                c.engine.notify(Notify.STREAM, "xgroup-destroy", key, c.db.id);
                // Wakes XREADGROUP clients of this group (they get -NOGROUP).
                c.engine.blocking.signalKeyAsReady(c.db, key);
            } else {
                c.addLong(0);
            }
        } else if (eq(opt, "createconsumer") && c.argc == 5) {
            s = writableStream(c, key, s);
            StreamGroup g = s.writableGroup(grp);
            StreamConsumer created = createConsumer(c, g, c.argv[4], key, s.stamp());
            c.addLong(created != null ? 1 : 0);
        } else if (eq(opt, "delconsumer") && c.argc == 5) {
            long pending = 0;
            int ci = cg.findConsumer(c.argv[4]);
            if (ci >= 0) {
                s = writableStream(c, key, s);
                StreamGroup g = s.writableGroup(grp);
                pending = g.consumerAt(ci).pel.size();
                g.deleteConsumer(ci, s.stamp());
                c.engine.dirty++;
                c.engine.notify(Notify.STREAM, "xgroup-delconsumer", key, c.db.id);
            }
            c.addLong(pending);
        } else {
            c.addSubcommandSyntaxError();
        }
    }

    // =====================================================================================
    // XACK / XPENDING / XCLAIM / XAUTOCLAIM
    // =====================================================================================

    void xack(Client c) {
        byte[] key = c.argv[1];
        Object o = streamOrWrong(c, c.db.lookupRead(key));
        if (o == WRONG) return;
        StreamValue s = (StreamValue) o;
        StreamGroup g = s == null ? null : s.group(c.argv[2]);
        if (g == null) {
            c.addLong(0);
            return;
        }
        int n = c.argc - 3;
        long[] ids = new long[2 * n];
        for (int j = 0; j < n; j++) {
            if (!parseId(c, c.argv[j + 3], 0, true, false, false)) return;
            ids[2 * j] = idMs;
            ids[2 * j + 1] = idSeq;
        }
        int acked = 0;
        for (int j = 0; j < n; j++) {
            long ms = ids[2 * j], seq = ids[2 * j + 1];
            StreamNack nack = g.pel.get(ms, seq);
            if (nack == null) continue;
            if (acked == 0) {
                s = writableStream(c, key, s);
                g = s.writableGroup(c.argv[2]);
            }
            dropNack(g, ms, seq, nack, s.stamp());
            acked++;
            c.engine.dirty++;
        }
        c.addLong(acked);
    }

    void xpending(Client c) {
        boolean justinfo = c.argc == 3;
        byte[] key = c.argv[1], groupName = c.argv[2];
        byte[] consumerName = null;
        long sms = 0, sseq = 0, ems = 0, eseq = 0, count = 0, minidle = 0;
        if (c.argc != 3 && (c.argc < 6 || c.argc > 9)) {
            c.addError(Errors.SYNTAX);
            return;
        }
        if (c.argc >= 6) {
            int startidx = 3;
            if (eq(c.argv[3], "idle")) {
                if (!longArg(c, c.argv[4], null)) return;
                minidle = num;
                if (c.argc < 8) {
                    c.addError(Errors.SYNTAX);
                    return;
                }
                startidx += 2;
            }
            if (!longArg(c, c.argv[startidx + 2], null)) return;
            count = num < 0 ? 0 : num;
            if (!parseIntervalId(c, c.argv[startidx], 0)) return;
            sms = idMs;
            sseq = idSeq;
            if (exclusive) {
                if (sms == MAX && sseq == MAX) {
                    c.addError("ERR invalid start ID for the interval");
                    return;
                }
                sseq++;
                if (sseq == 0) sms++;
            }
            if (!parseIntervalId(c, c.argv[startidx + 1], MAX)) return;
            ems = idMs;
            eseq = idSeq;
            if (exclusive) {
                if (ems == 0 && eseq == 0) {
                    c.addError("ERR invalid end ID for the interval");
                    return;
                }
                if (eseq == 0) ems--;
                eseq--;
            }
            if (startidx + 3 < c.argc) consumerName = c.argv[startidx + 3];
        }
        Object o = streamOrWrong(c, c.db.lookupRead(key));
        if (o == WRONG) return;
        StreamValue s = (StreamValue) o;
        StreamGroup g = s == null ? null : s.group(groupName);
        if (g == null) {
            c.addError("NOGROUP No such key '" + str(key) + "' or consumer group '" + str(groupName) + "'");
            return;
        }
        if (justinfo) {
            c.addArrayLen(4);
            c.addLong(g.pel.size());
            if (g.pel.isEmpty()) {
                c.addNull();
                c.addNull();
                c.addNullArray();
                return;
            }
            StreamIdTree.Cursor<StreamNack> cur = g.pel.cursor();
            cur.first();
            addId(c, cur.ms, cur.seq);
            cur.last();
            addId(c, cur.ms, cur.seq);
            int withPending = 0;
            for (int i = 0; i < g.consumerCount(); i++) if (!g.consumerAt(i).pel.isEmpty()) withPending++;
            c.addArrayLen(withPending);
            for (int i = 0; i < g.consumerCount(); i++) {
                StreamConsumer cons = g.consumerAt(i);
                if (cons.pel.isEmpty()) continue;
                c.addArrayLen(2);
                c.addBulk(cons.name);
                c.addBulkLong(cons.pel.size());
            }
            return;
        }
        StreamConsumer cons = null;
        if (consumerName != null) {
            cons = g.consumer(consumerName);
            if (cons == null) {
                c.addArrayLen(0);
                return;
            }
        }
        long now = c.engine.nowMs();
        ByteBuf saved = beginDeferred(c);
        long n = 0;
        if (cons != null) {
            StreamIdTree.Cursor<Boolean> cur = cons.pel.cursor();
            for (boolean ok = cur.seekGE(sms, sseq, false); count > 0 && ok
                && StreamIdTree.compare(cur.ms, cur.seq, ems, eseq) <= 0; ok = cur.next()) {
                StreamNack nack = g.pel.get(cur.ms, cur.seq);
                if (nack == null) continue;
                if (minidle != 0 && now - nack.deliveryTime < minidle) continue;
                emitPending(c, cur.ms, cur.seq, nack, now);
                n++;
                count--;
            }
        } else {
            StreamIdTree.Cursor<StreamNack> cur = g.pel.cursor();
            for (boolean ok = cur.seekGE(sms, sseq, false); count > 0 && ok
                && StreamIdTree.compare(cur.ms, cur.seq, ems, eseq) <= 0; ok = cur.next()) {
                StreamNack nack = cur.value;
                if (minidle != 0 && now - nack.deliveryTime < minidle) continue;
                emitPending(c, cur.ms, cur.seq, nack, now);
                n++;
                count--;
            }
        }
        endArray(c, saved, n);
    }

    private void emitPending(Client c, long ms, long seq, StreamNack nack, long now) {
        c.addArrayLen(4);
        addId(c, ms, seq);
        c.addBulk(nack.consumer);
        long elapsed = now - nack.deliveryTime;
        c.addLong(elapsed < 0 ? 0 : elapsed);
        c.addLong(nack.deliveryCount);
    }

    void xclaim(Client c) {
        byte[] key = c.argv[1], groupName = c.argv[2], name = c.argv[3];
        Object o = streamOrWrong(c, c.db.lookupRead(key));
        if (o == WRONG) return;
        StreamValue s = (StreamValue) o;
        StreamGroup g = s == null ? null : s.group(groupName);
        if (g == null) {
            c.addError("NOGROUP No such key '" + str(key) + "' or consumer group '" + str(groupName) + "'");
            return;
        }
        if (!longArg(c, c.argv[4], "Invalid min-idle-time argument for XCLAIM")) return;
        long minidle = num < 0 ? 0 : num;
        int j;
        long[] ids = new long[2 * (c.argc - 5)];
        for (j = 5; j < c.argc; j++) {
            if (!parseId(c, c.argv[j], 0, true, false, true)) break;
            ids[2 * (j - 5)] = idMs;
            ids[2 * (j - 5) + 1] = idSeq;
        }
        int lastIdArg = j - 1;
        long now = c.engine.nowMs();
        long retrycount = -1, deliverytime = -1;
        boolean force = false, justid = false;
        long lastMs = 0, lastSeq = 0;
        for (; j < c.argc; j++) {
            int more = c.argc - 1 - j;
            byte[] opt = c.argv[j];
            if (eq(opt, "force")) {
                force = true;
            } else if (eq(opt, "justid")) {
                justid = true;
            } else if (eq(opt, "idle") && more > 0) {
                j++;
                if (!longArg(c, c.argv[j], "Invalid IDLE option argument for XCLAIM")) return;
                deliverytime = now - num;
            } else if (eq(opt, "time") && more > 0) {
                j++;
                if (!longArg(c, c.argv[j], "Invalid TIME option argument for XCLAIM")) return;
                deliverytime = num;
            } else if (eq(opt, "retrycount") && more > 0) {
                j++;
                if (!longArg(c, c.argv[j], "Invalid RETRYCOUNT option argument for XCLAIM")) return;
                retrycount = num;
            } else if (eq(opt, "lastid") && more > 0) {
                j++;
                if (!parseId(c, c.argv[j], 0, true, false, false)) return;
                lastMs = idMs;
                lastSeq = idSeq;
            } else {
                c.addError("ERR Unrecognized XCLAIM option '" + str(opt) + "'");
                return;
            }
        }
        s = writableStream(c, key, s);
        g = s.writableGroup(groupName);
        long stamp = s.stamp();
        boolean lastIdChanged = false;
        if (StreamIdTree.compare(lastMs, lastSeq, g.lastMs, g.lastSeq) > 0) {
            g.lastMs = lastMs;
            g.lastSeq = lastSeq;
            lastIdChanged = true;
        }
        java.util.ArrayList<byte[]> touched = new java.util.ArrayList<>();
        if (deliverytime != -1) {
            if (deliverytime < 0 || deliverytime > now) deliverytime = now;
        } else {
            deliverytime = now;
        }
        StreamConsumer cons = null;
        ByteBuf saved = beginDeferred(c);
        long n = 0;
        for (int k = 5; k <= lastIdArg; k++) {
            long ms = ids[2 * (k - 5)], seq = ids[2 * (k - 5) + 1];
            StreamNack nack = g.pel.get(ms, seq);
            if (!s.exists(ms, seq)) {
                if (nack != null) {
                    dropNack(g, ms, seq, nack, stamp);
                    c.engine.dirty++;
                    touched.add(c.argv[k]);
                }
                continue;
            }
            if (force && nack == null) {
                // A forced NACK starts unowned with one delivery, as streamCreateNACK(NULL).
                nack = g.newNack(now, null, stamp);
                g.pel.put(ms, seq, nack, stamp);
            }
            if (nack == null) continue;
            if (nack.consumer != null && minidle != 0 && now - nack.deliveryTime < minidle) continue;
            if (cons == null) {
                cons = lookupConsumer(g, name, now, stamp, true);
                if (cons == null) cons = createConsumer(c, g, name, key, stamp);
            }
            nack = g.writableNack(ms, seq, nack, stamp);
            boolean moved = nack.consumer == null || !java.util.Arrays.equals(nack.consumer, cons.name);
            if (moved && nack.consumer != null) {
                int ci = g.findConsumer(nack.consumer);
                if (ci >= 0) g.writableConsumer(ci, stamp).pel.remove(ms, seq, stamp);
            }
            nack.deliveryTime = deliverytime;
            if (retrycount >= 0) nack.deliveryCount = retrycount;
            else if (!justid) nack.deliveryCount++;
            if (moved) {
                cons.pel.put(ms, seq, Boolean.TRUE, stamp);
                nack.consumer = cons.name;
            }
            if (justid) {
                addId(c, ms, seq);
            } else {
                StreamValue.Iter it = s.iterator(ms, seq, ms, seq, false);
                if (it.next()) emitEntry(c, it);
            }
            n++;
            c.engine.dirty++;
            touched.add(c.argv[k]);
        }
        endArray(c, saved, n);
        if (!touched.isEmpty()) {
            propagateClaims(c, key, groupName, name, touched, deliverytime, retrycount, force, justid, g);
        } else if (lastIdChanged) {
            c.engine.dirty++;
            propagateGroupId(c, key, g);
        }
    }

    private static final byte[] XCLAIM = Bytes.of("XCLAIM"), ZERO = Bytes.of("0"), TIME = Bytes.of("TIME"),
        RETRYCOUNT = Bytes.of("RETRYCOUNT"), FORCE = Bytes.of("FORCE"), JUSTID = Bytes.of("JUSTID"),
        LASTID = Bytes.of("LASTID"), SETID = Bytes.of("SETID"), ENTRIESREAD = Bytes.of("ENTRIESREAD");

    /**
     * Propagates a claim as one deterministic XCLAIM of exactly the IDs it changed (claimed,
     * or dropped because the entry is gone), with the delivery time, counter rule and group
     * last ID fixed, so a replica or the AOF ends in the same state whatever its clock.
     * (Redis emits one such XCLAIM per entry; one command with every ID has the same effect.)
     */
    private void propagateClaims(Client c, byte[] key, byte[] group, byte[] consumer, java.util.List<byte[]> ids,
                                 long time, long retrycount, boolean force, boolean justid, StreamGroup g) {
        java.util.ArrayList<byte[]> argv = new java.util.ArrayList<>(ids.size() + 14);
        argv.add(XCLAIM);
        argv.add(key);
        argv.add(group);
        argv.add(consumer);
        argv.add(ZERO);
        argv.addAll(ids);
        argv.add(TIME);
        argv.add(Numbers.longToBytes(time));
        if (retrycount >= 0) {
            argv.add(RETRYCOUNT);
            argv.add(Numbers.longToBytes(retrycount));
        }
        if (force) argv.add(FORCE);
        if (justid) argv.add(JUSTID);
        argv.add(LASTID);
        argv.add(idBytes(g.lastMs, g.lastSeq));
        KeyCommands.rewriteArgv(c, argv.toArray(new byte[0][]));
    }

    /** XGROUP SETID key group last-id ENTRIESREAD n (streamPropagateGroupID). */
    private void propagateGroupId(Client c, byte[] key, StreamGroup g) {
        KeyCommands.rewriteArgv(c, XGROUP, SETID, key, g.name, idBytes(g.lastMs, g.lastSeq), ENTRIESREAD,
            Numbers.longToBytes(g.entriesRead));
    }

    void xautoclaim(Client c) {
        byte[] key = c.argv[1], groupName = c.argv[2], name = c.argv[3];
        if (!longArg(c, c.argv[4], "Invalid min-idle-time argument for XAUTOCLAIM")) return;
        long minidle = num < 0 ? 0 : num;
        if (!parseIntervalId(c, c.argv[5], 0)) return;
        long sms = idMs, sseq = idSeq;
        if (exclusive) {
            if (sms == MAX && sseq == MAX) {
                c.addError("ERR invalid start ID for the interval");
                return;
            }
            sseq++;
            if (sseq == 0) sms++;
        }
        long count = 100;
        boolean justid = false;
        int j = 6;
        while (j < c.argc) {
            int more = c.argc - 1 - j;
            byte[] opt = c.argv[j];
            if (eq(opt, "count") && more > 0) {
                long maxCount = Long.MAX_VALUE / 16;
                long v = Numbers.parseLong(c.argv[j + 1]);
                boolean isNum = v != Numbers.NOT_A_LONG || Numbers.isLong(c.argv[j + 1]);
                if (!isNum || v < 1 || v > maxCount) {
                    c.addError("ERR COUNT must be > 0");
                    return;
                }
                count = v;
                j++;
            } else if (eq(opt, "justid")) {
                justid = true;
            } else {
                c.addError(Errors.SYNTAX);
                return;
            }
            j++;
        }
        Object o = streamOrWrong(c, c.db.lookupRead(key));
        if (o == WRONG) return;
        StreamValue s = (StreamValue) o;
        StreamGroup g = s == null ? null : s.group(groupName);
        if (g == null) {
            c.addError("NOGROUP No such key '" + str(key) + "' or consumer group '" + str(groupName) + "'");
            return;
        }
        s = writableStream(c, key, s);
        g = s.writableGroup(groupName);
        long stamp = s.stamp();
        long now = c.engine.nowMs();
        long attempts = count * 10;
        StreamConsumer cons = null;
        java.util.ArrayList<long[]> deleted = new java.util.ArrayList<>();
        java.util.ArrayList<byte[]> touched = new java.util.ArrayList<>();
        ByteBuf saved = beginDeferred(c);
        long n = 0;
        StreamIdTree.Cursor<StreamNack> cur = g.pel.cursor();
        boolean ok = cur.seekGE(sms, sseq, false);
        while (attempts-- > 0 && count > 0 && ok) {
            long ms = cur.ms, seq = cur.seq;
            StreamNack nack = cur.value;
            if (!s.exists(ms, seq)) {
                dropNack(g, ms, seq, nack, stamp);
                c.engine.dirty++;
                deleted.add(new long[] {ms, seq});
                touched.add(idBytes(ms, seq));
                count--;
                ok = cur.seekGE(ms, seq, false);
                continue;
            }
            if (minidle != 0 && now - nack.deliveryTime < minidle) {
                ok = cur.next();
                continue;
            }
            if (cons == null) {
                cons = lookupConsumer(g, name, now, stamp, true);
                if (cons == null) cons = createConsumer(c, g, name, key, stamp);
            }
            nack = g.writableNack(ms, seq, nack, stamp);
            boolean moved = nack.consumer == null || !java.util.Arrays.equals(nack.consumer, cons.name);
            if (moved && nack.consumer != null) {
                int ci = g.findConsumer(nack.consumer);
                if (ci >= 0) g.writableConsumer(ci, stamp).pel.remove(ms, seq, stamp);
            }
            nack.deliveryTime = now;
            if (!justid) nack.deliveryCount++;
            if (moved) {
                cons.pel.put(ms, seq, Boolean.TRUE, stamp);
                nack.consumer = cons.name;
            }
            if (justid) {
                addId(c, ms, seq);
            } else {
                StreamValue.Iter it = s.iterator(ms, seq, ms, seq, false);
                if (it.next()) emitEntry(c, it);
            }
            n++;
            count--;
            c.engine.dirty++;
            touched.add(idBytes(ms, seq));
            // The PEL trees may have been copied on write: re-seek past this entry.
            ok = cur.seekGE(ms, seq, true);
        }
        // The cursor for the next call: the first entry not examined, 0-0 at the end of the PEL.
        long endMs = ok ? cur.ms : 0, endSeq = ok ? cur.seq : 0;
        ByteBuf body = c.out;
        c.out = saved;
        try {
            c.addArrayLen(3);
            addId(c, endMs, endSeq);
            c.addArrayLen(n);
            if (body.isReadable() && c.out != null) c.out.writeBytes(body);
        } finally {
            body.release();
        }
        c.addArrayLen(deleted.size());
        for (long[] d : deleted) addId(c, d[0], d[1]);
        if (!touched.isEmpty()) propagateClaims(c, key, groupName, name, touched, now, -1, false, justid, g);
    }

    // =====================================================================================
    // XINFO
    // =====================================================================================

    void xinfoHelp(Client c) {
        c.addHelp("XINFO",
            "CONSUMERS <key> <groupname>",
            "    Show consumers of <groupname>.",
            "GROUPS <key>",
            "    Show the stream consumer groups.",
            "STREAM <key> [FULL [COUNT <count>]",
            "    Show information about the stream.");
    }

    /** The stream for XINFO: null after replying "no such key" or WRONGTYPE. */
    private static StreamValue xinfoLookup(Client c) {
        Object v = c.db.lookupRead(c.argv[2]);
        if (v == null) {
            c.addError(Errors.NO_SUCH_KEY);
            return null;
        }
        if (!(v instanceof StreamValue s)) {
            c.addError(Errors.WRONGTYPE);
            return null;
        }
        return s;
    }

    private static void addLag(Client c, StreamValue s, StreamGroup g) {
        long lag = s.lag(g);
        if (lag == Long.MIN_VALUE) c.addNull();
        else c.addLong(lag);
    }

    void xinfoConsumers(Client c) {
        StreamValue s = xinfoLookup(c);
        if (s == null) return;
        StreamGroup g = s.group(c.argv[3]);
        if (g == null) {
            c.addError("NOGROUP No such consumer group '" + str(c.argv[3]) + "' for key name '" + str(c.argv[2]) + "'");
            return;
        }
        long now = c.engine.nowMs();
        c.addArrayLen(g.consumerCount());
        for (int i = 0; i < g.consumerCount(); i++) {
            StreamConsumer cons = g.consumerAt(i);
            long idle = now - cons.seenTime;
            c.addMapLen(3);
            c.addBulk("name");
            c.addBulk(cons.name);
            c.addBulk("pending");
            c.addLong(cons.pel.size());
            c.addBulk("idle");
            c.addLong(idle < 0 ? 0 : idle);
        }
    }

    void xinfoGroups(Client c) {
        StreamValue s = xinfoLookup(c);
        if (s == null) return;
        c.addArrayLen(s.groupCount());
        for (int i = 0; i < s.groupCount(); i++) {
            StreamGroup g = s.groupAt(i);
            c.addMapLen(6);
            c.addBulk("name");
            c.addBulk(g.name);
            c.addBulk("consumers");
            c.addLong(g.consumerCount());
            c.addBulk("pending");
            c.addLong(g.pel.size());
            c.addBulk("last-delivered-id");
            addId(c, g.lastMs, g.lastSeq);
            c.addBulk("entries-read");
            if (g.entriesRead != StreamGroup.INVALID_ENTRIES_READ) c.addLong(g.entriesRead);
            else c.addNull();
            c.addBulk("lag");
            addLag(c, s, g);
        }
    }

    void xinfoStream(Client c) {
        boolean full = true;
        long count = 10;
        int optc = c.argc - 3;
        if (optc == 0) {
            full = false;
        } else {
            if (optc != 1 && optc != 3) {
                c.addSubcommandSyntaxError();
                return;
            }
            if (!eq(c.argv[3], "full")) {
                c.addSubcommandSyntaxError();
                return;
            }
            if (optc == 3) {
                if (!eq(c.argv[4], "count")) {
                    c.addSubcommandSyntaxError();
                    return;
                }
                if (!longArg(c, c.argv[5], null)) return;
                count = num < 0 ? 10 : num;
            }
        }
        StreamValue s = xinfoLookup(c);
        if (s == null) return;
        c.addMapLen(full ? 9 : 10);
        c.addBulk("length");
        c.addLong(s.length);
        c.addBulk("radix-tree-keys");
        c.addLong(s.nodeCount());
        c.addBulk("radix-tree-nodes");
        c.addLong(s.radixTreeNodes());
        c.addBulk("last-generated-id");
        addId(c, s.lastMs, s.lastSeq);
        c.addBulk("max-deleted-entry-id");
        addId(c, s.maxDelMs, s.maxDelSeq);
        c.addBulk("entries-added");
        c.addLong(s.entriesAdded);
        c.addBulk("recorded-first-entry-id");
        addId(c, s.firstMs, s.firstSeq);
        if (!full) {
            c.addBulk("groups");
            c.addLong(s.groupCount());
            c.addBulk("first-entry");
            if (replyWithRange(c, s, 0, 0, MAX, MAX, 1, false, null, null, RWR_RAWENTRIES) == 0) c.addNull();
            c.addBulk("last-entry");
            if (replyWithRange(c, s, 0, 0, MAX, MAX, 1, true, null, null, RWR_RAWENTRIES) == 0) c.addNull();
            return;
        }
        c.addBulk("entries");
        replyWithRange(c, s, 0, 0, MAX, MAX, count, false, null, null, 0);
        c.addBulk("groups");
        c.addArrayLen(s.groupCount());
        for (int i = 0; i < s.groupCount(); i++) {
            StreamGroup g = s.groupAt(i);
            c.addMapLen(7);
            c.addBulk("name");
            c.addBulk(g.name);
            c.addBulk("last-delivered-id");
            addId(c, g.lastMs, g.lastSeq);
            c.addBulk("entries-read");
            if (g.entriesRead != StreamGroup.INVALID_ENTRIES_READ) c.addLong(g.entriesRead);
            else c.addNull();
            c.addBulk("lag");
            addLag(c, s, g);
            c.addBulk("pel-count");
            c.addLong(g.pel.size());
            c.addBulk("pending");
            long pn = count == 0 ? g.pel.size() : Math.min(count, g.pel.size());
            c.addArrayLen(pn);
            StreamIdTree.Cursor<StreamNack> cur = g.pel.cursor();
            long k = 0;
            for (boolean ok = cur.first(); ok && k < pn; ok = cur.next(), k++) {
                c.addArrayLen(4);
                addId(c, cur.ms, cur.seq);
                c.addBulk(cur.value.consumer);
                c.addLong(cur.value.deliveryTime);
                c.addLong(cur.value.deliveryCount);
            }
            c.addBulk("consumers");
            c.addArrayLen(g.consumerCount());
            for (int ci = 0; ci < g.consumerCount(); ci++) {
                StreamConsumer cons = g.consumerAt(ci);
                c.addMapLen(4);
                c.addBulk("name");
                c.addBulk(cons.name);
                c.addBulk("seen-time");
                c.addLong(cons.seenTime);
                c.addBulk("pel-count");
                c.addLong(cons.pel.size());
                c.addBulk("pending");
                long cn = count == 0 ? cons.pel.size() : Math.min(count, cons.pel.size());
                c.addArrayLen(cn);
                StreamIdTree.Cursor<Boolean> cc = cons.pel.cursor();
                long m = 0;
                for (boolean ok = cc.first(); ok && m < cn; ok = cc.next(), m++) {
                    StreamNack nack = g.pel.get(cc.ms, cc.seq);
                    c.addArrayLen(3);
                    addId(c, cc.ms, cc.seq);
                    c.addLong(nack != null ? nack.deliveryTime : 0);
                    c.addLong(nack != null ? nack.deliveryCount : 0);
                }
            }
        }
    }
}

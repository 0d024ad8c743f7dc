package org.redoubt.persistence.aof;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.redoubt.engine.db.CowMap;
import org.redoubt.engine.type.HashValue;
import org.redoubt.engine.type.ListValue;
import org.redoubt.engine.type.SetValue;
import org.redoubt.engine.type.StreamConsumer;
import org.redoubt.engine.type.StreamGroup;
import org.redoubt.engine.type.StreamListpack;
import org.redoubt.engine.type.StreamNack;
import org.redoubt.engine.type.StreamValue;
import org.redoubt.engine.type.Types;
import org.redoubt.engine.type.ZSetValue;
import org.redoubt.persistence.Snapshot;
import org.redoubt.protocol.Numbers;

/**
 * Writes a {@link Snapshot} as a sequence of commands that rebuilds it (the AOF-format base of
 * a rewrite, rewriteAppendOnlyFileRio): FUNCTION LOAD for every library, then per non-empty
 * database a SELECT and, per key, the commands that recreate its value — SET, or variadic
 * RPUSH / SADD / ZADD / HMSET with at most {@link #ITEMS_PER_CMD} items each, or XADD, XSETID
 * and XGROUP/XCLAIM for a stream — followed by PEXPIREAT when the key has a TTL.
 *
 * <p>Runs on the rewrite thread and reads only the snapshot (values are frozen by the
 * copy-on-write contract).
 */
final class AofRewriter {
    /** AOF_REWRITE_ITEMS_PER_CMD. */
    static final int ITEMS_PER_CMD = 64;
    private static final int FLUSH_AT = 64 * 1024;

    private static final byte[] SET = b("SET"), RPUSH = b("RPUSH"), SADD = b("SADD"), ZADD = b("ZADD"),
        HMSET = b("HMSET"), PEXPIREAT = b("PEXPIREAT"), SELECT = b("SELECT"), XADD = b("XADD"),
        XSETID = b("XSETID"), XGROUP = b("XGROUP"), XCLAIM = b("XCLAIM"), CREATE = b("CREATE"),
        CREATECONSUMER = b("CREATECONSUMER"), MAXLEN = b("MAXLEN"), ENTRIESADDED = b("ENTRIESADDED"),
        MAXDELETEDID = b("MAXDELETEDID"), ENTRIESREAD = b("ENTRIESREAD"), TIME = b("TIME"),
        RETRYCOUNT = b("RETRYCOUNT"), JUSTID = b("JUSTID"), FORCE = b("FORCE"), FUNCTION = b("FUNCTION"),
        LOAD = b("LOAD"), ZERO = b("0");

    private final Snapshot snap;
    private final OutputStream out;
    private final AofBuffer buf = new AofBuffer(FLUSH_AT + 1024);
    private final AtomicBoolean abort;
    final AtomicLong keysProcessed = new AtomicLong();

    AofRewriter(Snapshot snap, OutputStream out, AtomicBoolean abort) {
        this.snap = snap;
        this.out = out;
        this.abort = abort;
    }

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.US_ASCII); }

    private void maybeFlush() throws IOException {
        if (buf.length() >= FLUSH_AT) flush();
    }

    void flush() throws IOException {
        if (buf.length() > 0) {
            out.write(buf.array(), 0, buf.length());
            buf.clear();
        }
    }

    /**
     * Writes everything; false when aborted.
     * @param timestampSec the "#TS:" annotation to start with, or -1 for none
     */
    boolean write(long timestampSec) throws IOException {
        if (timestampSec >= 0) {
            buf.write(("#TS:" + timestampSec + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        for (byte[] code : snap.functions) {
            buf.header('*', 3);
            buf.bulk(FUNCTION);
            buf.bulk(LOAD);
            buf.bulk(code);
        }
        for (int db = 0; db < snap.mains.length; db++) {
            CowMap main = snap.mains[db];
            if (main == null || main.size() == 0) continue;
            CowMap exp = snap.expires[db];
            buf.header('*', 2);
            buf.bulk(SELECT);
            buf.bulkLong(db);
            boolean[] aborted = new boolean[1];
            try {
                main.forEach((key, value, meta) -> {
                    if (abort.get()) {
                        aborted[0] = true;
                        return false;
                    }
                    try {
                        writeKey(key, value);
                        if (exp != null && exp.size() != 0) {
                            Object t = exp.get(key);
                            if (t != null) {
                                buf.header('*', 3);
                                buf.bulk(PEXPIREAT);
                                buf.bulk(key);
                                buf.bulkLong((Long) t);
                            }
                        }
                        maybeFlush();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    keysProcessed.lazySet(keysProcessed.get() + 1);
                    if (snap.keySaveDelay != 0) delay(snap.keySaveDelay);
                    return true;
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            if (aborted[0]) return false;
        }
        flush();
        return true;
    }

    /** debugDelay: usec microseconds; negative: 1us with probability 1/-usec. */
    static void delay(int usec) {
        if (usec < 0) usec = java.util.concurrent.ThreadLocalRandom.current().nextInt(-usec) == 0 ? 1 : 0;
        if (usec > 0) LockSupport.parkNanos(usec * 1000L);
    }

    private void writeKey(byte[] key, Object v) throws IOException {
        if (Types.isString(v)) {
            buf.header('*', 3);
            buf.bulk(SET);
            buf.bulk(key);
            buf.bulk(Types.array(v), 0, Types.strlen(v));
        } else if (v instanceof ListValue l) {
            writeList(key, l);
        } else if (v instanceof SetValue s) {
            writeSet(key, s);
        } else if (v instanceof ZSetValue z) {
            writeZSet(key, z);
        } else if (v instanceof HashValue h) {
            writeHash(key, h);
        } else if (v instanceof StreamValue s) {
            writeStream(key, s);
        } else {
            throw new IOException("Unknown object type " + (v == null ? "null" : v.getClass().getSimpleName()));
        }
    }

    /** Opens a variadic command for the next min(remaining, 64) items of (items-per-entry) arguments. */
    private void open(byte[] cmd, byte[] key, long remaining, int argsPerItem) {
        long n = Math.min(remaining, ITEMS_PER_CMD);
        buf.header('*', 2 + n * argsPerItem);
        buf.bulk(cmd);
        buf.bulk(key);
    }

    private void writeList(byte[] key, ListValue l) throws IOException {
        long[] st = {0, l.size()};   // count in the current command, items remaining
        IOException[] err = new IOException[1];
        l.forEach((b, off, len) -> {
            if (st[0] == 0) open(RPUSH, key, st[1], 1);
            buf.bulk(b, off, len);
            if (++st[0] == ITEMS_PER_CMD) st[0] = 0;
            st[1]--;
            if (err[0] == null) {
                try { maybeFlush(); } catch (IOException e) { err[0] = e; }
            }
        });
        if (err[0] != null) throw err[0];
    }

    private void writeSet(byte[] key, SetValue s) throws IOException {
        long[] st = {0, s.size()};
        IOException[] err = new IOException[1];
        if (s.isIntset()) {
            for (int i = 0, n = s.size(); i < n; i++) {
                if (st[0] == 0) open(SADD, key, st[1], 1);
                buf.bulkLong(s.intAt(i));
                if (++st[0] == ITEMS_PER_CMD) st[0] = 0;
                st[1]--;
                maybeFlush();
            }
            return;
        }
        s.forEach((m, value, meta) -> {
            if (st[0] == 0) open(SADD, key, st[1], 1);
            buf.bulk(m);
            if (++st[0] == ITEMS_PER_CMD) st[0] = 0;
            st[1]--;
            try { maybeFlush(); } catch (IOException e) { err[0] = e; return false; }
            return true;
        });
        if (err[0] != null) throw err[0];
    }

    private void writeZSet(byte[] key, ZSetValue z) throws IOException {
        long[] st = {0, z.size()};
        IOException[] err = new IOException[1];
        z.forEach((member, score) -> {
            if (st[0] == 0) open(ZADD, key, st[1], 2);
            buf.bulk(Numbers.formatDouble(score).getBytes(StandardCharsets.US_ASCII));
            buf.bulk(member);
            if (++st[0] == ITEMS_PER_CMD) st[0] = 0;
            st[1]--;
            try { maybeFlush(); } catch (IOException e) { err[0] = e; return false; }
            return true;
        });
        if (err[0] != null) throw err[0];
    }

    private void writeHash(byte[] key, HashValue h) throws IOException {
        long[] st = {0, h.size()};
        IOException[] err = new IOException[1];
        h.forEach((field, value, meta) -> {
            if (st[0] == 0) open(HMSET, key, st[1], 2);
            buf.bulk(field);
            buf.bulk((byte[]) value);
            if (++st[0] == ITEMS_PER_CMD) st[0] = 0;
            st[1]--;
            try { maybeFlush(); } catch (IOException e) { err[0] = e; return false; }
            return true;
        });
        if (err[0] != null) throw err[0];
    }

    // ---- streams

    private static byte[] id(long ms, long seq) {
        return (Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq)).getBytes(StandardCharsets.US_ASCII);
    }

    private static void lpBulk(AofBuffer buf, byte[] lp, int p) {
        if (StreamListpack.isInt(lp, p)) buf.bulkLong(StreamListpack.getInt(lp, p));
        else buf.bulk(lp, StreamListpack.strOff(lp, p), StreamListpack.strLen(lp, p));
    }

    private void writeStream(byte[] key, StreamValue s) throws IOException {
        if (s.length > 0) {
            StreamValue.Iter it = s.iterator(0, 0, -1L, -1L, false);
            while (it.next()) {
                buf.header('*', 3 + it.numFields * 2L);
                buf.bulk(XADD);
                buf.bulk(key);
                buf.bulk(id(it.ms, it.seq));
                byte[] lp = it.lp;
                int p = it.dataPos;
                int f = it.masterFieldsStart;
                for (int i = 0; i < it.numFields; i++) {
                    if (it.sameFields()) {
                        lpBulk(buf, lp, f);
                        f = StreamListpack.next(lp, f);
                    } else {
                        lpBulk(buf, lp, p);
                        p = StreamListpack.next(lp, p);
                    }
                    lpBulk(buf, lp, p);
                    p = StreamListpack.next(lp, p);
                }
                maybeFlush();
            }
        } else {
            // An empty stream still exists: create it with an entry trimmed away at once.
            buf.header('*', 7);
            buf.bulk(XADD);
            buf.bulk(key);
            buf.bulk(MAXLEN);
            buf.bulk(ZERO);
            buf.bulk(id(0, 1));
            buf.bulk(b("x"));
            buf.bulk(b("y"));
        }
        buf.header('*', 7);
        buf.bulk(XSETID);
        buf.bulk(key);
        buf.bulk(id(s.lastMs, s.lastSeq));
        buf.bulk(ENTRIESADDED);
        buf.bulkLong(s.entriesAdded);
        buf.bulk(MAXDELETEDID);
        buf.bulk(id(s.maxDelMs, s.maxDelSeq));
        for (int g = 0, ng = s.groupCount(); g < ng; g++) {
            StreamGroup group = s.groupAt(g);
            buf.header('*', 7);
            buf.bulk(XGROUP);
            buf.bulk(CREATE);
            buf.bulk(key);
            buf.bulk(group.name);
            buf.bulk(id(group.lastMs, group.lastSeq));
            buf.bulk(ENTRIESREAD);
            buf.bulkLong(group.entriesRead);
            for (int ci = 0, nc = group.consumerCount(); ci < nc; ci++) {
                StreamConsumer consumer = group.consumerAt(ci);
                if (consumer.pel.isEmpty()) {
                    buf.header('*', 5);
                    buf.bulk(XGROUP);
                    buf.bulk(CREATECONSUMER);
                    buf.bulk(key);
                    buf.bulk(group.name);
                    buf.bulk(consumer.name);
                    continue;
                }
                IOException[] err = new IOException[1];
                consumer.pel.forEach((ms, seq, present) -> {
                    StreamNack nack = group.pel.get(ms, seq);
                    if (nack == null) return true;
                    buf.header('*', 12);
                    buf.bulk(XCLAIM);
                    buf.bulk(key);
                    buf.bulk(group.name);
                    buf.bulk(consumer.name);
                    buf.bulk(ZERO);
                    buf.bulk(id(ms, seq));
                    buf.bulk(TIME);
                    buf.bulkLong(nack.deliveryTime);
                    buf.bulk(RETRYCOUNT);
                    buf.bulkLong(nack.deliveryCount);
                    buf.bulk(JUSTID);
                    buf.bulk(FORCE);
                    try { maybeFlush(); } catch (IOException e) { err[0] = e; return false; }
                    return true;
                });
                if (err[0] != null) throw err[0];
            }
        }
    }
}

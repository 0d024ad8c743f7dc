package org.redoubt.engine.commands;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.redoubt.engine.Blocking;
import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Errors;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.config.Notify;
import org.redoubt.engine.db.Db;
import org.redoubt.engine.type.ListValue;
import org.redoubt.engine.util.Bytes;
import org.redoubt.protocol.Numbers;

/**
 * List commands (Redis's t_list.c) and CLIENT UNBLOCK. Replies, errors, keyspace events, dirty
 * counts and propagated forms follow Redis 7.0: a blocking command served at once is propagated
 * as its non-blocking form (BLPOP as LPOP, BLMPOP as LPOP key count, BLMOVE as LMOVE), and a
 * blocked one, when {@link Blocking} serves it, the same way.
 *
 * <p>Every write takes the list through {@link ListValue#writable} (copy-on-write against
 * snapshots) and stores the copy back when one was made; a list that becomes empty is deleted.
 */
public final class ListCommands implements CommandFamily {
    private static final byte[] LPOP = bytes("LPOP"), RPOP = bytes("RPOP"), LMOVE = bytes("LMOVE"),
        RPOPLPUSH = bytes("RPOPLPUSH"), LEFT = bytes("left"), RIGHT = bytes("right");
    private static final String RANK_ZERO = "ERR RANK can't be zero: use 1 to start from the first match, "
        + "2 from the second ... or use negative to start from the end of the list";

    private Blocking blocking;
    /** Writes visited elements as bulk replies to {@link BulkOut#c}; engine thread only. */
    private final BulkOut bulk = new BulkOut();
    /** The value of the last successful {@link #parseLong}. */
    private long parsed;

    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.US_ASCII); }

    private static final class BulkOut implements ListValue.ElementVisitor {
        Client c;

        @Override
        public void visit(byte[] buf, int off, int len) { c.addBulk(buf, off, len); }
    }

    @Override
    public void register(CommandTable t, Engine e) {
        this.blocking = e.blocking;
        t.bind("lpush", c -> push(c, true, false));
        t.bind("rpush", c -> push(c, false, false));
        t.bind("lpushx", c -> push(c, true, true));
        t.bind("rpushx", c -> push(c, false, true));
        t.bind("lpop", c -> pop(c, true));
        t.bind("rpop", c -> pop(c, false));
        t.bind("llen", this::llen);
        t.bind("lindex", this::lindex);
        t.bind("linsert", this::linsert);
        t.bind("lset", this::lset);
        t.bind("lrange", this::lrange);
        t.bind("ltrim", this::ltrim);
        t.bind("lrem", this::lrem);
        t.bind("lpos", this::lpos);
        t.bind("lmove", this::lmove);
        t.bind("rpoplpush", c -> move(c, false, true, NO_REWRITE));
        t.bind("lmpop", c -> lmpop(c, 1, false));
        t.bind("blpop", c -> blockingPop(c, 1, c.argc - 1, true, c.argc - 1, -1));
        t.bind("brpop", c -> blockingPop(c, 1, c.argc - 1, false, c.argc - 1, -1));
        t.bind("blmove", this::blmove);
        t.bind("brpoplpush", this::brpoplpush);
        t.bind("blmpop", c -> lmpop(c, 2, true));
        t.bind("client|unblock", this::clientUnblock);
    }

    // =====================================================================================
    // Helpers
    // =====================================================================================

    /** A new empty list with the configured node size, as createQuicklistObject. */
    static ListValue newList(Engine e) {
        return ListValue.create(e.config.listMaxListpackSize, e.snapshotEpoch);
    }

    /** getLongFromObjectOrReply: sets {@link #parsed}, or replies msg (or the default error). */
    private boolean parseLong(Client c, byte[] arg, String msg) {
        long v = Numbers.parseLong(arg);
        if (v == Numbers.NOT_A_LONG && !Numbers.isLong(arg)) {
            c.addError(msg != null ? msg : Errors.NOT_INTEGER);
            return false;
        }
        parsed = v;
        return true;
    }

    /** getRangeLongFromObjectOrReply with one message for both failures. */
    private boolean parseRange(Client c, byte[] arg, long min, long max, String msg) {
        if (!parseLong(c, arg, msg)) return false;
        if (parsed < min || parsed > max) {
            c.addError(msg);
            return false;
        }
        return true;
    }

    /** True after replying WRONGTYPE: v exists and is not a list. */
    private static boolean wrongType(Client c, Object v) {
        if (v != null && !(v instanceof ListValue)) {
            c.addError(Errors.WRONGTYPE);
            return true;
        }
        return false;
    }

    /** Stores the writable copy w of v (if one was made) and signals the modification. */
    private static void store(Client c, Db db, byte[] key, Object v, ListValue w) {
        if (w != v) db.overwrite(key, w);
        else c.engine.signalModifiedKey(db, key);
    }

    private static final int RIGHT_END = 0, LEFT_END = 1, BAD_END = -1;

    /** LEFT/RIGHT (any case) to LEFT_END/RIGHT_END; BAD_END after a syntax error reply. */
    private static int where(Client c, byte[] arg) {
        if (Bytes.equalsIgnoreCase(arg, "left")) return LEFT_END;
        if (Bytes.equalsIgnoreCase(arg, "right")) return RIGHT_END;
        c.addError(Errors.SYNTAX);
        return BAD_END;
    }

    /** Redis's addListRangeReply: start/end as LRANGE interprets them. */
    private void rangeReply(Client c, ListValue l, long start, long end, boolean reverse) {
        long llen = l.size();
        if (start < 0) start = llen + start;
        if (end < 0) end = llen + end;
        if (start < 0) start = 0;
        if (start > end || start >= llen) {
            c.addArrayLen(0);
            return;
        }
        if (end >= llen) end = llen - 1;
        long n = end - start + 1;
        c.addArrayLen(n);
        bulk.c = c;
        l.visitRange(start, n, reverse, bulk);
        bulk.c = null;
    }

    /**
     * listElementsRemoved: events, deletion of an emptied list, modification signal and dirty
     * after n elements were popped from w (the writable copy of v).
     */
    private static void elementsRemoved(Client c, Db db, byte[] key, boolean head, Object v, ListValue w, long n) {
        Engine e = c.engine;
        e.notify(Notify.LIST, head ? "lpop" : "rpop", key, db.id);
        if (w.size() == 0) {
            db.delete(key);
            e.notify(Notify.GENERIC, "del", key, db.id);
        } else {
            store(c, db, key, v, w);
        }
        e.dirty += n;
    }

    /** listPopRangeAndReplyWithKey: [key, [elements]] for up to count elements, popped. */
    private void popRangeWithKey(Client c, Db db, byte[] key, ListValue l, boolean head, long count) {
        long llen = l.size();
        long n = Math.min(count, llen);
        c.addArrayLen(2);
        c.addBulk(key);
        c.addArrayLen(n);
        bulk.c = c;
        l.visitRange(head ? 0 : llen - n, n, !head, bulk);
        bulk.c = null;
        ListValue w = l.writable(c.engine.snapshotEpoch);
        w.deleteRange(head ? 0 : llen - n, n);
        elementsRemoved(c, db, key, head, l, w, n);
    }

    /**
     * Replies [key, element] for the first or last element of l (key is c.argv's) and pops it:
     * returns the writable copy holding the rest.
     */
    private ListValue popOneWithKey(Client c, byte[] key, ListValue l, boolean head) {
        c.addArrayLen(2);
        c.addBulk(key);
        bulk.c = c;
        l.get(head ? 0 : l.size() - 1, bulk);
        bulk.c = null;
        ListValue w = l.writable(c.engine.snapshotEpoch);
        w.deleteRange(head ? 0 : w.size() - 1, 1);
        return w;
    }

    // =====================================================================================
    // LPUSH / RPUSH / LPUSHX / RPUSHX
    // =====================================================================================

    private void push(Client c, boolean head, boolean xx) {
        byte[] key = c.argv[1];
        Db db = c.db;
        Object v = db.lookupWrite(key);
        if (wrongType(c, v)) return;
        ListValue w;
        if (v == null) {
            if (xx) {
                c.addLong(0);
                return;
            }
            w = newList(c.engine);
            pushAll(c, w, head);
            db.add(key, w);
        } else {
            w = ((ListValue) v).writable(c.engine.snapshotEpoch);
            pushAll(c, w, head);
            store(c, db, key, v, w);
        }
        c.engine.dirty += c.argc - 2;
        c.addLong(w.size());
        c.engine.notify(Notify.LIST, head ? "lpush" : "rpush", key, db.id);
    }

    private static void pushAll(Client c, ListValue w, boolean head) {
        byte[][] argv = c.argv;
        if (head) for (int j = 2; j < c.argc; j++) w.pushHead(argv[j]);
        else for (int j = 2; j < c.argc; j++) w.pushTail(argv[j]);
    }

    // =====================================================================================
    // LPOP / RPOP
    // =====================================================================================

    private void pop(Client c, boolean head) {
        if (c.argc > 3) {
            c.addError(Errors.wrongArgs(c.cmd.fullName));
            return;
        }
        boolean hasCount = c.argc == 3;
        long count = 0;
        if (hasCount) {
            if (!parseRange(c, c.argv[2], 0, Long.MAX_VALUE, "ERR value is out of range, must be positive")) return;
            count = parsed;
        }
        byte[] key = c.argv[1];
        Object v = c.db.lookupWrite(key);
        if (v == null) {
            if (hasCount) c.addNullArray();
            else c.addNull();
            return;
        }
        if (wrongType(c, v)) return;
        ListValue l = (ListValue) v;
        if (hasCount && count == 0) {
            c.addArrayLen(0);
            return;
        }
        if (!hasCount) {
            bulk.c = c;
            l.get(head ? 0 : l.size() - 1, bulk);
            bulk.c = null;
            ListValue w = l.writable(c.engine.snapshotEpoch);
            w.deleteRange(head ? 0 : w.size() - 1, 1);
            elementsRemoved(c, c.db, key, head, l, w, 1);
        } else {
            long llen = l.size();
            long n = Math.min(count, llen);
            rangeReply(c, l, head ? 0 : -n, head ? n - 1 : -1, !head);
            ListValue w = l.writable(c.engine.snapshotEpoch);
            w.deleteRange(head ? 0 : llen - n, n);
            elementsRemoved(c, c.db, key, head, l, w, n);
        }
    }

    // =====================================================================================
    // LLEN / LINDEX / LSET / LRANGE / LTRIM
    // =====================================================================================

    private void llen(Client c) {
        Object v = c.db.lookupRead(c.argv[1]);
        if (v == null) {
            c.addLong(0);
            return;
        }
        if (wrongType(c, v)) return;
        c.addLong(((ListValue) v).size());
    }

    private void lindex(Client c) {
        Object v = c.db.lookupRead(c.argv[1]);
        if (v == null) {
            c.addNull();
            return;
        }
        if (wrongType(c, v)) return;
        if (!parseLong(c, c.argv[2], null)) return;
        ListValue l = (ListValue) v;
        long index = parsed < 0 ? l.size() + parsed : parsed;
        if (index < 0 || index >= l.size()) {
            c.addNull();
            return;
        }
        bulk.c = c;
        l.get(index, bulk);
        bulk.c = null;
    }

    private void lset(Client c) {
        byte[] key = c.argv[1];
        Object v = c.db.lookupWrite(key);
        if (v == null) {
            c.addError(Errors.NO_SUCH_KEY);
            return;
        }
        if (wrongType(c, v)) return;
        if (!parseLong(c, c.argv[2], null)) return;
        ListValue l = (ListValue) v;
        long index = parsed < 0 ? l.size() + parsed : parsed;
        if (index < 0 || index >= l.size()) {
            c.addError(Errors.OUT_OF_RANGE);
            return;
        }
        ListValue w = l.writable(c.engine.snapshotEpoch);
        w.set(index, c.argv[3]);
        store(c, c.db, key, v, w);
        c.addOk();
        c.engine.notify(Notify.LIST, "lset", key, c.db.id);
        c.engine.dirty++;
    }

    private void lrange(Client c) {
        if (!parseLong(c, c.argv[2], null)) return;
        long start = parsed;
        if (!parseLong(c, c.argv[3], null)) return;
        long end = parsed;
        Object v = c.db.lookupRead(c.argv[1]);
        if (v == null) {
            c.addArrayLen(0);
            return;
        }
        if (wrongType(c, v)) return;
        rangeReply(c, (ListValue) v, start, end, false);
    }

    private void ltrim(Client c) {
        if (!parseLong(c, c.argv[2], null)) return;
        long start = parsed;
        if (!parseLong(c, c.argv[3], null)) return;
        long end = parsed;
        byte[] key = c.argv[1];
        Object v = c.db.lookupWrite(key);
        if (v == null) {
            c.addOk();
            return;
        }
        if (wrongType(c, v)) return;
        ListValue l = (ListValue) v;
        long llen = l.size();
        if (start < 0) start = llen + start;
        if (end < 0) end = llen + end;
        if (start < 0) start = 0;
        long ltrim, rtrim;
        if (start > end || start >= llen) {
            ltrim = llen;
            rtrim = 0;
        } else {
            if (end >= llen) end = llen - 1;
            ltrim = start;
            rtrim = llen - end - 1;
        }
        ListValue w = l.writable(c.engine.snapshotEpoch);
        w.deleteRange(0, ltrim);
        w.deleteRange(w.size() - rtrim, rtrim);
        Engine e = c.engine;
        e.notify(Notify.LIST, "ltrim", key, c.db.id);
        if (w.size() == 0) {
            c.db.delete(key);
            e.notify(Notify.GENERIC, "del", key, c.db.id);
        } else {
            store(c, c.db, key, v, w);
        }
        e.dirty += ltrim + rtrim;
        c.addOk();
    }

    // =====================================================================================
    // LINSERT / LREM / LPOS
    // =====================================================================================

    private void linsert(Client c) {
        boolean after;
        if (Bytes.equalsIgnoreCase(c.argv[2], "after")) after = true;
        else if (Bytes.equalsIgnoreCase(c.argv[2], "before")) after = false;
        else {
            c.addError(Errors.SYNTAX);
            return;
        }
        byte[] key = c.argv[1];
        Object v = c.db.lookupWrite(key);
        if (v == null) {
            c.addLong(0);
            return;
        }
        if (wrongType(c, v)) return;
        ListValue w = ((ListValue) v).writable(c.engine.snapshotEpoch);
        if (!w.insert(c.argv[3], c.argv[4], after)) {
            c.addLong(-1);
            return;
        }
        store(c, c.db, key, v, w);
        c.engine.notify(Notify.LIST, "linsert", key, c.db.id);
        c.engine.dirty++;
        c.addLong(w.size());
    }

    private void lrem(Client c) {
        if (!parseLong(c, c.argv[2], null)) return;
        long toRemove = parsed;
        byte[] key = c.argv[1];
        Object v = c.db.lookupWrite(key);
        if (v == null) {
            c.addLong(0);
            return;
        }
        if (wrongType(c, v)) return;
        ListValue w = ((ListValue) v).writable(c.engine.snapshotEpoch);
        boolean fromTail = toRemove < 0;
        // -Long.MIN_VALUE wraps to itself, which as a limit never stops the scan: "remove all".
        long removed = w.removeMatching(c.argv[3], fromTail ? -toRemove : toRemove, fromTail);
        if (removed > 0) {
            Engine e = c.engine;
            e.dirty += removed;
            if (w.size() == 0) {
                c.db.delete(key);
                e.notify(Notify.LIST, "lrem", key, c.db.id);
                e.notify(Notify.GENERIC, "del", key, c.db.id);
            } else {
                store(c, c.db, key, v, w);
                e.notify(Notify.LIST, "lrem", key, c.db.id);
            }
        }
        c.addLong(removed);
    }

    private void lpos(Client c) {
        long rank = 1, count = -1, maxlen = 0;
        for (int j = 3; j < c.argc; j++) {
            byte[] opt = c.argv[j];
            boolean more = j < c.argc - 1;
            if (more && Bytes.equalsIgnoreCase(opt, "rank")) {
                if (!parseLong(c, c.argv[++j], null)) return;
                rank = parsed;
                if (rank == 0) {
                    c.addError(RANK_ZERO);
                    return;
                }
            } else if (more && Bytes.equalsIgnoreCase(opt, "count")) {
                if (!parseRange(c, c.argv[++j], 0, Long.MAX_VALUE, "ERR COUNT can't be negative")) return;
                count = parsed;
            } else if (more && Bytes.equalsIgnoreCase(opt, "maxlen")) {
                if (!parseRange(c, c.argv[++j], 0, Long.MAX_VALUE, "ERR MAXLEN can't be negative")) return;
                maxlen = parsed;
            } else {
                c.addError(Errors.SYNTAX);
                return;
            }
        }
        boolean fromTail = rank < 0;
        // Redis negates the rank: LONG_MIN stays negative, so any match qualifies.
        if (fromTail) rank = rank == Long.MIN_VALUE ? 1 : -rank;
        Object v = c.db.lookupRead(c.argv[1]);
        if (v == null) {
            if (count != -1) c.addArrayLen(0);
            else c.addNull();
            return;
        }
        if (wrongType(c, v)) return;
        long max = count == -1 ? 1 : count == 0 ? Long.MAX_VALUE : count;
        long[] pos = ((ListValue) v).positions(c.argv[2], rank, fromTail, max, maxlen);
        if (count != -1) {
            c.addArrayLen(pos.length);
            for (long p : pos) c.addLong(p);
        } else if (pos.length > 0) {
            c.addLong(pos[0]);
        } else {
            c.addNull();
        }
    }

    // =====================================================================================
    // LMOVE / RPOPLPUSH
    // =====================================================================================

    private void lmove(Client c) {
        int from = where(c, c.argv[3]);
        if (from == BAD_END) return;
        int to = where(c, c.argv[4]);
        if (to == BAD_END) return;
        move(c, from == LEFT_END, to == LEFT_END, NO_REWRITE);
    }

    /** How move() rewrites the command for propagation: not at all, as LMOVE, as RPOPLPUSH. */
    private static final int NO_REWRITE = 0, AS_LMOVE = 1, AS_RPOPLPUSH = 2;

    /** lmoveGenericCommand: also the immediate path of BLMOVE/BRPOPLPUSH. */
    private void move(Client c, boolean fromHead, boolean toHead, int rewrite) {
        byte[] src = c.argv[1], dst = c.argv[2];
        Object sv = c.db.lookupWrite(src);
        if (sv == null) {
            c.addNull();
            return;
        }
        if (wrongType(c, sv)) return;
        Object dv = c.db.lookupWrite(dst);
        if (wrongType(c, dv)) return;
        moveElement(c, c.db, src, (ListValue) sv, dst, dv, fromHead, toHead, false);
        c.engine.dirty++;
        if (rewrite == AS_LMOVE) {
            KeyCommands.rewriteArgv(c, LMOVE, c.argv[1], c.argv[2], c.argv[3], c.argv[4]);
        } else if (rewrite == AS_RPOPLPUSH) {
            KeyCommands.rewriteArgv(c, RPOPLPUSH, c.argv[1], c.argv[2]);
        }
    }

    /**
     * Pops from src (sl, non-empty) and pushes to dst (dv: absent or a list), replying the
     * element: lmoveHandlePush plus the pop side. served (a blocked client being served) skips
     * the source's modification signal, as serveClientBlockedOnList does.
     */
    private static void moveElement(Client c, Db db, byte[] src, ListValue sl, byte[] dst, Object dv,
                                    boolean fromHead, boolean toHead, boolean served) {
        Engine e = c.engine;
        ListValue s = sl.writable(e.snapshotEpoch);
        byte[] value = fromHead ? s.popHead() : s.popTail();
        boolean same = Arrays.equals(src, dst);
        ListValue d;
        if (same) {
            d = s;
        } else if (dv == null) {
            d = newList(e);
        } else {
            d = ((ListValue) dv).writable(e.snapshotEpoch);
        }
        if (toHead) d.pushHead(value);
        else d.pushTail(value);
        if (same) store(c, db, dst, sl, d);
        else if (dv == null) db.add(dst, d);
        else store(c, db, dst, dv, d);
        e.notify(Notify.LIST, toHead ? "lpush" : "rpush", dst, db.id);
        c.addBulk(value);
        e.notify(Notify.LIST, fromHead ? "lpop" : "rpop", src, db.id);
        if (same) return;
        if (s.size() == 0) {
            db.delete(src);
            e.notify(Notify.GENERIC, "del", src, db.id);
        } else if (s != sl) {
            db.overwrite(src, s);
        } else if (!served) {
            e.signalModifiedKey(db, src);
        }
    }

    // =====================================================================================
    // LMPOP / blocking pops
    // =====================================================================================

    /** lmpopGenericCommand: LMPOP numkeys key... LEFT|RIGHT [COUNT n], BLMPOP timeout numkeys ... */
    private void lmpop(Client c, int numkeysIdx, boolean block) {
        if (!parseRange(c, c.argv[numkeysIdx], 1, Long.MAX_VALUE, "ERR numkeys should be greater than 0")) return;
        long numkeys = parsed;
        if (numkeys >= c.argc - numkeysIdx - 1) {
            c.addError(Errors.SYNTAX);
            return;
        }
        int whereIdx = numkeysIdx + (int) numkeys + 1;
        int end = where(c, c.argv[whereIdx]);
        if (end == BAD_END) return;
        boolean head = end == LEFT_END;
        long count = -1;
        for (int j = whereIdx + 1; j < c.argc; j++) {
            boolean more = j < c.argc - 1;
            if (count == -1 && more && Bytes.equalsIgnoreCase(c.argv[j], "count")) {
                if (!parseRange(c, c.argv[++j], 1, Long.MAX_VALUE, "ERR count should be greater than 0")) return;
                count = parsed;
            } else {
                c.addError(Errors.SYNTAX);
                return;
            }
        }
        if (count == -1) count = 1;
        int from = numkeysIdx + 1, to = whereIdx;
        if (block) {
            blockingPop(c, from, to, head, 1, count);
            return;
        }
        for (int j = from; j < to; j++) {
            byte[] key = c.argv[j];
            Object v = c.db.lookupWrite(key);
            if (v == null) continue;
            if (wrongType(c, v)) return;
            ListValue l = (ListValue) v;
            long n = Math.min(count, l.size());
            popRangeWithKey(c, c.db, key, l, head, count);
            KeyCommands.rewriteArgv(c, head ? LPOP : RPOP, key, Numbers.longToBytes(n));
            return;
        }
        c.addNullArray();
    }

    /**
     * blockingPopGenericCommand: BLPOP/BRPOP (count -1: one element) and BLMPOP (count >= 1)
     * over keys argv[from, to).
     */
    private void blockingPop(Client c, int from, int to, boolean head, int timeoutIdx, long count) {
        long deadline = Blocking.parseTimeout(c, c.argv[timeoutIdx], true);
        if (deadline == Blocking.INVALID) return;
        for (int j = from; j < to; j++) {
            byte[] key = c.argv[j];
            Object v = c.db.lookupWrite(key);
            if (v == null) continue;
            if (wrongType(c, v)) return;
            ListValue l = (ListValue) v;
            if (count != -1) {
                long n = Math.min(count, l.size());
                popRangeWithKey(c, c.db, key, l, head, count);
                KeyCommands.rewriteArgv(c, head ? LPOP : RPOP, key, Numbers.longToBytes(n));
                return;
            }
            ListValue w = popOneWithKey(c, key, l, head);
            elementsRemoved(c, c.db, key, head, l, w, 1);
            KeyCommands.rewriteArgv(c, head ? LPOP : RPOP, key);
            return;
        }
        if (!blocking.mayBlock(c)) {
            c.addNullArray();
            return;
        }
        Blocking.BlockedCommand serve = count == -1 ? (head ? serveLpop : serveRpop) : new ServeMpop(head, count);
        blocking.block(c, c.argv, from, to, deadline, serve);
    }

    private void blmove(Client c) {
        int from = where(c, c.argv[3]);
        if (from == BAD_END) return;
        int to = where(c, c.argv[4]);
        if (to == BAD_END) return;
        long deadline = Blocking.parseTimeout(c, c.argv[5], true);
        if (deadline == Blocking.INVALID) return;
        blockingMove(c, from == LEFT_END, to == LEFT_END, deadline, false);
    }

    private void brpoplpush(Client c) {
        long deadline = Blocking.parseTimeout(c, c.argv[3], true);
        if (deadline == Blocking.INVALID) return;
        blockingMove(c, false, true, deadline, true);
    }

    /** blmoveGenericCommand. */
    private void blockingMove(Client c, boolean fromHead, boolean toHead, long deadline, boolean rpoplpush) {
        Object sv = c.db.lookupWrite(c.argv[1]);
        if (wrongType(c, sv)) return;
        if (sv != null) {
            move(c, fromHead, toHead, rpoplpush ? AS_RPOPLPUSH : AS_LMOVE);
            return;
        }
        if (!blocking.mayBlock(c)) {
            c.addNull();
            return;
        }
        blocking.block(c, c.argv, 1, 2, deadline, new ServeMove(fromHead, toHead, rpoplpush));
    }

    // =====================================================================================
    // Serving blocked clients (serveClientBlockedOnList)
    // =====================================================================================

    private final Blocking.BlockedCommand serveLpop = (c, db, key) -> servePop(c, db, key, true);
    private final Blocking.BlockedCommand serveRpop = (c, db, key) -> servePop(c, db, key, false);

    /** BLPOP/BRPOP: [key, element], propagated as LPOP/RPOP key; Redis counts no dirty here. */
    private boolean servePop(Client c, Db db, byte[] key, boolean head) {
        Object v = db.lookupNoTouch(key);
        if (!(v instanceof ListValue l)) return false;
        ListValue w = popOneWithKey(c, key, l, head);
        Engine e = c.engine;
        e.notify(Notify.LIST, head ? "lpop" : "rpop", key, db.id);
        if (w.size() == 0) {
            db.delete(key);
            e.notify(Notify.GENERIC, "del", key, db.id);
        } else if (w != l) {
            db.overwrite(key, w);
        }
        KeyCommands.rewriteArgv(c, head ? LPOP : RPOP, key);
        return true;
    }

    /** BLMPOP: [key, [elements]], propagated as LPOP/RPOP key n. */
    private final class ServeMpop implements Blocking.BlockedCommand {
        private final boolean head;
        private final long count;

        ServeMpop(boolean head, long count) {
            this.head = head;
            this.count = count;
        }

        @Override
        public boolean tryServe(Client c, Db db, byte[] key) {
            Object v = db.lookupNoTouch(key);
            if (!(v instanceof ListValue l)) return false;
            long n = Math.min(count, l.size());
            popRangeWithKey(c, db, key, l, head, count);
            KeyCommands.rewriteArgv(c, head ? LPOP : RPOP, key, Numbers.longToBytes(n));
            return true;
        }
    }

    /** BLMOVE/BRPOPLPUSH: the element, propagated as LMOVE/RPOPLPUSH; WRONGTYPE if dst is not a list. */
    private static final class ServeMove implements Blocking.BlockedCommand {
        private final boolean fromHead, toHead, rpoplpush;

        ServeMove(boolean fromHead, boolean toHead, boolean rpoplpush) {
            this.fromHead = fromHead;
            this.toHead = toHead;
            this.rpoplpush = rpoplpush;
        }

        @Override
        public boolean tryServe(Client c, Db db, byte[] key) {
            Object sv = db.lookupNoTouch(key);
            if (!(sv instanceof ListValue sl)) return false;
            byte[] dst = c.argv[2];
            Object dv = db.lookupWrite(dst);
            if (dv != null && !(dv instanceof ListValue)) {
                c.addError(Errors.WRONGTYPE);
                return true;
            }
            moveElement(c, db, key, sl, dst, dv, fromHead, toHead, true);
            if (rpoplpush) KeyCommands.rewriteArgv(c, RPOPLPUSH, key, dst);
            else KeyCommands.rewriteArgv(c, LMOVE, key, dst, fromHead ? LEFT : RIGHT, toHead ? LEFT : RIGHT);
            return true;
        }
    }

    // =====================================================================================
    // CLIENT UNBLOCK
    // =====================================================================================

    private void clientUnblock(Client c) {
        if (c.argc > 4) {
            c.addSubcommandSyntaxError();
            return;
        }
        boolean error = false;
        if (c.argc == 4) {
            if (Bytes.equalsIgnoreCase(c.argv[3], "timeout")) error = false;
            else if (Bytes.equalsIgnoreCase(c.argv[3], "error")) error = true;
            else {
                c.addError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
                return;
            }
        }
        if (!parseLong(c, c.argv[2], null)) return;
        c.addLong(blocking.unblockClient(parsed, error) ? 1 : 0);
    }
}

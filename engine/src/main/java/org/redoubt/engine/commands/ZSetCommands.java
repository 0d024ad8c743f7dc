package org.redoubt.engine.commands;

import java.util.ArrayList;
import java.util.Arrays;
import org.redoubt.engine.Blocking;
import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Errors;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.config.Notify;
import org.redoubt.engine.db.CowMap;
import org.redoubt.engine.db.Db;
import org.redoubt.engine.type.SetValue;
import org.redoubt.engine.type.ZSetValue;
import org.redoubt.engine.type.ZSetValue.LexBound;
import org.redoubt.engine.type.ZSetValue.ScoreRange;
import org.redoubt.engine.util.Bytes;
import org.redoubt.protocol.Numbers;

/**
 * The sorted set commands (Redis's t_zset.c): ZADD/ZINCRBY, ZREM, the ZRANGE family and
 * ZRANGESTORE, counts and ranks, ZREMRANGEBY*, ZPOP*, ZMPOP, ZRANDMEMBER, the set algebra
 * (ZUNION/ZINTER/ZDIFF, their STORE forms, ZINTERCARD), ZSCAN, and the blocking pops
 * BZPOPMIN/BZPOPMAX/BZMPOP on {@link Blocking}. The value type and its two encodings are
 * {@link ZSetValue}.
 *
 * <p>Writes take {@link ZSetValue#writable} and publish through {@link HashCommands#commit} only
 * when something changed; a set emptied by a write is deleted. Publishing signals the key as
 * modified, which is also how {@link Blocking} learns that a key with blocked clients got
 * elements (it listens to every key modification while clients wait).
 *
 * <p>Ranges: a score or lex range is turned into a rank interval [start, end) with two O(log n)
 * descents, so replies know their length up front and walks start in O(log n).
 *
 * <p>Engine thread only: the scratch fields are reused by every call.
 */
public final class ZSetCommands implements CommandFamily {
    static final byte[] ZPOPMIN = Bytes.of("ZPOPMIN"), ZPOPMAX = Bytes.of("ZPOPMAX");
    private static final String NAN_ERR = "ERR resulting score is not a number (NaN)";
    private static final String RANGE_ERR = "ERR min or max is not a float";
    private static final String LEX_ERR = "ERR min or max not valid string range item";
    private static final int OP_UNION = 0, OP_INTER = 1, OP_DIFF = 2;
    private static final int AGG_SUM = 0, AGG_MIN = 1, AGG_MAX = 2;
    private static final int BY_RANK = 0, BY_SCORE = 1, BY_LEX = 2;
    private static final int DIR_AUTO = 0, DIR_FORWARD = 1, DIR_REVERSE = 2;
    /** ZRANDMEMBER: how much bigger than the count a set must be to sample instead of copying. */
    private static final int ZRANDMEMBER_SUB_STRATEGY_MUL = 3;

    /** Value of the last successful {@link #longArg}. */
    private long num;
    private final double[] newScore = new double[1];
    private final long[] span = new long[2];
    /** ZADD's parsed scores, reused. */
    private double[] scoreScratch = new double[8];
    private final HashCommands.ScanArgs scan = new HashCommands.ScanArgs();
    private final ArrayList<byte[]> scanMembers = new ArrayList<>();
    private final ArrayList<byte[]> scanScores = new ArrayList<>();
    private boolean scanListpack;
    private final ZSetValue.Visitor scanVisitor = (m, s) -> {
        scanMembers.add(m);
        scanScores.add(scanListpack ? Numbers.d2string(s).getBytes(java.nio.charset.StandardCharsets.US_ASCII)
            : Numbers.formatDoubleBytes(s));
        return true;
    };
    private final ZSetValue.Iter iter = new ZSetValue.Iter();

    @Override
    public void register(CommandTable t, Engine e) {
        t.bind("zadd", c -> zaddGeneric(c, 0));
        t.bind("zincrby", c -> zaddGeneric(c, ZSetValue.IN_INCR));
        t.bind("zrem", this::zrem);
        t.bind("zcard", this::zcard);
        t.bind("zscore", this::zscore);
        t.bind("zmscore", this::zmscore);
        t.bind("zrank", c -> zrank(c, false));
        t.bind("zrevrank", c -> zrank(c, true));
        t.bind("zcount", this::zcount);
        t.bind("zlexcount", this::zlexcount);
        t.bind("zrange", c -> zrange(c, 1, null, BY_RANK, DIR_AUTO, true));
        t.bind("zrangestore", c -> zrange(c, 2, c.argv[1], BY_RANK, DIR_AUTO, true));
        t.bind("zrevrange", c -> zrange(c, 1, null, BY_RANK, DIR_REVERSE, false));
        t.bind("zrangebyscore", c -> zrange(c, 1, null, BY_SCORE, DIR_FORWARD, false));
        t.bind("zrevrangebyscore", c -> zrange(c, 1, null, BY_SCORE, DIR_REVERSE, false));
        t.bind("zrangebylex", c -> zrange(c, 1, null, BY_LEX, DIR_FORWARD, false));
        t.bind("zrevrangebylex", c -> zrange(c, 1, null, BY_LEX, DIR_REVERSE, false));
        t.bind("zremrangebyrank", c -> zremrange(c, BY_RANK));
        t.bind("zremrangebyscore", c -> zremrange(c, BY_SCORE));
        t.bind("zremrangebylex", c -> zremrange(c, BY_LEX));
        t.bind("zunion", c -> zsetOp(c, null, 1, OP_UNION, false));
        t.bind("zinter", c -> zsetOp(c, null, 1, OP_INTER, false));
        t.bind("zdiff", c -> zsetOp(c, null, 1, OP_DIFF, false));
        t.bind("zunionstore", c -> zsetOp(c, c.argv[1], 2, OP_UNION, false));
        t.bind("zinterstore", c -> zsetOp(c, c.argv[1], 2, OP_INTER, false));
        t.bind("zdiffstore", c -> zsetOp(c, c.argv[1], 2, OP_DIFF, false));
        t.bind("zintercard", c -> zsetOp(c, null, 1, OP_INTER, true));
        t.bind("zpopmin", c -> zpopMinMax(c, false));
        t.bind("zpopmax", c -> zpopMinMax(c, true));
        t.bind("zmpop", this::zmpop);
        t.bind("bzpopmin", c -> bzpop(c, false));
        t.bind("bzpopmax", c -> bzpop(c, true));
        t.bind("bzmpop", this::bzmpop);
        t.bind("zrandmember", this::zrandmember);
        t.bind("zscan", this::zscan);
    }

    // =====================================================================================
    // Helpers
    // =====================================================================================

    /** getLongFromObjectOrReply: sets {@link #num}; replies msg (or the integer error) otherwise. */
    private boolean longArg(Client c, byte[] a, String msg) {
        long v = Numbers.parseLong(a);
        if (v == Numbers.NOT_A_LONG && !Numbers.isLong(a)) {
            c.addError(msg != null ? msg : Errors.NOT_INTEGER);
            return false;
        }
        num = v;
        return true;
    }

    /** getRangeLongFromObjectOrReply. */
    private boolean rangeLongArg(Client c, byte[] a, long min, long max, String msg) {
        if (!longArg(c, a, msg)) return false;
        if (num < min || num > max) {
            c.addError(msg != null ? msg : "ERR value is out of range, value must between " + min + " and " + max);
            return false;
        }
        return true;
    }

    /** What {@link #readZ} returns after replying WRONGTYPE. */
    private static final Object WRONG = new Object();

    /** lookupKeyRead + checkType: the value (null when absent) or WRONG after the error reply. */
    private static Object readZ(Client c, byte[] key) {
        Object v = c.db.lookupRead(key);
        if (v != null && !(v instanceof ZSetValue)) {
            c.addError(Errors.WRONGTYPE);
            return WRONG;
        }
        return v;
    }

    /** lookupKeyWrite + checkType: the value (null when absent) or WRONG after the error reply. */
    private static Object writeZ(Client c, byte[] key) {
        Object v = c.db.lookupWrite(key);
        if (v != null && !(v instanceof ZSetValue)) {
            c.addError(Errors.WRONGTYPE);
            return WRONG;
        }
        return v;
    }

    private static long maxEntries(Client c) { return c.engine.config.zsetMaxListpackEntries; }

    private static long maxValue(Client c) { return c.engine.config.zsetMaxListpackValue; }

    /**
     * Publishes a write to key: w emptied → the key is deleted ("del" event), else stored
     * (old is the value the key held). Returns true when the key was deleted.
     */
    private static boolean publish(Client c, byte[] key, ZSetValue old, ZSetValue w) {
        if (w.size() == 0) {
            c.db.delete(key);
            return true;
        }
        HashCommands.commit(c, key, old, w);
        return false;
    }

    /** A member and its score, as ZRANGE WITHSCORES replies (a pair in RESP3). */
    private static void replyPair(Client c, byte[] m, double s, boolean withScores) {
        if (withScores && c.resp > 2) c.addArrayLen(2);
        c.addBulk(m);
        if (withScores) c.addDouble(s);
    }

    // =====================================================================================
    // ZADD / ZINCRBY
    // =====================================================================================

    private void zaddGeneric(Client c, int flags) {
        byte[][] argv = c.argv;
        int idx = 2;
        boolean ch = false;
        while (idx < c.argc) {
            byte[] o = argv[idx];
            if (Bytes.equalsIgnoreCase(o, "nx")) flags |= ZSetValue.IN_NX;
            else if (Bytes.equalsIgnoreCase(o, "xx")) flags |= ZSetValue.IN_XX;
            else if (Bytes.equalsIgnoreCase(o, "ch")) ch = true;
            else if (Bytes.equalsIgnoreCase(o, "incr")) flags |= ZSetValue.IN_INCR;
            else if (Bytes.equalsIgnoreCase(o, "gt")) flags |= ZSetValue.IN_GT;
            else if (Bytes.equalsIgnoreCase(o, "lt")) flags |= ZSetValue.IN_LT;
            else break;
            idx++;
        }
        boolean incr = (flags & ZSetValue.IN_INCR) != 0, nx = (flags & ZSetValue.IN_NX) != 0;
        boolean xx = (flags & ZSetValue.IN_XX) != 0, gt = (flags & ZSetValue.IN_GT) != 0;
        boolean lt = (flags & ZSetValue.IN_LT) != 0;
        int elements = c.argc - idx;
        if (elements % 2 != 0 || elements == 0) {
            c.addError(Errors.SYNTAX);
            return;
        }
        elements /= 2;
        if (nx && xx) {
            c.addError("ERR XX and NX options at the same time are not compatible");
            return;
        }
        if ((gt && nx) || (lt && nx) || (gt && lt)) {
            c.addError("ERR GT, LT, and/or NX options at the same time are not compatible");
            return;
        }
        if (incr && elements > 1) {
            c.addError("ERR INCR option supports a single increment-element pair");
            return;
        }
        // Every score is parsed before anything changes: the command applies fully or not at all.
        if (scoreScratch.length < elements) scoreScratch = new double[Math.max(elements, scoreScratch.length * 2)];
        double[] scores = scoreScratch;
        for (int j = 0; j < elements; j++) {
            byte[] a = argv[idx + 2 * j];
            double d = Numbers.parseDouble(a, 0, a.length);
            if (Double.isNaN(d)) {
                c.addError(Errors.NOT_FLOAT);
                return;
            }
            scores[j] = d;
        }
        byte[] key = argv[1];
        Object o = writeZ(c, key);
        if (o == WRONG) return;
        ZSetValue old = (ZSetValue) o, w;
        long maxE = maxEntries(c), maxV = maxValue(c);
        if (old == null) {
            if (xx) {
                if (incr) c.addNull();
                else c.addLong(0);
                return;
            }
            w = ZSetValue.newFor(maxE, maxV, argv[idx + 1], c.engine.snapshotEpoch);
        } else {
            w = old.writable(c.engine.snapshotEpoch);
        }
        int added = 0, updated = 0, processed = 0;
        double score = 0;
        for (int j = 0; j < elements; j++) {
            int r = w.add(scores[j], argv[idx + 1 + 2 * j], flags, maxE, maxV, newScore);
            if (r == ZSetValue.OUT_NAN) {
                // Only INCR can get here, with its single pair: nothing was changed.
                c.addError(NAN_ERR);
                return;
            }
            if ((r & ZSetValue.OUT_ADDED) != 0) added++;
            if ((r & ZSetValue.OUT_UPDATED) != 0) updated++;
            if ((r & ZSetValue.OUT_NOP) == 0) {
                processed++;
                score = newScore[0];
            }
        }
        c.engine.dirty += added + updated;
        if (incr) {
            if (processed > 0) c.addDouble(score);
            else c.addNull();
        } else {
            c.addLong(ch ? added + updated : added);
        }
        if (added + updated > 0) {
            HashCommands.commit(c, key, old, w);
            c.engine.notify(Notify.ZSET, incr ? "zincr" : "zadd", key, c.db.id);
        }
    }

    // =====================================================================================
    // ZREM / ZREMRANGEBY*
    // =====================================================================================

    private void zrem(Client c) {
        byte[] key = c.argv[1];
        Object o = writeZ(c, key);
        if (o == WRONG) return;
        if (o == null) {
            c.addLong(0);
            return;
        }
        ZSetValue old = (ZSetValue) o;
        ZSetValue w = old.writable(c.engine.snapshotEpoch);
        long deleted = 0;
        for (int j = 2; j < c.argc; j++) {
            if (w.remove(c.argv[j])) deleted++;
            if (w.size() == 0) break;
        }
        if (deleted > 0) {
            boolean removed = publish(c, key, old, w);
            c.engine.notify(Notify.ZSET, "zrem", key, c.db.id);
            if (removed) c.engine.notify(Notify.GENERIC, "del", key, c.db.id);
            c.engine.dirty += deleted;
        }
        c.addLong(deleted);
    }

    private void zremrange(Client c, int type) {
        byte[] key = c.argv[1];
        long start = 0, end = 0;
        ScoreRange range = null;
        LexBound lmin = null, lmax = null;
        String event;
        if (type == BY_RANK) {
            event = "zremrangebyrank";
            if (!longArg(c, c.argv[2], null)) return;
            start = num;
            if (!longArg(c, c.argv[3], null)) return;
            end = num;
        } else if (type == BY_SCORE) {
            event = "zremrangebyscore";
            range = ScoreRange.parse(c.argv[2], c.argv[3]);
            if (range == null) {
                c.addError(RANGE_ERR);
                return;
            }
        } else {
            event = "zremrangebylex";
            lmin = LexBound.parse(c.argv[2]);
            lmax = LexBound.parse(c.argv[3]);
            if (lmin == null || lmax == null) {
                c.addError(LEX_ERR);
                return;
            }
        }
        Object o = writeZ(c, key);
        if (o == WRONG) return;
        if (o == null) {
            c.addLong(0);
            return;
        }
        ZSetValue old = (ZSetValue) o;
        long from, to;
        if (type == BY_RANK) {
            long llen = old.size();
            if (start < 0) start = llen + start;
            if (end < 0) end = llen + end;
            if (start < 0) start = 0;
            if (start > end || start >= llen) {
                c.addLong(0);
                return;
            }
            if (end >= llen) end = llen - 1;
            from = start;
            to = end + 1;
        } else if (type == BY_SCORE) {
            from = old.scoreStart(range);
            to = old.scoreEnd(range);
        } else {
            old.lexSpan(lmin, lmax, false, span);
            from = span[0];
            to = span[1];
        }
        long deleted = 0;
        if (to > from) {
            ZSetValue w = old.writable(c.engine.snapshotEpoch);
            deleted = w.removeRange(from, to);
            boolean removed = publish(c, key, old, w);
            c.engine.notify(Notify.ZSET, event, key, c.db.id);
            if (removed) c.engine.notify(Notify.GENERIC, "del", key, c.db.id);
        }
        c.engine.dirty += deleted;
        c.addLong(deleted);
    }

    // =====================================================================================
    // ZCARD / ZSCORE / ZMSCORE / ZRANK / ZCOUNT / ZLEXCOUNT
    // =====================================================================================

    private void zcard(Client c) {
        Object o = readZ(c, c.argv[1]);
        if (o == WRONG) return;
        c.addLong(o == null ? 0 : ((ZSetValue) o).size());
    }

    private void zscore(Client c) {
        Object o = readZ(c, c.argv[1]);
        if (o == WRONG) return;
        double s = o == null ? Double.NaN : ((ZSetValue) o).score(c.argv[2]);
        if (Double.isNaN(s)) c.addNull();
        else c.addDouble(s);
    }

    private void zmscore(Client c) {
        Object o = readZ(c, c.argv[1]);
        if (o == WRONG) return;
        ZSetValue z = (ZSetValue) o;
        c.addArrayLen(c.argc - 2);
        for (int j = 2; j < c.argc; j++) {
            double s = z == null ? Double.NaN : z.score(c.argv[j]);
            if (Double.isNaN(s)) c.addNull();
            else c.addDouble(s);
        }
    }

    private void zrank(Client c, boolean reverse) {
        Object o = readZ(c, c.argv[1]);
        if (o == WRONG) return;
        long r = o == null ? -1 : ((ZSetValue) o).rank(c.argv[2], reverse);
        if (r < 0) c.addNull();
        else c.addLong(r);
    }

    private void zcount(Client c) {
        ScoreRange range = ScoreRange.parse(c.argv[2], c.argv[3]);
        if (range == null) {
            c.addError(RANGE_ERR);
            return;
        }
        Object o = readZ(c, c.argv[1]);
        if (o == WRONG) return;
        if (o == null) {
            c.addLong(0);
            return;
        }
        ZSetValue z = (ZSetValue) o;
        c.addLong(Math.max(0, z.scoreEnd(range) - z.scoreStart(range)));
    }

    private void zlexcount(Client c) {
        LexBound min = LexBound.parse(c.argv[2]), max = LexBound.parse(c.argv[3]);
        if (min == null || max == null) {
            c.addError(LEX_ERR);
            return;
        }
        Object o = readZ(c, c.argv[1]);
        if (o == WRONG) return;
        if (o == null) {
            c.addLong(0);
            return;
        }
        ZSetValue z = (ZSetValue) o;
        z.lexSpan(min, max, false, span);
        c.addLong(span[1] - span[0]);
    }

    // =====================================================================================
    // ZRANGE family and ZRANGESTORE
    // =====================================================================================

    /**
     * Redis's zrangeGenericCommand. argStart is the source key's index; dst is ZRANGESTORE's
     * destination (null for a reply); type and dir are fixed by the legacy commands or AUTO.
     */
    private void zrange(Client c, int argStart, byte[] dst, int type, int dir, boolean generic) {
        byte[][] argv = c.argv;
        boolean store = dst != null;
        byte[] key = argv[argStart];
        int minIdx = argStart + 1, maxIdx = argStart + 2;
        boolean withScores = false;
        long offset = 0, limit = -1;
        boolean auto = type == BY_RANK && generic;
        for (int j = argStart + 3; j < c.argc; j++) {
            int left = c.argc - j - 1;
            byte[] a = argv[j];
            if (!store && Bytes.equalsIgnoreCase(a, "withscores")) {
                withScores = true;
            } else if (Bytes.equalsIgnoreCase(a, "limit") && left >= 2) {
                if (!longArg(c, argv[j + 1], null)) return;
                offset = num;
                if (!longArg(c, argv[j + 2], null)) return;
                limit = num;
                j += 2;
            } else if (dir == DIR_AUTO && Bytes.equalsIgnoreCase(a, "rev")) {
                dir = DIR_REVERSE;
            } else if (auto && Bytes.equalsIgnoreCase(a, "bylex")) {
                type = BY_LEX;
                auto = false;
            } else if (auto && Bytes.equalsIgnoreCase(a, "byscore")) {
                type = BY_SCORE;
                auto = false;
            } else {
                c.addError(Errors.SYNTAX);
                return;
            }
        }
        boolean reverse = dir == DIR_REVERSE;
        if (limit != -1 && type == BY_RANK) {
            c.addError("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
            return;
        }
        if (withScores && type == BY_LEX) {
            c.addError("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
            return;
        }
        if (reverse && type != BY_RANK) {
            int t = minIdx;
            minIdx = maxIdx;
            maxIdx = t;
        }
        long start = 0, end = 0;
        ScoreRange range = null;
        LexBound lmin = null, lmax = null;
        if (type == BY_RANK) {
            if (!longArg(c, argv[minIdx], null)) return;
            start = num;
            if (!longArg(c, argv[maxIdx], null)) return;
            end = num;
        } else if (type == BY_SCORE) {
            range = ScoreRange.parse(argv[minIdx], argv[maxIdx]);
            if (range == null) {
                c.addError(RANGE_ERR);
                return;
            }
        } else {
            lmin = LexBound.parse(argv[minIdx]);
            lmax = LexBound.parse(argv[maxIdx]);
            if (lmin == null || lmax == null) {
                c.addError(LEX_ERR);
                return;
            }
        }
        Object o = c.db.lookupRead(key);
        if (o == null) {
            if (store) storeRange(c, dst, null, 0, 0, false, -1);
            else c.addArrayLen(0);
            return;
        }
        if (!(o instanceof ZSetValue z)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        // The result as ranks counted in the walk's direction: [first, first + count).
        long first, count, knownLength = -1;
        int n = z.size();
        if (type == BY_RANK) {
            if (start < 0) start = n + start;
            if (end < 0) end = n + end;
            if (start < 0) start = 0;
            if (start > end || start >= n) {
                first = 0;
                count = 0;
                knownLength = 0;
            } else {
                if (end >= n) end = n - 1;
                first = start;
                count = end - start + 1;
                knownLength = count;
            }
        } else {
            long lo, hi; // ascending ranks [lo, hi) in range
            if (type == BY_SCORE) {
                lo = z.scoreStart(range);
                hi = z.scoreEnd(range);
            } else {
                z.lexSpan(lmin, lmax, reverse, span);
                lo = span[0];
                hi = span[1];
            }
            long inRange = Math.max(0, hi - lo);
            // A negative offset skips everything in Redis's walk (its countdown never reaches 0).
            if (offset < 0 || offset >= inRange) {
                count = 0;
                first = 0;
            } else {
                count = inRange - offset;
                if (limit >= 0 && limit < count) count = limit;
                first = (reverse ? n - hi : lo) + offset;
            }
        }
        if (store) {
            storeRange(c, dst, z, first, count, reverse, knownLength);
            return;
        }
        boolean ws = withScores;
        c.addArrayLen(ws && c.resp == 2 ? count * 2 : count);
        ZSetValue.Iter it = iter.reset(z, first, reverse);
        for (long k = 0; k < count && it.next(); k++) replyPair(c, it.member, it.score, ws);
    }

    /**
     * ZRANGESTORE's result handler: the destination starts as a skiplist when the rank range's
     * length is known to exceed the listpack limit, as a listpack otherwise, and converts on
     * insertion as ZADD would.
     */
    private void storeRange(Client c, byte[] dst, ZSetValue z, long first, long count, boolean reverse, long knownLength) {
        if (count > 0) {
            long maxE = maxEntries(c), maxV = maxValue(c);
            long epoch = c.engine.snapshotEpoch;
            ZSetValue out = knownLength > maxE ? ZSetValue.newSkiplist(epoch) : ZSetValue.newListpack(epoch);
            ZSetValue.Iter it = iter.reset(z, first, reverse);
            for (long k = 0; k < count && it.next(); k++) out.add(it.score, it.member, 0, maxE, maxV, null);
            c.db.setKey(dst, out, false);
            c.addLong(count);
            c.engine.notify(Notify.ZSET, "zrangestore", dst, c.db.id);
            c.engine.dirty++;
        } else {
            c.addLong(0);
            if (c.db.delete(dst)) {
                c.engine.notify(Notify.GENERIC, "del", dst, c.db.id);
                c.engine.dirty++;
            }
        }
    }

    // =====================================================================================
    // ZUNION / ZINTER / ZDIFF / *STORE / ZINTERCARD
    // =====================================================================================

    /** Cardinality of a ZUNION source (a sorted set, a set, or null for a missing key). */
    private static int srcSize(Object s) {
        if (s == null) return 0;
        return s instanceof ZSetValue z ? z.size() : ((SetValue) s).size();
    }

    /** The score of member in a source, or NaN when absent (a set member scores 1). */
    private static double srcScore(Object s, byte[] member) {
        if (s instanceof ZSetValue z) return z.score(member);
        return ((SetValue) s).contains(member) ? 1.0 : Double.NaN;
    }

    /** Appends every (member, score) of a source to acc's arrays (unique members as they are). */
    private static void srcCollect(Object s, Acc acc) {
        if (s instanceof ZSetValue z) {
            ZSetValue.Iter it = z.iter(0, true);
            while (it.next()) acc.append(it.member, it.score);
        } else if (s != null) {
            ((SetValue) s).forEach((m, v, meta) -> {
                acc.append(m, 1.0);
                return true;
            });
        }
    }

    private static double aggregate(double target, double val, int agg) {
        if (agg == AGG_SUM) {
            double r = target + val;
            // inf + -inf is NaN: Redis's convention is 0.
            return Double.isNaN(r) ? 0.0 : r;
        }
        if (agg == AGG_MIN) return val < target ? val : target;
        return val > target ? val : target;
    }

    private void zsetOp(Client c, byte[] dstKey, int numkeysIdx, int op, boolean cardOnly) {
        byte[][] argv = c.argv;
        if (!longArg(c, argv[numkeysIdx], null)) return;
        long setnum = num;
        if (setnum < 1) {
            c.addError("ERR at least 1 input key is needed for '" + c.cmd.fullName + "' command");
            return;
        }
        if (setnum > c.argc - (numkeysIdx + 1)) {
            c.addError(Errors.SYNTAX);
            return;
        }
        int n = (int) setnum;
        Object[] src = new Object[n];
        double[] weight = new double[n];
        int j = numkeysIdx + 1;
        for (int i = 0; i < n; i++, j++) {
            Object o = c.db.lookupRead(argv[j]);
            if (o != null && !(o instanceof ZSetValue) && !(o instanceof SetValue)) {
                c.addError(Errors.WRONGTYPE);
                return;
            }
            src[i] = o;
            weight[i] = 1.0;
        }
        int agg = AGG_SUM;
        boolean withScores = false;
        long limit = 0;
        int remaining = c.argc - j;
        while (remaining > 0) {
            byte[] a = argv[j];
            if (op != OP_DIFF && !cardOnly && remaining >= n + 1 && Bytes.equalsIgnoreCase(a, "weights")) {
                j++;
                remaining--;
                for (int i = 0; i < n; i++, j++, remaining--) {
                    double w = Numbers.parseDouble(argv[j]);
                    if (Double.isNaN(w)) {
                        c.addError("ERR weight value is not a float");
                        return;
                    }
                    weight[i] = w;
                }
            } else if (op != OP_DIFF && !cardOnly && remaining >= 2 && Bytes.equalsIgnoreCase(a, "aggregate")) {
                byte[] v = argv[j + 1];
                if (Bytes.equalsIgnoreCase(v, "sum")) agg = AGG_SUM;
                else if (Bytes.equalsIgnoreCase(v, "min")) agg = AGG_MIN;
                else if (Bytes.equalsIgnoreCase(v, "max")) agg = AGG_MAX;
                else {
                    c.addError(Errors.SYNTAX);
                    return;
                }
                j += 2;
                remaining -= 2;
            } else if (remaining >= 1 && dstKey == null && !cardOnly && Bytes.equalsIgnoreCase(a, "withscores")) {
                j++;
                remaining--;
                withScores = true;
            } else if (cardOnly && remaining >= 2 && Bytes.equalsIgnoreCase(a, "limit")) {
                if (!rangeLongArg(c, argv[j + 1], 0, Long.MAX_VALUE, "ERR LIMIT can't be negative")) return;
                limit = num;
                j += 2;
                remaining -= 2;
            } else {
                c.addError(Errors.SYNTAX);
                return;
            }
        }
        if (op != OP_DIFF) sortBySize(src, weight);

        Acc res = new Acc();
        long cardinality = 0;
        if (op == OP_INTER) {
            if (srcSize(src[0]) > 0) {
                Acc first = new Acc();
                srcCollect(src[0], first);
                for (int e = 0; e < first.n; e++) {
                    byte[] m = first.ele[e];
                    double s0 = first.score[e];
                    double score = weight[0] * s0;
                    if (Double.isNaN(score)) score = 0;
                    int k;
                    for (k = 1; k < n; k++) {
                        double v = src[k] == src[0] ? s0 : srcScore(src[k], m);
                        if (Double.isNaN(v)) break;
                        score = aggregate(score, v * weight[k], agg);
                    }
                    if (k < n) continue;
                    if (cardOnly) {
                        cardinality++;
                        if (limit != 0 && cardinality >= limit) break;
                    } else {
                        res.append(m, score);
                    }
                }
            }
        } else if (op == OP_UNION) {
            Acc acc = new Acc();
            for (int i = 0; i < n; i++) {
                if (srcSize(src[i]) == 0) continue;
                Acc one = new Acc();
                srcCollect(src[i], one);
                double w = weight[i];
                for (int e = 0; e < one.n; e++) {
                    double score = w * one.score[e];
                    if (Double.isNaN(score)) score = 0;
                    int at = acc.find(one.ele[e]);
                    if (at < 0) acc.put(one.ele[e], score);
                    else acc.score[at] = aggregate(acc.score[at], score, agg);
                }
            }
            res = acc;
        } else {
            // Algorithm 1 of Redis: keep the members of the first set found in no other.
            if (srcSize(src[0]) > 0) {
                boolean same = false;
                for (int i = 1; i < n; i++) if (src[i] == src[0]) same = true;
                if (!same) {
                    Acc first = new Acc();
                    srcCollect(src[0], first);
                    for (int e = 0; e < first.n; e++) {
                        byte[] m = first.ele[e];
                        boolean found = false;
                        for (int i = 1; i < n && !found; i++) {
                            found = src[i] != null && !Double.isNaN(srcScore(src[i], m));
                        }
                        if (!found) res.append(m, first.score[e]);
                    }
                }
            }
        }

        if (cardOnly) {
            c.addLong(cardinality);
            return;
        }
        ZSetValue.sort(res.ele, res.score, res.n);
        if (dstKey != null) {
            if (res.n > 0) {
                int maxLen = 0;
                for (int e = 0; e < res.n; e++) maxLen = Math.max(maxLen, res.ele[e].length);
                boolean lp = ZSetValue.fitsListpack(res.n, maxLen, maxEntries(c), maxValue(c));
                ZSetValue dst = ZSetValue.fromSorted(res.ele, res.score, res.n, lp, c.engine.snapshotEpoch);
                c.db.setKey(dstKey, dst, false);
                c.addLong(res.n);
                String ev = op == OP_UNION ? "zunionstore" : op == OP_INTER ? "zinterstore" : "zdiffstore";
                c.engine.notify(Notify.ZSET, ev, dstKey, c.db.id);
                c.engine.dirty++;
            } else {
                c.addLong(0);
                if (c.db.delete(dstKey)) {
                    c.engine.notify(Notify.GENERIC, "del", dstKey, c.db.id);
                    c.engine.dirty++;
                }
            }
            return;
        }
        c.addArrayLen(withScores && c.resp == 2 ? res.n * 2L : res.n);
        for (int e = 0; e < res.n; e++) replyPair(c, res.ele[e], res.score[e], withScores);
    }

    /** Stable sort of the sources (and their weights) by increasing cardinality. */
    private static void sortBySize(Object[] src, double[] weight) {
        for (int i = 1; i < src.length; i++) {
            Object s = src[i];
            double w = weight[i];
            int size = srcSize(s);
            int k = i - 1;
            while (k >= 0 && srcSize(src[k]) > size) {
                src[k + 1] = src[k];
                weight[k + 1] = weight[k];
                k--;
            }
            src[k + 1] = s;
            weight[k + 1] = w;
        }
    }

    /**
     * Members with scores in insertion order, with an optional open-addressing index by member
     * content (for ZUNION's accumulator).
     */
    static final class Acc {
        byte[][] ele = new byte[8][];
        double[] score = new double[8];
        int n;
        private int[] index; // slot → position + 1, 0 = empty

        void append(byte[] m, double s) {
            if (n == ele.length) {
                ele = Arrays.copyOf(ele, n * 2);
                score = Arrays.copyOf(score, n * 2);
            }
            ele[n] = m;
            score[n++] = s;
        }

        int find(byte[] m) {
            if (index == null) return -1;
            int mask = index.length - 1;
            for (int h = CowMap.hash(m) & mask; ; h = (h + 1) & mask) {
                int p = index[h];
                if (p == 0) return -1;
                if (Arrays.equals(ele[p - 1], m)) return p - 1;
            }
        }

        void put(byte[] m, double s) {
            if (index == null || (n + 1) * 2 > index.length) rehash();
            append(m, s);
            int mask = index.length - 1;
            int h = CowMap.hash(m) & mask;
            while (index[h] != 0) h = (h + 1) & mask;
            index[h] = n;
        }

        private void rehash() {
            int cap = index == null ? 16 : index.length * 2;
            while (cap < (n + 1) * 2) cap *= 2;
            index = new int[cap];
            int mask = cap - 1;
            for (int i = 0; i < n; i++) {
                int h = CowMap.hash(ele[i]) & mask;
                while (index[h] != 0) h = (h + 1) & mask;
                index[h] = i + 1;
            }
        }
    }

    // =====================================================================================
    // ZPOPMIN / ZPOPMAX / ZMPOP
    // =====================================================================================

    private void zpopMinMax(Client c, boolean max) {
        if (c.argc > 3) {
            c.addError(Errors.SYNTAX);
            return;
        }
        long count = -1;
        if (c.argc == 3) {
            if (!rangeLongArg(c, c.argv[2], 0, Long.MAX_VALUE, "ERR value is out of range, must be positive")) return;
            count = num;
        }
        boolean nested = c.resp > 2 && count != -1;
        genericZpop(c, c.argv, 1, 1, max, false, count, nested, false);
    }

    /**
     * Redis's genericZpopCommand over keys[first, first + numKeys): pops from the first
     * non-empty sorted set. emitKey prefixes the key (BZPOP*, ZMPOP); nested gives each pair its
     * own array; nilWhenEmpty replies a null array instead of an empty one when there is nothing
     * to pop. Returns the key popped from, or null.
     */
    private byte[] genericZpop(Client c, byte[][] keys, int firstKey, int numKeys, boolean max, boolean emitKey,
                               long count, boolean nested, boolean nilWhenEmpty) {
        byte[] key = null;
        ZSetValue old = null;
        for (int i = 0; i < numKeys; i++) {
            key = keys[firstKey + i];
            Object o = c.db.lookupWrite(key);
            if (o == null) continue;
            if (!(o instanceof ZSetValue z)) {
                c.addError(Errors.WRONGTYPE);
                return null;
            }
            old = z;
            break;
        }
        if (old == null) {
            if (nilWhenEmpty) c.addNullArray();
            else c.addArrayLen(0);
            return null;
        }
        if (count == 0) {
            c.addArrayLen(0);
            return null;
        }
        if (count == -1) count = 1;
        long llen = old.size();
        long rangelen = Math.min(count, llen);
        if (!nested && !emitKey) {
            c.addArrayLen(rangelen * 2);
        } else if (nested && !emitKey) {
            c.addArrayLen(rangelen);
        } else if (!nested) {
            c.addArrayLen(rangelen * 2 + 1);
            c.addBulk(key);
        } else {
            c.addArrayLen(2);
            c.addBulk(key);
            c.addArrayLen(rangelen);
        }
        c.engine.notify(Notify.ZSET, max ? "zpopmax" : "zpopmin", key, c.db.id);
        // Reply from one walk of the popped end, then remove that end in one range.
        ZSetValue.Iter it = iter.reset(old, 0, max);
        for (long k = 0; k < rangelen && it.next(); k++) {
            if (nested) c.addArrayLen(2);
            c.addBulk(it.member);
            c.addDouble(it.score);
        }
        ZSetValue w = old.writable(c.engine.snapshotEpoch);
        if (max) w.removeRange(llen - rangelen, llen);
        else w.removeRange(0, rangelen);
        c.engine.dirty += rangelen;
        if (publish(c, key, old, w)) c.engine.notify(Notify.GENERIC, "del", key, c.db.id);
        return key;
    }

    private void zmpop(Client c) {
        MpopArgs a = parseMpop(c, 1);
        if (a == null) return;
        byte[] key = genericZpopSized(c, a.firstKey, a.numKeys, a.max, a.count);
        if (key != null) {
            // Propagated as ZPOPMIN/ZPOPMAX with the number of elements popped.
            KeyCommands.rewriteArgv(c, a.max ? ZPOPMAX : ZPOPMIN, key, Numbers.longToBytes(popped));
        }
    }

    /**
     * ZMPOP/BZMPOP argument parsing; returns the pop's parameters through the fields of
     * {@link MpopArgs}, or null after an error reply.
     */
    MpopArgs parseMpop(Client c, int numkeysIdx) {
        if (!rangeLongArg(c, c.argv[numkeysIdx], 1, Long.MAX_VALUE, "ERR numkeys should be greater than 0")) return null;
        long numkeys = num;
        long whereIdx = numkeysIdx + numkeys + 1;
        if (numkeys > c.argc || whereIdx >= c.argc) {
            c.addError(Errors.SYNTAX);
            return null;
        }
        MpopArgs a = new MpopArgs();
        byte[] where = c.argv[(int) whereIdx];
        if (Bytes.equalsIgnoreCase(where, "min")) a.max = false;
        else if (Bytes.equalsIgnoreCase(where, "max")) a.max = true;
        else {
            c.addError(Errors.SYNTAX);
            return null;
        }
        a.count = -1;
        for (int j = (int) whereIdx + 1; j < c.argc; j++) {
            int more = c.argc - 1 - j;
            if (a.count == -1 && Bytes.equalsIgnoreCase(c.argv[j], "count") && more > 0) {
                j++;
                if (!rangeLongArg(c, c.argv[j], 1, Long.MAX_VALUE, "ERR count should be greater than 0")) return null;
                a.count = num;
            } else {
                c.addError(Errors.SYNTAX);
                return null;
            }
        }
        if (a.count == -1) a.count = 1;
        a.firstKey = numkeysIdx + 1;
        a.numKeys = (int) numkeys;
        return a;
    }

    static final class MpopArgs {
        int firstKey, numKeys;
        boolean max;
        long count;
    }

    /** Elements popped by the last {@link #genericZpopSized}. */
    private long popped;

    private byte[] genericZpopSized(Client c, int firstKey, int numKeys, boolean max, long count) {
        long dirty = c.engine.dirty;
        byte[] key = genericZpop(c, c.argv, firstKey, numKeys, max, true, count, true, true);
        popped = c.engine.dirty - dirty;
        return key;
    }

    // =====================================================================================
    // BZPOPMIN / BZPOPMAX / BZMPOP
    // =====================================================================================

    private void bzpop(Client c, boolean max) {
        long deadline = Blocking.parseTimeout(c, c.argv[c.argc - 1], true);
        if (deadline == Blocking.INVALID) return;
        blockingZpop(c, 1, c.argc - 2, max, deadline, -1, false);
    }

    private void bzmpop(Client c) {
        MpopArgs a = parseMpop(c, 2);
        if (a == null) return;
        long deadline = Blocking.parseTimeout(c, c.argv[1], true);
        if (deadline == Blocking.INVALID) return;
        blockingZpop(c, a.firstKey, a.numKeys, a.max, deadline, a.count, true);
    }

    /**
     * blockingGenericZpopCommand: pops at once from the first non-empty sorted set of
     * argv[first, first + num) (propagated as ZPOPMIN/ZPOPMAX), else blocks on those keys.
     * count is -1 for BZPOPMIN/BZPOPMAX (a flat [key, member, score] reply), else BZMPOP's.
     */
    private void blockingZpop(Client c, int first, int num, boolean max, long deadline, long count, boolean nested) {
        for (int j = first; j < first + num; j++) {
            byte[] key = c.argv[j];
            Object o = c.db.lookupWrite(key);
            if (o == null) continue;
            if (!(o instanceof ZSetValue z)) {
                c.addError(Errors.WRONGTYPE);
                return;
            }
            long llen = z.size();
            if (llen == 0) continue;
            genericZpop(c, c.argv, j, 1, max, true, count, nested, nested);
            rewriteAsPop(c, key, max, count, llen);
            return;
        }
        Blocking blocking = c.engine.blocking;
        if (!blocking.mayBlock(c)) {
            c.addNullArray();
            return;
        }
        blocking.block(c, c.argv, first, first + num, deadline, new ServeZpop(max, count, nested));
    }

    /** The propagated form of a blocking pop: ZPOPMIN/ZPOPMAX key [popped count]. */
    private static void rewriteAsPop(Client c, byte[] key, boolean max, long count, long llen) {
        byte[] cmd = max ? ZPOPMAX : ZPOPMIN;
        if (count == -1) KeyCommands.rewriteArgv(c, cmd, key);
        else KeyCommands.rewriteArgv(c, cmd, key, Numbers.longToBytes(Math.min(count, llen)));
    }

    /**
     * Serves a client blocked by BZPOPMIN/BZPOPMAX/BZMPOP when one of its keys was written
     * (Redis's serveClientsBlockedOnSortedSetKey): a key that is not a sorted set keeps it
     * waiting.
     */
    private final class ServeZpop implements Blocking.BlockedCommand {
        private final boolean max, nested;
        private final long count;

        ServeZpop(boolean max, long count, boolean nested) {
            this.max = max;
            this.count = count;
            this.nested = nested;
        }

        @Override
        public boolean tryServe(Client c, Db db, byte[] key) {
            if (!(db.lookupNoTouch(key) instanceof ZSetValue z) || z.size() == 0) return false;
            long llen = z.size();
            genericZpop(c, new byte[][] {key}, 0, 1, max, true, count, nested, nested);
            rewriteAsPop(c, key, max, count, llen);
            return true;
        }
    }

    // =====================================================================================
    // ZRANDMEMBER
    // =====================================================================================

    private void zrandmember(Client c) {
        if (c.argc >= 3) {
            if (!rangeLongArg(c, c.argv[2], -Long.MAX_VALUE, Long.MAX_VALUE, null)) return;
            long l = num;
            boolean ws = false;
            if (c.argc > 4 || (c.argc == 4 && !Bytes.equalsIgnoreCase(c.argv[3], "withscores"))) {
                c.addError(Errors.SYNTAX);
                return;
            } else if (c.argc == 4) {
                ws = true;
                if (l < -Long.MAX_VALUE / 2 || l > Long.MAX_VALUE / 2) {
                    c.addError("ERR value is out of range");
                    return;
                }
            }
            zrandmemberWithCount(c, l, ws);
            return;
        }
        Object o = readZ(c, c.argv[1]);
        if (o == WRONG) return;
        if (o == null) {
            c.addNull();
            return;
        }
        ZSetValue z = (ZSetValue) o;
        ZSetValue.Iter it = iter.reset(z, z.randomRank(c.engine.random), false);
        it.next();
        c.addBulk(it.member);
    }

    private void zrandmemberWithCount(Client c, long l, boolean ws) {
        Object o = readZ(c, c.argv[1]);
        if (o == WRONG) return;
        if (o == null) {
            c.addArrayLen(0);
            return;
        }
        ZSetValue z = (ZSetValue) o;
        long count = l >= 0 ? l : -l;
        boolean uniq = l >= 0;
        if (count == 0) {
            c.addArrayLen(0);
            return;
        }
        int size = z.size();
        // Case 1: repeats allowed (negative count), or a single member.
        if (!uniq || count == 1) {
            c.addArrayLen(ws && c.resp == 2 ? count * 2 : count);
            for (long k = 0; k < count; k++) {
                ZSetValue.Iter it = iter.reset(z, z.randomRank(c.engine.random), false);
                it.next();
                replyPair(c, it.member, it.score, ws);
                if (c.has(Client.F_CLOSE_ASAP)) break;
            }
            return;
        }
        long replySize = Math.min(count, size);
        c.addArrayLen(ws && c.resp == 2 ? replySize * 2 : replySize);
        // Case 2: the whole set (Redis walks it from the highest score).
        if (count >= size) {
            ZSetValue.Iter it = iter.reset(z, 0, true);
            while (it.next()) replyPair(c, it.member, it.score, ws);
            return;
        }
        int k = (int) count;
        int[] picked;
        if (count * ZRANDMEMBER_SUB_STRATEGY_MUL > size) {
            // Case 3: a partial Fisher-Yates shuffle of every rank.
            int[] ranks = new int[size];
            for (int i = 0; i < size; i++) ranks[i] = i;
            for (int i = 0; i < k; i++) {
                int r = i + c.engine.random.nextInt(size - i);
                int t = ranks[i];
                ranks[i] = ranks[r];
                ranks[r] = t;
            }
            picked = Arrays.copyOf(ranks, k);
        } else {
            // Case 4: random ranks until k distinct ones were drawn.
            picked = new int[k];
            int[] seen = new int[Integer.highestOneBit(Math.max(4, k * 4 - 1)) << 1];
            int mask = seen.length - 1;
            int got = 0;
            while (got < k) {
                int r = c.engine.random.nextInt(size);
                int h = (r * 0x9E3779B1) >>> 7 & mask;
                boolean dup = false;
                while (seen[h] != 0) {
                    if (seen[h] == r + 1) {
                        dup = true;
                        break;
                    }
                    h = (h + 1) & mask;
                }
                if (dup) continue;
                seen[h] = r + 1;
                picked[got++] = r;
            }
        }
        for (int r : picked) {
            ZSetValue.Iter it = iter.reset(z, r, false);
            it.next();
            replyPair(c, it.member, it.score, ws);
        }
    }

    // =====================================================================================
    // ZSCAN
    // =====================================================================================

    private void zscan(Client c) {
        HashCommands.ScanArgs s = scan;
        if (!s.parseCursor(c, c.argv[2])) return;
        Object o = c.db.lookupRead(c.argv[1]);
        if (o == null) {
            HashCommands.ScanArgs.replyEmpty(c);
            return;
        }
        if (!(o instanceof ZSetValue z)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        if (!s.parseOptions(c, 3)) return;
        try {
            scanListpack = z.isListpack();
            long next = z.scan(s.cursor, s.countInt(), scanVisitor);
            int w = 0;
            for (int r = 0, n = scanMembers.size(); r < n; r++) {
                byte[] m = scanMembers.get(r);
                if (!s.matches(m)) continue;
                scanMembers.set(w, m);
                scanScores.set(w++, scanScores.get(r));
            }
            c.addArrayLen(2);
            c.addBulk(Numbers.longToBytes(next));
            c.addArrayLen(w * 2L);
            for (int i = 0; i < w; i++) {
                c.addBulk(scanMembers.get(i));
                c.addBulk(scanScores.get(i));
            }
        } finally {
            scanMembers.clear();
            scanScores.clear();
        }
    }
}

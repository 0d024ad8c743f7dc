package org.redoubt.engine.commands;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Errors;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.config.Notify;
import org.redoubt.engine.db.CowMap;
import org.redoubt.engine.db.Db;
import org.redoubt.engine.type.HashValue;
import org.redoubt.engine.type.RValue;
import org.redoubt.engine.util.Bytes;
import org.redoubt.engine.util.Glob;
import org.redoubt.protocol.Numbers;
import org.redoubt.protocol.Numbers.LongDouble;

/**
 * The hash commands (Redis's t_hash.c): HSET, HMSET, HSETNX, HGET, HMGET, HDEL, HEXISTS, HLEN,
 * HSTRLEN, HKEYS, HVALS, HGETALL, HINCRBY, HINCRBYFLOAT, HRANDFIELD, HSCAN. The value type and
 * its encodings are {@link HashValue}.
 *
 * <p>Writes follow one pattern: look the key up for writing, take {@link HashValue#writable}
 * (a copy only when a snapshot may share the value), mutate, then store the copy or signal the
 * in-place change ({@link #commit}). A key whose last field is deleted is deleted itself.
 *
 * <p>Also home of argument and SCAN helpers shared with the other collection families.
 * Engine thread only, so the scratch fields are reused without allocation or locking.
 */
public final class HashCommands implements CommandFamily {
    private static final byte[] HSET = Bytes.of("HSET");
    static final String VALUE_OUT_OF_RANGE = "ERR value is out of range";
    static final String NOT_POSITIVE = "ERR value is out of range, must be positive";
    /** getRangeLongFromObjectOrReply's range error for [-LONG_MAX, LONG_MAX]. */
    static final String COUNT_RANGE =
        "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

    private final ScanArgs scan = new ScanArgs();
    private final CowMap.Entry entry = new CowMap.Entry();
    private ArrayList<byte[]> scratch = new ArrayList<>();

    // ---- HKEYS / HVALS / HGETALL / HRANDFIELD whole-hash reply visitor
    private Client replyClient;
    private boolean replyFields, replyValues, replyPairArrays;
    private final CowMap.Visitor replyVisitor = (f, v, meta) -> {
        Client c = replyClient;
        if (replyPairArrays) c.addArrayLen(2);
        if (replyFields) c.addBulk(f);
        if (replyValues) c.addBulk((byte[]) v);
        return true;
    };
    private final CowMap.Visitor collectPairs = (f, v, meta) -> {
        scratch.add(f);
        scratch.add((byte[]) v);
        return true;
    };

    @Override
    public void register(CommandTable t, Engine e) {
        t.bind("hset", this::hset);
        t.bind("hmset", this::hset);
        t.bind("hsetnx", this::hsetnx);
        t.bind("hget", this::hget);
        t.bind("hmget", this::hmget);
        t.bind("hdel", this::hdel);
        t.bind("hexists", this::hexists);
        t.bind("hlen", this::hlen);
        t.bind("hstrlen", this::hstrlen);
        t.bind("hkeys", c -> hgetall(c, true, false));
        t.bind("hvals", c -> hgetall(c, false, true));
        t.bind("hgetall", c -> hgetall(c, true, true));
        t.bind("hincrby", this::hincrby);
        t.bind("hincrbyfloat", this::hincrbyfloat);
        t.bind("hrandfield", this::hrandfield);
        t.bind("hscan", this::hscan);
    }

    // =====================================================================================
    // Lookup and store helpers
    // =====================================================================================

    /** What {@link #readHash} returns after replying WRONGTYPE. */
    private static final Object WRONG = new Object();

    /** lookupKeyRead + checkType: the value (null when absent) or WRONG after the error reply. */
    private static Object readHash(Client c, byte[] key) {
        Object v = c.db.lookupRead(key);
        if (v != null && !(v instanceof HashValue)) {
            c.addError(Errors.WRONGTYPE);
            return WRONG;
        }
        return v;
    }

    /**
     * hashTypeLookupWriteOrCreate: a hash that may be written now, or null after replying
     * WRONGTYPE. A new hash is not in the keyspace yet: {@link #commit} adds it.
     */
    private static HashValue writeHash(Client c, Object v) {
        if (v == null) return HashValue.create(c.engine.snapshotEpoch);
        if (!(v instanceof HashValue h)) {
            c.addError(Errors.WRONGTYPE);
            return null;
        }
        return h.writable(c.engine.snapshotEpoch);
    }

    /**
     * Publishes a written collection w whose key held old (null: absent): adds it, stores the
     * copy, or signals the in-place change (WATCH, tracking) as signalModifiedKey.
     */
    static void commit(Client c, byte[] key, Object old, RValue w) {
        Db db = c.db;
        if (old == null) db.add(key, w);
        else if (old != w) db.overwrite(key, w);
        else c.engine.signalModifiedKey(db, key);
    }

    /** Writes a hash field with the configured listpack limits. */
    private static boolean hashSet(Client c, HashValue h, byte[] field, byte[] value) {
        return h.set(field, value, c.engine.config.hashMaxListpackEntries, c.engine.config.hashMaxListpackValue);
    }

    // =====================================================================================
    // HSET / HMSET / HSETNX
    // =====================================================================================

    private void hset(Client c) {
        if (c.argc % 2 == 1) {
            c.addError(Errors.wrongArgs(c.cmd.fullName));
            return;
        }
        byte[] key = c.argv[1];
        Object old = c.db.lookupWrite(key);
        HashValue h = writeHash(c, old);
        if (h == null) return;
        h.tryConversion(c.argv, 2, c.argc - 1, c.engine.config.hashMaxListpackValue);
        long created = 0;
        for (int i = 2; i < c.argc; i += 2) {
            if (hashSet(c, h, c.argv[i], c.argv[i + 1])) created++;
        }
        commit(c, key, old, h);
        // HMSET (the deprecated form) replies OK, HSET the number of new fields.
        byte second = c.argv[0][1];
        if (second == 's' || second == 'S') c.addLong(created);
        else c.addOk();
        c.engine.notify(Notify.HASH, "hset", key, c.db.id);
        c.engine.dirty += (c.argc - 2) / 2;
    }

    private void hsetnx(Client c) {
        byte[] key = c.argv[1];
        Object old = c.db.lookupWrite(key);
        if (old != null && !(old instanceof HashValue)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        if (old != null && ((HashValue) old).contains(c.argv[2])) {
            c.addLong(0);
            return;
        }
        HashValue h = writeHash(c, old);
        h.tryConversion(c.argv, 2, 3, c.engine.config.hashMaxListpackValue);
        hashSet(c, h, c.argv[2], c.argv[3]);
        commit(c, key, old, h);
        c.addLong(1);
        c.engine.notify(Notify.HASH, "hset", key, c.db.id);
        c.engine.dirty++;
    }

    // =====================================================================================
    // HGET / HMGET / HEXISTS / HLEN / HSTRLEN
    // =====================================================================================

    private void hget(Client c) {
        Object v = readHash(c, c.argv[1]);
        if (v == WRONG) return;
        byte[] value = v == null ? null : ((HashValue) v).get(c.argv[2]);
        if (value == null) c.addNull();
        else c.addBulk(value);
    }

    private void hmget(Client c) {
        Object v = readHash(c, c.argv[1]);
        if (v == WRONG) return;
        HashValue h = (HashValue) v;
        c.addArrayLen(c.argc - 2);
        for (int i = 2; i < c.argc; i++) {
            byte[] value = h == null ? null : h.get(c.argv[i]);
            if (value == null) c.addNull();
            else c.addBulk(value);
        }
    }

    private void hexists(Client c) {
        Object v = readHash(c, c.argv[1]);
        if (v == WRONG) return;
        c.addLong(v != null && ((HashValue) v).contains(c.argv[2]) ? 1 : 0);
    }

    private void hlen(Client c) {
        Object v = readHash(c, c.argv[1]);
        if (v == WRONG) return;
        c.addLong(v == null ? 0 : ((HashValue) v).size());
    }

    private void hstrlen(Client c) {
        Object v = readHash(c, c.argv[1]);
        if (v == WRONG) return;
        byte[] value = v == null ? null : ((HashValue) v).get(c.argv[2]);
        c.addLong(value == null ? 0 : value.length);
    }

    // =====================================================================================
    // HDEL
    // =====================================================================================

    private void hdel(Client c) {
        byte[] key = c.argv[1];
        Db db = c.db;
        Object old = db.lookupWrite(key);
        if (old == null) {
            c.addLong(0);
            return;
        }
        if (!(old instanceof HashValue)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        HashValue h = ((HashValue) old).writable(c.engine.snapshotEpoch);
        long deleted = 0;
        boolean removed = false;
        for (int j = 2; j < c.argc; j++) {
            if (h.delete(c.argv[j])) {
                deleted++;
                if (h.size() == 0) {
                    db.delete(key);
                    removed = true;
                    break;
                }
            }
        }
        if (deleted > 0) {
            if (!removed) commit(c, key, old, h);
            c.engine.notify(Notify.HASH, "hdel", key, db.id);
            if (removed) c.engine.notify(Notify.GENERIC, "del", key, db.id);
            c.engine.dirty += deleted;
        }
        c.addLong(deleted);
    }

    // =====================================================================================
    // HKEYS / HVALS / HGETALL
    // =====================================================================================

    private void hgetall(Client c, boolean fields, boolean values) {
        Object v = c.db.lookupRead(c.argv[1]);
        boolean both = fields && values;
        if (v == null) {
            if (both) c.addMapLen(0);
            else c.addArrayLen(0);
            return;
        }
        if (!(v instanceof HashValue h)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        if (both) c.addMapLen(h.size());
        else c.addArrayLen(h.size());
        replyAll(c, h, fields, values, false);
    }

    /** Replies every pair of h (after the caller's header), optionally each as a RESP3 pair array. */
    private void replyAll(Client c, HashValue h, boolean fields, boolean values, boolean pairArrays) {
        replyClient = c;
        replyFields = fields;
        replyValues = values;
        replyPairArrays = pairArrays;
        try {
            h.forEach(replyVisitor);
        } finally {
            replyClient = null;
        }
    }

    // =====================================================================================
    // HINCRBY / HINCRBYFLOAT
    // =====================================================================================

    private void hincrby(Client c) {
        byte[] a = c.argv[3];
        long incr = Numbers.parseLong(a);
        if (incr == Numbers.NOT_A_LONG && !Numbers.isLong(a)) {
            c.addError(Errors.NOT_INTEGER);
            return;
        }
        byte[] key = c.argv[1], field = c.argv[2];
        Object old = c.db.lookupWrite(key);
        if (old != null && !(old instanceof HashValue)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        long value = 0;
        byte[] cur = old == null ? null : ((HashValue) old).get(field);
        if (cur != null) {
            value = Numbers.parseLong(cur);
            if (value == Numbers.NOT_A_LONG && !Numbers.isLong(cur)) {
                c.addError("ERR hash value is not an integer");
                return;
            }
        }
        if ((incr < 0 && value < 0 && incr < Long.MIN_VALUE - value)
            || (incr > 0 && value > 0 && incr > Long.MAX_VALUE - value)) {
            c.addError(Errors.OVERFLOW);
            return;
        }
        value += incr;
        HashValue h = writeHash(c, old);
        hashSet(c, h, field, Numbers.longToBytes(value));
        commit(c, key, old, h);
        c.addLong(value);
        c.engine.notify(Notify.HASH, "hincrby", key, c.db.id);
        c.engine.dirty++;
    }

    private void hincrbyfloat(Client c) {
        LongDouble incr = LongDouble.parse(c.argv[3]);
        if (incr == null) {
            c.addError(Errors.NOT_FLOAT);
            return;
        }
        if (incr.isNaN() || incr.isInfinite()) {
            c.addError("ERR value is NaN or Infinity");
            return;
        }
        byte[] key = c.argv[1], field = c.argv[2];
        Object old = c.db.lookupWrite(key);
        if (old != null && !(old instanceof HashValue)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        LongDouble value = LongDouble.ZERO;
        byte[] cur = old == null ? null : ((HashValue) old).get(field);
        if (cur != null) {
            value = LongDouble.parse(cur);
            if (value == null) {
                c.addError("ERR hash value is not a float");
                return;
            }
        }
        LongDouble r = value.add(incr);
        if (r.isNaN() || r.isInfinite()) {
            c.addError(Errors.NAN_OR_INF);
            return;
        }
        byte[] nv = r.toHumanBytes();
        HashValue h = writeHash(c, old);
        hashSet(c, h, field, nv);
        commit(c, key, old, h);
        c.addBulk(nv);
        c.engine.notify(Notify.HASH, "hincrbyfloat", key, c.db.id);
        c.engine.dirty++;
        // Propagated as HSET of the result, so float formatting cannot make replicas diverge.
        KeyCommands.rewriteArgv(c, HSET, key, field, nv);
    }

    // =====================================================================================
    // HRANDFIELD
    // =====================================================================================

    /** How much bigger than the count a hash must be to sample instead of copying and removing. */
    private static final int SUB_STRATEGY_MUL = 3;

    private void hrandfield(Client c) {
        if (c.argc >= 3) {
            long l = countArg(c, c.argv[2]);
            if (l == Long.MIN_VALUE) return;
            boolean withValues = false;
            if (c.argc > 4 || (c.argc == 4 && !Bytes.equalsIgnoreCase(c.argv[3], "withvalues"))) {
                c.addError(Errors.SYNTAX);
                return;
            } else if (c.argc == 4) {
                withValues = true;
                if (l < -Long.MAX_VALUE / 2 || l > Long.MAX_VALUE / 2) {
                    c.addError(VALUE_OUT_OF_RANGE);
                    return;
                }
            }
            hrandfieldWithCount(c, l, withValues);
            return;
        }
        Object v = readHash(c, c.argv[1]);
        if (v == WRONG) return;
        if (v == null) {
            c.addNull();
            return;
        }
        ((HashValue) v).randomEntry(c.engine.random, entry);
        c.addBulk(entry.key);
        entry.key = null;
        entry.value = null;
    }

    /**
     * getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX), the count of HRANDFIELD and
     * SRANDMEMBER; Long.MIN_VALUE (never a valid count) after an error reply.
     */
    static long countArg(Client c, byte[] a) {
        long l = Numbers.parseLong(a);
        if (l == Numbers.NOT_A_LONG) {
            c.addError(Numbers.isLong(a) ? COUNT_RANGE : Errors.NOT_INTEGER);
            return Long.MIN_VALUE;
        }
        return l;
    }

    private void hrandfieldWithCount(Client c, long l, boolean withValues) {
        Object v = readHash(c, c.argv[1]);
        if (v == WRONG) return;
        if (v == null) {
            c.addArrayLen(0);
            return;
        }
        HashValue h = (HashValue) v;
        int size = h.size();
        boolean uniq = l >= 0;
        long count = uniq ? l : -l;
        if (count == 0) {
            c.addArrayLen(0);
            return;
        }
        boolean resp3Pairs = withValues && c.resp > 2;
        // Case 1: repetitions allowed (or a single field): independent uniform draws.
        if (!uniq || count == 1) {
            c.addArrayLen(withValues && c.resp == 2 ? count * 2 : count);
            CowMap.Entry e = entry;
            while (count-- > 0) {
                h.randomEntry(c.engine.random, e);
                if (resp3Pairs) c.addArrayLen(2);
                c.addBulk(e.key);
                if (withValues) c.addBulk((byte[]) e.value);
                // A client dropped for its output buffer stops a huge negative count early.
                if (c.has(Client.F_CLOSE_ASAP)) break;
            }
            e.key = null;
            e.value = null;
            return;
        }
        long replySize = Math.min(count, size);
        c.addArrayLen(withValues && c.resp == 2 ? replySize * 2 : replySize);
        // Case 2: the whole hash.
        if (count >= size) {
            replyAll(c, h, true, withValues, resp3Pairs);
            return;
        }
        int n = (int) count;
        if (count * SUB_STRATEGY_MUL > size || h.isListpack()) {
            // Case 3 (and case 4 of small encodings): a uniform n-subset of all pairs, chosen by a
            // partial Fisher-Yates shuffle of their positions.
            ArrayList<byte[]> all = scratch;
            try {
                h.forEach(collectPairs);
                int[] idx = new int[size];
                for (int i = 0; i < size; i++) idx[i] = i;
                for (int i = 0; i < n; i++) {
                    int j = i + c.engine.random.nextInt(size - i);
                    int t = idx[i];
                    idx[i] = idx[j];
                    idx[j] = t;
                    if (resp3Pairs) c.addArrayLen(2);
                    c.addBulk(all.get(2 * idx[i]));
                    if (withValues) c.addBulk(all.get(2 * idx[i] + 1));
                }
            } finally {
                releaseScratch();
            }
            return;
        }
        // Case 4: a big hash and a small count: draw until n distinct fields came out. Stored
        // field arrays are unique per entry, so identity tells repeats apart.
        IdentityHashMap<byte[], Boolean> seen = new IdentityHashMap<>(n * 2);
        CowMap.Entry e = entry;
        while (seen.size() < n) {
            h.randomEntry(c.engine.random, e);
            if (seen.put(e.key, Boolean.TRUE) != null) continue;
            if (resp3Pairs) c.addArrayLen(2);
            c.addBulk(e.key);
            if (withValues) c.addBulk((byte[]) e.value);
        }
        e.key = null;
        e.value = null;
    }

    private void releaseScratch() {
        if (scratch.size() > 4096) scratch = new ArrayList<>();
        else scratch.clear();
    }

    // =====================================================================================
    // HSCAN
    // =====================================================================================

    private void hscan(Client c) {
        ScanArgs s = scan;
        if (!s.parseCursor(c, c.argv[2])) return;
        Object v = c.db.lookupRead(c.argv[1]);
        if (v == null) {
            ScanArgs.replyEmpty(c);
            return;
        }
        if (!(v instanceof HashValue h)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        if (!s.parseOptions(c, 3)) return;
        ArrayList<byte[]> out = scratch;
        try {
            long next = 0;
            if (h.isListpack()) h.forEach(collectPairs);
            else next = h.scan(s.cursor & 0xFFFF_FFFFL, s.countInt(), collectPairs);
            s.replyPairs(c, next, out);
        } finally {
            releaseScratch();
        }
    }

    /**
     * The SCAN family's cursor and options for one collection (scanGenericCommand with a key):
     * cursor parsing as parseScanCursorOrReply, then COUNT and MATCH (TYPE only applies to SCAN
     * and is a syntax error here), the pattern applied to members (to fields, taking the value
     * along, for hashes and sorted sets).
     */
    static final class ScanArgs {
        long cursor;
        long count;
        byte[] pattern;

        /** parseScanCursorOrReply (strtoul on the bytes up to a NUL): false after the error reply. */
        boolean parseCursor(Client c, byte[] a) {
            int end = 0;
            while (end < a.length && a[end] != 0) end++;
            if (end == 0) {
                cursor = 0;
                return true;
            }
            if (isCSpace(a[0])) return cursorError(c);
            int i = 0;
            boolean neg = false;
            if (a[0] == '+' || a[0] == '-') {
                neg = a[0] == '-';
                i++;
            }
            if (i == end) return cursorError(c);
            long v = 0;
            for (; i < end; i++) {
                int d = a[i] - '0';
                if (d < 0 || d > 9) return cursorError(c);
                if (Long.compareUnsigned(v, Long.divideUnsigned(-1L, 10)) > 0) return cursorError(c);
                long t = v * 10;
                if (Long.compareUnsigned(t, -1L - d) > 0) return cursorError(c);
                v = t + d;
            }
            cursor = neg ? -v : v;
            return true;
        }

        private static boolean isCSpace(byte b) {
            return b == ' ' || b == '\t' || b == '\n' || b == 0x0b || b == '\f' || b == '\r';
        }

        private static boolean cursorError(Client c) {
            c.addError("ERR invalid cursor");
            return false;
        }

        /** COUNT and MATCH from argv[i..]; false after the error reply. */
        boolean parseOptions(Client c, int i) {
            count = 10;
            pattern = null;
            while (i < c.argc) {
                int left = c.argc - i;
                byte[] opt = c.argv[i];
                if (Bytes.equalsIgnoreCase(opt, "count") && left >= 2) {
                    byte[] a = c.argv[i + 1];
                    long n = Numbers.parseLong(a);
                    if (n == Numbers.NOT_A_LONG && !Numbers.isLong(a)) {
                        c.addError(Errors.NOT_INTEGER);
                        return false;
                    }
                    if (n < 1) {
                        c.addError(Errors.SYNTAX);
                        return false;
                    }
                    count = n;
                    i += 2;
                } else if (Bytes.equalsIgnoreCase(opt, "match") && left >= 2) {
                    byte[] p = c.argv[i + 1];
                    pattern = Glob.isMatchAll(p) ? null : p;
                    i += 2;
                } else {
                    c.addError(Errors.SYNTAX);
                    return false;
                }
            }
            return true;
        }

        int countInt() {
            return (int) Math.min(count, Integer.MAX_VALUE);
        }

        boolean matches(byte[] member) {
            return pattern == null || Glob.match(pattern, member, false);
        }

        /** The reply for a missing key: cursor 0, no elements (shared.emptyscan). */
        static void replyEmpty(Client c) {
            c.addArrayLen(2);
            c.addBulk(ZERO);
            c.addArrayLen(0);
        }

        private static final byte[] ZERO = {'0'};

        /** Replies cursor next and the members of items that match. */
        void replyMembers(Client c, long next, ArrayList<byte[]> items) {
            int w = 0;
            for (int r = 0, n = items.size(); r < n; r++) {
                byte[] m = items.get(r);
                if (matches(m)) items.set(w++, m);
            }
            c.addArrayLen(2);
            c.addBulk(Numbers.longToBytes(next));
            c.addArrayLen(w);
            for (int i = 0; i < w; i++) c.addBulk(items.get(i));
        }

        /** Replies cursor next and the (member, value) pairs of items whose member matches. */
        void replyPairs(Client c, long next, ArrayList<byte[]> items) {
            int w = 0;
            for (int r = 0, n = items.size(); r < n; r += 2) {
                byte[] m = items.get(r);
                if (!matches(m)) continue;
                items.set(w++, m);
                items.set(w++, items.get(r + 1));
            }
            c.addArrayLen(2);
            c.addBulk(Numbers.longToBytes(next));
            c.addArrayLen(w);
            for (int i = 0; i < w; i++) c.addBulk(items.get(i));
        }
    }
}

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
import org.redoubt.engine.type.SetValue;
import org.redoubt.engine.util.Bytes;
import org.redoubt.protocol.Numbers;

/**
 * The set commands (Redis's t_set.c): SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS, SPOP,
 * SRANDMEMBER, SMOVE, SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE,
 * SSCAN. The value type and its encodings are {@link SetValue}.
 *
 * <p>Writes take {@link SetValue#writable} and publish through {@link HashCommands#commit}; a set
 * emptied by a write is deleted. Results of the set algebra are built in a fresh set that starts
 * as an intset, as Redis builds them, so they get the encoding Redis would give them.
 *
 * <p>Engine thread only: the scratch fields are reused by every call.
 */
public final class SetCommands implements CommandFamily {
    private static final byte[] SREM = Bytes.of("SREM"), DEL = Bytes.of("DEL");
    /** SPOP: how much bigger than the count the remainder must be to pop one by one. */
    private static final int SPOP_MOVE_STRATEGY_MUL = 5;
    /** SRANDMEMBER: how much bigger than the count a set must be to sample instead of copying. */
    private static final int SRANDMEMBER_SUB_STRATEGY_MUL = 3;
    private static final int SCRATCH_KEEP = 4096;

    private final HashCommands.ScanArgs scan = new HashCommands.ScanArgs();
    private final CowMap.Entry entry = new CowMap.Entry();
    private ArrayList<byte[]> scratch = new ArrayList<>();
    private final CowMap.Visitor collect = (m, v, meta) -> {
        scratch.add(m);
        return true;
    };

    @Override
    public void register(CommandTable t, Engine e) {
        t.bind("sadd", this::sadd);
        t.bind("srem", this::srem);
        t.bind("scard", this::scard);
        t.bind("sismember", this::sismember);
        t.bind("smismember", this::smismember);
        t.bind("smembers", c -> sinter(c, 1, 1, null, false, 0));
        t.bind("spop", this::spop);
        t.bind("srandmember", this::srandmember);
        t.bind("smove", this::smove);
        t.bind("sinter", c -> sinter(c, 1, c.argc - 1, null, false, 0));
        t.bind("sintercard", this::sintercard);
        t.bind("sinterstore", c -> sinter(c, 2, c.argc - 2, c.argv[1], false, 0));
        t.bind("sunion", c -> sunionDiff(c, 1, c.argc - 1, null, true));
        t.bind("sunionstore", c -> sunionDiff(c, 2, c.argc - 2, c.argv[1], true));
        t.bind("sdiff", c -> sunionDiff(c, 1, c.argc - 1, null, false));
        t.bind("sdiffstore", c -> sunionDiff(c, 2, c.argc - 2, c.argv[1], false));
        t.bind("sscan", this::sscan);
    }

    // =====================================================================================
    // Helpers
    // =====================================================================================

    private static long maxIntset(Client c) {
        return c.engine.config.setMaxIntsetEntries;
    }

    /** Every member of s into the scratch list (after what is there); callers release it. */
    private ArrayList<byte[]> collect(SetValue s) {
        s.forEach(collect);
        return scratch;
    }

    private void releaseScratch() {
        if (scratch.size() > SCRATCH_KEEP) scratch = new ArrayList<>();
        else scratch.clear();
    }

    /** The members of s as a set reply, in s's iteration order. */
    private void replyMembers(Client c, SetValue s) {
        int n = s.size();
        c.addSetLen(n);
        if (s.isIntset()) {
            for (int i = 0; i < n; i++) c.addBulk(Numbers.longToBytes(s.intAt(i)));
            return;
        }
        try {
            ArrayList<byte[]> l = collect(s);
            for (int i = 0; i < n; i++) c.addBulk(l.get(i));
        } finally {
            releaseScratch();
        }
    }

    // =====================================================================================
    // SADD / SREM / SCARD / SISMEMBER / SMISMEMBER
    // =====================================================================================

    private void sadd(Client c) {
        byte[] key = c.argv[1];
        Object old = c.db.lookupWrite(key);
        if (old != null && !(old instanceof SetValue)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        long epoch = c.engine.snapshotEpoch;
        SetValue s = old == null ? SetValue.createFor(c.argv[2], epoch) : ((SetValue) old).writable(epoch);
        long max = maxIntset(c);
        long added = 0;
        for (int j = 2; j < c.argc; j++) {
            if (s.add(c.argv[j], max)) added++;
        }
        if (added > 0) {
            HashCommands.commit(c, key, old, s);
            c.engine.notify(Notify.SET, "sadd", key, c.db.id);
        }
        c.engine.dirty += added;
        c.addLong(added);
    }

    private void srem(Client c) {
        byte[] key = c.argv[1];
        Db db = c.db;
        Object old = db.lookupWrite(key);
        if (old == null) {
            c.addLong(0);
            return;
        }
        if (!(old instanceof SetValue)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        SetValue s = ((SetValue) old).writable(c.engine.snapshotEpoch);
        long deleted = 0;
        boolean removed = false;
        for (int j = 2; j < c.argc; j++) {
            if (s.remove(c.argv[j])) {
                deleted++;
                if (s.size() == 0) {
                    db.delete(key);
                    removed = true;
                    break;
                }
            }
        }
        if (deleted > 0) {
            if (!removed) HashCommands.commit(c, key, old, s);
            c.engine.notify(Notify.SET, "srem", key, db.id);
            if (removed) c.engine.notify(Notify.GENERIC, "del", key, db.id);
            c.engine.dirty += deleted;
        }
        c.addLong(deleted);
    }

    /** lookupKeyRead + checkType: the set, null when absent, or WRONG after the error reply. */
    private static final Object WRONG = new Object();

    private static Object readSet(Client c, byte[] key) {
        Object v = c.db.lookupRead(key);
        if (v != null && !(v instanceof SetValue)) {
            c.addError(Errors.WRONGTYPE);
            return WRONG;
        }
        return v;
    }

    private void scard(Client c) {
        Object v = readSet(c, c.argv[1]);
        if (v == WRONG) return;
        c.addLong(v == null ? 0 : ((SetValue) v).size());
    }

    private void sismember(Client c) {
        Object v = readSet(c, c.argv[1]);
        if (v == WRONG) return;
        c.addLong(v != null && ((SetValue) v).contains(c.argv[2]) ? 1 : 0);
    }

    private void smismember(Client c) {
        Object v = readSet(c, c.argv[1]);
        if (v == WRONG) return;
        SetValue s = (SetValue) v;
        c.addArrayLen(c.argc - 2);
        for (int j = 2; j < c.argc; j++) c.addLong(s != null && s.contains(c.argv[j]) ? 1 : 0);
    }

    // =====================================================================================
    // SPOP
    // =====================================================================================

    private void spop(Client c) {
        if (c.argc == 3) {
            spopWithCount(c);
            return;
        } else if (c.argc > 3) {
            c.addError(Errors.SYNTAX);
            return;
        }
        byte[] key = c.argv[1];
        Db db = c.db;
        Object old = db.lookupWrite(key);
        if (old == null) {
            c.addNull();
            return;
        }
        if (!(old instanceof SetValue)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        SetValue s = ((SetValue) old).writable(c.engine.snapshotEpoch);
        byte[] ele = s.random(c.engine.random, entry);
        entry.key = null;
        entry.value = null;
        s.remove(ele);
        c.engine.notify(Notify.SET, "spop", key, db.id);
        KeyCommands.rewriteArgv(c, SREM, key, ele);
        c.addBulk(ele);
        if (s.size() == 0) {
            db.delete(key);
            c.engine.notify(Notify.GENERIC, "del", key, db.id);
        } else {
            HashCommands.commit(c, key, old, s);
        }
        c.engine.dirty++;
    }

    private void spopWithCount(Client c) {
        byte[] a = c.argv[2];
        long l = Numbers.parseLong(a);
        if ((l == Numbers.NOT_A_LONG && !Numbers.isLong(a)) || l < 0) {
            c.addError(HashCommands.NOT_POSITIVE);
            return;
        }
        byte[] key = c.argv[1];
        Db db = c.db;
        Object old = db.lookupWrite(key);
        if (old == null) {
            c.addSetLen(0);
            return;
        }
        if (!(old instanceof SetValue)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        if (l == 0) {
            c.addSetLen(0);
            return;
        }
        SetValue set = (SetValue) old;
        int size = set.size();
        c.engine.notify(Notify.SET, "spop", key, db.id);
        c.engine.dirty += Math.min(l, size);

        // Case 1: the whole set; propagated as DEL.
        if (l >= size) {
            replyMembers(c, set);
            db.delete(key);
            c.engine.notify(Notify.GENERIC, "del", key, db.id);
            KeyCommands.rewriteArgv(c, DEL, key);
            return;
        }

        // Cases 2 and 3 propagate one SREM of every popped member (Redis sends one SREM per
        // member; a single variadic SREM has the same effect).
        int count = (int) l;
        byte[][] prop = new byte[count + 2][];
        prop[0] = SREM;
        prop[1] = key;
        c.addSetLen(count);
        long epoch = c.engine.snapshotEpoch;
        int remaining = size - count;
        if ((long) remaining * SPOP_MOVE_STRATEGY_MUL > count) {
            // Case 2: few to pop: draw and remove them one by one.
            SetValue s = set.writable(epoch);
            for (int i = 0; i < count; i++) {
                byte[] ele = s.random(c.engine.random, entry);
                s.remove(ele);
                c.addBulk(ele);
                prop[i + 2] = ele;
            }
            HashCommands.commit(c, key, old, s);
        } else {
            // Case 3: most of the set goes: draw the few that stay into a new set, and pop
            // everything left in the old one.
            SetValue s = set.writable(epoch);
            SetValue kept = null;
            long max = maxIntset(c);
            for (int i = 0; i < remaining; i++) {
                byte[] ele = s.random(c.engine.random, entry);
                if (kept == null) kept = SetValue.createFor(ele, epoch);
                kept.add(ele, max);
                s.remove(ele);
            }
            try {
                ArrayList<byte[]> popped = collect(s);
                for (int i = 0; i < count; i++) {
                    byte[] ele = popped.get(i);
                    c.addBulk(ele);
                    prop[i + 2] = ele;
                }
            } finally {
                releaseScratch();
            }
            db.overwrite(key, kept);
        }
        entry.key = null;
        entry.value = null;
        KeyCommands.rewriteArgv(c, prop);
    }

    // =====================================================================================
    // SRANDMEMBER
    // =====================================================================================

    private void srandmember(Client c) {
        if (c.argc == 3) {
            srandmemberWithCount(c);
            return;
        } else if (c.argc > 3) {
            c.addError(Errors.SYNTAX);
            return;
        }
        Object v = readSet(c, c.argv[1]);
        if (v == WRONG) return;
        if (v == null) {
            c.addNull();
            return;
        }
        c.addBulk(((SetValue) v).random(c.engine.random, entry));
        entry.key = null;
    }

    private void srandmemberWithCount(Client c) {
        long l = HashCommands.countArg(c, c.argv[2]);
        if (l == Long.MIN_VALUE) return;
        boolean uniq = l >= 0;
        long count = uniq ? l : -l;
        Object v = readSet(c, c.argv[1]);
        if (v == WRONG) return;
        if (v == null || count == 0) {
            c.addArrayLen(0);
            return;
        }
        SetValue s = (SetValue) v;
        int size = s.size();
        // Case 1: repetitions allowed (or a single member): independent uniform draws.
        if (!uniq || count == 1) {
            c.addArrayLen(count);
            while (count-- > 0) {
                c.addBulk(s.random(c.engine.random, entry));
                // A client dropped for its output buffer stops a huge negative count early.
                if (c.has(Client.F_CLOSE_ASAP)) break;
            }
            entry.key = null;
            return;
        }
        // Case 2: the whole set.
        if (count >= size) {
            c.addArrayLen(size);
            if (s.isIntset()) {
                for (int i = 0; i < size; i++) c.addBulk(Numbers.longToBytes(s.intAt(i)));
                return;
            }
            try {
                ArrayList<byte[]> all = collect(s);
                for (int i = 0; i < size; i++) c.addBulk(all.get(i));
            } finally {
                releaseScratch();
            }
            return;
        }
        int n = (int) count;
        c.addArrayLen(n);
        if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size || s.isIntset()) {
            // Case 3 (and any intset): a uniform n-subset of the positions, chosen by a partial
            // Fisher-Yates shuffle.
            int[] idx = new int[size];
            for (int i = 0; i < size; i++) idx[i] = i;
            ArrayList<byte[]> all = s.isIntset() ? null : collect(s);
            try {
                for (int i = 0; i < n; i++) {
                    int j = i + c.engine.random.nextInt(size - i);
                    int t = idx[i];
                    idx[i] = idx[j];
                    idx[j] = t;
                    c.addBulk(all == null ? Numbers.longToBytes(s.intAt(idx[i])) : all.get(idx[i]));
                }
            } finally {
                releaseScratch();
            }
            return;
        }
        // Case 4: a big hashtable and a small count: draw until n distinct members came out.
        // Stored member arrays are unique per entry, so identity tells repeats apart.
        IdentityHashMap<byte[], Boolean> seen = new IdentityHashMap<>(n * 2);
        while (seen.size() < n) {
            byte[] m = s.random(c.engine.random, entry);
            if (seen.put(m, Boolean.TRUE) == null) c.addBulk(m);
        }
        entry.key = null;
    }

    // =====================================================================================
    // SMOVE
    // =====================================================================================

    private void smove(Client c) {
        Db db = c.db;
        byte[] srcKey = c.argv[1], dstKey = c.argv[2], ele = c.argv[3];
        Object src = db.lookupWrite(srcKey);
        Object dst = db.lookupWrite(dstKey);
        if (src == null) {
            c.addLong(0);
            return;
        }
        if (!(src instanceof SetValue) || (dst != null && !(dst instanceof SetValue))) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        if (src == dst) {
            c.addLong(((SetValue) src).contains(ele) ? 1 : 0);
            return;
        }
        long epoch = c.engine.snapshotEpoch;
        SetValue s = ((SetValue) src).writable(epoch);
        if (!s.remove(ele)) {
            c.addLong(0);
            return;
        }
        c.engine.notify(Notify.SET, "srem", srcKey, db.id);
        if (s.size() == 0) {
            db.delete(srcKey);
            c.engine.notify(Notify.GENERIC, "del", srcKey, db.id);
        } else {
            HashCommands.commit(c, srcKey, src, s);
        }
        c.engine.dirty++;
        SetValue d = dst == null ? SetValue.createFor(ele, epoch) : ((SetValue) dst).writable(epoch);
        if (d.add(ele, maxIntset(c))) {
            c.engine.dirty++;
            HashCommands.commit(c, dstKey, dst, d);
            c.engine.notify(Notify.SET, "sadd", dstKey, db.id);
        }
        c.addLong(1);
    }

    // =====================================================================================
    // SINTER / SMEMBERS / SINTERCARD / SINTERSTORE
    // =====================================================================================

    private void sintercard(Client c) {
        String numkeysMsg = "ERR numkeys should be greater than 0";
        byte[] a = c.argv[1];
        long numkeys = Numbers.parseLong(a);
        if (numkeys == Numbers.NOT_A_LONG || numkeys < 1) {
            c.addError(numkeysMsg);
            return;
        }
        if (numkeys > c.argc - 2) {
            c.addError("ERR Number of keys can't be greater than number of args");
            return;
        }
        long limit = 0;
        for (int j = 2 + (int) numkeys; j < c.argc; j++) {
            int more = c.argc - 1 - j;
            if (Bytes.equalsIgnoreCase(c.argv[j], "limit") && more > 0) {
                j++;
                byte[] b = c.argv[j];
                limit = Numbers.parseLong(b);
                if (limit == Numbers.NOT_A_LONG || limit < 0) {
                    c.addError("ERR LIMIT can't be negative");
                    return;
                }
            } else {
                c.addError(Errors.SYNTAX);
                return;
            }
        }
        sinter(c, 2, (int) numkeys, null, true, limit);
    }

    /**
     * sinterGenericCommand over argv[first, first + num): the intersection replied as a set, its
     * cardinality (stopping at limit when positive), or stored at dstKey.
     */
    private void sinter(Client c, int first, int num, byte[] dstKey, boolean cardOnly, long limit) {
        Db db = c.db;
        SetValue[] sets = new SetValue[num];
        boolean empty = false;
        for (int j = 0; j < num; j++) {
            Object v = db.lookupRead(c.argv[first + j]);
            if (v == null) {
                empty = true;
                continue;
            }
            if (!(v instanceof SetValue s)) {
                c.addError(Errors.WRONGTYPE);
                return;
            }
            sets[j] = s;
        }
        if (empty) {
            if (dstKey != null) {
                deleteDestination(c, dstKey);
                c.addLong(0);
            } else if (cardOnly) {
                c.addLong(0);
            } else {
                c.addSetLen(0);
            }
            return;
        }
        // Smallest first: every member of it is tested against the others.
        for (int i = 1; i < num; i++) {
            SetValue x = sets[i];
            int j = i - 1;
            while (j >= 0 && sets[j].size() > x.size()) {
                sets[j + 1] = sets[j];
                j--;
            }
            sets[j + 1] = x;
        }
        SetValue s0 = sets[0];
        SetValue dst = dstKey != null ? SetValue.createIntset(c.engine.snapshotEpoch) : null;
        long max = maxIntset(c);
        long card = 0;
        ArrayList<byte[]> out = scratch;
        int base = out.size();
        try {
            if (s0.isIntset()) {
                for (int i = 0, n = s0.size(); i < n; i++) {
                    long x = s0.intAt(i);
                    int j = 1;
                    for (; j < num; j++) {
                        if (sets[j] != s0 && !sets[j].containsLong(x)) break;
                    }
                    if (j < num) continue;
                    card++;
                    if (cardOnly) {
                        if (limit > 0 && card >= limit) break;
                    } else if (dst != null) {
                        dst.addLong(x, max);
                    } else {
                        out.add(Numbers.longToBytes(x));
                    }
                }
            } else {
                collect(s0);
                for (int i = base, n = out.size(); i < n; i++) {
                    byte[] m = out.get(i);
                    int j = 1;
                    for (; j < num; j++) {
                        if (sets[j] != s0 && !sets[j].contains(m)) break;
                    }
                    if (j < num) continue;
                    card++;
                    if (cardOnly) {
                        if (limit > 0 && card >= limit) break;
                    } else if (dst != null) {
                        dst.add(m, max);
                    } else {
                        out.set(base + (int) card - 1, m);
                    }
                }
                if (cardOnly || dst != null) out.subList(base, out.size()).clear();
                else out.subList(base + (int) card, out.size()).clear();
            }
            if (cardOnly) {
                c.addLong(card);
            } else if (dst != null) {
                storeResult(c, dstKey, dst, "sinterstore");
            } else {
                c.addSetLen(out.size() - base);
                for (int i = base, n = out.size(); i < n; i++) c.addBulk(out.get(i));
            }
        } finally {
            releaseScratch();
        }
    }

    /** Stores a non-empty result set (replying its size), or deletes dstKey for an empty one. */
    private static void storeResult(Client c, byte[] dstKey, SetValue dst, String event) {
        Db db = c.db;
        if (dst.size() > 0) {
            db.lookupWrite(dstKey);
            db.setKey(dstKey, dst, false);
            c.addLong(dst.size());
            c.engine.notify(Notify.SET, event, dstKey, db.id);
            c.engine.dirty++;
        } else {
            c.addLong(0);
            deleteDestination(c, dstKey);
        }
    }

    private static void deleteDestination(Client c, byte[] dstKey) {
        if (c.db.delete(dstKey)) {
            c.engine.notify(Notify.GENERIC, "del", dstKey, c.db.id);
            c.engine.dirty++;
        }
    }

    // =====================================================================================
    // SUNION / SUNIONSTORE / SDIFF / SDIFFSTORE
    // =====================================================================================

    private void sunionDiff(Client c, int first, int num, byte[] dstKey, boolean union) {
        Db db = c.db;
        SetValue[] sets = new SetValue[num];
        boolean sameSet = false;
        for (int j = 0; j < num; j++) {
            Object v = db.lookupRead(c.argv[first + j]);
            if (v == null) continue;
            if (!(v instanceof SetValue s)) {
                c.addError(Errors.WRONGTYPE);
                return;
            }
            sets[j] = s;
            if (j > 0 && sets[0] == s) sameSet = true;
        }
        SetValue dst = SetValue.createIntset(c.engine.snapshotEpoch);
        long max = maxIntset(c);
        try {
            if (union) {
                for (int j = 0; j < num; j++) {
                    if (sets[j] != null) addAll(dst, sets[j], max);
                }
            } else if (sets[0] != null && !sameSet) {
                // Algorithm 1 tests each member of the first set against the others (N*M);
                // algorithm 2 adds the first set and removes the others (sum of sizes). Pick the
                // cheaper, giving the first a head start as it stops at the first match.
                long one = 0, two = 0;
                for (int j = 0; j < num; j++) {
                    if (sets[j] == null) continue;
                    one += sets[0].size();
                    two += sets[j].size();
                }
                if (one / 2 <= two) diffTesting(dst, sets, max);
                else diffRemoving(dst, sets, max);
            }
            if (dstKey == null) {
                replyMembers(c, dst);
            } else {
                storeResult(c, dstKey, dst, union ? "sunionstore" : "sdiffstore");
            }
        } finally {
            releaseScratch();
        }
    }

    private void addAll(SetValue dst, SetValue src, long max) {
        if (src.isIntset()) {
            for (int i = 0, n = src.size(); i < n; i++) dst.addLong(src.intAt(i), max);
            return;
        }
        ArrayList<byte[]> l = scratch;
        int base = l.size();
        src.forEach(collect);
        for (int i = base, n = l.size(); i < n; i++) dst.add(l.get(i), max);
        l.subList(base, l.size()).clear();
    }

    private void diffTesting(SetValue dst, SetValue[] sets, long max) {
        SetValue s0 = sets[0];
        int num = sets.length;
        if (s0.isIntset()) {
            for (int i = 0, n = s0.size(); i < n; i++) {
                long x = s0.intAt(i);
                int j = 1;
                for (; j < num; j++) {
                    if (sets[j] != null && sets[j].containsLong(x)) break;
                }
                if (j == num) dst.addLong(x, max);
            }
            return;
        }
        ArrayList<byte[]> l = scratch;
        int base = l.size();
        s0.forEach(collect);
        for (int i = base, n = l.size(); i < n; i++) {
            byte[] m = l.get(i);
            int j = 1;
            for (; j < num; j++) {
                if (sets[j] != null && sets[j].contains(m)) break;
            }
            if (j == num) dst.add(m, max);
        }
        l.subList(base, l.size()).clear();
    }

    private void diffRemoving(SetValue dst, SetValue[] sets, long max) {
        addAll(dst, sets[0], max);
        for (int j = 1; j < sets.length && dst.size() > 0; j++) {
            SetValue s = sets[j];
            if (s == null) continue;
            if (s.isIntset()) {
                for (int i = 0, n = s.size(); i < n; i++) dst.removeLong(s.intAt(i));
                continue;
            }
            ArrayList<byte[]> l = scratch;
            int base = l.size();
            s.forEach(collect);
            for (int i = base, n = l.size(); i < n; i++) dst.remove(l.get(i));
            l.subList(base, l.size()).clear();
        }
    }

    // =====================================================================================
    // SSCAN
    // =====================================================================================

    private void sscan(Client c) {
        HashCommands.ScanArgs s = scan;
        if (!s.parseCursor(c, c.argv[2])) return;
        Object v = c.db.lookupRead(c.argv[1]);
        if (v == null) {
            HashCommands.ScanArgs.replyEmpty(c);
            return;
        }
        if (!(v instanceof SetValue set)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        if (!s.parseOptions(c, 3)) return;
        try {
            long next = 0;
            if (set.isIntset()) set.forEach(collect);
            else next = set.scan(s.cursor & 0xFFFF_FFFFL, s.countInt(), collect);
            s.replyMembers(c, next, scratch);
        } finally {
            releaseScratch();
        }
    }
}

package org.redoubt.engine.commands;

import java.util.SplittableRandom;
import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Errors;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.config.Notify;
import org.redoubt.engine.db.Db;
import org.redoubt.engine.hll.Hll;
import org.redoubt.engine.type.Sds;
import org.redoubt.engine.type.Types;
import org.redoubt.engine.util.Bytes;

/**
 * The HyperLogLog commands (Redis's hyperloglog.c). An HLL is a plain string value in Redis's
 * exact layout ({@link Hll}); it is edited in place as an {@link Sds}, obtained through
 * {@link Sds#writable} only when a command actually changes it, so reads never re-encode the
 * value and a snapshot sharing it is never disturbed.
 */
public final class HyperLogLogCommands implements CommandFamily {
    static final String HLL_WRONGTYPE = "WRONGTYPE Key is not a valid HyperLogLog string value.";
    static final String INVALID_HLL = "INVALIDOBJ Corrupted HLL object detected";

    /** Scratch registers for PFCOUNT/PFMERGE of several keys; engine thread only. */
    private final byte[] max = new byte[Hll.REGISTERS];

    @Override
    public void register(CommandTable t, Engine e) {
        t.bind("pfadd", this::pfadd);
        t.bind("pfcount", this::pfcount);
        t.bind("pfmerge", this::pfmerge);
        t.bind("pfdebug", this::pfdebug);
        t.bind("pfselftest", this::pfselftest);
    }

    /**
     * The string made writable (dbUnshareStringValue). A copy keeps the spare room Redis's
     * string would have (the original's, or an exact-size raw string's), so that later growth,
     * and MEMORY USAGE, follow Redis.
     */
    private static Sds writable(Object v, long epoch) {
        Sds s = Sds.writable(v, epoch);
        if (s != v) {
            int cap = v instanceof Sds o ? o.buf.length : Hll.capacityAfterSet(s.len);
            if (cap >= s.len && cap != s.buf.length) s.buf = java.util.Arrays.copyOf(s.buf, cap);
        }
        return s;
    }

    /** isHLLObjectOrReply: replies and returns false unless v is a string holding a valid HLL. */
    private static boolean checkHll(Client c, Object v) {
        if (!Types.isString(v)) {
            c.addError(Errors.WRONGTYPE);
            return false;
        }
        if (!Hll.isValid(Types.array(v), Types.strlen(v))) {
            c.addError(HLL_WRONGTYPE);
            return false;
        }
        return true;
    }

    void pfadd(Client c) {
        byte[] key = c.argv[1];
        Db db = c.db;
        long maxBytes = c.engine.config.hllSparseMaxBytes;
        Object v = db.lookupWrite(key);
        Sds s;
        int updated = 0;
        if (v == null) {
            s = Hll.create(c.engine.snapshotEpoch);
            db.add(key, s);
            updated++;
        } else {
            if (!checkHll(c, v)) return;
            s = writable(v, c.engine.snapshotEpoch);
        }
        for (int j = 2; j < c.argc; j++) {
            byte[] ele = c.argv[j];
            int r = Hll.add(s, ele, 0, ele.length, maxBytes);
            if (r == 1) {
                updated++;
            } else if (r == -1) {
                if (updated > 0 && s != v) db.overwrite(key, s);
                c.addError(INVALID_HLL);
                return;
            }
        }
        if (updated > 0) {
            Hll.invalidateCache(s.buf);
            // A copy made for writing replaces the shared value; an unchanged copy is dropped.
            if (s != v) db.overwrite(key, s);
            else c.engine.signalModifiedKey(db, key);
            c.engine.notify(Notify.STRING, "pfadd", key, db.id);
            c.engine.dirty += updated;
        }
        c.addLong(updated > 0 ? 1 : 0);
    }

    void pfcount(Client c) {
        Db db = c.db;
        if (c.argc > 2) {
            byte[] regs = max;
            java.util.Arrays.fill(regs, (byte) 0);
            for (int j = 1; j < c.argc; j++) {
                Object v = db.lookupRead(c.argv[j]);
                if (v == null) continue;
                if (!checkHll(c, v)) return;
                if (!Hll.merge(regs, Types.array(v), Types.strlen(v))) {
                    c.addError(INVALID_HLL);
                    return;
                }
            }
            c.addLong(Hll.countRaw(regs));
            return;
        }
        byte[] key = c.argv[1];
        Object v = db.lookupRead(key);
        if (v == null) {
            c.addLong(0);
            return;
        }
        if (!checkHll(c, v)) return;
        byte[] b = Types.array(v);
        if (Hll.validCache(b)) {
            c.addLong(Hll.cachedCard(b));
            return;
        }
        long card = Hll.count(b, Types.strlen(v));
        if (card < 0) {
            c.addError(INVALID_HLL);
            return;
        }
        // Caching the estimate modifies the string: Redis propagates it as a write.
        Sds s = writable(v, c.engine.snapshotEpoch);
        Hll.setCachedCard(s.buf, card);
        if (s != v) db.overwrite(key, s);
        else c.engine.signalModifiedKey(db, key);
        c.engine.dirty++;
        c.addLong(card);
    }

    void pfmerge(Client c) {
        Db db = c.db;
        byte[] regs = max;
        java.util.Arrays.fill(regs, (byte) 0);
        boolean useDense = false;
        for (int j = 1; j < c.argc; j++) {
            Object v = db.lookupRead(c.argv[j]);
            if (v == null) continue;
            if (!checkHll(c, v)) return;
            byte[] b = Types.array(v);
            if (Hll.encoding(b) == Hll.DENSE) useDense = true;
            if (!Hll.merge(regs, b, Types.strlen(v))) {
                c.addError(INVALID_HLL);
                return;
            }
        }
        byte[] key = c.argv[1];
        Object v = db.lookupWrite(key);
        Sds s;
        boolean created = v == null;
        s = created ? Hll.create(c.engine.snapshotEpoch) : writable(v, c.engine.snapshotEpoch);
        if (useDense && !Hll.sparseToDense(s)) {
            c.addError(INVALID_HLL);
            return;
        }
        long maxBytes = c.engine.config.hllSparseMaxBytes;
        for (int j = 0; j < Hll.REGISTERS; j++) {
            if (regs[j] != 0) Hll.set(s, j, regs[j], maxBytes);
        }
        Hll.invalidateCache(s.buf);
        if (created) db.add(key, s);
        else if (s != v) db.overwrite(key, s);
        else c.engine.signalModifiedKey(db, key);
        c.engine.notify(Notify.STRING, "pfadd", key, db.id);
        c.engine.dirty++;
        c.addOk();
    }

    void pfdebug(Client c) {
        byte[] sub = c.argv[1], key = c.argv[2];
        Db db = c.db;
        Object v = db.lookupWrite(key);
        if (v == null) {
            c.addError("ERR The specified key does not exist");
            return;
        }
        if (!checkHll(c, v)) return;
        byte[] b = Types.array(v);
        int len = Types.strlen(v);
        if (Bytes.equalsIgnoreCase(sub, "getreg")) {
            if (Hll.encoding(b) == Hll.SPARSE) {
                Sds s = toDense(c, key, v);
                if (s == null) return;
                b = s.buf;
            }
            c.addArrayLen(Hll.REGISTERS);
            for (int j = 0; j < Hll.REGISTERS; j++) c.addLong(Hll.denseGet(b, Hll.HDR_SIZE, j));
        } else if (Bytes.equalsIgnoreCase(sub, "decode")) {
            if (Hll.encoding(b) != Hll.SPARSE) {
                c.addError("ERR HLL encoding is not sparse");
                return;
            }
            c.addBulk(Hll.decode(b, len));
        } else if (Bytes.equalsIgnoreCase(sub, "encoding")) {
            c.addSimple(Hll.encoding(b) == Hll.DENSE ? "dense" : "sparse");
        } else if (Bytes.equalsIgnoreCase(sub, "todense")) {
            boolean conv = false;
            if (Hll.encoding(b) == Hll.SPARSE) {
                if (toDense(c, key, v) == null) return;
                conv = true;
            }
            c.addLong(conv ? 1 : 0);
        } else {
            c.addError("ERR Unknown PFDEBUG subcommand '" + Bytes.str(sub) + "'");
        }
    }

    /** Converts the sparse HLL at key to dense (a write); null after replying on corruption. */
    private static Sds toDense(Client c, byte[] key, Object v) {
        Sds s = writable(v, c.engine.snapshotEpoch);
        if (!Hll.sparseToDense(s)) {
            c.addError(INVALID_HLL);
            return null;
        }
        if (s != v) c.db.overwrite(key, s);
        else c.engine.signalModifiedKey(c.db, key);
        c.engine.dirty++;
        return s;
    }

    private static final int SELFTEST_CYCLES = 1000;

    /**
     * PFSELFTEST: the register accessors keep every value and disturb no neighbour, and the
     * sparse and dense encodings estimate the same cardinality within 6 standard errors.
     */
    void pfselftest(Client c) {
        SplittableRandom rnd = c.engine.random;
        byte[] dense = new byte[Hll.DENSE_SIZE];
        byte[] expect = new byte[Hll.REGISTERS];
        for (int j = 0; j < SELFTEST_CYCLES; j++) {
            for (int i = 0; i < Hll.REGISTERS; i++) {
                int r = rnd.nextInt() & Hll.REGISTER_MAX;
                expect[i] = (byte) r;
                Hll.denseSet(dense, Hll.HDR_SIZE, i, r);
            }
            for (int i = 0; i < Hll.REGISTERS; i++) {
                int val = Hll.denseGet(dense, Hll.HDR_SIZE, i);
                if (val != expect[i]) {
                    c.addError("TESTFAILED Register " + i + " should be " + expect[i] + " but is " + val);
                    return;
                }
            }
        }
        java.util.Arrays.fill(dense, (byte) 0);
        dense[0] = 'H';
        dense[1] = 'Y';
        dense[2] = 'L';
        dense[3] = 'L';
        dense[4] = Hll.DENSE;
        Sds denseS = new Sds(dense, Hll.DENSE_SIZE, 0);
        Sds sparse = Hll.create(0);
        long maxBytes = c.engine.config.hllSparseMaxBytes;
        double relerr = 1.04 / Math.sqrt(Hll.REGISTERS);
        long checkpoint = 1;
        long seed = rnd.nextLong();
        byte[] ele = new byte[8];
        for (long j = 1; j <= 10_000_000L; j++) {
            long x = j ^ seed;
            for (int k = 0; k < 8; k++) ele[k] = (byte) (x >>> (8 * k));
            Hll.add(denseS, ele, 0, 8, maxBytes);
            Hll.add(sparse, ele, 0, 8, maxBytes);
            if (j != checkpoint) continue;
            if (j < maxBytes / 2 && Hll.encoding(sparse.buf) != Hll.SPARSE) {
                c.addError("TESTFAILED sparse encoding not used");
                return;
            }
            long denseCard = Hll.count(denseS.buf, denseS.len);
            if (denseCard != Hll.count(sparse.buf, sparse.len)) {
                c.addError("TESTFAILED dense/sparse disagree");
                return;
            }
            long abserr = Math.abs(checkpoint - denseCard);
            long maxerr = (long) Math.ceil(relerr * 6 * checkpoint);
            // At 10 elements a single collision is a large relative error.
            if (j == 10) maxerr = 1;
            if (abserr > maxerr) {
                c.addError("TESTFAILED Too big error. card:" + checkpoint + " abserr:" + abserr);
                return;
            }
            checkpoint *= 10;
        }
        c.addOk();
    }
}

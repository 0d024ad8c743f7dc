package org.redoubt.engine.commands;

import java.util.ArrayList;
import java.util.Arrays;
import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Errors;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.config.Notify;
import org.redoubt.engine.db.CowMap;
import org.redoubt.engine.db.Db;
import org.redoubt.engine.type.RValue;
import org.redoubt.engine.type.Sds;
import org.redoubt.engine.type.Types;
import org.redoubt.engine.util.Bytes;
import org.redoubt.engine.util.Glob;
import org.redoubt.protocol.Numbers;

/**
 * The generic keyspace commands (Redis's db.c and object.c): DEL, UNLINK, EXISTS, TYPE, KEYS,
 * SCAN, RANDOMKEY, RENAME, RENAMENX, COPY, MOVE, SWAPDB, DBSIZE, FLUSHDB, FLUSHALL, TOUCH,
 * OBJECT, and the expiry commands of expire.c: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL,
 * EXPIRETIME, PEXPIRETIME, PERSIST.
 *
 * <p>One instance per engine, used on the engine thread only, so the scratch state (visitor
 * fields, the key list) is reused by every call without allocation or locking.
 */
public final class KeyCommands implements CommandFamily {
    private static final byte[] DEL = Bytes.of("DEL"), UNLINK = Bytes.of("UNLINK");
    static final String OUT_OF_INT_RANGE = "ERR value is out of range, value must between -2147483648 and 2147483647";
    /** Redis's OBJ_SHARED_INTEGERS: int-encoded values below this are shared objects. */
    private static final long SHARED_INTEGERS = 10000;
    private static final int LRU_CLOCK_MAX = (1 << 24) - 1;
    /** Keep the scratch list between calls unless a big KEYS/SCAN left it oversized. */
    private static final int SCRATCH_KEEP = 4096;

    private ArrayList<byte[]> scratch = new ArrayList<>();
    private int parsedInt;
    private long parsedCursor;
    private final HashCommands.ScanArgs cursorArgs = new HashCommands.ScanArgs();
    private final CowMap.Entry randomEntry = new CowMap.Entry();

    // ---- KEYS visitor state
    private byte[] keysPattern;
    private boolean keysAll;
    private Db keysDb;
    private Engine keysEngine;
    private final CowMap.Visitor keysVisitor = this::visitKeys;

    // ---- SCAN visitor: collects, filters after the walk (filtering may delete expired keys)
    private final CowMap.Visitor scanVisitor = (key, value, meta) -> {
        scratch.add(key);
        return true;
    };

    @Override
    public void register(CommandTable t, Engine e) {
        t.bind("del", this::del);
        t.bind("unlink", this::unlink);
        t.bind("exists", this::exists);
        t.bind("type", this::type);
        t.bind("keys", this::keys);
        t.bind("scan", this::scan);
        t.bind("randomkey", this::randomkey);
        t.bind("rename", c -> rename(c, false));
        t.bind("renamenx", c -> rename(c, true));
        t.bind("copy", this::copy);
        t.bind("move", this::move);
        t.bind("swapdb", this::swapdb);
        t.bind("dbsize", this::dbsize);
        t.bind("flushdb", this::flushdb);
        t.bind("flushall", this::flushall);
        t.bind("touch", this::touch);
        t.bind("object|help", this::objectHelp);
        t.bind("object|encoding", this::objectEncoding);
        t.bind("object|refcount", this::objectRefcount);
        t.bind("object|idletime", this::objectIdletime);
        t.bind("object|freq", this::objectFreq);
        t.bind("expire", c -> expire(c, false, true));
        t.bind("pexpire", c -> expire(c, false, false));
        t.bind("expireat", c -> expire(c, true, true));
        t.bind("pexpireat", c -> expire(c, true, false));
        t.bind("ttl", c -> ttl(c, false, false));
        t.bind("pttl", c -> ttl(c, true, false));
        t.bind("expiretime", c -> ttl(c, false, true));
        t.bind("pexpiretime", c -> ttl(c, true, true));
        t.bind("persist", this::persist);
    }

    // =====================================================================================
    // Shared helpers
    // =====================================================================================

    /**
     * Redis's lookupKeyReadWithFlags(LOOKUP_NOTOUCH): lazy expiry and hit/miss statistics (and
     * the keymiss event unless noNotify), but the access clock is left alone.
     */
    static Object lookupReadNoTouch(Client c, byte[] key, boolean noNotify) {
        Object v = c.db.lookupNoTouch(key);
        if (v == null) {
            c.engine.stats.keyspaceMisses++;
            if (!noNotify) c.engine.notify(Notify.KEY_MISS, "keymiss", key, c.db.id);
        } else {
            c.engine.stats.keyspaceHits++;
        }
        return v;
    }

    /** Redis's keyIsExpired: logically expired, without deleting (KEYS). Same clock rule as Db. */
    static boolean keyIsExpired(Engine e, Db db, byte[] key) {
        if (db.expiresSize() == 0 || e.loading) return false;
        Object w = db.expiresMap().get(key);
        return w != null && (Long) w < e.expireNowMs();
    }

    /**
     * Replaces the command the client executed, for propagation (AOF, replicas), as Redis's
     * rewriteClientCommandVector. A fresh array: the parser's or a MULTI queue's stays intact.
     */
    static void rewriteArgv(Client c, byte[]... argv) {
        c.argv = argv;
        c.argc = argv.length;
    }

    /** getIntFromObjectOrReply: sets parsedInt, or replies (msg, or Redis's default errors). */
    private boolean parseInt(Client c, byte[] arg, String msg) {
        long v = Numbers.parseLong(arg);
        if (v == Numbers.NOT_A_LONG && !Numbers.isLong(arg)) {
            c.addError(msg != null ? msg : Errors.NOT_INTEGER);
            return false;
        }
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            c.addError(msg != null ? msg : OUT_OF_INT_RANGE);
            return false;
        }
        parsedInt = (int) v;
        return true;
    }

    private void releaseScratch() {
        if (scratch.size() > SCRATCH_KEEP) scratch = new ArrayList<>();
        else scratch.clear();
    }


    // =====================================================================================
    // DEL / UNLINK / EXISTS / TYPE / TOUCH / DBSIZE
    // =====================================================================================

    private void del(Client c) {
        delGeneric(c);
    }

    private void unlink(Client c) {
        // Freeing is the garbage collector's job: UNLINK and DEL differ only in name here.
        delGeneric(c);
    }

    private void delGeneric(Client c) {
        Db db = c.db;
        Engine e = c.engine;
        long n = 0;
        for (int j = 1; j < c.argc; j++) {
            byte[] key = c.argv[j];
            // An expired key is deleted by the expiry itself (and not counted); on a replica the
            // key stays logically expired but present, and DEL removes and counts it, as Redis.
            db.expireIfNeeded(key);
            if (db.delete(key)) {
                e.notify(Notify.GENERIC, "del", key, db.id);
                e.dirty++;
                n++;
            }
        }
        c.addLong(n);
    }

    private void exists(Client c) {
        long n = 0;
        for (int j = 1; j < c.argc; j++) {
            if (lookupReadNoTouch(c, c.argv[j], false) != null) n++;
        }
        c.addLong(n);
    }

    private void type(Client c) {
        c.addSimple(Types.typeName(lookupReadNoTouch(c, c.argv[1], false)));
    }

    private void touch(Client c) {
        long n = 0;
        for (int j = 1; j < c.argc; j++) {
            if (c.db.lookupRead(c.argv[j]) != null) n++;
        }
        c.addLong(n);
    }

    private void dbsize(Client c) {
        c.addLong(c.db.size());
    }

    // =====================================================================================
    // KEYS / SCAN / RANDOMKEY
    // =====================================================================================

    private void keys(Client c) {
        byte[] pattern = c.argv[1];
        keysPattern = pattern;
        keysAll = Glob.isMatchAll(pattern);
        keysDb = c.db;
        keysEngine = c.engine;
        try {
            c.db.mainMap().forEach(keysVisitor);
            c.addArrayLen(scratch.size());
            for (int i = 0, n = scratch.size(); i < n; i++) c.addBulk(scratch.get(i));
        } finally {
            keysPattern = null;
            keysDb = null;
            keysEngine = null;
            releaseScratch();
        }
    }

    private boolean visitKeys(byte[] key, Object value, int meta) {
        if ((keysAll || Glob.match(keysPattern, key, false)) && !keyIsExpired(keysEngine, keysDb, key)) {
            scratch.add(key);
        }
        return true;
    }

    /** Parses SCAN's cursor with the SCAN family's one parser (HashCommands.ScanArgs); sets parsedCursor. */
    private boolean parseCursor(Client c, byte[] a) {
        if (!cursorArgs.parseCursor(c, a)) return false;
        parsedCursor = cursorArgs.cursor;
        return true;
    }

    private void scan(Client c) {
        if (!parseCursor(c, c.argv[1])) return;
        long count = 10;
        byte[] pat = null;
        byte[] typeName = null;
        for (int i = 2; i < c.argc; ) {
            int left = c.argc - i;
            byte[] opt = c.argv[i];
            if (Bytes.equalsIgnoreCase(opt, "count") && left >= 2) {
                byte[] a = c.argv[i + 1];
                count = Numbers.parseLong(a);
                if (count == Numbers.NOT_A_LONG && !Numbers.isLong(a)) {
                    c.addError(Errors.NOT_INTEGER);
                    return;
                }
                if (count < 1) {
                    c.addError(Errors.SYNTAX);
                    return;
                }
                i += 2;
            } else if (Bytes.equalsIgnoreCase(opt, "match") && left >= 2) {
                pat = c.argv[i + 1];
                i += 2;
            } else if (Bytes.equalsIgnoreCase(opt, "type") && left >= 2) {
                typeName = c.argv[i + 1];
                i += 2;
            } else {
                c.addError(Errors.SYNTAX);
                return;
            }
        }
        if (pat != null && Glob.isMatchAll(pat)) pat = null;
        Db db = c.db;
        // Positions of the keyspace map are 32-bit; like dictScan masking a cursor with its
        // table size, the bits above are ignored.
        long next;
        try {
            next = db.mainMap().scan(parsedCursor & 0xFFFF_FFFFL, (int) Math.min(count, Integer.MAX_VALUE), scanVisitor);
            // Filter after the walk, in Redis's order: pattern, type (a no-touch lookup, which
            // may expire the key), then expiry.
            int w = 0;
            for (int r = 0, n = scratch.size(); r < n; r++) {
                byte[] k = scratch.get(r);
                if (pat != null && !Glob.match(pat, k, false)) continue;
                if (typeName != null) {
                    String t = Types.typeName(lookupReadNoTouch(c, k, false));
                    if (!Bytes.equalsIgnoreCase(typeName, t)) continue;
                }
                if (db.expireIfNeeded(k)) continue;
                scratch.set(w++, k);
            }
            c.addArrayLen(2);
            c.addBulk(Numbers.longToBytes(next));
            c.addArrayLen(w);
            for (int i = 0; i < w; i++) c.addBulk(scratch.get(i));
        } finally {
            releaseScratch();
        }
    }

    private void randomkey(Client c) {
        Db db = c.db;
        Engine e = c.engine;
        CowMap main = db.mainMap();
        boolean allVolatile = db.size() == db.expiresSize();
        int maxTries = 100;
        CowMap.Entry en = randomEntry;
        try {
            for (;;) {
                if (!main.randomEntry(e.random, en)) {
                    c.addNull();
                    return;
                }
                byte[] key = en.key;
                if (db.expiresSize() != 0 && db.expiresMap().containsKey(key)) {
                    // A replica (or a paused master) does not delete expired keys: with only
                    // volatile keys, all possibly expired, give up after some tries and return one.
                    if (allVolatile && (e.isReplica() || e.pauseType != Engine.PAUSE_OFF) && --maxTries == 0) {
                        c.addBulk(key);
                        return;
                    }
                    if (db.expireIfNeeded(key)) continue;
                }
                c.addBulk(key);
                return;
            }
        } finally {
            en.key = null;
            en.value = null;
        }
    }

    // =====================================================================================
    // RENAME / RENAMENX / MOVE / COPY / SWAPDB
    // =====================================================================================

    private void rename(Client c, boolean nx) {
        Db db = c.db;
        Engine e = c.engine;
        byte[] src = c.argv[1], dst = c.argv[2];
        boolean same = Arrays.equals(src, dst);
        Object o = db.lookupWrite(src);
        if (o == null) {
            c.addError(Errors.NO_SUCH_KEY);
            return;
        }
        if (same) {
            if (nx) c.addLong(0);
            else c.addOk();
            return;
        }
        long expire = db.getExpire(src);
        if (db.lookupWrite(dst) != null) {
            if (nx) {
                c.addLong(0);
                return;
            }
            db.setKey(dst, o, false);
        } else {
            db.add(dst, o);
        }
        if (expire != -1) db.setExpire(dst, expire);
        db.delete(src);
        e.notify(Notify.GENERIC, "rename_from", src, db.id);
        e.notify(Notify.GENERIC, "rename_to", dst, db.id);
        e.dirty++;
        if (nx) c.addLong(1);
        else c.addOk();
    }

    private void move(Client c) {
        Engine e = c.engine;
        Db src = c.db;
        byte[] key = c.argv[1];
        if (!parseInt(c, c.argv[2], null)) return;
        int id = parsedInt;
        if (id < 0 || id >= e.dbCount()) {
            c.addError(Errors.DB_INDEX);
            return;
        }
        Db dst = e.db(id);
        if (dst == src) {
            c.addError(Errors.SAME_OBJECT);
            return;
        }
        Object o = src.lookupWrite(key);
        if (o == null) {
            c.addLong(0);
            return;
        }
        long expire = src.getExpire(key);
        if (dst.lookupWrite(key) != null) {
            c.addLong(0);
            return;
        }
        dst.add(key, o);
        if (expire != -1) dst.setExpire(key, expire);
        src.delete(key);
        e.notify(Notify.GENERIC, "move_from", key, src.id);
        e.notify(Notify.GENERIC, "move_to", key, dst.id);
        e.dirty++;
        c.addLong(1);
    }

    private void copy(Client c) {
        Engine e = c.engine;
        Db src = c.db, dst = c.db;
        boolean replace = false;
        for (int j = 3; j < c.argc; j++) {
            int additional = c.argc - j - 1;
            byte[] opt = c.argv[j];
            if (Bytes.equalsIgnoreCase(opt, "replace")) {
                replace = true;
            } else if (Bytes.equalsIgnoreCase(opt, "db") && additional >= 1) {
                if (!parseInt(c, c.argv[j + 1], null)) return;
                if (parsedInt < 0 || parsedInt >= e.dbCount()) {
                    c.addError(Errors.DB_INDEX);
                    return;
                }
                dst = e.db(parsedInt);
                j++;
            } else {
                c.addError(Errors.SYNTAX);
                return;
            }
        }
        byte[] key = c.argv[1], newKey = c.argv[2];
        if (src == dst && Arrays.equals(key, newKey)) {
            c.addError(Errors.SAME_OBJECT);
            return;
        }
        Object o = src.lookupRead(key);
        if (o == null) {
            c.addLong(0);
            return;
        }
        long expire = src.getExpire(key);
        boolean exists = dst.lookupWrite(newKey) != null;
        if (exists && !replace) {
            c.addLong(0);
            return;
        }
        Object dup = duplicate(o, e);
        if (dup == null) {
            c.addError("ERR unknown type object");
            return;
        }
        if (exists) dst.setKey(newKey, dup, false);
        else dst.add(newKey, dup);
        if (expire != -1) dst.setExpire(newKey, expire);
        e.notify(Notify.GENERIC, "copy_to", newKey, dst.id);
        e.dirty++;
        c.addLong(1);
    }

    /**
     * An independent copy of a value. An immutable byte[] string can be shared; an Sds (mutated
     * in place by APPEND/SETRANGE...) is copied and stays raw, as Redis's dupStringObject keeps
     * the encoding. Null when the value kind cannot be copied.
     */
    static Object duplicate(Object v, Engine e) {
        if (v instanceof byte[]) return v;
        if (v instanceof Sds s) return new Sds(s.toBytes(), s.len, e.snapshotEpoch);
        if (v instanceof RValue r) return r.duplicate(e.snapshotEpoch);
        return null;
    }


    private void swapdb(Client c) {
        Engine e = c.engine;
        if (!parseInt(c, c.argv[1], "ERR invalid first DB index")) return;
        int id1 = parsedInt;
        if (!parseInt(c, c.argv[2], "ERR invalid second DB index")) return;
        int id2 = parsedInt;
        int n = e.dbCount();
        if (id1 < 0 || id1 >= n || id2 < 0 || id2 >= n) {
            c.addError(Errors.DB_INDEX);
            return;
        }
        if (id1 != id2) {
            Db a = e.db(id1), b = e.db(id2);
            a.swapWith(b);
            // After the swap: WATCHes of keys live on either side fail, and clients blocked on
            // keys that now exist are served (Redis's dbSwapDatabases).
            e.signalSwapDb(a, b);
        }
        e.dirty++;
        c.addOk();
    }

    // =====================================================================================
    // FLUSHDB / FLUSHALL
    // =====================================================================================

    /** getFlushCommandFlags: [ASYNC|SYNC] or nothing. Both clear in O(1) here. */
    private static boolean flushArgsOk(Client c) {
        if (c.argc == 1) return true;
        if (c.argc == 2 && (Bytes.equalsIgnoreCase(c.argv[1], "sync") || Bytes.equalsIgnoreCase(c.argv[1], "async"))) {
            return true;
        }
        c.addError(Errors.SYNTAX);
        return false;
    }

    private void flushdb(Client c) {
        if (!flushArgsOk(c)) return;
        c.engine.signalFlushedDb(c.db.id);
        c.engine.dirty += emptyDb(c.db);
        // Propagated even when the db was already empty, as Redis forces it.
        c.flags |= Client.F_FORCE_REPL;
        c.addOk();
    }

    private void flushall(Client c) {
        if (!flushArgsOk(c)) return;
        Engine e = c.engine;
        long removed = 0;
        // One signal for all databases: tracking clients get a single flush invalidation.
        e.signalFlushedDb(-1);
        for (Db db : e.dbs()) removed += emptyDb(db);
        e.dirty += removed;
        // With save points configured Redis writes an empty RDB right here, and a successful
        // save zeroes the dirty counter; the persistence module does the write itself.
        if (e.config.savePoints.length > 0) e.dirty = 0;
        c.flags |= Client.F_FORCE_REPL;
        c.addOk();
    }

    /** Empties one database (callers signalled watchers while its keys were there); returns the keys removed. */
    private static long emptyDb(Db db) {
        long n = db.size();
        db.clear();
        return n;
    }

    // =====================================================================================
    // OBJECT
    // =====================================================================================

    private void objectHelp(Client c) {
        c.addHelp("OBJECT",
            "ENCODING <key>",
            "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.",
            "FREQ <key>",
            "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>",
            "    Return the idle time of the <key>, that is the approximated number of",
            "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>",
            "    Return the number of references of the value associated with the specified",
            "    <key>.");
    }

    /** OBJECT's lookup: no touch, no keymiss event; null (after replying null) when absent. */
    private static Object objectLookup(Client c) {
        Object v = lookupReadNoTouch(c, c.argv[2], true);
        if (v == null) c.addNull();
        return v;
    }

    private void objectEncoding(Client c) {
        Object v = objectLookup(c);
        if (v != null) c.addBulk(Types.encoding(v));
    }

    private void objectRefcount(Client c) {
        Object v = objectLookup(c);
        if (v == null) return;
        c.addLong(isSharedInteger(c.engine, v) ? Integer.MAX_VALUE : 1);
    }

    /**
     * Redis stores int-encoded values 0..9999 as shared objects (refcount INT_MAX) unless
     * maxmemory is set with an LRU/LFU policy, which needs a per-key access clock.
     */
    private static boolean isSharedInteger(Engine e, Object v) {
        if (!(v instanceof byte[] b) || b.length > 4 || !Numbers.isLong(b)) return false;
        long n = Numbers.parseLong(b);
        if (n < 0 || n >= SHARED_INTEGERS) return false;
        String policy = e.config.maxmemoryPolicy;
        return e.config.maxmemory == 0 || !(policy.endsWith("-lru") || policy.endsWith("-lfu"));
    }

    static boolean lfuPolicy(Engine e) {
        return e.config.maxmemoryPolicy.endsWith("-lfu");
    }

    private void objectIdletime(Client c) {
        Object v = objectLookup(c);
        if (v == null) return;
        if (lfuPolicy(c.engine)) {
            c.addError("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
            return;
        }
        int lru = c.db.mainMap().getMeta(c.argv[2]);
        c.addLong(idleMs(c.engine.lruClock(), lru) / 1000);
    }

    /** estimateObjectIdleTime: the 24-bit seconds clock wraps at most once. */
    static long idleMs(int clock, int lru) {
        long now = clock & LRU_CLOCK_MAX, then = lru & LRU_CLOCK_MAX;
        long secs = now >= then ? now - then : now + (LRU_CLOCK_MAX - then);
        return secs * 1000;
    }

    private void objectFreq(Client c) {
        Object v = objectLookup(c);
        if (v == null) return;
        if (!lfuPolicy(c.engine)) {
            c.addError("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
            return;
        }
        int meta = c.db.mainMap().getMeta(c.argv[2]);
        c.addLong(lfuDecayed(meta, c.engine.nowMs(), c.engine.config.lfuDecayTime));
    }

    /**
     * LFUDecrAndReturn on Redis's LFU meta layout (16-bit access time in minutes above an 8-bit
     * logarithmic counter): the counter less one per elapsed decay period, not below zero.
     */
    static long lfuDecayed(int meta, long nowMs, int decayTime) {
        long ldt = (meta >>> 8) & 0xFFFF;
        long counter = meta & 0xFF;
        long nowMin = (nowMs / 1000 / 60) & 0xFFFF;
        long elapsed = nowMin >= ldt ? nowMin - ldt : 65535 - ldt + nowMin;
        long periods = decayTime > 0 ? elapsed / decayTime : 0;
        if (periods > 0) counter = periods > counter ? 0 : counter - periods;
        return counter;
    }

    // =====================================================================================
    // EXPIRE family / TTL family / PERSIST
    // =====================================================================================

    private static final int EXPIRE_NX = 1, EXPIRE_XX = 2, EXPIRE_GT = 4, EXPIRE_LT = 8;
    private static final byte[] PEXPIREAT = Bytes.of("PEXPIREAT");

    /** parseExtendedExpireArgumentsOrReply: the NX/XX/GT/LT flags, or -1 after an error reply. */
    private static int parseExpireFlags(Client c) {
        int flags = 0;
        for (int j = 3; j < c.argc; j++) {
            byte[] opt = c.argv[j];
            if (Bytes.equalsIgnoreCase(opt, "nx")) flags |= EXPIRE_NX;
            else if (Bytes.equalsIgnoreCase(opt, "xx")) flags |= EXPIRE_XX;
            else if (Bytes.equalsIgnoreCase(opt, "gt")) flags |= EXPIRE_GT;
            else if (Bytes.equalsIgnoreCase(opt, "lt")) flags |= EXPIRE_LT;
            else {
                c.addError("ERR Unsupported option " + cString(opt));
                return -1;
            }
        }
        if ((flags & EXPIRE_NX) != 0 && (flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) != 0) {
            c.addError("ERR NX and XX, GT or LT options at the same time are not compatible");
            return -1;
        }
        if ((flags & (EXPIRE_GT | EXPIRE_LT)) == (EXPIRE_GT | EXPIRE_LT)) {
            c.addError("ERR GT and LT options at the same time are not compatible");
            return -1;
        }
        return flags;
    }

    /** An argument as C's %s prints it: bytes up to the first NUL. */
    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static void invalidExpire(Client c) {
        c.addError(String.format(Errors.INVALID_EXPIRE, c.cmd.fullName));
    }

    /** expireGenericCommand: absolute (the *AT forms) or relative to now; seconds or ms. */
    private void expire(Client c, boolean absolute, boolean seconds) {
        int flags = parseExpireFlags(c);
        if (flags < 0) return;
        byte[] param = c.argv[2];
        long when = Numbers.parseLong(param);
        if (when == Numbers.NOT_A_LONG && !Numbers.isLong(param)) {
            c.addError(Errors.NOT_INTEGER);
            return;
        }
        Engine e = c.engine;
        long base = absolute ? 0 : e.nowMs();
        // Negative times are allowed (they delete the key); only overflow is an error.
        if (seconds) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
                invalidExpire(c);
                return;
            }
            when *= 1000;
        }
        if (when > Long.MAX_VALUE - base) {
            invalidExpire(c);
            return;
        }
        when += base;

        Db db = c.db;
        byte[] key = c.argv[1];
        if (db.lookupWrite(key) == null) {
            c.addLong(0);
            return;
        }
        if (flags != 0) {
            long current = db.getExpire(key);
            // No TTL counts as an infinite one: GT always fails on it, LT always passes.
            if ((flags & EXPIRE_NX) != 0 && current != -1
                || (flags & EXPIRE_XX) != 0 && current == -1
                || (flags & EXPIRE_GT) != 0 && (current == -1 || when <= current)
                || (flags & EXPIRE_LT) != 0 && current != -1 && when >= current) {
                c.addLong(0);
                return;
            }
        }
        if (when <= e.nowMs() && !e.loading && !e.isReplica()) {
            // Already in the past: delete now and propagate a DEL, so that a replica or an AOF
            // reload does not depend on its own clock. (While loading, or on a replica, the key
            // keeps its past TTL and waits for the master's DEL.)
            db.delete(key);
            e.dirty++;
            rewriteArgv(c, deletionCommand(e), key);
            e.notify(Notify.GENERIC, "del", key, db.id);
            c.addLong(1);
            return;
        }
        db.setExpire(key, when);
        c.addLong(1);
        // Propagated as PEXPIREAT with the absolute time, whatever the form used.
        if (!(absolute && !seconds)) {
            byte[][] v = Arrays.copyOf(c.argv, c.argc);
            v[0] = PEXPIREAT;
            v[2] = Numbers.longToBytes(when);
            rewriteArgv(c, v);
        }
        e.signalModifiedKey(db, key);
        e.notify(Notify.GENERIC, "expire", key, db.id);
        e.dirty++;
    }

    /** TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 no key, -1 no TTL; seconds are rounded. */
    private void ttl(Client c, boolean ms, boolean absolute) {
        byte[] key = c.argv[1];
        if (lookupReadNoTouch(c, key, false) == null) {
            c.addLong(-2);
            return;
        }
        long expire = c.db.getExpire(key);
        if (expire == -1) {
            c.addLong(-1);
            return;
        }
        long ttl = absolute ? expire : expire - c.engine.nowMs();
        if (ttl < 0) ttl = 0;
        c.addLong(ms ? ttl : (ttl + 500) / 1000);
    }

    private void persist(Client c) {
        Db db = c.db;
        byte[] key = c.argv[1];
        if (db.lookupWrite(key) != null && db.removeExpire(key)) {
            Engine e = c.engine;
            e.signalModifiedKey(db, key);
            e.notify(Notify.GENERIC, "persist", key, db.id);
            e.dirty++;
            c.addLong(1);
        } else {
            c.addLong(0);
        }
    }

    /** DEL or UNLINK, as Redis propagates a deletion made by an expire command. */
    static byte[] deletionCommand(Engine e) {
        return e.config.lazyfreeLazyExpire ? UNLINK : DEL;
    }
}

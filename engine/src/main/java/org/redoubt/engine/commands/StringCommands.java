package org.redoubt.engine.commands;

import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Errors;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.config.Notify;
import org.redoubt.engine.db.Db;
import org.redoubt.engine.type.Sds;
import org.redoubt.engine.type.Types;
import org.redoubt.engine.util.Bytes;
import org.redoubt.protocol.Numbers;
import org.redoubt.protocol.Numbers.LongDouble;

/**
 * The string commands (Redis's t_string.c): GET/SET and their variants, ranges, counters, LCS.
 *
 * <p>Value representation: a value written whole (SET, MSET, GETSET, INCR...) is stored as the
 * immutable byte[] it came in (argv arrays are owned by the command once stored); a value
 * edited in place (APPEND, SETRANGE) becomes an {@link Sds}, Redis's "raw" string, written only
 * through {@link Sds#writable} so that a snapshot sharing it is never disturbed.
 *
 * <p>Every handler runs on the engine thread, so the scratch fields below are safe to reuse.
 */
public final class StringCommands implements CommandFamily {
    // Option bits of SET and GETEX, one per keyword.
    static final int NX = 1, XX = 1 << 1, EX = 1 << 2, PX = 1 << 3, KEEPTTL = 1 << 4, GET = 1 << 5,
        EXAT = 1 << 6, PXAT = 1 << 7, PERSIST = 1 << 8;
    static final int ANY_EXPIRE = EX | PX | EXAT | PXAT;

    /**
     * Longest string a Java array can hold with the spare room Sds may add when it grows
     * (1 MB past 1 MB); longer results are refused like over-limit ones.
     */
    static final long MAX_JAVA_STRING = Integer.MAX_VALUE - (2L << 20);

    private static final byte[] EMPTY = new byte[0];
    private static final byte[] MATCHES = Bytes.of("matches"), LEN = Bytes.of("len");
    // Command names and keywords of the rewritten forms propagated to replicas and the AOF.
    private static final byte[] SET = Bytes.of("SET"), PXAT_ARG = Bytes.of("PXAT"), KEEPTTL_ARG = Bytes.of("KEEPTTL"),
        PEXPIREAT = Bytes.of("PEXPIREAT"), PERSIST_CMD = Bytes.of("PERSIST"), DEL = Bytes.of("DEL"),
        UNLINK = Bytes.of("UNLINK");

    /** Value of the last successful {@link #longArg} / {@link #expireAt}. */
    private long num;
    /** argv index of the expire value found by the last {@link #parseOptions}. */
    private int expireArg;

    @Override
    public void register(CommandTable t, Engine e) {
        t.bind("get", this::get);
        t.bind("set", this::set);
        t.bind("setnx", this::setnx);
        t.bind("setex", this::setex);
        t.bind("psetex", this::psetex);
        t.bind("getset", this::getset);
        t.bind("getdel", this::getdel);
        t.bind("getex", this::getex);
        t.bind("mget", this::mget);
        t.bind("mset", this::mset);
        t.bind("msetnx", this::msetnx);
        t.bind("append", this::append);
        t.bind("strlen", this::strlen);
        t.bind("getrange", this::getrange);
        t.bind("substr", this::getrange);
        t.bind("setrange", this::setrange);
        t.bind("incr", this::incr);
        t.bind("decr", this::decr);
        t.bind("incrby", this::incrby);
        t.bind("decrby", this::decrby);
        t.bind("incrbyfloat", this::incrbyfloat);
        t.bind("lcs", this::lcs);
    }

    // =====================================================================================
    // Argument helpers
    // =====================================================================================

    /** Parses a with string2ll rules into {@link #num}; replies the integer error otherwise. */
    private boolean longArg(Client c, byte[] a) {
        long v = Numbers.parseLong(a, 0, a.length);
        if (v == Numbers.NOT_A_LONG && !Numbers.isLong(a, 0, a.length)) {
            c.addError(Errors.NOT_INTEGER);
            return false;
        }
        num = v;
        return true;
    }

    /**
     * Parses the SET (isSet) or GETEX options from argv[from..]. Returns the option bits, or -1
     * after a syntax-error reply. Mutually exclusive options are refused the way Redis does:
     * a repeated EX/PX/EXAT/PXAT is accepted (the last wins), a second kind is not.
     */
    private int parseOptions(Client c, int from, boolean isSet) {
        int f = 0;
        byte[][] argv = c.argv;
        for (int j = from; j < c.argc; j++) {
            byte[] o = argv[j];
            boolean hasNext = j + 1 < c.argc;
            if (isSet && (f & XX) == 0 && Bytes.equalsIgnoreCase(o, "nx")) {
                f |= NX;
            } else if (isSet && (f & NX) == 0 && Bytes.equalsIgnoreCase(o, "xx")) {
                f |= XX;
            } else if (isSet && Bytes.equalsIgnoreCase(o, "get")) {
                f |= GET;
            } else if (isSet && (f & (PERSIST | ANY_EXPIRE)) == 0 && Bytes.equalsIgnoreCase(o, "keepttl")) {
                f |= KEEPTTL;
            } else if (!isSet && (f & (ANY_EXPIRE | KEEPTTL)) == 0 && Bytes.equalsIgnoreCase(o, "persist")) {
                f |= PERSIST;
            } else if (hasNext && (f & (KEEPTTL | PERSIST | ANY_EXPIRE & ~EX)) == 0 && Bytes.equalsIgnoreCase(o, "ex")) {
                f |= EX;
                expireArg = ++j;
            } else if (hasNext && (f & (KEEPTTL | PERSIST | ANY_EXPIRE & ~PX)) == 0 && Bytes.equalsIgnoreCase(o, "px")) {
                f |= PX;
                expireArg = ++j;
            } else if (hasNext && (f & (KEEPTTL | PERSIST | ANY_EXPIRE & ~EXAT)) == 0 && Bytes.equalsIgnoreCase(o, "exat")) {
                f |= EXAT;
                expireArg = ++j;
            } else if (hasNext && (f & (KEEPTTL | PERSIST | ANY_EXPIRE & ~PXAT)) == 0 && Bytes.equalsIgnoreCase(o, "pxat")) {
                f |= PXAT;
                expireArg = ++j;
            } else {
                c.addError(Errors.SYNTAX);
                return -1;
            }
        }
        return f;
    }

    /**
     * Converts an EX/PX/EXAT/PXAT argument (kind given by the flag bits) to an absolute unix time
     * in ms, into {@link #num}. Zero, negative and overflowing values get Redis's
     * "invalid expire time" error; a past absolute time is accepted (the caller decides).
     */
    private boolean expireAt(Client c, byte[] arg, int flags) {
        if (!longArg(c, arg)) return false;
        long v = num;
        boolean seconds = (flags & (EX | EXAT)) != 0;
        if (v <= 0 || (seconds && v > Long.MAX_VALUE / 1000)) {
            invalidExpire(c);
            return false;
        }
        if (seconds) v *= 1000;
        if ((flags & (EX | PX)) != 0) v += c.engine.nowMs();
        // A relative time so large that adding the clock wrapped around.
        if (v <= 0) {
            invalidExpire(c);
            return false;
        }
        num = v;
        return true;
    }

    private static void invalidExpire(Client c) {
        c.addError(String.format(Errors.INVALID_EXPIRE, c.cmd.fullName));
    }

    /**
     * Redis's checkStringLength: a string of size + append bytes must stay within
     * proto-max-bulk-len (the master link is exempt: its writes were accepted upstream).
     */
    private static boolean checkLength(Client c, long size, long append) {
        long total = size + append;
        boolean overflow = total < size || total < append;
        if (!c.has(Client.F_MASTER) && (overflow || total > c.engine.config.protoMaxBulkLen)
            || overflow || total > MAX_JAVA_STRING) {
            c.addError(Errors.STRING_TOO_LONG);
            return false;
        }
        return true;
    }

    /** Stores s, a writable copy of (or the same object as) old, signalling the change once. */
    static void storeEdited(Client c, byte[] key, Object old, Sds s) {
        if (s != old) c.db.overwrite(key, s);
        else c.engine.signalModifiedKey(c.db, key);
    }

    /** Parses a string value as a long into {@link #num}; false when it is not one. */
    private boolean valueLong(Object v) {
        byte[] a = Types.array(v);
        int len = Types.strlen(v);
        long n = Numbers.parseLong(a, 0, len);
        if (n == Numbers.NOT_A_LONG && !Numbers.isLong(a, 0, len)) return false;
        num = n;
        return true;
    }

    // =====================================================================================
    // GET / SET family
    // =====================================================================================

    void get(Client c) {
        Object v = c.db.lookupRead(c.argv[1]);
        if (v == null) c.addNull();
        else if (v instanceof byte[] b) c.addBulk(b);
        else if (v instanceof Sds s) c.addBulk(s.buf, 0, s.len);
        else c.addError(Errors.WRONGTYPE);
    }

    /** GET as used by SET GET, GETSET, GETDEL: replies; false after a WRONGTYPE error. */
    private static boolean getGeneric(Client c) {
        Object v = c.db.lookupRead(c.argv[1]);
        if (v == null) {
            c.addNull();
            return true;
        }
        if (!Types.isString(v)) {
            c.addError(Errors.WRONGTYPE);
            return false;
        }
        c.addBulkValue(v);
        return true;
    }

    void set(Client c) {
        if (c.argc == 3) {
            // Plain SET, the hot path: no option parsing, no existence test needed.
            byte[] key = c.argv[1];
            Db db = c.db;
            db.expireIfNeeded(key);
            db.setKey(key, c.argv[2], false);
            c.engine.dirty++;
            c.engine.notify(Notify.STRING, "set", key, db.id);
            c.addOk();
            return;
        }
        int flags = parseOptions(c, 3, true);
        if (flags < 0) return;
        if ((flags & ANY_EXPIRE) != 0 && !expireAt(c, c.argv[expireArg], flags)) return;
        setGeneric(c, flags, c.argv[1], c.argv[2], num, false);
    }

    void setnx(Client c) {
        setGeneric(c, NX, c.argv[1], c.argv[2], 0, true);
    }

    void setex(Client c) {
        if (!expireAt(c, c.argv[2], EX)) return;
        setGeneric(c, EX, c.argv[1], c.argv[3], num, false);
    }

    void psetex(Client c) {
        if (!expireAt(c, c.argv[2], PX)) return;
        setGeneric(c, PX, c.argv[1], c.argv[3], num, false);
    }

    /**
     * Redis's setGenericCommand after option parsing. whenMs is the absolute expiry when flags
     * has an expire bit. counting selects SETNX's replies (:1 / :0) instead of OK / null.
     */
    private static void setGeneric(Client c, int flags, byte[] key, byte[] val, long whenMs, boolean counting) {
        if ((flags & GET) != 0 && !getGeneric(c)) return;
        Db db = c.db;
        boolean found = db.lookupWrite(key) != null;
        if (((flags & NX) != 0 && found) || ((flags & XX) != 0 && !found)) {
            if ((flags & GET) == 0) {
                if (counting) c.addLong(0);
                else c.addNull();
            }
            return;
        }
        db.setKey(key, val, (flags & KEEPTTL) != 0);
        c.engine.dirty++;
        c.engine.notify(Notify.STRING, "set", key, db.id);
        if ((flags & ANY_EXPIRE) != 0) {
            // A time already past is stored as is: the key expires on its next access, as in Redis.
            db.setExpire(key, whenMs);
            // Propagated with the absolute time so that replicas and AOF reloads agree.
            KeyCommands.rewriteArgv(c, SET, key, val, PXAT_ARG, Numbers.longToBytes(whenMs));
            c.engine.notify(Notify.GENERIC, "expire", key, db.id);
        }
        if ((flags & GET) == 0) {
            if (counting) c.addLong(1);
            else c.addOk();
        } else if ((flags & ANY_EXPIRE) == 0) {
            dropGetArguments(c);
        }
    }

    /** SET ... GET is propagated without its GET keywords (a replica has no one to reply to). */
    private static void dropGetArguments(Client c) {
        byte[][] v = new byte[c.argc][];
        int n = 0;
        for (int j = 0; j < c.argc; j++) {
            if (j >= 3 && Bytes.equalsIgnoreCase(c.argv[j], "get")) continue;
            v[n++] = c.argv[j];
        }
        KeyCommands.rewriteArgv(c, java.util.Arrays.copyOf(v, n));
    }

    void getset(Client c) {
        if (!getGeneric(c)) return;
        byte[] key = c.argv[1];
        byte[] val = c.argv[2];
        c.db.setKey(key, val, false);
        c.engine.notify(Notify.STRING, "set", key, c.db.id);
        c.engine.dirty++;
        KeyCommands.rewriteArgv(c, SET, key, val);
    }

    void getdel(Client c) {
        if (!getGeneric(c)) return;
        byte[] key = c.argv[1];
        if (c.db.delete(key)) {
            KeyCommands.rewriteArgv(c, c.engine.config.lazyfreeLazyUserDel ? UNLINK : DEL, key);
            c.engine.notify(Notify.GENERIC, "del", key, c.db.id);
            c.engine.dirty++;
        }
    }

    void getex(Client c) {
        int flags = parseOptions(c, 2, false);
        if (flags < 0) return;
        byte[] key = c.argv[1];
        Db db = c.db;
        Object v = db.lookupRead(key);
        if (v == null) {
            c.addNull();
            return;
        }
        if (!Types.isString(v)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        // The expire value is validated only for an existing string key, as Redis does.
        long when = 0;
        if ((flags & ANY_EXPIRE) != 0) {
            if (!expireAt(c, c.argv[expireArg], flags)) return;
            when = num;
        }
        c.addBulkValue(v);
        Engine e = c.engine;
        // GETEX itself is never propagated: it becomes DEL/UNLINK, PEXPIREAT or PERSIST.
        if ((flags & (EXAT | PXAT)) != 0 && when <= e.nowMs() && !e.loading && !e.isReplica()) {
            db.delete(key);
            KeyCommands.rewriteArgv(c, e.config.lazyfreeLazyExpire ? UNLINK : DEL, key);
            e.notify(Notify.GENERIC, "del", key, db.id);
            e.dirty++;
        } else if ((flags & ANY_EXPIRE) != 0) {
            db.setExpire(key, when);
            KeyCommands.rewriteArgv(c, PEXPIREAT, key, Numbers.longToBytes(when));
            e.signalModifiedKey(db, key);
            e.notify(Notify.GENERIC, "expire", key, db.id);
            e.dirty++;
        } else if ((flags & PERSIST) != 0 && db.removeExpire(key)) {
            e.signalModifiedKey(db, key);
            KeyCommands.rewriteArgv(c, PERSIST_CMD, key);
            e.notify(Notify.GENERIC, "persist", key, db.id);
            e.dirty++;
        }
    }

    void mget(Client c) {
        int n = c.argc;
        c.addArrayLen(n - 1);
        Db db = c.db;
        for (int j = 1; j < n; j++) {
            Object v = db.lookupRead(c.argv[j]);
            if (v instanceof byte[] b) c.addBulk(b);
            else if (v instanceof Sds s) c.addBulk(s.buf, 0, s.len);
            else c.addNull();
        }
    }

    void mset(Client c) {
        msetGeneric(c, false);
    }

    void msetnx(Client c) {
        msetGeneric(c, true);
    }

    private static void msetGeneric(Client c, boolean nx) {
        int n = c.argc;
        if ((n & 1) == 0) {
            c.addError(Errors.wrongArgs(c.cmd.fullName));
            return;
        }
        Db db = c.db;
        byte[][] argv = c.argv;
        if (nx) {
            for (int j = 1; j < n; j += 2) {
                if (db.lookupWrite(argv[j]) != null) {
                    c.addLong(0);
                    return;
                }
            }
        }
        for (int j = 1; j < n; j += 2) {
            byte[] key = argv[j];
            db.expireIfNeeded(key);
            db.setKey(key, argv[j + 1], false);
            c.engine.notify(Notify.STRING, "set", key, db.id);
        }
        c.engine.dirty += (n - 1) / 2;
        if (nx) c.addLong(1);
        else c.addOk();
    }

    // =====================================================================================
    // In-place edits and ranges
    // =====================================================================================

    void append(Client c) {
        byte[] key = c.argv[1], add = c.argv[2];
        Db db = c.db;
        Object v = db.lookupWrite(key);
        long total;
        if (v == null) {
            // A new key takes the argument itself, like SET (int/embstr encoding, no spare room).
            db.add(key, add);
            total = add.length;
        } else {
            if (!Types.isString(v)) {
                c.addError(Errors.WRONGTYPE);
                return;
            }
            if (!checkLength(c, Types.strlen(v), add.length)) return;
            Sds s = Sds.writable(v, c.engine.snapshotEpoch);
            s.append(add, 0, add.length);
            storeEdited(c, key, v, s);
            total = s.len;
        }
        c.engine.notify(Notify.STRING, "append", key, db.id);
        c.engine.dirty++;
        c.addLong(total);
    }

    void strlen(Client c) {
        Object v = c.db.lookupRead(c.argv[1]);
        if (v == null) c.addLong(0);
        else if (Types.isString(v)) c.addLong(Types.strlen(v));
        else c.addError(Errors.WRONGTYPE);
    }

    void getrange(Client c) {
        if (!longArg(c, c.argv[2])) return;
        long start = num;
        if (!longArg(c, c.argv[3])) return;
        long end = num;
        Object v = c.db.lookupRead(c.argv[1]);
        if (v == null) {
            c.addBulk(EMPTY);
            return;
        }
        if (!Types.isString(v)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        long len = Types.strlen(v);
        if (start < 0 && end < 0 && start > end) {
            c.addBulk(EMPTY);
            return;
        }
        if (start < 0) start += len;
        if (end < 0) end += len;
        if (start < 0) start = 0;
        if (end < 0) end = 0;
        if (end >= len) end = len - 1;
        if (start > end || len == 0) c.addBulk(EMPTY);
        else c.addBulk(Types.array(v), (int) start, (int) (end - start + 1));
    }

    void setrange(Client c) {
        if (!longArg(c, c.argv[2])) return;
        long offset = num;
        if (offset < 0) {
            c.addError("ERR offset is out of range");
            return;
        }
        byte[] key = c.argv[1], val = c.argv[3];
        Db db = c.db;
        Object v = db.lookupWrite(key);
        Sds s;
        if (v == null) {
            if (val.length == 0) {
                c.addLong(0);
                return;
            }
            if (!checkLength(c, offset, val.length)) return;
            int n = (int) (offset + val.length);
            s = new Sds(new byte[n], n, c.engine.snapshotEpoch);
            System.arraycopy(val, 0, s.buf, (int) offset, val.length);
            db.add(key, s);
        } else {
            if (!Types.isString(v)) {
                c.addError(Errors.WRONGTYPE);
                return;
            }
            if (val.length == 0) {
                // Nothing to write: the value (and its encoding) is left untouched.
                c.addLong(Types.strlen(v));
                return;
            }
            if (!checkLength(c, offset, val.length)) return;
            s = Sds.writable(v, c.engine.snapshotEpoch);
            s.growZero((int) (offset + val.length));
            System.arraycopy(val, 0, s.buf, (int) offset, val.length);
            storeEdited(c, key, v, s);
        }
        c.engine.notify(Notify.STRING, "setrange", key, db.id);
        c.engine.dirty++;
        c.addLong(s.len);
    }

    // =====================================================================================
    // Counters
    // =====================================================================================

    void incr(Client c) {
        incrDecr(c, 1);
    }

    void decr(Client c) {
        incrDecr(c, -1);
    }

    void incrby(Client c) {
        if (!longArg(c, c.argv[2])) return;
        incrDecr(c, num);
    }

    void decrby(Client c) {
        if (!longArg(c, c.argv[2])) return;
        if (num == Long.MIN_VALUE) {
            c.addError("ERR decrement would overflow");
            return;
        }
        incrDecr(c, -num);
    }

    private void incrDecr(Client c, long incr) {
        byte[] key = c.argv[1];
        Db db = c.db;
        Object v = db.lookupWrite(key);
        long value = 0;
        if (v != null) {
            if (!Types.isString(v)) {
                c.addError(Errors.WRONGTYPE);
                return;
            }
            if (!valueLong(v)) {
                c.addError(Errors.NOT_INTEGER);
                return;
            }
            value = num;
        }
        if ((incr < 0 && value < 0 && incr < Long.MIN_VALUE - value)
            || (incr > 0 && value > 0 && incr > Long.MAX_VALUE - value)) {
            c.addError(Errors.OVERFLOW);
            return;
        }
        value += incr;
        // Stored as the canonical decimal text: OBJECT ENCODING reports "int", as in Redis.
        byte[] nv = Numbers.longToBytes(value);
        if (v != null) db.overwrite(key, nv);
        else db.add(key, nv);
        c.engine.notify(Notify.STRING, "incrby", key, db.id);
        c.engine.dirty++;
        c.addLong(value);
    }

    void incrbyfloat(Client c) {
        byte[] key = c.argv[1];
        Db db = c.db;
        Object v = db.lookupWrite(key);
        LongDouble value;
        if (v == null) {
            value = LongDouble.ZERO;
        } else {
            if (!Types.isString(v)) {
                c.addError(Errors.WRONGTYPE);
                return;
            }
            value = LongDouble.parse(Types.array(v), 0, Types.strlen(v));
        }
        LongDouble incr = value == null ? null : LongDouble.parse(c.argv[2]);
        if (incr == null) {
            c.addError(Errors.NOT_FLOAT);
            return;
        }
        LongDouble r = value.add(incr);
        if (r.isNaN() || r.isInfinite()) {
            c.addError(Errors.NAN_OR_INF);
            return;
        }
        byte[] nv = r.toHumanBytes();
        if (v != null) db.overwrite(key, nv);
        else db.add(key, nv);
        c.engine.notify(Notify.STRING, "incrbyfloat", key, db.id);
        c.engine.dirty++;
        c.addBulk(nv);
        // Replicated as the resulting value, so float formatting never makes replicas diverge.
        KeyCommands.rewriteArgv(c, SET, key, nv, KEEPTTL_ARG);
    }

    // =====================================================================================
    // LCS
    // =====================================================================================

    void lcs(Client c) {
        Db db = c.db;
        Object oa = db.lookupRead(c.argv[1]);
        Object ob = db.lookupRead(c.argv[2]);
        if ((oa != null && !Types.isString(oa)) || (ob != null && !Types.isString(ob))) {
            c.addError("ERR The specified keys must contain string values");
            return;
        }
        boolean getLen = false, getIdx = false, withMatchLen = false;
        long minMatchLen = 0;
        for (int j = 3; j < c.argc; j++) {
            byte[] o = c.argv[j];
            boolean more = j + 1 < c.argc;
            if (Bytes.equalsIgnoreCase(o, "idx")) {
                getIdx = true;
            } else if (Bytes.equalsIgnoreCase(o, "len")) {
                getLen = true;
            } else if (Bytes.equalsIgnoreCase(o, "withmatchlen")) {
                withMatchLen = true;
            } else if (more && Bytes.equalsIgnoreCase(o, "minmatchlen")) {
                if (!longArg(c, c.argv[++j])) return;
                minMatchLen = Math.max(0, num);
            } else {
                c.addError(Errors.SYNTAX);
                return;
            }
        }
        if (getLen && getIdx) {
            c.addError("ERR If you want both the length and indexes, please just use IDX.");
            return;
        }
        byte[] a = oa == null ? EMPTY : Types.array(oa);
        byte[] b = ob == null ? EMPTY : Types.array(ob);
        int alen = oa == null ? 0 : Types.strlen(oa);
        int blen = ob == null ? 0 : Types.strlen(ob);

        // The DP table has (alen+1)*(blen+1) 32-bit cells, bounded like Redis by proto-max-bulk-len.
        long cells = (long) (alen + 1) * (blen + 1);
        if (cells * 4 > c.engine.config.protoMaxBulkLen) {
            c.addError("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
            return;
        }
        int[] t = null;
        if (cells <= Integer.MAX_VALUE - 8) {
            try {
                t = new int[(int) cells];
            } catch (OutOfMemoryError oom) {
                t = null;
            }
        }
        if (t == null) {
            c.addError("ERR Insufficient memory, failed allocating transient memory for LCS");
            return;
        }
        // t[i*w + j] = length of the LCS of a[0..i) and b[0..j); row 0 and column 0 stay 0.
        int w = blen + 1;
        for (int i = 1; i <= alen; i++) {
            int row = i * w, up = row - w;
            byte ai = a[i - 1];
            for (int j = 1; j <= blen; j++) {
                if (ai == b[j - 1]) t[row + j] = t[up + j - 1] + 1;
                else t[row + j] = Math.max(t[up + j], t[row + j - 1]);
            }
        }
        int total = t[alen * w + blen];
        if (getLen) {
            c.addLong(total);
            return;
        }

        // Walk back from the end; matches are found right to left, and a run of consecutive
        // matches in both strings forms one range. Ranges are reported in that order.
        byte[] result = new byte[total];
        int[] ranges = getIdx ? new int[5 * 8] : null;
        int nranges = 0;
        int idx = total;
        int aStart = -1, aEnd = 0, bStart = 0, bEnd = 0;  // aStart < 0: no open range
        int i = alen, j = blen;
        while (i > 0 && j > 0) {
            boolean emit = false;
            if (a[i - 1] == b[j - 1]) {
                result[--idx] = a[i - 1];
                if (aStart < 0) {
                    aStart = aEnd = i - 1;
                    bStart = bEnd = j - 1;
                } else if (aStart == i && bStart == j) {
                    aStart--;
                    bStart--;
                } else {
                    emit = true;
                }
                // A range touching the start of either string cannot grow further.
                if (aStart == 0 || bStart == 0) emit = true;
                i--;
                j--;
            } else {
                if (t[(i - 1) * w + j] > t[i * w + j - 1]) i--;
                else j--;
                if (aStart >= 0) emit = true;
            }
            if (emit) {
                int matchLen = aEnd - aStart + 1;
                if (ranges != null && (minMatchLen == 0 || matchLen >= minMatchLen)) {
                    if (nranges * 5 + 5 > ranges.length) ranges = java.util.Arrays.copyOf(ranges, ranges.length * 2);
                    int p = nranges * 5;
                    ranges[p] = aStart;
                    ranges[p + 1] = aEnd;
                    ranges[p + 2] = bStart;
                    ranges[p + 3] = bEnd;
                    ranges[p + 4] = matchLen;
                    nranges++;
                }
                aStart = -1;
            }
        }
        if (!getIdx) {
            c.addBulk(result);
            return;
        }
        c.addMapLen(2);
        c.addBulk(MATCHES);
        c.addArrayLen(nranges);
        for (int r = 0; r < nranges; r++) {
            int p = r * 5;
            c.addArrayLen(withMatchLen ? 3 : 2);
            c.addArrayLen(2);
            c.addLong(ranges[p]);
            c.addLong(ranges[p + 1]);
            c.addArrayLen(2);
            c.addLong(ranges[p + 2]);
            c.addLong(ranges[p + 3]);
            if (withMatchLen) c.addLong(ranges[p + 4]);
        }
        c.addBulk(LEN);
        c.addLong(total);
    }
}

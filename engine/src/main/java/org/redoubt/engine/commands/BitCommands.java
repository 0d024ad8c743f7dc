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

/**
 * The bitmap commands (Redis's bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD,
 * BITFIELD_RO. A bitmap is a string value; bit 0 is the most significant bit of byte 0 and
 * the bitmap reads as zeros past its end. Writes go through {@link Sds#writable}; a write that
 * changes nothing copies nothing and signals nothing.
 *
 * <p>Engine thread only: the scratch fields below are reused by every call.
 */
public final class BitCommands implements CommandFamily {
    private static final int OP_AND = 0, OP_OR = 1, OP_XOR = 2, OP_NOT = 3;
    private static final int BF_GET = 0, BF_SET = 1, BF_INCRBY = 2;
    private static final String TYPE_ERROR =
        "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

    /** Result of the last successful {@link #longArg} / {@link #bitOffset}. */
    private long num;
    /** Sign and width parsed by the last successful {@link #bitfieldType}. */
    private boolean typeSigned;
    private int typeBits;
    /** Set by {@link #lookupForBitWrite}: the key was created or its string grew. */
    private boolean grew;
    private final long[] limit = new long[1];

    @Override
    public void register(CommandTable t, Engine e) {
        t.bind("setbit", this::setbit);
        t.bind("getbit", this::getbit);
        t.bind("bitcount", this::bitcount);
        t.bind("bitpos", this::bitpos);
        t.bind("bitop", this::bitop);
        t.bind("bitfield", this::bitfield);
        t.bind("bitfield_ro", this::bitfieldRo);
    }

    // =====================================================================================
    // Argument helpers
    // =====================================================================================

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
     * A bit offset into {@link #num}: a non-negative integer addressing a byte below
     * proto-max-bulk-len. With hashForm and bits &gt; 0, "#N" means N * bits (BITFIELD).
     */
    private boolean bitOffset(Client c, byte[] a, boolean hashForm, int bits) {
        int skip = hashForm && bits > 0 && a.length > 0 && a[0] == '#' ? 1 : 0;
        long v = Numbers.parseLong(a, skip, a.length - skip);
        if (v == Numbers.NOT_A_LONG && !Numbers.isLong(a, skip, a.length - skip)) {
            c.addError(Errors.BIT_OFFSET);
            return false;
        }
        // Redis multiplies with C wrap-around; a wrapped result is caught by the sign test or not
        // at all, exactly as there.
        if (skip == 1) v *= bits;
        long byteIndex = v >> 3;
        if (v < 0 || (!c.has(Client.F_MASTER) && byteIndex >= c.engine.config.protoMaxBulkLen)
            || byteIndex >= StringCommands.MAX_JAVA_STRING) {
            c.addError(Errors.BIT_OFFSET);
            return false;
        }
        num = v;
        return true;
    }

    /** A BITFIELD type "i1".."i64" or "u1".."u63" into typeSigned/typeBits. */
    private boolean bitfieldType(Client c, byte[] a) {
        if (a.length == 0 || (a[0] != 'i' && a[0] != 'u')) {
            c.addError(TYPE_ERROR);
            return false;
        }
        boolean signed = a[0] == 'i';
        long bits = Numbers.parseLong(a, 1, a.length - 1);
        if (bits == Numbers.NOT_A_LONG || bits < 1 || (signed && bits > 64) || (!signed && bits > 63)) {
            c.addError(TYPE_ERROR);
            return false;
        }
        typeSigned = signed;
        typeBits = (int) bits;
        return true;
    }

    /**
     * The key's string made writable and long enough to address bit maxBit (created as zeros
     * if absent), or null after a WRONGTYPE reply. {@link #grew} tells whether that alone changed
     * the value. The caller stores the result back with {@link StringCommands#storeEdited}.
     */
    private Sds lookupForBitWrite(Client c, Object v, long maxBit) {
        int bytes = (int) (maxBit >>> 3) + 1;
        if (v == null) {
            grew = true;
            Sds s = new Sds(new byte[bytes], bytes, c.engine.snapshotEpoch);
            c.db.add(c.argv[1], s);
            return s;
        }
        Sds s = Sds.writable(v, c.engine.snapshotEpoch);
        int before = s.len;
        s.growZero(bytes);
        grew = s.len != before;
        return s;
    }

    // =====================================================================================
    // SETBIT / GETBIT
    // =====================================================================================

    void setbit(Client c) {
        if (!bitOffset(c, c.argv[2], false, 0)) return;
        long offset = num;
        byte[] va = c.argv[3];
        long on = Numbers.parseLong(va, 0, va.length);
        // The only valid values are 0 and 1, so the MIN_VALUE sentinel needs no second look.
        if (on != 0 && on != 1) {
            c.addError(Errors.BIT_VALUE);
            return;
        }
        byte[] key = c.argv[1];
        Db db = c.db;
        Object v = db.lookupWrite(key);
        if (v != null && !Types.isString(v)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        int byteIndex = (int) (offset >>> 3);
        int mask = 0x80 >>> (int) (offset & 7);
        int old = 0;
        if (v != null) {
            if (byteIndex < Types.strlen(v)) {
                old = (Types.array(v)[byteIndex] & mask) != 0 ? 1 : 0;
                if (old == on) {
                    // Neither the length nor the bit changes: not a write.
                    c.addLong(old);
                    return;
                }
            }
        }
        Sds s = lookupForBitWrite(c, v, offset);
        if (on == 1) s.buf[byteIndex] |= (byte) mask;
        else s.buf[byteIndex] &= (byte) ~mask;
        if (v != null) StringCommands.storeEdited(c, key, v, s);
        c.engine.notify(Notify.STRING, "setbit", key, db.id);
        c.engine.dirty++;
        c.addLong(old);
    }

    void getbit(Client c) {
        if (!bitOffset(c, c.argv[2], false, 0)) return;
        long offset = num;
        Object v = c.db.lookupRead(c.argv[1]);
        if (v == null) {
            c.addLong(0);
            return;
        }
        if (!Types.isString(v)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        long byteIndex = offset >>> 3;
        int bit = 0;
        if (byteIndex < Types.strlen(v)) bit = (Types.array(v)[(int) byteIndex] & (0x80 >>> (int) (offset & 7))) != 0 ? 1 : 0;
        c.addLong(bit);
    }

    // =====================================================================================
    // BITCOUNT / BITPOS
    // =====================================================================================

    void bitcount(Client c) {
        Object v = c.db.lookupRead(c.argv[1]);
        if (v == null) {
            c.addLong(0);
            return;
        }
        if (!Types.isString(v)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        byte[] p = Types.array(v);
        long len = Types.strlen(v);
        long start, end;
        boolean isBit = false;
        if (c.argc == 4 || c.argc == 5) {
            if (!longArg(c, c.argv[2])) return;
            start = num;
            if (!longArg(c, c.argv[3])) return;
            end = num;
            if (start < 0 && end < 0 && start > end) {
                c.addLong(0);
                return;
            }
            if (c.argc == 5) {
                byte[] unit = c.argv[4];
                if (Bytes.equalsIgnoreCase(unit, "bit")) isBit = true;
                else if (!Bytes.equalsIgnoreCase(unit, "byte")) {
                    c.addError(Errors.SYNTAX);
                    return;
                }
            }
            long total = isBit ? len << 3 : len;
            if (start < 0) start += total;
            if (end < 0) end += total;
            if (start < 0) start = 0;
            if (end < 0) end = 0;
            if (end >= total) end = total - 1;
        } else if (c.argc == 2) {
            start = 0;
            end = len - 1;
        } else {
            c.addError(Errors.SYNTAX);
            return;
        }
        if (start > end) {
            c.addLong(0);
            return;
        }
        if (isBit) c.addLong(BitOps.countRange(p, start, end));
        else c.addLong(BitOps.popcount(p, (int) start, (int) end + 1));
    }

    void bitpos(Client c) {
        byte[] ba = c.argv[2];
        long bit = Numbers.parseLong(ba, 0, ba.length);
        if (bit == Numbers.NOT_A_LONG && !Numbers.isLong(ba, 0, ba.length)) {
            c.addError(Errors.NOT_INTEGER);
            return;
        }
        if (bit != 0 && bit != 1) {
            c.addError("ERR The bit argument must be 1 or 0.");
            return;
        }
        Object v = c.db.lookupRead(c.argv[1]);
        if (v == null) {
            // A missing key is an endless run of zeros.
            c.addLong(bit == 1 ? -1 : 0);
            return;
        }
        if (!Types.isString(v)) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        byte[] p = Types.array(v);
        long len = Types.strlen(v);
        long start, end;
        boolean isBit = false, endGiven = false;
        int argc = c.argc;
        if (argc >= 4 && argc <= 6) {
            if (!longArg(c, c.argv[3])) return;
            start = num;
            if (argc == 6) {
                byte[] unit = c.argv[5];
                if (Bytes.equalsIgnoreCase(unit, "bit")) isBit = true;
                else if (!Bytes.equalsIgnoreCase(unit, "byte")) {
                    c.addError(Errors.SYNTAX);
                    return;
                }
            }
            long total = isBit ? len << 3 : len;
            if (argc >= 5) {
                if (!longArg(c, c.argv[4])) return;
                end = num;
                endGiven = true;
            } else {
                end = total - 1;
            }
            if (start < 0) start += total;
            if (end < 0) end += total;
            if (start < 0) start = 0;
            if (end < 0) end = 0;
            if (end >= total) end = total - 1;
        } else if (argc == 3) {
            start = 0;
            end = len - 1;
        } else {
            c.addError(Errors.SYNTAX);
            return;
        }
        if (start > end) {
            c.addLong(-1);
            return;
        }
        long firstBit = isBit ? start : start << 3;
        long lastBit = isBit ? end : (end << 3) + 7;
        long pos = BitOps.firstBit(p, firstBit, lastBit, (int) bit);
        if (pos < 0 && bit == 0 && !endGiven) {
            // Looking for a clear bit with an open end: the padding after the string has one.
            pos = lastBit + 1;
        }
        c.addLong(pos);
    }

    // =====================================================================================
    // BITOP
    // =====================================================================================

    void bitop(Client c) {
        byte[] opName = c.argv[1];
        int op;
        if (Bytes.equalsIgnoreCase(opName, "and")) op = OP_AND;
        else if (Bytes.equalsIgnoreCase(opName, "or")) op = OP_OR;
        else if (Bytes.equalsIgnoreCase(opName, "xor")) op = OP_XOR;
        else if (Bytes.equalsIgnoreCase(opName, "not")) op = OP_NOT;
        else {
            c.addError(Errors.SYNTAX);
            return;
        }
        if (op == OP_NOT && c.argc != 4) {
            c.addError("ERR BITOP NOT must be called with a single source key.");
            return;
        }
        Db db = c.db;
        int n = c.argc - 3;
        byte[][] src = new byte[n][];
        int[] lens = new int[n];
        int maxLen = 0;
        for (int j = 0; j < n; j++) {
            Object v = db.lookupRead(c.argv[j + 3]);
            if (v == null) {
                src[j] = Bytes.EMPTY;
                continue;
            }
            if (!Types.isString(v)) {
                c.addError(Errors.WRONGTYPE);
                return;
            }
            src[j] = Types.array(v);
            lens[j] = Types.strlen(v);
            if (lens[j] > maxLen) maxLen = lens[j];
        }
        byte[] target = c.argv[2];
        Engine e = c.engine;
        if (maxLen == 0) {
            if (db.delete(target)) {
                e.notify(Notify.GENERIC, "del", target, db.id);
                e.dirty++;
            }
            c.addLong(0);
            return;
        }
        byte[] res = new byte[maxLen];
        System.arraycopy(src[0], 0, res, 0, lens[0]);
        if (op == OP_NOT) {
            not(res, maxLen);
        } else {
            for (int j = 1; j < n; j++) combine(op, res, src[j], lens[j], maxLen);
        }
        // Redis creates the result as a raw string, whatever its content.
        db.expireIfNeeded(target);
        db.setKey(target, new Sds(res, maxLen, e.snapshotEpoch), false);
        e.notify(Notify.STRING, "set", target, db.id);
        e.dirty++;
        c.addLong(maxLen);
    }

    private static void not(byte[] r, int n) {
        int i = 0;
        for (; i + 8 <= n; i += 8) BitOps.LONGS.set(r, i, ~(long) BitOps.LONGS.get(r, i));
        for (; i < n; i++) r[i] = (byte) ~r[i];
    }

    /** r = r op s over maxLen bytes, s zero-padded past sLen. */
    private static void combine(int op, byte[] r, byte[] s, int sLen, int maxLen) {
        int i = 0;
        switch (op) {
            case OP_AND -> {
                for (; i + 8 <= sLen; i += 8) {
                    BitOps.LONGS.set(r, i, (long) BitOps.LONGS.get(r, i) & (long) BitOps.LONGS.get(s, i));
                }
                for (; i < sLen; i++) r[i] &= s[i];
                java.util.Arrays.fill(r, sLen, maxLen, (byte) 0);
            }
            case OP_OR -> {
                for (; i + 8 <= sLen; i += 8) {
                    BitOps.LONGS.set(r, i, (long) BitOps.LONGS.get(r, i) | (long) BitOps.LONGS.get(s, i));
                }
                for (; i < sLen; i++) r[i] |= s[i];
            }
            default -> {
                for (; i + 8 <= sLen; i += 8) {
                    BitOps.LONGS.set(r, i, (long) BitOps.LONGS.get(r, i) ^ (long) BitOps.LONGS.get(s, i));
                }
                for (; i < sLen; i++) r[i] ^= s[i];
            }
        }
    }

    // =====================================================================================
    // BITFIELD / BITFIELD_RO
    // =====================================================================================

    void bitfield(Client c) {
        bitfieldGeneric(c, false);
    }

    void bitfieldRo(Client c) {
        bitfieldGeneric(c, true);
    }

    private void bitfieldGeneric(Client c, boolean roCommand) {
        int argc = c.argc;
        byte[][] argv = c.argv;
        // At most one operation per three arguments (GET has two, but then OVERFLOW is absent).
        int cap = (argc - 2) / 2 + 1;
        int[] opcode = new int[cap], policy = new int[cap], width = new int[cap];
        boolean[] signed = new boolean[cap];
        long[] offset = new long[cap], arg = new long[cap];
        int nops = 0;
        int overflow = BitOps.WRAP;
        boolean readonly = true;
        long highestWrite = 0;

        for (int j = 2; j < argc; j++) {
            int remaining = argc - j - 1;
            byte[] sub = argv[j];
            int code;
            if (remaining >= 2 && Bytes.equalsIgnoreCase(sub, "get")) code = BF_GET;
            else if (remaining >= 3 && Bytes.equalsIgnoreCase(sub, "set")) code = BF_SET;
            else if (remaining >= 3 && Bytes.equalsIgnoreCase(sub, "incrby")) code = BF_INCRBY;
            else if (remaining >= 1 && Bytes.equalsIgnoreCase(sub, "overflow")) {
                byte[] p = argv[++j];
                if (Bytes.equalsIgnoreCase(p, "wrap")) overflow = BitOps.WRAP;
                else if (Bytes.equalsIgnoreCase(p, "sat")) overflow = BitOps.SAT;
                else if (Bytes.equalsIgnoreCase(p, "fail")) overflow = BitOps.FAIL;
                else {
                    c.addError("ERR Invalid OVERFLOW type specified");
                    return;
                }
                continue;
            } else {
                c.addError(Errors.SYNTAX);
                return;
            }
            if (!bitfieldType(c, argv[j + 1])) return;
            if (!bitOffset(c, argv[j + 2], true, typeBits)) return;
            long value = 0;
            if (code != BF_GET) {
                readonly = false;
                long last = num + typeBits - 1;
                if (last > highestWrite) highestWrite = last;
                long off = num;
                if (!longArg(c, argv[j + 3])) return;
                value = num;
                num = off;
            }
            opcode[nops] = code;
            policy[nops] = overflow;
            width[nops] = typeBits;
            signed[nops] = typeSigned;
            offset[nops] = num;
            arg[nops] = value;
            nops++;
            j += code == BF_GET ? 2 : 3;
        }

        byte[] key = argv[1];
        Db db = c.db;
        Object v;
        Sds s = null;
        if (readonly) {
            v = db.lookupRead(key);
            if (v != null && !Types.isString(v)) {
                c.addError(Errors.WRONGTYPE);
                return;
            }
        } else {
            if (roCommand) {
                c.addError("ERR BITFIELD_RO only supports the GET subcommand");
                return;
            }
            v = db.lookupWrite(key);
            if (v != null && !Types.isString(v)) {
                c.addError(Errors.WRONGTYPE);
                return;
            }
            s = lookupForBitWrite(c, v, highestWrite);
        }

        c.addArrayLen(nops);
        long changes = 0;
        long[] lim = limit;
        for (int k = 0; k < nops; k++) {
            int bits = width[k];
            long off = offset[k];
            if (opcode[k] == BF_GET) {
                byte[] p = s != null ? s.buf : v == null ? Bytes.EMPTY : Types.array(v);
                int len = s != null ? s.len : v == null ? 0 : Types.strlen(v);
                c.addLong(signed[k] ? BitOps.getSigned(p, len, off, bits) : BitOps.getUnsigned(p, len, off, bits));
                continue;
            }
            long oldVal = signed[k] ? BitOps.getSigned(s.buf, s.len, off, bits) : BitOps.getUnsigned(s.buf, s.len, off, bits);
            long newVal, reply;
            int over;
            if (opcode[k] == BF_INCRBY) {
                over = signed[k] ? BitOps.signedOverflow(oldVal, arg[k], bits, policy[k], lim)
                    : BitOps.unsignedOverflow(oldVal, arg[k], bits, policy[k], lim);
                newVal = over != 0 ? lim[0] : oldVal + arg[k];
                reply = newVal;
            } else {
                newVal = arg[k];
                over = signed[k] ? BitOps.signedOverflow(newVal, 0, bits, policy[k], lim)
                    : BitOps.unsignedOverflow(newVal, 0, bits, policy[k], lim);
                if (over != 0) newVal = lim[0];
                reply = oldVal;
            }
            if (over != 0 && policy[k] == BitOps.FAIL) {
                c.addNull();
                continue;
            }
            c.addLong(reply);
            BitOps.setField(s.buf, off, bits, newVal);
            // A write of the value already there is not a change (unless the string had to grow).
            if (grew || oldVal != newVal) changes++;
        }

        if (s != null && v != null && (changes > 0 || grew)) {
            StringCommands.storeEdited(c, key, v, s);
        }
        if (changes > 0) {
            c.engine.notify(Notify.STRING, "setbit", key, db.id);
            c.engine.dirty += changes;
        }
    }
}

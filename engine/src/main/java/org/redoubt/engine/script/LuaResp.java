package org.redoubt.engine.script;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.redoubt.engine.Client;

/**
 * The two conversions of Redis scripting: a command reply (RESP2 or RESP3, as produced for the
 * script client) into a Lua value, and a script's return value into the caller's reply.
 *
 * <p>RESP to Lua: integer → number, bulk → string, null bulk/null array → false, status →
 * {ok=...}, error → {err=...}, array → table, RESP3 map → {map={k=v}}, set → {set={m=true}},
 * null → nil, boolean → boolean, double → {double=n}, big number → {big_number="..."}, verbatim
 * → {verbatim_string={format=..., string=...}}; attributes are skipped.
 *
 * <p>Lua to RESP: string → bulk, number → integer (truncated), boolean → :1 / null in RESP2
 * script mode, RESP3 boolean otherwise; tables: {err} → error, {ok} → status, {double},
 * {big_number}, {verbatim_string}, {map}, {set}, else an array up to the first nil; anything
 * else → null.
 */
final class LuaResp {
    private LuaResp() {}

    static final LuaString OK = LuaValue.valueOf("ok");
    static final LuaString ERR = LuaValue.valueOf("err");
    static final LuaString MAP = LuaValue.valueOf("map");
    static final LuaString SET = LuaValue.valueOf("set");
    static final LuaString DOUBLE = LuaValue.valueOf("double");
    static final LuaString BIG_NUMBER = LuaValue.valueOf("big_number");
    static final LuaString VERBATIM = LuaValue.valueOf("verbatim_string");
    static final LuaString FORMAT = LuaValue.valueOf("format");
    static final LuaString STRING = LuaValue.valueOf("string");
    static final LuaString IGNORE_STATS = LuaValue.valueOf("ignore_error_stats_update");
    /** Deeper replies than this are cut with "reached lua stack limit" (Redis: the Lua C stack). */
    static final int MAX_DEPTH = 1000;

    // =====================================================================================
    // RESP → Lua
    // =====================================================================================

    /** Converts the one reply in b (fully buffered, produced by the engine) into a Lua value. */
    static LuaValue toLua(ByteBuf b) {
        byte t = b.readByte();
        switch (t) {
            case ':': return LuaValue.valueOf((double) readLong(b));
            case '$': {
                long n = readLong(b);
                if (n < 0) return LuaValue.FALSE;
                byte[] s = new byte[(int) n];
                b.readBytes(s);
                b.skipBytes(2);
                return LuaString.valueOf(s);
            }
            case '+': {
                LuaTable r = new LuaTable();
                r.rawset(OK, LuaString.valueOf(readLine(b)));
                return r;
            }
            case '-': {
                LuaTable r = LuaErrors.table("-" + new String(readLine(b), StandardCharsets.UTF_8));
                r.rawset(IGNORE_STATS, LuaValue.TRUE);
                return r;
            }
            case '*': {
                long n = readLong(b);
                if (n < 0) return LuaValue.FALSE;
                LuaTable r = new LuaTable((int) Math.min(n, 1 << 20), 0);
                for (int i = 1; i <= n; i++) r.rawset(i, toLua(b));
                return r;
            }
            case '%': {
                long n = readLong(b);
                LuaTable m = new LuaTable();
                for (long i = 0; i < n; i++) {
                    LuaValue k = toLua(b);
                    LuaValue v = toLua(b);
                    if (!k.isnil()) m.rawset(k, v);
                }
                LuaTable r = new LuaTable();
                r.rawset(MAP, m);
                return r;
            }
            case '~': {
                long n = readLong(b);
                LuaTable s = new LuaTable();
                for (long i = 0; i < n; i++) {
                    LuaValue k = toLua(b);
                    if (!k.isnil()) s.rawset(k, LuaValue.TRUE);
                }
                LuaTable r = new LuaTable();
                r.rawset(SET, s);
                return r;
            }
            case '_': b.skipBytes(2); return LuaValue.NIL;
            case '#': {
                boolean v = b.readByte() == 't';
                b.skipBytes(2);
                return LuaValue.valueOf(v);
            }
            case ',': {
                String s = new String(readLine(b), StandardCharsets.US_ASCII);
                double d = switch (s) {
                    case "inf" -> Double.POSITIVE_INFINITY;
                    case "-inf" -> Double.NEGATIVE_INFINITY;
                    case "nan", "-nan" -> Double.NaN;
                    default -> Double.parseDouble(s);
                };
                LuaTable r = new LuaTable();
                r.rawset(DOUBLE, LuaValue.valueOf(d));
                return r;
            }
            case '(': {
                LuaTable r = new LuaTable();
                r.rawset(BIG_NUMBER, LuaString.valueOf(readLine(b)));
                return r;
            }
            case '=': {
                long n = readLong(b);
                byte[] s = new byte[(int) n];
                b.readBytes(s);
                b.skipBytes(2);
                LuaTable v = new LuaTable();
                v.rawset(STRING, LuaString.valueOf(s, 4, s.length - 4));
                v.rawset(FORMAT, LuaString.valueOf(s, 0, 3));
                LuaTable r = new LuaTable();
                r.rawset(VERBATIM, v);
                return r;
            }
            case '|': {
                long n = readLong(b);
                for (long i = 0; i < 2 * n; i++) toLua(b);
                return toLua(b);
            }
            case '>': {  // a push message cannot be a command reply; read it as an array
                long n = readLong(b);
                LuaTable r = new LuaTable();
                for (int i = 1; i <= n; i++) r.rawset(i, toLua(b));
                return r;
            }
            default:
                throw new IllegalStateException("unexpected reply type byte " + t);
        }
    }

    private static byte[] readLine(ByteBuf b) {
        int i = b.indexOf(b.readerIndex(), b.writerIndex(), (byte) '\r');
        byte[] s = new byte[i - b.readerIndex()];
        b.readBytes(s);
        b.skipBytes(2);
        return s;
    }

    private static long readLong(ByteBuf b) {
        boolean neg = false;
        long v = 0;
        byte c = b.readByte();
        if (c == '-') neg = true;
        else v = c - '0';
        while ((c = b.readByte()) != '\r') v = v * 10 + (c - '0');
        b.skipBytes(1);
        return neg ? -v : v;
    }

    // =====================================================================================
    // Lua → RESP
    // =====================================================================================

    /** Replies v to c; scriptResp is the protocol the script selected with redis.setresp. */
    static void reply(Client c, int scriptResp, LuaValue v, int depth) {
        if (depth > MAX_DEPTH) {
            c.addError("ERR reached lua stack limit");
            return;
        }
        switch (v.type()) {
            case LuaValue.TSTRING: {
                LuaString s = v.checkstring();
                c.addBulk(s.m_bytes, s.m_offset, s.m_length);
                return;
            }
            case LuaValue.TBOOLEAN:
                if (scriptResp == 2) {
                    if (v.toboolean()) c.addLong(1); else c.addNull();
                } else {
                    c.addBool(v.toboolean());
                }
                return;
            case LuaValue.TNUMBER:
                c.addLong(toLongTruncated(v.todouble()));
                return;
            case LuaValue.TTABLE:
                replyTable(c, scriptResp, (LuaTable) v, depth);
                return;
            default:
                c.addNull();
        }
    }

    /** C's (long long) cast of a double as x86-64 does it: out of range and NaN give LLONG_MIN. */
    static long toLongTruncated(double d) {
        if (d != d || d >= 0x1p63 || d < -0x1p63) return Long.MIN_VALUE;
        return (long) d;
    }

    private static void replyTable(Client c, int scriptResp, LuaTable t, int depth) {
        LuaValue f = t.rawget(ERR);
        if (f.type() == LuaValue.TSTRING) {
            String msg = errorMessage(t);
            boolean ignoreStats = t.rawget(IGNORE_STATS).toboolean();
            replyError(c, msg, ignoreStats);
            return;
        }
        f = t.rawget(OK);
        if (f.type() == LuaValue.TSTRING) {
            c.addSimple(mapNewlines(bytes(f.checkstring())));
            return;
        }
        f = t.rawget(DOUBLE);
        if (f.type() == LuaValue.TNUMBER) {
            c.addDouble(f.todouble());
            return;
        }
        f = t.rawget(BIG_NUMBER);
        if (f.type() == LuaValue.TSTRING) {
            byte[] digits = mapNewlines(bytes(f.checkstring()));
            if (c.resp >= 3) {
                byte[] raw = new byte[digits.length + 3];
                raw[0] = '(';
                System.arraycopy(digits, 0, raw, 1, digits.length);
                raw[raw.length - 2] = '\r';
                raw[raw.length - 1] = '\n';
                c.addRaw(raw);
            } else {
                c.addBulk(digits);
            }
            return;
        }
        f = t.rawget(VERBATIM);
        if (f.type() == LuaValue.TTABLE) {
            LuaValue fmt = ((LuaTable) f).rawget(FORMAT);
            LuaValue str = ((LuaTable) f).rawget(STRING);
            if (fmt.type() == LuaValue.TSTRING && str.type() == LuaValue.TSTRING) {
                byte[] s = bytes(str.checkstring());
                if (c.resp >= 3) {
                    byte[] fb = bytes(fmt.checkstring());
                    byte[] len = Long.toString(s.length + 4L).getBytes(StandardCharsets.US_ASCII);
                    byte[] raw = new byte[1 + len.length + 2 + 4 + s.length + 2];
                    int p = 0;
                    raw[p++] = '=';
                    System.arraycopy(len, 0, raw, p, len.length);
                    p += len.length;
                    raw[p++] = '\r';
                    raw[p++] = '\n';
                    for (int i = 0; i < 3; i++) raw[p++] = i < fb.length ? fb[i] : (byte) ' ';
                    raw[p++] = ':';
                    System.arraycopy(s, 0, raw, p, s.length);
                    p += s.length;
                    raw[p++] = '\r';
                    raw[p] = '\n';
                    c.addRaw(raw);
                } else {
                    c.addBulk(s);
                }
                return;
            }
        }
        f = t.rawget(MAP);
        if (f.type() == LuaValue.TTABLE) {
            LuaTable m = (LuaTable) f;
            c.addMapLen(countEntries(m));
            LuaValue k = LuaValue.NIL;
            while (true) {
                Varargs n = m.next(k);
                if ((k = n.arg1()).isnil()) break;
                reply(c, scriptResp, k, depth + 1);
                reply(c, scriptResp, n.arg(2), depth + 1);
            }
            return;
        }
        f = t.rawget(SET);
        if (f.type() == LuaValue.TTABLE) {
            LuaTable s = (LuaTable) f;
            c.addSetLen(countEntries(s));
            LuaValue k = LuaValue.NIL;
            while (true) {
                Varargs n = s.next(k);
                if ((k = n.arg1()).isnil()) break;
                reply(c, scriptResp, k, depth + 1);
            }
            return;
        }
        int len = 0;
        while (!t.rawget(len + 1).isnil()) len++;
        c.addArrayLen(len);
        for (int i = 1; i <= len; i++) reply(c, scriptResp, t.rawget(i), depth + 1);
    }

    private static int countEntries(LuaTable t) {
        int n = 0;
        LuaValue k = LuaValue.NIL;
        while (true) {
            Varargs e = t.next(k);
            if ((k = e.arg1()).isnil()) return n;
            n++;
        }
    }

    /** The error text of an {err=...} table: "CODE message", never empty of a code. */
    static String errorMessage(LuaTable t) {
        LuaValue e = t.rawget(ERR);
        String s = e.isstring() ? e.tojstring() : "ERR unknown error";
        return s;
    }

    /** An error reply whose text came from a script; counted once (see ignore_error_stats_update). */
    static void replyError(Client c, String msg, boolean alreadyCounted) {
        String m = sanitizeError(msg);
        if (alreadyCounted) {
            c.errorsThisCommand++;
            c.addErrorUncounted(m);
        } else {
            c.addError(m);
        }
    }

    /** Redis's addReplyErrorLength: no newlines inside an error, and never an empty one. */
    static String sanitizeError(String msg) {
        if (msg.startsWith("-")) msg = msg.substring(1);
        int end = msg.length();
        while (end > 0 && (msg.charAt(end - 1) == '\r' || msg.charAt(end - 1) == '\n')) end--;
        msg = msg.substring(0, end);
        if (msg.indexOf('\r') >= 0 || msg.indexOf('\n') >= 0) msg = msg.replace('\r', ' ').replace('\n', ' ');
        return msg;
    }

    static byte[] bytes(LuaString s) {
        byte[] b = new byte[s.m_length];
        System.arraycopy(s.m_bytes, s.m_offset, b, 0, s.m_length);
        return b;
    }

    private static byte[] mapNewlines(byte[] b) {
        for (int i = 0; i < b.length; i++) if (b[i] == '\r' || b[i] == '\n') b[i] = ' ';
        return b;
    }
}

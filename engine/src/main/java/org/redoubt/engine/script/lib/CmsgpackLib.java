package org.redoubt.engine.script.lib;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.redoubt.engine.script.LockableTable;

/**
 * The "cmsgpack" library of Redis's Lua (lua-cmsgpack 0.4.0): pack(...), unpack(s),
 * unpack_one(s [, offset]), unpack_limit(s, limit [, offset]). Encoding follows lua-cmsgpack:
 * integral numbers as the smallest MessagePack integer, others as float32 when exact else
 * float64; strings as fixstr/str8/str16/str32; tables as arrays when their keys are exactly
 * 1..n, else maps; nesting deeper than 16 levels encodes nil.
 */
public final class CmsgpackLib {
    private CmsgpackLib() {}

    static final int MAX_NESTING = 16;

    public static LockableTable create() {
        LockableTable t = new LockableTable();
        t.rawset("pack", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                int n = a.narg();
                if (n == 0) throw new LuaError("MessagePack pack needs input.");
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (int i = 1; i <= n; i++) encode(a.arg(i), 0, out);
                return LuaString.valueOf(out.toByteArray());
            }
        });
        t.rawset("unpack", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                LuaString s = a.checkstring(1);
                Decoder d = new Decoder(s);
                List<LuaValue> vals = new ArrayList<>();
                while (d.p < d.end) vals.add(d.decode());
                return varargsOf(vals.toArray(new LuaValue[0]));
            }
        });
        t.rawset("unpack_one", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                return unpackLimit(a.checkstring(1), 1, a.optint(2, 0));
            }
        });
        t.rawset("unpack_limit", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                return unpackLimit(a.checkstring(1), a.checkint(2), a.optint(3, 0));
            }
        });
        t.rawset("_NAME", LuaValue.valueOf("cmsgpack"));
        t.rawset("_VERSION", LuaValue.valueOf("lua-cmsgpack 0.4.0"));
        return t;
    }

    private static Varargs unpackLimit(LuaString s, int limit, int offset) {
        if (offset < 0 || limit < 0) throw new LuaError("Invalid request to unpack with offset of " + offset + " and limit of " + limit + ".");
        if (offset > s.m_length) throw new LuaError("Start offset " + offset + " greater than input length " + s.m_length + ".");
        Decoder d = new Decoder(s);
        d.p += offset;
        List<LuaValue> vals = new ArrayList<>();
        vals.add(LuaValue.NIL);  // the offset, filled in below
        int cnt = 0;
        while (d.p < d.end && (limit == 0 || cnt < limit)) {
            vals.add(d.decode());
            cnt++;
        }
        int next = d.p < d.end ? d.p - s.m_offset : -1;
        vals.set(0, LuaValue.valueOf(next));
        return LuaValue.varargsOf(vals.toArray(new LuaValue[0]));
    }

    // =====================================================================================
    // Encoding
    // =====================================================================================

    static void encode(LuaValue v, int level, ByteArrayOutputStream out) {
        switch (v.type()) {
            case LuaValue.TSTRING: {
                LuaString s = v.checkstring();
                int len = s.m_length;
                if (len < 32) out.write(0xa0 | len);
                else if (len <= 0xff) {
                    out.write(0xd9);
                    out.write(len);
                } else if (len <= 0xffff) {
                    out.write(0xda);
                    be(out, len, 2);
                } else {
                    out.write(0xdb);
                    be(out, len, 4);
                }
                out.write(s.m_bytes, s.m_offset, len);
                return;
            }
            case LuaValue.TBOOLEAN:
                out.write(v.toboolean() ? 0xc3 : 0xc2);
                return;
            case LuaValue.TNUMBER:
                number(v.todouble(), out);
                return;
            case LuaValue.TTABLE:
                if (level == MAX_NESTING) {
                    out.write(0xc0);
                    return;
                }
                table((LuaTable) v, level, out);
                return;
            default:
                out.write(0xc0);
        }
    }

    private static void number(double n, ByteArrayOutputStream out) {
        if (n == (long) n && Math.abs(n) < 0x1p63 && !(n == 0 && 1 / n < 0)) {
            long i = (long) n;
            if (i >= 0) {
                if (i <= 127) out.write((int) i);
                else if (i <= 0xff) { out.write(0xcc); out.write((int) i); }
                else if (i <= 0xffff) { out.write(0xcd); be(out, i, 2); }
                else if (i <= 0xffffffffL) { out.write(0xce); be(out, i, 4); }
                else { out.write(0xcf); be(out, i, 8); }
            } else {
                if (i >= -32) out.write((int) (i & 0xff));
                else if (i >= -128) { out.write(0xd0); out.write((int) (i & 0xff)); }
                else if (i >= -32768) { out.write(0xd1); be(out, i, 2); }
                else if (i >= -2147483648L) { out.write(0xd2); be(out, i, 4); }
                else { out.write(0xd3); be(out, i, 8); }
            }
            return;
        }
        float f = (float) n;
        if (f == n) {
            out.write(0xca);
            be(out, Float.floatToIntBits(f) & 0xffffffffL, 4);
        } else {
            out.write(0xcb);
            be(out, Double.doubleToLongBits(n), 8);
        }
    }

    private static void table(LuaTable t, int level, ByteArrayOutputStream out) {
        int count = 0;
        long max = 0;
        boolean array = true;
        LuaValue k = LuaValue.NIL;
        while (true) {
            Varargs n = t.next(k);
            if ((k = n.arg1()).isnil()) break;
            count++;
            if (array) {
                if (k.type() == LuaValue.TNUMBER && k.todouble() > 0 && k.todouble() == Math.floor(k.todouble())) {
                    if (k.todouble() > max) max = (long) k.todouble();
                } else {
                    array = false;
                }
            }
        }
        if (array && max == count) {
            if (count <= 15) out.write(0x90 | count);
            else if (count <= 0xffff) { out.write(0xdc); be(out, count, 2); }
            else { out.write(0xdd); be(out, count, 4); }
            for (int i = 1; i <= count; i++) encode(t.rawget(i), level + 1, out);
            return;
        }
        if (count <= 15) out.write(0x80 | count);
        else if (count <= 0xffff) { out.write(0xde); be(out, count, 2); }
        else { out.write(0xdf); be(out, count, 4); }
        k = LuaValue.NIL;
        while (true) {
            Varargs n = t.next(k);
            if ((k = n.arg1()).isnil()) break;
            encode(k, level + 1, out);
            encode(n.arg(2), level + 1, out);
        }
    }

    private static void be(ByteArrayOutputStream out, long v, int n) {
        for (int i = n - 1; i >= 0; i--) out.write((int) (v >>> (8 * i)) & 0xff);
    }

    // =====================================================================================
    // Decoding
    // =====================================================================================

    private static final class Decoder {
        final byte[] b;
        final int end;
        int p;

        Decoder(LuaString s) {
            b = s.m_bytes;
            p = s.m_offset;
            end = s.m_offset + s.m_length;
        }

        private void need(int n) {
            if (p + n > end) throw new LuaError("Missing bytes in input.");
        }

        private long be(int n) {
            need(n);
            long v = 0;
            for (int i = 0; i < n; i++) v = (v << 8) | (b[p++] & 0xff);
            return v;
        }

        private LuaValue str(long len) {
            if (len < 0 || len > end - p) throw new LuaError("Missing bytes in input.");
            LuaString s = LuaString.valueOf(java.util.Arrays.copyOfRange(b, p, p + (int) len));
            p += (int) len;
            return s;
        }

        private LuaValue array(long n) {
            LuaTable t = new LuaTable();
            for (int i = 1; i <= n; i++) t.rawset(i, decode());
            return t;
        }

        private LuaValue map(long n) {
            LuaTable t = new LuaTable();
            for (long i = 0; i < n; i++) {
                LuaValue k = decode();
                LuaValue v = decode();
                if (!k.isnil()) t.rawset(k, v);
            }
            return t;
        }

        LuaValue decode() {
            need(1);
            int c = b[p++] & 0xff;
            if (c <= 0x7f) return LuaValue.valueOf(c);
            if (c >= 0xe0) return LuaValue.valueOf((byte) c);
            if ((c & 0xe0) == 0xa0) return str(c & 0x1f);
            if ((c & 0xf0) == 0x90) return array(c & 0x0f);
            if ((c & 0xf0) == 0x80) return map(c & 0x0f);
            switch (c) {
                case 0xc0: return LuaValue.NIL;
                case 0xc2: return LuaValue.FALSE;
                case 0xc3: return LuaValue.TRUE;
                case 0xc4: case 0xd9: return str(be(1));
                case 0xc5: case 0xda: return str(be(2));
                case 0xc6: case 0xdb: return str(be(4));
                case 0xca: return LuaValue.valueOf(Float.intBitsToFloat((int) be(4)));
                case 0xcb: return LuaValue.valueOf(Double.longBitsToDouble(be(8)));
                case 0xcc: return LuaValue.valueOf((double) be(1));
                case 0xcd: return LuaValue.valueOf((double) be(2));
                case 0xce: return LuaValue.valueOf((double) be(4));
                case 0xcf: {
                    long v = be(8);
                    return LuaValue.valueOf(v >= 0 ? (double) v : (double) (v >>> 1) * 2.0 + (v & 1));
                }
                case 0xd0: return LuaValue.valueOf((double) (byte) be(1));
                case 0xd1: return LuaValue.valueOf((double) (short) be(2));
                case 0xd2: return LuaValue.valueOf((double) (int) be(4));
                case 0xd3: return LuaValue.valueOf((double) be(8));
                case 0xdc: return array(be(2));
                case 0xdd: return array(be(4));
                case 0xde: return map(be(2));
                case 0xdf: return map(be(4));
                default: throw new LuaError("Bad data format in input.");
            }
        }
    }
}

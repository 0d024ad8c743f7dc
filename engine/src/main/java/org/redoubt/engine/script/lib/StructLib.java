package org.redoubt.engine.script.lib;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.redoubt.engine.script.LockableTable;

/**
 * The "struct" library of Redis's Lua (Roberto Ierusalimschy's struct 0.2 as Redis ships it):
 * pack(fmt, ...), unpack(fmt, s [, pos]), size(fmt), with the sizes of x86-64 Linux (short 2,
 * int 4, long 8, size_t 8), native little endian by default and alignment 1 unless '!' says
 * otherwise. Options: &lt; &gt; ! x b B h H l L T i[n] I[n] f d c[n] s and blanks.
 */
public final class StructLib {
    private StructLib() {}

    private static final int MAXINTSIZE = 32, MAXALIGN = 8;

    public static LockableTable create() {
        LockableTable t = new LockableTable();
        t.rawset("pack", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) { return pack(a); }
        });
        t.rawset("unpack", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) { return unpack(a); }
        });
        t.rawset("size", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) { return size(a); }
        });
        return t;
    }

    private static final class Fmt {
        final byte[] f;
        int p;
        boolean little = true;
        int align = 1;

        Fmt(LuaString s) {
            f = new byte[s.m_length];
            System.arraycopy(s.m_bytes, s.m_offset, f, 0, s.m_length);
        }

        boolean more() { return p < f.length && f[p] != 0; }

        int num(int df) {
            if (p >= f.length || !Character.isDigit(f[p])) return df;
            long a = 0;
            do {
                a = a * 10 + (f[p++] - '0');
                if (a > Integer.MAX_VALUE) throw new LuaError("integral size overflow");
            } while (p < f.length && Character.isDigit(f[p]));
            return (int) a;
        }

        int optsize(int opt) {
            switch (opt) {
                case 'B': case 'b': case 'x': return 1;
                case 'H': case 'h': return 2;
                case 'L': case 'l': case 'T': case 'd': return 8;
                case 'f': return 4;
                case 'c': return num(1);
                case 'i': case 'I': {
                    int sz = num(4);
                    if (sz > MAXINTSIZE) throw new LuaError("integral size " + sz + " is larger than limit of " + MAXINTSIZE);
                    return sz;
                }
                default: return 0;
            }
        }

        int toalign(long len, int opt, int size) {
            if (size == 0 || opt == 'c') return 0;
            if (size > align) size = align;
            return (int) ((size - (len & (size - 1))) & (size - 1));
        }

        void control(int opt) {
            switch (opt) {
                case ' ': return;
                case '>': little = false; return;
                case '<': little = true; return;
                case '!': {
                    int a = num(MAXALIGN);
                    if (a <= 0 || (a & (a - 1)) != 0) throw new LuaError("alignment " + a + " is not a power of 2");
                    align = a;
                    return;
                }
                default:
                    throw new LuaError("bad argument #1 to 'pack' (invalid format option '" + (char) opt + "')");
            }
        }
    }

    private static void putInt(ByteArrayOutputStream out, double n, boolean little, int size) {
        long value = n < 0 ? (long) n : (n >= 0x1p63 ? (long) (n - 0x1p64) : (long) n);
        byte[] buf = new byte[size];
        for (int i = 0; i < size; i++) {
            int idx = little ? i : size - 1 - i;
            buf[idx] = i < 8 ? (byte) (value >>> (8 * i)) : (byte) (value < 0 ? 0xff : 0);
        }
        out.write(buf, 0, size);
    }

    private static Varargs pack(Varargs a) {
        Fmt f = new Fmt(a.checkstring(1));
        int arg = 2;
        long total = 0;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (f.more()) {
            int opt = f.f[f.p++];
            int size = f.optsize(opt);
            int pad = f.toalign(total, opt, size);
            total += pad;
            while (pad-- > 0) out.write(0);
            switch (opt) {
                case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
                    putInt(out, a.checkdouble(arg++), f.little, size);
                    break;
                case 'x':
                    out.write(0);
                    break;
                case 'f': {
                    int bits = Float.floatToIntBits((float) a.checkdouble(arg++));
                    for (int i = 0; i < 4; i++) out.write(f.little ? bits >>> (8 * i) : bits >>> (8 * (3 - i)));
                    break;
                }
                case 'd': {
                    long bits = Double.doubleToLongBits(a.checkdouble(arg++));
                    for (int i = 0; i < 8; i++) out.write((int) (f.little ? bits >>> (8 * i) : bits >>> (8 * (7 - i))));
                    break;
                }
                case 'c': case 's': {
                    LuaString s = a.checkstring(arg++);
                    int l = s.m_length;
                    if (size == 0 || opt == 's') size = opt == 's' ? l : (size == 0 ? l : size);
                    if (l < size) throw new LuaError("bad argument #" + arg + " to 'pack' (string too short)");
                    out.write(s.m_bytes, s.m_offset, size);
                    if (opt == 's') {
                        out.write(0);
                        size++;
                    }
                    break;
                }
                default:
                    f.control(opt);
            }
            total += size;
        }
        return LuaString.valueOf(out.toByteArray());
    }

    private static double getInt(byte[] d, int pos, boolean little, boolean signed, int size) {
        long l = 0;
        for (int i = 0; i < size; i++) {
            int idx = little ? size - 1 - i : i;
            l = (l << 8) | (d[pos + idx] & 0xff);
        }
        if (!signed) {
            if (size >= 8 && l < 0) return (double) (l >>> 1) * 2.0 + (l & 1);
            return (double) l;
        }
        if (size < 8) {
            long mask = -1L << (size * 8 - 1);
            if ((l & mask) != 0) l |= mask;
        }
        return (double) l;
    }

    private static Varargs unpack(Varargs a) {
        Fmt f = new Fmt(a.checkstring(1));
        LuaString ds = a.checkstring(2);
        byte[] data = new byte[ds.m_length];
        System.arraycopy(ds.m_bytes, ds.m_offset, data, 0, ds.m_length);
        int ld = data.length;
        long pos = a.optlong(3, 1);
        if (pos <= 0) throw new LuaError("bad argument #3 to 'unpack' (offset must be 1 or greater)");
        pos--;
        List<LuaValue> res = new ArrayList<>();
        while (f.more()) {
            int opt = f.f[f.p++];
            int size = f.optsize(opt);
            pos += f.toalign(pos, opt, size);
            if (!(size <= ld && pos <= ld - size)) throw new LuaError("bad argument #2 to 'unpack' (data string too short)");
            int ip = (int) pos;
            switch (opt) {
                case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
                    res.add(LuaValue.valueOf(getInt(data, ip, f.little, Character.isLowerCase(opt), size)));
                    break;
                case 'x':
                    break;
                case 'f': {
                    int bits = (int) (long) getInt(data, ip, f.little, false, 4);
                    res.add(LuaValue.valueOf(Float.intBitsToFloat(bits)));
                    break;
                }
                case 'd': {
                    long bits = 0;
                    for (int i = 0; i < 8; i++) {
                        int idx = f.little ? 7 - i : i;
                        bits = (bits << 8) | (data[ip + idx] & 0xff);
                    }
                    res.add(LuaValue.valueOf(Double.longBitsToDouble(bits)));
                    break;
                }
                case 'c': {
                    if (size == 0) {
                        if (res.isEmpty() || !res.get(res.size() - 1).isnumber()) throw new LuaError("format 'c0' needs a previous size");
                        size = (int) res.remove(res.size() - 1).todouble();
                        if (!(size <= ld && pos <= ld - size)) throw new LuaError("bad argument #2 to 'unpack' (data string too short)");
                    }
                    res.add(LuaString.valueOf(data, ip, size));
                    break;
                }
                case 's': {
                    int e = ip;
                    while (e < ld && data[e] != 0) e++;
                    if (e >= ld) throw new LuaError("unfinished string in data");
                    size = e - ip + 1;
                    res.add(LuaString.valueOf(data, ip, e - ip));
                    break;
                }
                default:
                    f.control(opt);
            }
            pos += size;
        }
        res.add(LuaValue.valueOf(pos + 1));
        return LuaValue.varargsOf(res.toArray(new LuaValue[0]));
    }

    private static Varargs size(Varargs a) {
        Fmt f = new Fmt(a.checkstring(1));
        long pos = 0;
        while (f.more()) {
            int opt = f.f[f.p++];
            int size = f.optsize(opt);
            pos += f.toalign(pos, opt, size);
            if (opt == 's') throw new LuaError("bad argument #1 to 'size' (options 's' has no fixed size)");
            if (opt == 'c' && size == 0) throw new LuaError("bad argument #1 to 'size' (options 'c0' has no fixed size)");
            if (size == 0 && opt != 'x' && opt != 'c') f.control(opt);
            pos += size;
        }
        return LuaValue.valueOf(pos);
    }
}

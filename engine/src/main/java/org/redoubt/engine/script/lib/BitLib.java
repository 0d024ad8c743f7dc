package org.redoubt.engine.script.lib;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.redoubt.engine.script.LockableTable;

/**
 * The "bit" library of Redis's Lua (LuaBitOp 1.0): 32-bit operations on numbers, results as
 * signed 32-bit integers. Arguments are reduced modulo 2^32 after rounding to the nearest
 * integer, as LuaBitOp's double-to-int conversion does.
 */
public final class BitLib {
    private BitLib() {}

    private static final int TOBIT = 0, BNOT = 1, BAND = 2, BOR = 3, BXOR = 4, LSHIFT = 5, RSHIFT = 6,
        ARSHIFT = 7, ROL = 8, ROR = 9, BSWAP = 10, TOHEX = 11;
    private static final String[] NAMES = {"tobit", "bnot", "band", "bor", "bxor", "lshift", "rshift",
        "arshift", "rol", "ror", "bswap", "tohex"};

    public static LockableTable create() {
        LockableTable t = new LockableTable();
        for (int i = 0; i < NAMES.length; i++) t.rawset(NAMES[i], new Op(i, NAMES[i]));
        return t;
    }

    static int toInt(Varargs a, int i, String fname) {
        LuaValue v = a.arg(i);
        if (!v.isnumber()) {
            throw new LuaError("bad argument #" + i + " to '" + fname + "' (number expected, got "
                + (v.isnil() ? "no value" : v.typename()) + ")");
        }
        double d = v.todouble();
        d = Math.rint(d);
        if (Math.abs(d) < 0x1p63) return (int) (long) d;
        // Beyond 2^63 only the low bits of the exact integer matter.
        return new java.math.BigDecimal(d).toBigInteger().intValue();
    }

    private static final class Op extends VarArgFunction {
        private final int op;
        private final String fname;

        Op(int op, String fname) {
            this.op = op;
            this.fname = fname;
        }

        @Override
        public Varargs invoke(Varargs a) {
            int x = toInt(a, 1, fname);
            switch (op) {
                case TOBIT: return valueOf(x);
                case BNOT: return valueOf(~x);
                case BAND: for (int i = 2; i <= a.narg(); i++) x &= toInt(a, i, fname); return valueOf(x);
                case BOR: for (int i = 2; i <= a.narg(); i++) x |= toInt(a, i, fname); return valueOf(x);
                case BXOR: for (int i = 2; i <= a.narg(); i++) x ^= toInt(a, i, fname); return valueOf(x);
                case LSHIFT: return valueOf(x << (toInt(a, 2, fname) & 31));
                case RSHIFT: return valueOf(x >>> (toInt(a, 2, fname) & 31));
                case ARSHIFT: return valueOf(x >> (toInt(a, 2, fname) & 31));
                case ROL: return valueOf(Integer.rotateLeft(x, toInt(a, 2, fname) & 31));
                case ROR: return valueOf(Integer.rotateRight(x, toInt(a, 2, fname) & 31));
                case BSWAP: return valueOf(Integer.reverseBytes(x));
                case TOHEX: {
                    int n = a.isnoneornil(2) ? 8 : toInt(a, 2, fname);
                    boolean upper = n < 0;
                    if (upper) n = -n;
                    if (n > 8) n = 8;
                    String hex = String.format(upper ? "%08X" : "%08x", x);
                    return valueOf(hex.substring(8 - n));
                }
                default: throw new IllegalStateException();
            }
        }
    }
}

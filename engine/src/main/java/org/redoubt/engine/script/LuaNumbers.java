package org.redoubt.engine.script;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import org.luaj.vm2.LuaDouble;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;

/**
 * Number to text as Lua 5.1 does it ({@code LUAI_NUMFFORMAT "%.14g"}), which LuaJ does not: its
 * LuaDouble prints {@code Float.toString} ("3.0E-4", and "Infinity" for 1e100). Every place we
 * control (tostring, table.concat, cjson, struct...) formats through here.
 */
public final class LuaNumbers {
    private LuaNumbers() {}

    private static final MathContext[] MC = new MathContext[18];

    static {
        for (int i = 1; i < MC.length; i++) MC[i] = new MathContext(i, RoundingMode.HALF_EVEN);
    }

    /** C's {@code printf("%.<prec>g", d)} with glibc's spelling of specials (inf, -inf, nan, -nan). */
    public static String formatG(double d, int prec) {
        if (d != d) return Double.doubleToRawLongBits(d) < 0 ? "-nan" : "nan";
        if (d == Double.POSITIVE_INFINITY) return "inf";
        if (d == Double.NEGATIVE_INFINITY) return "-inf";
        if (d == 0) return (1 / d < 0) ? "-0" : "0";
        if (prec < 1) prec = 1;
        if (prec > 17) prec = 17;
        // Integral values that fit in prec digits print exactly, without exponent.
        if (d == (long) d) {
            long l = (long) d;
            long abs = l < 0 ? -l : l;
            if (abs >= 0 && Long.toString(abs).length() <= prec) return Long.toString(l);
        }
        BigDecimal bd = new BigDecimal(d).round(MC[prec]);
        int x = bd.precision() - bd.scale() - 1;
        if (x < -4 || x >= prec) {
            BigDecimal stripped = bd.stripTrailingZeros();
            String digits = stripped.unscaledValue().abs().toString();
            StringBuilder sb = new StringBuilder(24);
            if (bd.signum() < 0) sb.append('-');
            sb.append(digits.charAt(0));
            if (digits.length() > 1) sb.append('.').append(digits, 1, digits.length());
            sb.append('e').append(x < 0 ? '-' : '+');
            int ax = Math.abs(x);
            if (ax < 10) sb.append('0');
            sb.append(ax);
            return sb.toString();
        }
        return bd.stripTrailingZeros().toPlainString();
    }

    /** Lua 5.1's tostring for a number. */
    public static String toLuaString(double d) {
        return formatG(d, 14);
    }

    /** A value as Lua 5.1 coerces it to a string (numbers with %.14g), or null for other types. */
    public static LuaString coerceToString(LuaValue v) {
        if (v.type() == LuaValue.TNUMBER) {
            if (v.isinttype()) return LuaString.valueOf(Integer.toString(v.toint()));
            return LuaString.valueOf(toLuaString(v.todouble()));
        }
        if (v.type() == LuaValue.TSTRING) return v.strvalue();
        return null;
    }

    /** True for a LuaJ double that is not integral (LuaJ keeps small integers as LuaInteger). */
    static boolean isFractional(LuaValue v) {
        return v instanceof LuaDouble && v.todouble() != Math.rint(v.todouble());
    }
}

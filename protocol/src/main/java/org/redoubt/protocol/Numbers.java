package org.redoubt.protocol;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * Number parsing and formatting with the exact acceptance rules and output of Redis 7.0.
 *
 * <ul>
 *   <li>{@link #parseLong} / {@link #isLong}: Redis {@code string2ll} rules (no '+', no leading
 *       zeros except "0", no "-0", no blanks, at most 20 characters, 64-bit overflow rejected).</li>
 *   <li>{@link #parseDouble}: Redis {@code string2d} rules (C {@code strtod} grammar including
 *       hexadecimal floats and "inf"/"infinity" in any case, no leading or trailing blanks, NaN
 *       rejected, overflow and underflow-to-zero rejected).</li>
 *   <li>{@link #formatDouble}: the {@code %.17g} text Redis 7.0 replies with for doubles
 *       (ZSCORE, ZINCRBY, RESP2 double replies...).</li>
 *   <li>{@link #d2string}: Redis {@code d2string} (integers printed as integers up to 2^62).</li>
 *   <li>{@link LongDouble}: the x87 80-bit {@code long double} arithmetic and the "human"
 *       {@code %.17Lf} formatting used by INCRBYFLOAT and HINCRBYFLOAT.</li>
 * </ul>
 * All methods are thread-safe and never throw for bad input.
 */
public final class Numbers {
    private Numbers() {}

    /** Strings of this length or longer are never valid 64-bit integers (Redis LONG_STR_SIZE). */
    public static final int LONG_STR_SIZE = 21;
    /** Sentinel returned by {@link #parseLong} for invalid input (check {@link #isLong} if needed). */
    public static final long NOT_A_LONG = Long.MIN_VALUE;
    /** Longest string accepted as a long double (Redis MAX_LONG_DOUBLE_CHARS is 5*1024, exclusive). */
    public static final int MAX_LONG_DOUBLE_CHARS = 5 * 1024;

    private static final long ULLONG_MAX_DIV_10 = Long.divideUnsigned(-1L, 10);

    // ------------------------------------------------------------------ integers

    /**
     * Parses {@code b[off, off+len)} with string2ll rules into {@code out[0]}.
     * @return true when valid; {@code out} is untouched otherwise
     */
    public static boolean tryParseLong(byte[] b, int off, int len, long[] out) {
        if (len == 0 || len >= LONG_STR_SIZE) return false;
        int i = off;
        final int end = off + len;
        if (len == 1 && b[i] == '0') {
            out[0] = 0;
            return true;
        }
        boolean negative = false;
        if (b[i] == '-') {
            negative = true;
            if (++i == end) return false;
        }
        int c = b[i] - '0';
        if (c < 1 || c > 9) return false;
        long v = c;
        i++;
        while (i < end) {
            c = b[i] - '0';
            if (c < 0 || c > 9) return false;
            if (Long.compareUnsigned(v, ULLONG_MAX_DIV_10) > 0) return false;
            v *= 10;
            if (Long.compareUnsigned(v, -1L - c) > 0) return false;
            v += c;
            i++;
        }
        if (negative) {
            if (Long.compareUnsigned(v, Long.MIN_VALUE) > 0) return false;
            out[0] = -v;
        } else {
            if (v < 0) return false;
            out[0] = v;
        }
        return true;
    }

    /**
     * Parses with string2ll rules; returns {@link #NOT_A_LONG} (= Long.MIN_VALUE) for invalid
     * input. Since Long.MIN_VALUE is also a valid value, callers that must distinguish it call
     * {@link #isLong} when the sentinel comes back.
     */
    public static long parseLong(byte[] b, int off, int len) {
        // Inline fast path of tryParseLong without the holder.
        if (len == 0 || len >= LONG_STR_SIZE) return NOT_A_LONG;
        int i = off;
        final int end = off + len;
        boolean negative = false;
        if (b[i] == '-') {
            negative = true;
            if (++i == end) return NOT_A_LONG;
        } else if (len == 1 && b[i] == '0') {
            return 0;
        }
        int c = b[i] - '0';
        if (c < 1 || c > 9) return NOT_A_LONG;
        long v = c;
        i++;
        while (i < end) {
            c = b[i] - '0';
            if (c < 0 || c > 9) return NOT_A_LONG;
            if (Long.compareUnsigned(v, ULLONG_MAX_DIV_10) > 0) return NOT_A_LONG;
            v *= 10;
            if (Long.compareUnsigned(v, -1L - c) > 0) return NOT_A_LONG;
            v += c;
            i++;
        }
        if (negative) {
            if (Long.compareUnsigned(v, Long.MIN_VALUE) > 0) return NOT_A_LONG;
            return -v;
        }
        return v < 0 ? NOT_A_LONG : v;
    }

    public static long parseLong(byte[] b) {
        return parseLong(b, 0, b.length);
    }

    public static boolean isLong(byte[] b, int off, int len) {
        long v = parseLong(b, off, len);
        if (v != NOT_A_LONG) return true;
        // The sentinel doubles as a real value: only "-9223372036854775808" produces it validly.
        return len == 20 && b[off] == '-' && matches(b, off, MIN_LONG_BYTES);
    }

    public static boolean isLong(byte[] b) {
        return isLong(b, 0, b.length);
    }

    private static final byte[] MIN_LONG_BYTES = "-9223372036854775808".getBytes(StandardCharsets.US_ASCII);

    private static boolean matches(byte[] b, int off, byte[] expect) {
        for (int k = 0; k < expect.length; k++) if (b[off + k] != expect[k]) return false;
        return true;
    }

    /** Number of characters of the decimal representation of v (with '-' when negative). */
    public static int stringSize(long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) return 20;
            return 1 + digits10(-v);
        }
        return digits10(v);
    }

    /** Number of decimal digits of a non-negative value. */
    static int digits10(long v) {
        if (v < 10) return 1;
        if (v < 100) return 2;
        if (v < 1000) return 3;
        if (v < 1_000_000_000_000L) {
            if (v < 100_000_000L) {
                if (v < 1_000_000) return v < 10_000 ? 4 : (v < 100_000 ? 5 : 6);
                return v < 10_000_000 ? 7 : 8;
            }
            if (v < 10_000_000_000L) return v < 1_000_000_000L ? 9 : 10;
            return v < 100_000_000_000L ? 11 : 12;
        }
        int n = 13;
        long p = 10_000_000_000_000L;
        while (n < 19 && v >= p) {
            p *= 10;
            n++;
        }
        return n;
    }

    /** Writes the decimal digits of v ending just before {@code end}; returns the start index. */
    static int putLongBackwards(byte[] dst, int end, long v) {
        int p = end;
        boolean neg = v < 0;
        if (!neg) v = -v; // work with negatives so that Long.MIN_VALUE is representable
        do {
            long q = v / 10;
            dst[--p] = (byte) ('0' + (q * 10 - v));
            v = q;
        } while (v != 0);
        if (neg) dst[--p] = '-';
        return p;
    }

    /** The ASCII decimal representation of v (Redis ll2string). */
    public static byte[] longToBytes(long v) {
        if (v >= 0 && v < SMALL.length) return SMALL[(int) v].clone();
        byte[] out = new byte[stringSize(v)];
        putLongBackwards(out, out.length, v);
        return out;
    }

    private static final byte[][] SMALL = new byte[100][];

    static {
        for (int i = 0; i < SMALL.length; i++) SMALL[i] = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
    }

    // ------------------------------------------------------------------ doubles: parsing

    /** Result of scanning a strtod-grammar number. */
    private static final int K_INVALID = 0, K_INF = 1, K_DEC = 2, K_HEX = 3;

    /**
     * Scans b[off,off+len) as a complete C strtod() number with no blanks anywhere.
     * On success fills {@code sc} and returns the kind; NaN forms return K_INVALID.
     */
    private static int scan(byte[] b, int off, int len, Scan sc) {
        if (len <= 0) return K_INVALID;
        int i = off;
        final int end = off + len;
        sc.negative = false;
        if (b[i] == '+' || b[i] == '-') {
            sc.negative = b[i] == '-';
            i++;
        }
        if (i >= end) return K_INVALID;
        int c = b[i] | 0x20;
        if (c == 'i') {
            if (!ci(b, i, end, "inf")) return K_INVALID;
            i += 3;
            if (i == end) return K_INF;
            return (end - i == 5 && ci(b, i, end, "inity")) ? K_INF : K_INVALID;
        }
        if (c == 'n') return K_INVALID; // "nan" and "nan(...)" are parsed by strtod but rejected
        boolean hex = false;
        if (b[i] == '0' && i + 1 < end && (b[i + 1] | 0x20) == 'x') {
            // strtod only takes the hex form when a hex digit follows (possibly after '.');
            // otherwise it parses "0" and stops at 'x', which leaves trailing characters.
            int j = i + 2;
            if (j < end && b[j] == '.') j++;
            if (j < end && hexValue(b[j]) >= 0) hex = true;
            else return K_INVALID;
            i += 2;
        }
        sc.digitsStart = i;
        int digits = 0, fracDigits = 0;
        boolean nonZero = false, seenPoint = false;
        sc.pointIndex = -1;
        for (; i < end; i++) {
            byte ch = b[i];
            if (ch == '.') {
                if (seenPoint) break;
                seenPoint = true;
                sc.pointIndex = i;
                continue;
            }
            int d = hex ? hexValue(ch) : (ch >= '0' && ch <= '9' ? ch - '0' : -1);
            if (d < 0) break;
            digits++;
            if (seenPoint) fracDigits++;
            if (d != 0) nonZero = true;
        }
        if (digits == 0) return K_INVALID;
        sc.digitsEnd = i;
        sc.fracDigits = fracDigits;
        sc.nonZero = nonZero;
        sc.exponent = 0;
        if (i < end) {
            int e = b[i] | 0x20;
            if (e != (hex ? 'p' : 'e')) return K_INVALID;
            i++;
            boolean expNeg = false;
            if (i < end && (b[i] == '+' || b[i] == '-')) {
                expNeg = b[i] == '-';
                i++;
            }
            if (i >= end) return K_INVALID;
            long exp = 0;
            for (; i < end; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) return K_INVALID; // exponent not fully valid: trailing garbage
                exp = Math.min(exp * 10 + d, 1_000_000_000L);
            }
            sc.exponent = expNeg ? -exp : exp;
        }
        return hex ? K_HEX : K_DEC;
    }

    private static final class Scan {
        boolean negative, nonZero;
        int digitsStart, digitsEnd, pointIndex, fracDigits;
        long exponent;
    }

    private static boolean ci(byte[] b, int i, int end, String word) {
        if (end - i < word.length()) return false;
        for (int k = 0; k < word.length(); k++) if ((b[i + k] | 0x20) != word.charAt(k)) return false;
        return true;
    }

    private static int hexValue(int ch) {
        if (ch >= '0' && ch <= '9') return ch - '0';
        int l = ch | 0x20;
        if (l >= 'a' && l <= 'f') return l - 'a' + 10;
        return -1;
    }

    /**
     * Parses like Redis string2d (used for ZADD scores, INCRBYFLOAT-free double arguments, ...).
     * @return the value, or {@code Double.NaN} when Redis would reject the string (NaN is never
     *         a valid result, so it is an unambiguous sentinel)
     */
    public static double parseDouble(byte[] b, int off, int len) {
        Scan sc = new Scan();
        int kind = scan(b, off, len, sc);
        switch (kind) {
            case K_INF:
                return sc.negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            case K_DEC: {
                // Validated against the strtod grammar, which Java's decimal grammar accepts too.
                double v = fastDecimal(b, sc);
                if (v != v) v = Double.parseDouble(new String(b, off, len, StandardCharsets.ISO_8859_1));
                return checkRange(v, sc);
            }
            case K_HEX: {
                StringBuilder s = new StringBuilder(len + 8);
                if (sc.negative) s.append('-');
                s.append("0x");
                for (int i = sc.digitsStart; i < sc.digitsEnd; i++) s.append((char) b[i]);
                s.append('p').append(sc.exponent);
                return checkRange(Double.parseDouble(s.toString()), sc);
            }
            default:
                return Double.NaN;
        }
    }

    public static double parseDouble(byte[] b) {
        return parseDouble(b, 0, b.length);
    }

    public static boolean isDouble(byte[] b) {
        return !Double.isNaN(parseDouble(b, 0, b.length));
    }

    private static double checkRange(double v, Scan sc) {
        if (Double.isInfinite(v)) return Double.NaN;   // overflow: ERANGE with HUGE_VAL
        if (v == 0 && sc.nonZero) return Double.NaN;   // underflow to zero: ERANGE
        return v;
    }

    private static final double[] POW10 = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    /**
     * Exact fast path: at most 15 significant digits and a small power of ten means one correctly
     * rounded IEEE operation gives the correctly rounded result. NaN when not applicable.
     */
    private static double fastDecimal(byte[] b, Scan sc) {
        long m = 0;
        int digits = 0;
        for (int i = sc.digitsStart; i < sc.digitsEnd; i++) {
            byte ch = b[i];
            if (ch == '.') continue;
            if (digits == 0 && ch == '0') continue;
            if (++digits > 15) return Double.NaN;
            m = m * 10 + (ch - '0');
        }
        long e10 = sc.exponent - sc.fracDigits;
        double v;
        if (m == 0) v = 0;
        else if (e10 >= 0 && e10 <= 22) v = m * POW10[(int) e10];
        else if (e10 < 0 && e10 >= -22) v = m / POW10[(int) -e10];
        else return Double.NaN;
        return sc.negative ? -v : v;
    }

    // ------------------------------------------------------------------ doubles: formatting

    private static final MathContext MC17 = new MathContext(17, RoundingMode.HALF_EVEN);

    /**
     * The text C's {@code printf("%.17g")} (glibc) produces, which is what Redis 7.0 replies for
     * doubles: "3", "1.5", "0.10000000000000001", "1e+20", "1.0000000000000001e-05", "inf",
     * "-inf", "nan", "-0".
     */
    public static String formatDouble(double d) {
        if (d != d) return Double.doubleToRawLongBits(d) < 0 ? "-nan" : "nan";
        if (d == Double.POSITIVE_INFINITY) return "inf";
        if (d == Double.NEGATIVE_INFINITY) return "-inf";
        if (d == 0) return (1 / d < 0) ? "-0" : "0";
        if (Math.abs(d) < 1e17 && d == (long) d) {
            // Integral with at most 17 digits: %.17g prints it exactly, without exponent.
            return Long.toString((long) d);
        }
        BigDecimal bd = new BigDecimal(d).round(MC17);
        int x = bd.precision() - bd.scale() - 1; // decimal exponent after rounding
        if (x < -4 || x >= 17) {
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

    /** ASCII bytes of {@link #formatDouble}. */
    public static byte[] formatDoubleBytes(double d) {
        return formatDouble(d).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Redis {@code d2string}: "nan", "inf"/"-inf", "0"/"-0", integers in [-2^62, 2^62] without
     * exponent, otherwise %.17g.
     */
    public static String d2string(double d) {
        if (d != d) return "nan";
        if (d == 0) return (1 / d < 0) ? "-0" : "0";
        if (d >= -0x1p62 && d <= 0x1p62 && d == (long) d) return Long.toString((long) d);
        return formatDouble(d);
    }

    // ------------------------------------------------------------------ long double

    /**
     * An x87 80-bit extended precision value (64-bit significand, binary exponent range of
     * glibc's {@code long double} on x86-64, subnormals included) emulated exactly, as used by
     * Redis for INCRBYFLOAT and HINCRBYFLOAT. Immutable.
     */
    public static final class LongDouble {
        private static final int MIN_LSB_EXP = -16445;  // weight of the last bit of the smallest subnormal
        private static final int MAX_LSB_EXP = 16383 - 63;
        private static final int KIND_FINITE = 0, KIND_POS_INF = 1, KIND_NEG_INF = 2, KIND_NAN = 3;

        public static final LongDouble ZERO = new LongDouble(KIND_FINITE, BigDecimal.ZERO);
        public static final LongDouble POSITIVE_INFINITY = new LongDouble(KIND_POS_INF, null);
        public static final LongDouble NEGATIVE_INFINITY = new LongDouble(KIND_NEG_INF, null);
        public static final LongDouble NaN = new LongDouble(KIND_NAN, null);

        private final int kind;
        private final BigDecimal value; // exact value when finite

        private LongDouble(int kind, BigDecimal value) {
            this.kind = kind;
            this.value = value;
        }

        /** Exact conversion (every long fits the 64-bit significand). */
        public static LongDouble of(long v) {
            return v == 0 ? ZERO : new LongDouble(KIND_FINITE, BigDecimal.valueOf(v));
        }

        /** Conversion of a double (exact). */
        public static LongDouble of(double d) {
            if (d != d) return NaN;
            if (Double.isInfinite(d)) return d > 0 ? POSITIVE_INFINITY : NEGATIVE_INFINITY;
            return d == 0 ? ZERO : new LongDouble(KIND_FINITE, new BigDecimal(d));
        }

        /**
         * Parses like Redis string2ld (strtold): same grammar as {@link Numbers#parseDouble},
         * at most {@link Numbers#MAX_LONG_DOUBLE_CHARS}-1 characters, "inf" accepted, NaN,
         * overflow and underflow-to-zero rejected.
         * @return the value, or null when Redis would reply "value is not a valid float"
         */
        public static LongDouble parse(byte[] b, int off, int len) {
            if (len == 0 || len >= MAX_LONG_DOUBLE_CHARS) return null;
            Scan sc = new Scan();
            int kind = scan(b, off, len, sc);
            if (kind == K_INVALID) return null;
            if (kind == K_INF) return sc.negative ? NEGATIVE_INFINITY : POSITIVE_INFINITY;
            if (!sc.nonZero) return ZERO;
            // Collect the significant digits.
            StringBuilder digits = new StringBuilder(sc.digitsEnd - sc.digitsStart);
            for (int i = sc.digitsStart; i < sc.digitsEnd; i++) if (b[i] != '.') digits.append((char) b[i]);
            BigInteger mant = new BigInteger(digits.toString(), kind == K_HEX ? 16 : 10);
            BigDecimal r;
            if (kind == K_HEX) {
                long e2 = sc.exponent - 4L * sc.fracDigits;
                long top = mant.bitLength() + e2; // value < 2^top
                if (top > 16384 + 1) return null;            // overflow
                if (top < MIN_LSB_EXP - 2) return null;      // underflow to zero
                r = round(mant, e2);
            } else {
                long scale = (long) sc.fracDigits - sc.exponent;
                long adjusted = mant.toString().length() - scale - 1; // decimal exponent
                if (adjusted > 4933) return null;
                if (adjusted < -4952) return null;
                BigInteger num, den;
                if (scale <= 0) {
                    num = mant.multiply(BigInteger.TEN.pow((int) -scale));
                    den = BigInteger.ONE;
                } else {
                    num = mant;
                    den = BigInteger.TEN.pow((int) scale);
                }
                r = round(num, den);
            }
            if (r == null || r.signum() == 0) return null; // ERANGE
            return new LongDouble(KIND_FINITE, sc.negative ? r.negate() : r);
        }

        public static LongDouble parse(byte[] b) {
            return parse(b, 0, b.length);
        }

        /** Rounds mant * 2^e2 (mant &gt; 0) to extended precision; null on overflow. */
        private static BigDecimal round(BigInteger mant, long e2) {
            if (e2 >= 0) return round(mant.shiftLeft((int) e2), BigInteger.ONE);
            return round(mant, BigInteger.ONE.shiftLeft((int) -e2));
        }

        /** Rounds num/den (both &gt; 0) to nearest-even extended precision; null on overflow. */
        private static BigDecimal round(BigInteger num, BigInteger den) {
            int e = num.bitLength() - den.bitLength();
            boolean below = e >= 0 ? num.compareTo(den.shiftLeft(e)) < 0 : num.shiftLeft(-e).compareTo(den) < 0;
            if (below) e--;
            // now 2^e <= num/den < 2^(e+1)
            int lsb = Math.max(e - 63, MIN_LSB_EXP);
            if (lsb > MAX_LSB_EXP) return null;
            BigInteger n = num, d = den;
            if (lsb >= 0) d = d.shiftLeft(lsb);
            else n = n.shiftLeft(-lsb);
            BigInteger[] qr = n.divideAndRemainder(d);
            BigInteger m = qr[0];
            int cmp = qr[1].shiftLeft(1).compareTo(d);
            if (cmp > 0 || (cmp == 0 && m.testBit(0))) m = m.add(BigInteger.ONE);
            if (m.bitLength() > 64) {
                m = m.shiftRight(1);
                lsb++;
                if (lsb > MAX_LSB_EXP) return null;
            }
            if (m.signum() == 0) return BigDecimal.ZERO;
            if (lsb >= 0) return new BigDecimal(m.shiftLeft(lsb));
            return new BigDecimal(m.multiply(BigInteger.valueOf(5).pow(-lsb)), -lsb);
        }

        private static LongDouble ofExact(BigDecimal exact) {
            int s = exact.signum();
            if (s == 0) return ZERO;
            BigDecimal abs = exact.abs();
            BigInteger unscaled = abs.unscaledValue();
            int scale = abs.scale();
            BigDecimal r = scale <= 0
                ? round(unscaled.multiply(BigInteger.TEN.pow(-scale)), BigInteger.ONE)
                : round(unscaled, BigInteger.TEN.pow(scale));
            if (r == null) return s > 0 ? POSITIVE_INFINITY : NEGATIVE_INFINITY;
            if (r.signum() == 0) return ZERO;
            return new LongDouble(KIND_FINITE, s > 0 ? r : r.negate());
        }

        /** this + other with one rounding, as x87 does. */
        public LongDouble add(LongDouble other) {
            if (kind == KIND_NAN || other.kind == KIND_NAN) return NaN;
            if (kind != KIND_FINITE || other.kind != KIND_FINITE) {
                if (kind != KIND_FINITE && other.kind != KIND_FINITE && kind != other.kind) return NaN;
                return kind != KIND_FINITE ? this : other;
            }
            return ofExact(value.add(other.value));
        }

        public boolean isNaN() {
            return kind == KIND_NAN;
        }

        public boolean isInfinite() {
            return kind == KIND_POS_INF || kind == KIND_NEG_INF;
        }

        public boolean isFinite() {
            return kind == KIND_FINITE;
        }

        /** Exact value; throws ArithmeticException for NaN and infinities. */
        public BigDecimal toBigDecimal() {
            if (kind != KIND_FINITE) throw new ArithmeticException("not finite");
            return value;
        }

        /** Nearest double. */
        public double toDouble() {
            switch (kind) {
                case KIND_POS_INF: return Double.POSITIVE_INFINITY;
                case KIND_NEG_INF: return Double.NEGATIVE_INFINITY;
                case KIND_NAN: return Double.NaN;
                default: return value.doubleValue();
            }
        }

        /**
         * Redis's human-friendly long double text ({@code %.17Lf}, trailing zeros and a trailing
         * '.' removed, "-0" turned into "0"), e.g. "10.6", "3000", "0.1", "inf".
         */
        public String toHumanString() {
            switch (kind) {
                case KIND_POS_INF: return "inf";
                case KIND_NEG_INF: return "-inf";
                case KIND_NAN: return "nan";
                default: {
                    if (value.signum() == 0) return "0";
                    String s = value.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
                    int l = s.length();
                    while (s.charAt(l - 1) == '0') l--;
                    if (s.charAt(l - 1) == '.') l--;
                    s = s.substring(0, l);
                    return s.equals("-0") ? "0" : s;
                }
            }
        }

        public byte[] toHumanBytes() {
            return toHumanString().getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof LongDouble other)) return false;
            if (kind != other.kind) return false;
            return kind != KIND_FINITE || value.compareTo(other.value) == 0;
        }

        @Override
        public int hashCode() {
            return kind == KIND_FINITE ? value.stripTrailingZeros().hashCode() : kind;
        }

        @Override
        public String toString() {
            return toHumanString();
        }
    }
}

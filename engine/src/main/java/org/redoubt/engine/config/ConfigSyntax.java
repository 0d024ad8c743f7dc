package org.redoubt.engine.config;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The small text rules the configuration follows, written to behave as Redis's: argument
 * splitting with quotes (sdssplitargs), quoting for output (sdscatrepr), memory values
 * (memtoull), strict integers (string2ll), C's strtoll as the special directives use it, glob
 * matching (stringmatch) and the memory notation CONFIG REWRITE writes.
 *
 * <p>Strings are handled as their UTF-8 bytes where Redis works on bytes, so a value with
 * non-ASCII characters survives quoting and splitting unchanged.
 */
public final class ConfigSyntax {
    private ConfigSyntax() {}

    // =====================================================================================
    // Splitting and quoting
    // =====================================================================================

    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    private static boolean isHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hexVal(int c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return c - 'A' + 10;
    }

    /**
     * Splits a line into arguments the way a redis.conf line is split: blanks separate
     * arguments, "double quotes" allow \n \r \t \b \a \xHH and \-escapes, 'single quotes'
     * allow only \'. A closing quote must be followed by a blank or the end. Returns null for
     * unbalanced quotes.
     */
    public static List<String> splitArgs(String line) {
        byte[] s = line.getBytes(StandardCharsets.UTF_8);
        int n = s.length;
        List<String> out = new ArrayList<>();
        int p = 0;
        while (true) {
            while (p < n && isSpace(s[p] & 0xff)) p++;
            if (p >= n) return out;
            boolean inq = false, insq = false, done = false;
            ByteArrayOutputStream cur = new ByteArrayOutputStream();
            while (!done) {
                int c = p < n ? s[p] & 0xff : 0;
                int c1 = p + 1 < n ? s[p + 1] & 0xff : 0;
                if (inq) {
                    if (c == '\\' && c1 == 'x' && p + 3 < n && isHex(s[p + 2] & 0xff) && isHex(s[p + 3] & 0xff)) {
                        cur.write(hexVal(s[p + 2] & 0xff) * 16 + hexVal(s[p + 3] & 0xff));
                        p += 3;
                    } else if (c == '\\' && c1 != 0) {
                        p++;
                        int e = switch (c1) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> c1;
                        };
                        cur.write(e);
                    } else if (c == '"') {
                        if (c1 != 0 && !isSpace(c1)) return null;
                        done = true;
                    } else if (c == 0) {
                        return null;
                    } else {
                        cur.write(c);
                    }
                } else if (insq) {
                    if (c == '\\' && c1 == '\'') {
                        p++;
                        cur.write('\'');
                    } else if (c == '\'') {
                        if (c1 != 0 && !isSpace(c1)) return null;
                        done = true;
                    } else if (c == 0) {
                        return null;
                    } else {
                        cur.write(c);
                    }
                } else {
                    switch (c) {
                        case ' ', '\n', '\r', '\t', 0 -> done = true;
                        case '"' -> inq = true;
                        case '\'' -> insq = true;
                        default -> cur.write(c);
                    }
                }
                if (p < n) p++;
            }
            out.add(cur.toString(StandardCharsets.UTF_8));
        }
    }

    /** Redis's sdscatrepr: the value in double quotes with non-printable bytes escaped. */
    public static String repr(String v) {
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(b.length + 2).append('"');
        for (byte x : b) {
            int c = x & 0xff;
            switch (c) {
                case '\\', '"' -> sb.append('\\').append((char) c);
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case 7 -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                default -> {
                    if (c >= 32 && c < 127) sb.append((char) c);
                    else sb.append(String.format(Locale.ROOT, "\\x%02x", c));
                }
            }
        }
        return sb.append('"').toString();
    }

    /** Splits a CONFIG SET value of a multi-argument directive on single spaces (sdssplitlen). */
    public static List<String> splitSpaces(String v) {
        List<String> out = new ArrayList<>();
        if (v.isEmpty()) return out;
        int start = 0;
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) == ' ') {
                out.add(v.substring(start, i));
                start = i + 1;
            }
        }
        out.add(v.substring(start));
        return out;
    }

    /** Trims the characters Redis trims from a config line (space, tab, CR, LF) at both ends. */
    public static String trimLine(String s) {
        int a = 0, b = s.length();
        while (a < b && " \t\r\n".indexOf(s.charAt(a)) >= 0) a++;
        while (b > a && " \t\r\n".indexOf(s.charAt(b - 1)) >= 0) b--;
        return s.substring(a, b);
    }

    // =====================================================================================
    // Numbers
    // =====================================================================================

    /**
     * A memory value: digits with an optional unit b, k (1000), kb (1024), m, mb, g, gb, any
     * case. Returns null when it is not one. Digits beyond 2^64-1 saturate and the product
     * wraps, as in Redis (the bounds check then rejects it).
     */
    public static Long memtoull(String p) {
        if (p.startsWith("-")) return null;
        int u = 0;
        while (u < p.length() && p.charAt(u) >= '0' && p.charAt(u) <= '9') u++;
        String unit = p.substring(u).toLowerCase(Locale.ROOT);
        long mul;
        switch (unit) {
            case "", "b" -> mul = 1;
            case "k" -> mul = 1000;
            case "kb" -> mul = 1024;
            case "m" -> mul = 1000L * 1000;
            case "mb" -> mul = 1024L * 1024;
            case "g" -> mul = 1000L * 1000 * 1000;
            case "gb" -> mul = 1024L * 1024 * 1024;
            default -> { return null; }
        }
        if (u >= 128) return null;
        long val = 0;
        boolean saturated = false;
        for (int i = 0; i < u && !saturated; i++) {
            int d = p.charAt(i) - '0';
            // unsigned overflow check: val*10 + d > 2^64-1
            if (Long.compareUnsigned(val, Long.divideUnsigned(-1L, 10)) > 0) { saturated = true; break; }
            long t = val * 10;
            if (Long.compareUnsigned(t, -1L - d) > 0) { saturated = true; break; }
            val = t + d;
        }
        if (saturated) val = -1L;
        return val * mul;
    }

    /** Redis's string2ll: a strict decimal integer (no spaces, no '+', no leading zeros). */
    public static Long string2ll(String s) {
        int slen = s.length();
        if (slen == 0 || slen >= 21) return null;
        if (slen == 1 && s.charAt(0) == '0') return 0L;
        int p = 0;
        boolean negative = false;
        if (s.charAt(0) == '-') {
            negative = true;
            p++;
            if (p == slen) return null;
        }
        char c = s.charAt(p);
        if (c < '1' || c > '9') return null;
        long v = c - '0';
        p++;
        while (p < slen && s.charAt(p) >= '0' && s.charAt(p) <= '9') {
            int d = s.charAt(p) - '0';
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L, 10)) > 0) return null;
            v *= 10;
            if (Long.compareUnsigned(v, -1L - d) > 0) return null;
            v += d;
            p++;
        }
        if (p < slen) return null;
        if (negative) {
            if (Long.compareUnsigned(v, Long.MIN_VALUE) > 0) return null;
            return -v;
        }
        if (v < 0) return null;
        return v;
    }

    /** The outcome of {@link #strtoll}: value, whether the whole text was consumed, overflow. */
    public record Strtoll(long value, boolean complete, boolean overflow) {}

    /**
     * C's strtoll(s, &end, base) for bases 8 and 10: leading blanks, optional sign, digits;
     * saturates on overflow. complete is C's "*end == '\0'" (note: an empty string is
     * complete with value 0, as in C).
     */
    public static Strtoll strtoll(String s, int base) {
        int n = s.length(), p = 0;
        while (p < n && isSpace(s.charAt(p))) p++;
        boolean neg = false;
        if (p < n && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
            neg = s.charAt(p) == '-';
            p++;
        }
        int digitsStart = p;
        java.math.BigInteger acc = java.math.BigInteger.ZERO;
        java.math.BigInteger b = java.math.BigInteger.valueOf(base);
        while (p < n) {
            int d = Character.digit(s.charAt(p), base);
            if (d < 0 || s.charAt(p) > 127) break;
            acc = acc.multiply(b).add(java.math.BigInteger.valueOf(d));
            p++;
        }
        if (p == digitsStart) {
            // No conversion: end points at the start of the text.
            return new Strtoll(0, n == 0, false);
        }
        if (neg) acc = acc.negate();
        boolean overflow = false;
        long v;
        if (acc.bitLength() > 63) {
            overflow = true;
            v = acc.signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        } else {
            v = acc.longValue();
        }
        return new Strtoll(v, p == n, overflow);
    }

    /** Redis's string2d (strtod over the whole text, no leading space, not NaN). */
    public static Double string2d(String s) {
        if (s.isEmpty() || isSpace(s.charAt(0))) return null;
        String t = s.toLowerCase(Locale.ROOT);
        String body = t.startsWith("+") || t.startsWith("-") ? t.substring(1) : t;
        double sign = t.startsWith("-") ? -1 : 1;
        if (body.equals("inf") || body.equals("infinity")) return sign * Double.POSITIVE_INFINITY;
        if (!body.matches("(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?") && !body.matches("0x[0-9a-f]+(\\.[0-9a-f]*)?(p[+-]?\\d+)?")) {
            return null;
        }
        double d;
        try {
            if (body.startsWith("0x")) {
                d = Double.parseDouble(body.contains("p") ? body : body + "p0");
            } else {
                d = Double.parseDouble(body);
            }
        } catch (NumberFormatException e) {
            return null;
        }
        if (Double.isInfinite(d)) return null; // ERANGE overflow
        if (d == 0 && body.matches(".*[1-9].*e-.*")) return null; // ERANGE underflow to zero
        return sign * d;
    }

    /** CONFIG REWRITE's memory notation: 1gb, 64mb, 4kb or plain bytes. */
    public static String formatMemory(long bytes) {
        long gb = 1024L * 1024 * 1024, mb = 1024L * 1024, kb = 1024;
        if (bytes != 0 && bytes % gb == 0) return bytes / gb + "gb";
        if (bytes != 0 && bytes % mb == 0) return bytes / mb + "mb";
        if (bytes != 0 && bytes % kb == 0) return bytes / kb + "kb";
        return Long.toString(bytes);
    }

    /** A double as C's "%f" with trailing zeros (and a trailing '.') removed. */
    public static String trimmedDouble(double d) {
        String s = String.format(Locale.ROOT, "%f", d);
        if (s.indexOf('.') >= 0) {
            int len = s.length();
            while (s.charAt(len - 1) == '0') len--;
            if (s.charAt(len - 1) == '.') len--;
            s = s.substring(0, len);
        }
        return s;
    }

    // =====================================================================================
    // Glob matching (Redis's stringmatchlen)
    // =====================================================================================

    /** Glob match with * ? [abc] [^a-z] and \ escapes, as Redis's stringmatch. */
    public static boolean stringmatch(String pattern, String string, boolean nocase) {
        boolean[] skip = new boolean[1];
        return match(pattern.toCharArray(), 0, string.toCharArray(), 0, nocase, skip);
    }

    private static char at(char[] a, int i) { return i < a.length ? a[i] : 0; }

    private static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c; }

    private static boolean match(char[] pat, int pi, char[] str, int si, boolean nocase, boolean[] skipLonger) {
        int plen = pat.length - pi, slen = str.length - si;
        while (plen > 0 && slen > 0) {
            switch (pat[pi]) {
                case '*' -> {
                    while (plen > 1 && at(pat, pi + 1) == '*') { pi++; plen--; }
                    if (plen == 1) return true;
                    while (slen > 0) {
                        if (match(pat, pi + 1, str, si, nocase, skipLonger)) return true;
                        if (skipLonger[0]) return false;
                        si++;
                        slen--;
                    }
                    skipLonger[0] = true;
                    return false;
                }
                case '?' -> { si++; slen--; }
                case '[' -> {
                    pi++;
                    plen--;
                    boolean not = at(pat, pi) == '^';
                    if (not) { pi++; plen--; }
                    boolean matched = false;
                    while (true) {
                        if (at(pat, pi) == '\\' && plen >= 2) {
                            pi++;
                            plen--;
                            if (at(pat, pi) == str[si]) matched = true;
                        } else if (at(pat, pi) == ']') {
                            break;
                        } else if (plen == 0) {
                            pi--;
                            plen++;
                            break;
                        } else if (plen >= 3 && at(pat, pi + 1) == '-') {
                            char start = at(pat, pi), end = at(pat, pi + 2), c = str[si];
                            if (start > end) { char t = start; start = end; end = t; }
                            if (nocase) { start = lower(start); end = lower(end); c = lower(c); }
                            pi += 2;
                            plen -= 2;
                            if (c >= start && c <= end) matched = true;
                        } else {
                            if (!nocase) {
                                if (at(pat, pi) == str[si]) matched = true;
                            } else if (lower(at(pat, pi)) == lower(str[si])) {
                                matched = true;
                            }
                        }
                        pi++;
                        plen--;
                    }
                    if (not) matched = !matched;
                    if (!matched) return false;
                    si++;
                    slen--;
                }
                default -> {
                    if (pat[pi] == '\\' && plen >= 2) { pi++; plen--; }
                    char pc = at(pat, pi), sc = str[si];
                    if (nocase ? lower(pc) != lower(sc) : pc != sc) return false;
                    si++;
                    slen--;
                }
            }
            pi++;
            plen--;
            if (slen == 0) {
                while (at(pat, pi) == '*' && plen > 0) { pi++; plen--; }
                break;
            }
        }
        return plen == 0 && slen == 0;
    }

    /** True when a CONFIG GET argument is a pattern rather than a name. */
    public static boolean isPattern(String s) {
        return s.indexOf('[') >= 0 || s.indexOf('*') >= 0 || s.indexOf('?') >= 0;
    }

    // =====================================================================================
    // Errors
    // =====================================================================================

    /** The strerror text for a failed file operation, as Redis reports it. */
    public static String strerror(IOException e) {
        if (e instanceof NoSuchFileException) return "No such file or directory";
        if (e instanceof AccessDeniedException) return "Permission denied";
        if (e instanceof NotDirectoryException) return "Not a directory";
        if (e instanceof FileAlreadyExistsException) return "File exists";
        if (e instanceof DirectoryNotEmptyException) return "Directory not empty";
        String m = e.getMessage();
        if (m != null && m.contains("Is a directory")) return "Is a directory";
        if (m != null && m.contains("Permission denied")) return "Permission denied";
        if (m != null && m.contains("No such file")) return "No such file or directory";
        if (m != null && m.contains("Read-only file system")) return "Read-only file system";
        return m == null ? e.getClass().getSimpleName() : m;
    }
}

package org.redoubt.engine.util;

import java.nio.charset.StandardCharsets;
import org.redoubt.protocol.Numbers;

/** Byte-array helpers for binary-safe keys, values and command names. */
public final class Bytes {
    private Bytes() {}

    public static final byte[] EMPTY = new byte[0];

    public static byte[] of(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    public static String str(byte[] b) { return new String(b, StandardCharsets.UTF_8); }

    /** For text arguments (option names, config values) that are ASCII by contract. */
    public static String ascii(byte[] b) { return new String(b, StandardCharsets.ISO_8859_1); }

    public static boolean equalsIgnoreCase(byte[] a, String lowerOrAny) {
        int n = lowerOrAny.length();
        if (a.length != n) return false;
        for (int i = 0; i < n; i++) {
            int x = a[i], y = lowerOrAny.charAt(i);
            if (x == y) continue;
            if (x >= 'A' && x <= 'Z') x += 32;
            if (y >= 'A' && y <= 'Z') y += 32;
            if (x != y) return false;
        }
        return true;
    }

    public static String lower(byte[] b) {
        char[] c = new char[b.length];
        for (int i = 0; i < b.length; i++) {
            int x = b[i] & 0xff;
            if (x >= 'A' && x <= 'Z') x += 32;
            c[i] = (char) x;
        }
        return new String(c);
    }

    /** Redis string2ll; Long.MIN_VALUE when not a canonical integer (MIN_VALUE itself is rejected too). */
    public static long parseLongOrMin(byte[] b) {
        if (!Numbers.isLong(b, 0, b.length)) return Long.MIN_VALUE;
        return Numbers.parseLong(b, 0, b.length);
    }

    public static int compare(byte[] a, byte[] b) { return java.util.Arrays.compareUnsigned(a, b); }

    public static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}

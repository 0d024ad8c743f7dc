package org.redoubt.engine.type;

import org.redoubt.protocol.Numbers;

/** TYPE and OBJECT ENCODING for every kind of value, and string-value access helpers. */
public final class Types {
    private Types() {}

    /** Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT. */
    public static final int EMBSTR_LIMIT = 44;

    public static boolean isString(Object v) { return v instanceof byte[] || v instanceof Sds; }

    public static String typeName(Object v) {
        if (v == null) return "none";
        if (isString(v)) return "string";
        return ((RValue) v).typeName();
    }

    public static String encoding(Object v) {
        if (v instanceof byte[] b) {
            if (b.length <= 20 && Numbers.isLong(b, 0, b.length)) return "int";
            return b.length <= EMBSTR_LIMIT ? "embstr" : "raw";
        }
        if (v instanceof Sds s) {
            // Redis keeps a raw string raw; only a value that still parses as an integer and was
            // rewritten by an integer command becomes "int" again (those store byte[]).
            return "raw";
        }
        return ((RValue) v).encoding();
    }

    /** Length of a string value. */
    public static int strlen(Object v) {
        return v instanceof Sds s ? s.len : ((byte[]) v).length;
    }

    /** The bytes of a string value; an Sds is copied (use {@link #array}/{@link #strlen} to avoid it). */
    public static byte[] bytes(Object v) {
        return v instanceof Sds s ? s.toBytes() : (byte[]) v;
    }

    /** The backing array of a string value; valid bytes are [0, strlen(v)). */
    public static byte[] array(Object v) {
        return v instanceof Sds s ? s.buf : (byte[]) v;
    }
}

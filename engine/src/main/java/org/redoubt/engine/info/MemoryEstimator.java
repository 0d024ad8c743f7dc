package org.redoubt.engine.info;

import org.redoubt.engine.type.RValue;
import org.redoubt.engine.type.Sds;
import org.redoubt.engine.type.Types;
import org.redoubt.protocol.Numbers;

/**
 * MEMORY USAGE in Redis's terms: the bytes Redis 7.0 (jemalloc, 64 bit) would allocate for the
 * same key and value (object header, sds headers, size-class rounding, dict entry), so scripts
 * and tests that compare sizes get the same figures. The JVM's real footprint differs, and is
 * what INFO memory reports.
 */
public final class MemoryEstimator {
    private MemoryEstimator() {}

    /** sizeof(robj) and sizeof(dictEntry) on 64-bit Redis. */
    public static final int ROBJ = 16, DICT_ENTRY = 24;
    /** Strings up to this length are embedded in their object (OBJ_ENCODING_EMBSTR). */
    public static final int EMBSTR_LIMIT = 44;
    /** Fallback for a value type that does not implement MemorySized. */
    private static final long UNKNOWN_VALUE = 128;

    /** jemalloc's size class for an allocation of n bytes. */
    public static long mallocSize(long n) {
        if (n <= 8) return 8;
        if (n <= 16) return 16;
        if (n <= 128) return (n + 15) & ~15L;
        long p = Long.highestOneBit(n - 1);   // largest power of two below n
        long step = p >> 2;
        return (n + step - 1) / step * step;
    }

    /** Header bytes of an sds of this length (sdsReqType): 1, 3, 5, 9 or 17. */
    public static int sdsHeader(long len, boolean allowType5) {
        if (len < 32 && allowType5) return 1;
        if (len < 256) return 3;
        if (len < 65536) return 5;
        if (len < (1L << 32)) return 9;
        return 17;
    }

    /** Allocation of an sds holding len bytes with the given capacity. */
    public static long sdsAlloc(long len, long capacity, boolean allowType5) {
        return mallocSize(sdsHeader(capacity, allowType5) + capacity + 1);
    }

    /** MEMORY USAGE of a key: its value, the key's sds and its dict entry. */
    public static long keyUsage(byte[] key, Object value, long samples) {
        return valueUsage(value, samples) + sdsAlloc(key.length, key.length, true) + DICT_ENTRY;
    }

    /** objectComputeSize: the value with its object header. */
    public static long valueUsage(Object v, long samples) {
        if (v instanceof byte[] b) {
            if (b.length <= 20 && Numbers.isLong(b, 0, b.length)) return ROBJ;
            if (b.length <= EMBSTR_LIMIT) return mallocSize(ROBJ + 3 + b.length + 1);
            return ROBJ + sdsAlloc(b.length, b.length, false);
        }
        if (v instanceof Sds s) return ROBJ + sdsAlloc(s.len, Math.max(s.len, s.buf.length), false);
        if (v instanceof MemorySized m) return m.memoryUsage(Math.max(1, samples));
        if (v instanceof RValue) return ROBJ + UNKNOWN_VALUE;
        return ROBJ;
    }

    /**
     * The length of a string value in an RDB file without compression (DEBUG OBJECT's
     * serializedlength): integers that fit 32 bits use the compact integer encodings.
     */
    public static long rdbStringLength(Object v) {
        byte[] b = Types.array(v);
        int len = Types.strlen(v);
        if (len <= 11 && Numbers.isLong(b, 0, len)) {
            long n = Numbers.parseLong(b, 0, len);
            if (n >= -128 && n <= 127) return 2;
            if (n >= -32768 && n <= 32767) return 3;
            if (n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE) return 5;
        }
        return rdbLengthBytes(len) + len;
    }

    /** Bytes of an RDB length prefix. */
    public static int rdbLengthBytes(long len) {
        if (len < 64) return 1;
        if (len < 16384) return 2;
        if (len <= 0xFFFFFFFFL) return 5;
        return 9;
    }
}

package org.redoubt.engine.type;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.redoubt.engine.db.CowMap;
import org.redoubt.engine.info.Digest;
import org.redoubt.engine.info.Digestible;
import org.redoubt.engine.info.MemoryEstimator;
import org.redoubt.engine.info.MemorySized;
import org.redoubt.protocol.Numbers;

/**
 * A hash value (Redis's OBJ_HASH) in one of Redis's two encodings:
 *
 * <ul>
 *   <li>"listpack": field, value pairs in insertion order in one array, searched linearly, as
 *       Redis's listpack is. Used while the hash has at most {@code hash-max-listpack-entries}
 *       fields and no field or value longer than {@code hash-max-listpack-value} bytes.</li>
 *   <li>"hashtable": a {@link CowMap} from field to value. A hash converts to it the moment a
 *       write would break a listpack limit (before the write when an argument is too long, after
 *       it when there are too many fields, as t_hash.c does) and never converts back.</li>
 * </ul>
 *
 * <p>Fields and values are immutable {@code byte[]}: a stored array is never written again, so
 * arrays are shared freely between copies, snapshots and replies.
 *
 * <p>Copy-on-write (see {@link RValue}): {@link #epoch} is the snapshot epoch this object may be
 * mutated in. {@link #writable} returns this object while the epoch is current, else a copy: the
 * listpack array is cloned (it is small by construction), the map is {@link CowMap#fork forked} in
 * O(1) and later writes copy only the trie nodes they touch. The object a snapshot holds is
 * therefore never written again.
 */
public final class HashValue implements RValue, Digestible, MemorySized {
    /** Redis's LISTPACK_MAX_SAFETY_SIZE: a listpack never grows past 1 GB. */
    private static final long LISTPACK_MAX_SAFETY_SIZE = 1L << 30;
    private static final byte[][] NO_PAIRS = {};

    /** Listpack encoding: pairs[2i] is a field, pairs[2i + 1] its value, i in [0, count). Null once a hashtable. */
    private byte[][] pairs;
    private int count;
    /** Field and value bytes held by the listpack, for the 1 GB safety limit. */
    private long pairBytes;
    /** Hashtable encoding: field to value (byte[]); null while a listpack. */
    private CowMap map;
    /** Buckets Redis's dict would have for the map now (MEMORY USAGE); see {@link HashtableSize}. */
    private int slots;
    /** The snapshot epoch in which this object may be mutated in place. */
    private final long epoch;

    private HashValue(long epoch) {
        this.epoch = epoch;
    }

    /** An empty hash (listpack encoded, as createHashObject), owned by epoch. */
    public static HashValue create(long epoch) {
        HashValue h = new HashValue(epoch);
        h.pairs = NO_PAIRS;
        return h;
    }

    // =====================================================================================
    // Copy-on-write
    // =====================================================================================

    /** This value if it may be written in epoch, else a copy owned by epoch (see class notes). */
    public HashValue writable(long epoch) {
        return epoch == this.epoch ? this : copy(epoch);
    }

    @Override
    public HashValue duplicate(long epoch) {
        HashValue h = copy(epoch);
        // hashTypeDup presizes a new dict for the content.
        if (map != null) h.slots = HashtableSize.forSize(map.size());
        return h;
    }

    private HashValue copy(long epoch) {
        HashValue h = new HashValue(epoch);
        if (map != null) {
            h.map = map.fork();
            h.slots = slots;
        } else {
            h.pairs = Arrays.copyOf(pairs, count * 2);
            h.count = count;
            h.pairBytes = pairBytes;
        }
        return h;
    }

    // =====================================================================================
    // Reads
    // =====================================================================================

    @Override
    public String typeName() { return "hash"; }

    @Override
    public String encoding() { return map == null ? "listpack" : "hashtable"; }

    public boolean isListpack() { return map == null; }

    public int size() { return map == null ? count : map.size(); }

    /** The value of field, or null. */
    public byte[] get(byte[] field) {
        if (map != null) return (byte[]) map.get(field);
        int i = indexOf(field);
        return i < 0 ? null : pairs[2 * i + 1];
    }

    public boolean contains(byte[] field) {
        return map != null ? map.containsKey(field) : indexOf(field) >= 0;
    }

    private int indexOf(byte[] field) {
        byte[][] p = pairs;
        for (int i = 0, n = count; i < n; i++) {
            if (Arrays.equals(p[2 * i], field)) return i;
        }
        return -1;
    }

    /** Listpack encoding only: the i-th field / value in insertion order. */
    public byte[] fieldAt(int i) { return pairs[2 * i]; }

    public byte[] valueAt(int i) { return pairs[2 * i + 1]; }

    /**
     * Visits every field (as key) and value, listpack in insertion order, hashtable in trie order
     * (a function of the content alone, so HKEYS and HVALS line up), until the visitor says stop.
     */
    public void forEach(CowMap.Visitor v) {
        if (map != null) {
            map.forEach(v);
            return;
        }
        byte[][] p = pairs;
        for (int i = 0, n = count; i < n; i++) {
            if (!v.visit(p[2 * i], p[2 * i + 1], 0)) return;
        }
    }

    /** A uniformly random field and its value into out; false when empty. */
    public boolean randomEntry(RandomGenerator rnd, CowMap.Entry out) {
        if (map != null) return map.randomEntry(rnd, out);
        if (count == 0) return false;
        int i = rnd.nextInt(count);
        out.key = pairs[2 * i];
        out.value = pairs[2 * i + 1];
        out.meta = 0;
        return true;
    }

    /** Hashtable encoding only: CowMap's SCAN contract over the fields. */
    public long scan(long cursor, int count, CowMap.Visitor v) {
        return map.scan(cursor, count, v);
    }

    // =====================================================================================
    // Writes (only on a writable instance)
    // =====================================================================================

    /**
     * hashTypeTryConversion: converts to a hashtable before a write of argv[start..end] when one
     * of them is longer than maxValue bytes, or when they would push the listpack past 1 GB.
     */
    public void tryConversion(byte[][] argv, int start, int end, long maxValue) {
        if (map != null) return;
        long sum = 0;
        for (int i = start; i <= end; i++) {
            int len = argv[i].length;
            if (len > maxValue) {
                convert();
                return;
            }
            sum += len;
        }
        if (pairBytes + sum > LISTPACK_MAX_SAFETY_SIZE) convert();
    }

    /**
     * hashTypeSet: sets field to value; true when the field is new. Converts first if either
     * is longer than maxValue, and afterwards if the listpack holds more than maxEntries fields.
     */
    public boolean set(byte[] field, byte[] value, long maxEntries, long maxValue) {
        if (map == null && (field.length > maxValue || value.length > maxValue)) convert();
        if (map != null) {
            if (map.put(field, value, 0) != null) return false;
            slots = HashtableSize.afterInsert(slots, map.size());
            return true;
        }
        int i = indexOf(field);
        if (i >= 0) {
            pairBytes += value.length - pairs[2 * i + 1].length;
            pairs[2 * i + 1] = value;
            return false;
        }
        if (2 * count == pairs.length) pairs = Arrays.copyOf(pairs, Math.max(8, pairs.length * 2));
        pairs[2 * count] = field;
        pairs[2 * count + 1] = value;
        count++;
        pairBytes += field.length + value.length;
        if (count > maxEntries) convert();
        return true;
    }

    /** hashTypeDelete: true when the field existed. The caller deletes the key when it empties. */
    public boolean delete(byte[] field) {
        if (map != null) {
            if (map.remove(field) == null) return false;
            slots = HashtableSize.afterDelete(slots, map.size());
            return true;
        }
        int i = indexOf(field);
        if (i < 0) return false;
        pairBytes -= pairs[2 * i].length + pairs[2 * i + 1].length;
        System.arraycopy(pairs, 2 * i + 2, pairs, 2 * i, 2 * (count - i - 1));
        count--;
        pairs[2 * count] = null;
        pairs[2 * count + 1] = null;
        return true;
    }

    /** Listpack to hashtable (hashTypeConvertListpack). */
    private void convert() {
        CowMap m = new CowMap();
        byte[][] p = pairs;
        for (int i = 0; i < count; i++) m.put(p[2 * i], p[2 * i + 1], 0);
        map = m;
        slots = HashtableSize.forSize(count);
        pairs = null;
        count = 0;
        pairBytes = 0;
    }

    // =====================================================================================
    // DEBUG DIGEST, MEMORY USAGE
    // =====================================================================================

    @Override
    public int digestTypeCode() { return Digest.TYPE_HASH; }

    /** Per pair, SHA1-mix field then value into a zeroed element digest; xor those (order-free). */
    @Override
    public void digestInto(byte[] digest) {
        byte[] ele = new byte[20];
        forEach((f, v, meta) -> {
            Arrays.fill(ele, (byte) 0);
            Digest.mix(ele, f);
            Digest.mix(ele, (byte[]) v);
            Digest.xor(digest, ele);
            return true;
        });
    }

    @Override
    public long memoryUsage(long samples) {
        if (map == null) {
            long lp = ListpackSize.HEADER + ListpackSize.END;
            for (int i = 0; i < 2 * count; i++) lp += ListpackSize.entry(pairs[i]);
            return MemoryEstimator.ROBJ + MemoryEstimator.mallocSize(lp);
        }
        int n = map.size();
        long size = MemoryEstimator.ROBJ + HashtableSize.DICT + 8L * slots;
        long[] acc = new long[2];
        map.forEach((f, v, meta) -> {
            acc[0] += MemoryEstimator.sdsAlloc(f.length, f.length, true)
                + MemoryEstimator.sdsAlloc(((byte[]) v).length, ((byte[]) v).length, true)
                + MemoryEstimator.DICT_ENTRY;
            return ++acc[1] < samples;
        });
        // In double, as objectComputeSize adds the extrapolation to its size_t total.
        if (acc[1] > 0) size = (long) (size + (double) acc[0] / acc[1] * n);
        return size;
    }

    /** Byte sizes of Redis's listpack layout, for MEMORY USAGE. */
    static final class ListpackSize {
        private ListpackSize() {}

        /** Total-bytes (4) and element-count (2) header; the end marker. */
        static final int HEADER = 6, END = 1;

        /** One element: encoding and data, then the back-length of those. */
        static long entry(byte[] s) {
            long n;
            if (s.length <= 20 && Numbers.isLong(s, 0, s.length)) {
                n = intEntry(Numbers.parseLong(s, 0, s.length));
            } else if (s.length < 64) {
                n = 1 + s.length;
            } else if (s.length < 4096) {
                n = 2 + s.length;
            } else {
                n = 5L + s.length;
            }
            return n + backlen(n);
        }

        static int intEntry(long v) {
            if (v >= 0 && v <= 127) return 1;
            if (v >= -4096 && v <= 4095) return 2;
            if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) return 3;
            if (v >= -(1 << 23) && v < (1 << 23)) return 4;
            if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) return 5;
            return 9;
        }

        static int backlen(long n) {
            if (n <= 127) return 1;
            if (n < 16383) return 2;
            if (n < 2097151) return 3;
            if (n < 268435455) return 4;
            return 5;
        }
    }

    /**
     * The bucket count of the Redis dict a hashtable-encoded hash or set would have, which MEMORY
     * USAGE reports: dictExpand presizes to a power of two (4 at least), an insert into a full
     * table doubles it, and a delete leaving it under 10% full shrinks it (htNeedsResize).
     * Incremental rehashing, which briefly counts both tables, is not modelled.
     */
    static final class HashtableSize {
        private HashtableSize() {}

        /** sizeof(dict) in Redis 7.0. */
        static final int DICT = 56;
        private static final int INITIAL = 4;

        /** dictExpand(n) on a new dict. */
        static int forSize(long n) {
            if (n <= INITIAL) return INITIAL;
            long p = Long.highestOneBit(n - 1) << 1;
            return (int) Math.min(p, 1 << 30);
        }

        /** After an insert that left used entries (_dictExpandIfNeeded ran before it). */
        static int afterInsert(int slots, int used) {
            if (slots == 0) return INITIAL;
            return used - 1 >= slots ? forSize(used) : slots;
        }

        /** After a delete that left used entries. */
        static int afterDelete(int slots, int used) {
            return slots > INITIAL && (long) used * 100 / slots < 10 ? forSize(used) : slots;
        }
    }
}

package org.redoubt.engine.type;

import java.util.Arrays;
import java.util.Objects;
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
 *   <li>"listpack": field, value pairs in insertion order packed into one {@code byte[]}, each
 *       element an unsigned LEB128 varint length followed by its bytes, searched linearly and
 *       compared in place, as Redis's listpack is. Used while the hash has at most
 *       {@code hash-max-listpack-entries} fields and no field or value longer than
 *       {@code hash-max-listpack-value} bytes. One array instead of an array per element keeps
 *       a small hash near Redis's own footprint (object plus one array).</li>
 *   <li>"hashtable": a {@link CowMap} from field to value. A hash converts to it the moment a
 *       write would break a listpack limit (before the write when an argument is too long, after
 *       it when there are too many fields, as t_hash.c does) and never converts back.</li>
 * </ul>
 *
 * <p>Fields and values handed out ({@link #get}, {@link #forEach}, {@link #fieldAt}...) are
 * immutable {@code byte[]}: copies for a listpack, the stored arrays for a hashtable (never
 * written again, so shared freely between copies, snapshots and replies).
 *
 * <p>Copy-on-write (see {@link RValue}): {@link #epoch} is the snapshot epoch this object may be
 * mutated in. {@link #writable} returns this object while the epoch is current, else a copy: the
 * packed array is cloned (it is small by construction), the map is {@link CowMap#fork forked} in
 * O(1) and later writes copy only the trie nodes they touch. The object a snapshot holds is
 * therefore never written again, except for {@link #cursor}, a position cache that is valid for
 * any state of that unchanging content.
 */
public final class HashValue implements RValue, Digestible, MemorySized {
    /** Redis's LISTPACK_MAX_SAFETY_SIZE: a listpack never grows past 1 GB. */
    private static final long LISTPACK_MAX_SAFETY_SIZE = 1L << 30;
    /** Beyond this the packed array could not grow; converting is the only way on. */
    private static final long PACKED_MAX = Integer.MAX_VALUE - 64;
    private static final byte[] EMPTY = {};
    /** Up to this capacity the packed array grows exactly (as Redis's listpack reallocs per insert). */
    private static final int EXACT_GROWTH_LIMIT = 256;

    /**
     * Listpack encoding: [varint len][bytes] for field 0, value 0, field 1, value 1, ... in
     * lp[0, used). Null once a hashtable.
     */
    private byte[] lp;
    /** Listpack encoding: number of pairs. */
    private int count;
    /**
     * Listpack encoding: bytes of {@link #lp} in use. Hashtable encoding: the buckets Redis's
     * dict would have for the map now (MEMORY USAGE, see {@link HashtableSize}). One int serves
     * both encodings because every field of this object is paid per small hash.
     */
    private int used;
    /** Hashtable encoding: field to value (byte[]); null while a listpack. */
    private CowMap map;
    /** The snapshot epoch in which this object may be mutated in place. */
    private final long epoch;
    /**
     * Listpack encoding: (pair index << 32) | offset of that pair's field, the last position
     * {@link #fieldAt} reached, so that walking i = 0, 1, 2... costs O(1) per step. Volatile and
     * one long, so a saver thread and the engine thread reading the same (then unchanging) value
     * always see a consistent pair; every write that moves pairs resets it to pair 0.
     */
    private volatile long cursor;

    private HashValue(long epoch) {
        this.epoch = epoch;
    }

    /** An empty hash (listpack encoded, as createHashObject), owned by epoch. */
    public static HashValue create(long epoch) {
        HashValue h = new HashValue(epoch);
        h.lp = EMPTY;
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
        if (map != null) h.used = HashtableSize.forSize(map.size());
        return h;
    }

    private HashValue copy(long epoch) {
        HashValue h = new HashValue(epoch);
        if (map != null) {
            h.map = map.fork();
            h.used = used;
        } else {
            h.lp = used == 0 ? EMPTY : Arrays.copyOf(lp, capacityFor(used, false));
            h.count = count;
            h.used = used;
        }
        return h;
    }

    // =====================================================================================
    // Packed layout
    // =====================================================================================

    /** Bytes of the varint length prefix for an element of len bytes. */
    private static int prefixSize(int len) {
        return len < (1 << 7) ? 1 : len < (1 << 14) ? 2 : len < (1 << 21) ? 3 : len < (1 << 28) ? 4 : 5;
    }

    /** The length of the element starting at p. */
    private static int lenAt(byte[] b, int p) {
        int x = b[p];
        if (x >= 0) return x;
        int len = x & 0x7F;
        for (int shift = 7;; shift += 7) {
            x = b[++p];
            len |= (x & 0x7F) << shift;
            if (x >= 0) return len;
        }
    }

    /** Where the element starting at p ends (the next element's start). */
    private static int skip(byte[] b, int p) {
        int len = lenAt(b, p);
        return p + prefixSize(len) + len;
    }

    /** Writes element s at p; returns the end. */
    private static int put(byte[] b, int p, byte[] s) {
        int len = s.length;
        while (len >= 0x80) {
            b[p++] = (byte) (len | 0x80);
            len >>>= 7;
        }
        b[p++] = (byte) len;
        System.arraycopy(s, 0, b, p, s.length);
        return p + s.length;
    }

    /** A copy of the bytes of the element starting at p. */
    private static byte[] copyAt(byte[] b, int p) {
        int len = lenAt(b, p);
        int d = p + prefixSize(len);
        return Arrays.copyOfRange(b, d, d + len);
    }

    /**
     * The array length to allocate for need bytes: exact up to the object alignment (those bytes
     * are free), plus 1/8 slack when growing past {@link #EXACT_GROWTH_LIMIT}.
     */
    private static int capacityFor(int need, boolean growing) {
        long cap = need;
        if (growing && need > EXACT_GROWTH_LIMIT) cap += need >>> 3;
        // Objects are 8-aligned and a byte[] header is 12 or 16 bytes: a payload rounded up to
        // a multiple of 8 never makes the array bigger.
        cap = ((cap + 7) & ~7L);
        return (int) Math.min(cap, Integer.MAX_VALUE - 8);
    }

    private void ensureCapacity(int need) {
        if (need > lp.length) lp = Arrays.copyOf(lp, capacityFor(need, true));
    }

    /** Offset of field's element, or -1. Compares in place; allocates nothing. */
    private int find(byte[] field) {
        byte[] b = lp;
        int fl = field.length;
        for (int p = 0, end = used; p < end; ) {
            int len = lenAt(b, p);
            int d = p + prefixSize(len);
            if (len == fl && Arrays.equals(b, d, d + len, field, 0, fl)) return p;
            p = skip(b, d + len);
        }
        return -1;
    }

    /** Offset of pair i's field; O(1) when i follows the last position asked for. */
    private int seek(int i) {
        Objects.checkIndex(i, count);
        long c = cursor;
        int at = (int) (c >>> 32);
        int p = (int) c;
        if (at > i) {
            at = 0;
            p = 0;
        }
        byte[] b = lp;
        for (; at < i; at++) p = skip(b, skip(b, p));
        long now = ((long) i << 32) | p;
        if (now != c) cursor = now;
        return p;
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
        int p = find(field);
        return p < 0 ? null : copyAt(lp, skip(lp, p));
    }

    public boolean contains(byte[] field) {
        return map != null ? map.containsKey(field) : find(field) >= 0;
    }

    /** Listpack encoding only: the i-th field / value in insertion order (a copy). */
    public byte[] fieldAt(int i) { return copyAt(lp, seek(i)); }

    public byte[] valueAt(int i) {
        byte[] b = lp;
        return copyAt(b, skip(b, seek(i)));
    }

    /**
     * Visits every field (as key) and value, listpack in insertion order, hashtable in trie order
     * (a function of the content alone, so HKEYS and HVALS line up), until the visitor says stop.
     */
    public void forEach(CowMap.Visitor v) {
        if (map != null) {
            map.forEach(v);
            return;
        }
        byte[] b = lp;
        for (int p = 0, end = used; p < end; ) {
            byte[] f = copyAt(b, p);
            p = skip(b, p);
            byte[] val = copyAt(b, p);
            p = skip(b, p);
            if (!v.visit(f, val, 0)) return;
        }
    }

    /** A uniformly random field and its value into out; false when empty. */
    public boolean randomEntry(RandomGenerator rnd, CowMap.Entry out) {
        if (map != null) return map.randomEntry(rnd, out);
        if (count == 0) return false;
        byte[] b = lp;
        int p = 0;
        for (int i = rnd.nextInt(count); i > 0; i--) p = skip(b, skip(b, p));
        out.key = copyAt(b, p);
        out.value = copyAt(b, skip(b, p));
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
        if (used + sum > LISTPACK_MAX_SAFETY_SIZE) convert();
    }

    /**
     * hashTypeSet: sets field to value; true when the field is new. Converts first if either
     * is longer than maxValue, and afterwards if the listpack holds more than maxEntries fields.
     */
    public boolean set(byte[] field, byte[] value, long maxEntries, long maxValue) {
        if (map == null && (field.length > maxValue || value.length > maxValue)) convert();
        if (map == null) {
            int vl = value.length;
            long add = (long) prefixSize(field.length) + field.length + prefixSize(vl) + vl;
            // Only reachable when loading a huge listpack blob: the array itself cannot grow.
            if (used + add > PACKED_MAX) convert();
        }
        if (map != null) {
            if (map.put(field, value, 0) != null) return false;
            used = HashtableSize.afterInsert(used, map.size());
            return true;
        }
        int p = find(field);
        if (p >= 0) {
            replaceValue(skip(lp, p), value);
            return false;
        }
        int fl = field.length, vl = value.length;
        int need = used + prefixSize(fl) + fl + prefixSize(vl) + vl;
        ensureCapacity(need);
        put(lp, put(lp, used, field), value);
        used = need;
        count++;
        if (count > maxEntries) convert();
        return true;
    }

    /** Overwrites the element at p with value, moving the tail when the sizes differ. */
    private void replaceValue(int p, byte[] value) {
        byte[] b = lp;
        int oldLen = lenAt(b, p);
        int oldEnd = p + prefixSize(oldLen) + oldLen;
        int newEnd = p + prefixSize(value.length) + value.length;
        if (newEnd != oldEnd) {
            int need = used + newEnd - oldEnd;
            ensureCapacity(need);
            b = lp;
            System.arraycopy(b, oldEnd, b, newEnd, used - oldEnd);
            used = need;
            cursor = 0;
            put(b, p, value);
            trim();
        } else {
            put(b, p, value);
        }
    }

    /** hashTypeDelete: true when the field existed. The caller deletes the key when it empties. */
    public boolean delete(byte[] field) {
        if (map != null) {
            if (map.remove(field) == null) return false;
            used = HashtableSize.afterDelete(used, map.size());
            return true;
        }
        int p = find(field);
        if (p < 0) return false;
        byte[] b = lp;
        int end = skip(b, skip(b, p));
        System.arraycopy(b, end, b, p, used - end);
        used -= end - p;
        count--;
        cursor = 0;
        trim();
        return true;
    }

    /** Gives back capacity once less than half of the packed array is in use (as lpDelete reallocs). */
    private void trim() {
        if (used == 0) {
            lp = EMPTY;
        } else if (lp.length - used > Math.max(used, 32)) {
            lp = Arrays.copyOf(lp, capacityFor(used, false));
        }
    }

    /** Listpack to hashtable (hashTypeConvertListpack). */
    private void convert() {
        CowMap m = new CowMap();
        byte[] b = lp;
        for (int p = 0, end = used; p < end; ) {
            byte[] f = copyAt(b, p);
            p = skip(b, p);
            byte[] v = copyAt(b, p);
            p = skip(b, p);
            m.put(f, v, 0);
        }
        map = m;
        used = HashtableSize.forSize(count);
        lp = null;
        count = 0;
        cursor = 0;
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
        if (map == null) {
            byte[] b = lp;
            for (int p = 0, end = used; p < end; ) {
                Arrays.fill(ele, (byte) 0);
                for (int k = 0; k < 2; k++) {
                    int len = lenAt(b, p);
                    int d = p + prefixSize(len);
                    Digest.mix(ele, b, d, len);
                    p = d + len;
                }
                Digest.xor(digest, ele);
            }
            return;
        }
        map.forEach((f, v, meta) -> {
            Arrays.fill(ele, (byte) 0);
            Digest.mix(ele, f);
            Digest.mix(ele, (byte[]) v);
            Digest.xor(digest, ele);
            return true;
        });
    }

    /** The listpack is sized by Redis's own listpack layout, not by this object's heap. */
    @Override
    public long memoryUsage(long samples) {
        if (map == null) {
            long lpBytes = ListpackSize.HEADER + ListpackSize.END;
            byte[] b = lp;
            for (int p = 0, end = used; p < end; ) {
                int len = lenAt(b, p);
                int d = p + prefixSize(len);
                lpBytes += ListpackSize.entry(b, d, len);
                p = d + len;
            }
            return MemoryEstimator.ROBJ + MemoryEstimator.mallocSize(lpBytes);
        }
        int n = map.size();
        long size = MemoryEstimator.ROBJ + HashtableSize.DICT + 8L * used;
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
            return entry(s, 0, s.length);
        }

        static long entry(byte[] s, int off, int len) {
            long n;
            if (len <= 20 && Numbers.isLong(s, off, len)) {
                n = intEntry(Numbers.parseLong(s, off, len));
            } else if (len < 64) {
                n = 1 + len;
            } else if (len < 4096) {
                n = 2 + len;
            } else {
                n = 5L + len;
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

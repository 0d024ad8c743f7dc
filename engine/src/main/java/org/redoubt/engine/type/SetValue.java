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
 * A set value (Redis's OBJ_SET) in one of Redis 7.0's two encodings:
 *
 * <ul>
 *   <li>"intset": the members are all canonical 64-bit integers (string2ll accepts them, so
 *       "-0", "007" or " 1" are not) held sorted in a {@code long[]}, at most
 *       {@code set-max-intset-entries} of them. Like Redis's intset it remembers the widest
 *       integer ever added (16, 32 or 64 bits), which only MEMORY USAGE reports.</li>
 *   <li>"hashtable": a {@link CowMap} from member to {@link #PRESENT}. A set converts to it when a
 *       non-integer member is added or the intset grows past its limit, and never converts back
 *       (setTypeAdd in t_set.c).</li>
 * </ul>
 *
 * <p>Copy-on-write as {@link HashValue}: the intset array is cloned, the map is forked in O(1).
 */
public final class SetValue implements RValue, Digestible, MemorySized {
    /** The value every member maps to in the hashtable encoding. */
    public static final Object PRESENT = Boolean.TRUE;
    /** Redis caps intsets at 2^30 entries whatever set-max-intset-entries says. */
    private static final long INTSET_HARD_MAX = 1L << 30;
    private static final long[] NO_INTS = {};

    /** Intset encoding: ints[0, count) ascending; null once a hashtable. */
    private long[] ints;
    private int count;
    /** Bytes per intset element as Redis would store it: 2, 4 or 8, never shrinking. */
    private int width = 2;
    /** Hashtable encoding: member to PRESENT; null while an intset. */
    private CowMap map;
    /** Buckets Redis's dict would have (MEMORY USAGE), as HashValue's. */
    private int slots;
    private final long epoch;

    private SetValue(long epoch) {
        this.epoch = epoch;
    }

    /** An empty intset-encoded set (createIntsetObject). */
    public static SetValue createIntset(long epoch) {
        SetValue s = new SetValue(epoch);
        s.ints = NO_INTS;
        return s;
    }

    /** setTypeCreate: an empty set whose encoding can hold first (intset when it is an integer). */
    public static SetValue createFor(byte[] first, long epoch) {
        SetValue s = new SetValue(epoch);
        if (Numbers.isLong(first)) s.ints = NO_INTS;
        else s.map = new CowMap();
        return s;
    }

    // =====================================================================================
    // Copy-on-write
    // =====================================================================================

    public SetValue writable(long epoch) {
        return epoch == this.epoch ? this : copy(epoch);
    }

    @Override
    public SetValue duplicate(long epoch) {
        SetValue s = copy(epoch);
        // setTypeDup presizes a new dict for the content.
        if (map != null) s.slots = HashValue.HashtableSize.forSize(map.size());
        return s;
    }

    private SetValue copy(long epoch) {
        SetValue s = new SetValue(epoch);
        if (map != null) {
            s.map = map.fork();
            s.slots = slots;
        } else {
            s.ints = Arrays.copyOf(ints, count);
            s.count = count;
            s.width = width;
        }
        return s;
    }

    // =====================================================================================
    // Reads
    // =====================================================================================

    @Override
    public String typeName() { return "set"; }

    @Override
    public String encoding() { return map == null ? "intset" : "hashtable"; }

    public boolean isIntset() { return map == null; }

    public int size() { return map == null ? count : map.size(); }

    /** Intset encoding only: the i-th smallest member. */
    public long intAt(int i) { return ints[i]; }

    public boolean contains(byte[] m) {
        if (map != null) return map.containsKey(m);
        long v = Numbers.parseLong(m);
        if (v == Numbers.NOT_A_LONG && !Numbers.isLong(m)) return false;
        return Arrays.binarySearch(ints, 0, count, v) >= 0;
    }

    /** Membership of the integer v (its canonical decimal form, for a hashtable). */
    public boolean containsLong(long v) {
        if (map != null) return map.containsKey(Numbers.longToBytes(v));
        return Arrays.binarySearch(ints, 0, count, v) >= 0;
    }

    /** Visits every member (as key; the value is PRESENT): intset ascending, hashtable in trie order. */
    public void forEach(CowMap.Visitor v) {
        if (map != null) {
            map.forEach(v);
            return;
        }
        for (int i = 0, n = count; i < n; i++) {
            if (!v.visit(Numbers.longToBytes(ints[i]), PRESENT, 0)) return;
        }
    }

    /** A uniformly random member; the set must not be empty. e is scratch for the hashtable. */
    public byte[] random(RandomGenerator rnd, CowMap.Entry e) {
        if (map != null) {
            map.randomEntry(rnd, e);
            return e.key;
        }
        return Numbers.longToBytes(ints[rnd.nextInt(count)]);
    }

    /** Hashtable encoding only: CowMap's SCAN contract over the members. */
    public long scan(long cursor, int count, CowMap.Visitor v) {
        return map.scan(cursor, count, v);
    }

    // =====================================================================================
    // Writes (only on a writable instance)
    // =====================================================================================

    /** setTypeAdd: true when m was not a member. maxIntset is set-max-intset-entries. */
    public boolean add(byte[] m, long maxIntset) {
        if (map != null) return mapAdd(m);
        long v = Numbers.parseLong(m);
        if (v == Numbers.NOT_A_LONG && !Numbers.isLong(m)) {
            convert();
            return mapAdd(m);
        }
        return addInt(v, maxIntset);
    }

    private boolean mapAdd(byte[] m) {
        if (map.put(m, PRESENT, 0) != null) return false;
        slots = HashValue.HashtableSize.afterInsert(slots, map.size());
        return true;
    }

    private boolean mapRemove(byte[] m) {
        if (map.remove(m) == null) return false;
        slots = HashValue.HashtableSize.afterDelete(slots, map.size());
        return true;
    }

    /** setTypeAdd of an integer member. */
    public boolean addLong(long v, long maxIntset) {
        if (map != null) return mapAdd(Numbers.longToBytes(v));
        return addInt(v, maxIntset);
    }

    private boolean addInt(long v, long maxIntset) {
        int i = Arrays.binarySearch(ints, 0, count, v);
        if (i >= 0) return false;
        i = -i - 1;
        if (count == ints.length) ints = Arrays.copyOf(ints, Math.max(8, count * 2));
        System.arraycopy(ints, i, ints, i + 1, count - i);
        ints[i] = v;
        count++;
        width = Math.max(width, widthOf(v));
        if (count > Math.min(maxIntset, INTSET_HARD_MAX)) convert();
        return true;
    }

    /** setTypeRemove: true when m was a member. The caller deletes the key when it empties. */
    public boolean remove(byte[] m) {
        if (map != null) return mapRemove(m);
        long v = Numbers.parseLong(m);
        if (v == Numbers.NOT_A_LONG && !Numbers.isLong(m)) return false;
        return removeInt(v);
    }

    /** Removes the integer member v. */
    public boolean removeLong(long v) {
        if (map != null) return mapRemove(Numbers.longToBytes(v));
        return removeInt(v);
    }

    private boolean removeInt(long v) {
        int i = Arrays.binarySearch(ints, 0, count, v);
        if (i < 0) return false;
        System.arraycopy(ints, i + 1, ints, i, count - i - 1);
        count--;
        return true;
    }

    private static int widthOf(long v) {
        if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) return 2;
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) return 4;
        return 8;
    }

    /** Intset to hashtable (setTypeConvert). */
    private void convert() {
        CowMap m = new CowMap();
        for (int i = 0; i < count; i++) m.put(Numbers.longToBytes(ints[i]), PRESENT, 0);
        map = m;
        slots = HashValue.HashtableSize.forSize(count);
        ints = null;
        count = 0;
    }

    // =====================================================================================
    // DEBUG DIGEST, MEMORY USAGE
    // =====================================================================================

    @Override
    public int digestTypeCode() { return Digest.TYPE_SET; }

    /** xor of the SHA1 of every member's string form. */
    @Override
    public void digestInto(byte[] digest) {
        forEach((m, v, meta) -> {
            Digest.xor(digest, m);
            return true;
        });
    }

    @Override
    public long memoryUsage(long samples) {
        if (map == null) {
            // intset: 32-bit encoding and length, then count elements of width bytes.
            return MemoryEstimator.ROBJ + MemoryEstimator.mallocSize(8L + (long) count * width);
        }
        int n = map.size();
        long size = MemoryEstimator.ROBJ + HashValue.HashtableSize.DICT + 8L * slots;
        long[] acc = new long[2];
        map.forEach((m, v, meta) -> {
            acc[0] += MemoryEstimator.sdsAlloc(m.length, m.length, true) + MemoryEstimator.DICT_ENTRY;
            return ++acc[1] < samples;
        });
        // In double, as objectComputeSize adds the extrapolation to its size_t total.
        if (acc[1] > 0) size = (long) (size + (double) acc[0] / acc[1] * n);
        return size;
    }
}

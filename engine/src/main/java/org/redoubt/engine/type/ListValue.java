package org.redoubt.engine.type;

import java.util.Arrays;
import org.redoubt.engine.info.Digest;
import org.redoubt.engine.info.Digestible;
import org.redoubt.engine.info.MemoryEstimator;
import org.redoubt.engine.info.MemorySized;
import org.redoubt.protocol.Numbers;

/**
 * A list value (Redis's OBJ_LIST). Redis 7.0 always encodes lists as a quicklist, so OBJECT
 * ENCODING answers "quicklist" whatever the size (listpack-encoded lists appeared in 7.2).
 *
 * <h2>Structure</h2>
 * A quicklist-like chunked list: {@code nodes[first, first+nn)} is the chunk index, in list
 * order; each {@link ListNode} packs up to a few KB of elements in one {@code byte[]} (about two
 * bytes of overhead per small element). A node accepts another element while it stays within
 * the {@code list-max-listpack-size} limit the list was created with, as quicklist's
 * _quicklistNodeAllowInsert decides: a negative fill is a byte budget per node (-1 = 4 KB ...
 * -5 = 64 KB), a positive fill a count of elements (with an 8 KB safety limit). An element too
 * big for any node gets a node of its own. Positional access walks the index from the closer
 * end, then the node from its closer end.
 *
 * <h2>Copy-on-write</h2>
 * {@link #epoch} is the snapshot epoch in which this object (its index array and its fields)
 * may be mutated; {@link #writable} returns a copy otherwise. The copy shares every node and
 * gets a fresh {@link #owner} token; a node may be mutated only by the list whose token it
 * carries, so the first write to a node after a snapshot copies that node alone. One LPUSH or
 * LSET on a snapshotted list of a million elements therefore costs one chunk plus the chunk
 * index (a few thousand references), and the snapshot keeps seeing the old content.
 * {@link #duplicate} (COPY) shares nodes the same way and re-tokens both lists.
 *
 * <p>Reads never mutate, and use no scratch fields, so a snapshot may be read by another thread
 * while the engine thread writes the live list.
 *
 * <p>Callers must not leave a list empty in the keyspace: Redis deletes a key whose list
 * becomes empty.
 */
public final class ListValue implements RValue, Digestible, MemorySized {
    /** quicklist's optimization_level: node byte budgets for fill -1 .. -5. */
    private static final int[] SIZE_LEVELS = {4096, 8192, 16384, 32768, 65536};
    /** quicklist's SIZE_SAFETY_LIMIT for count-limited (positive fill) nodes. */
    private static final int SAFETY_LIMIT = 8192;
    /** quicklist's FILL_MAX. */
    private static final int FILL_MAX = (1 << 15) - 1;
    /** A listpack's header and terminator bytes, and quicklist's per-insert estimate. */
    private static final int LP_OVERHEAD = 7, SIZE_ESTIMATE_OVERHEAD = 8;
    /** quicklistNode and quicklist struct sizes, for MEMORY USAGE. */
    private static final int QL_NODE = 32, QL = 40;

    /** Visits one element: data is buf[off, off+len). The array must not be modified or kept. */
    public interface ElementVisitor {
        void visit(byte[] buf, int off, int len);
    }

    private final long epoch;
    private Object owner;
    private ListNode[] nodes;
    private int first, nn;
    private long size;
    /** Node budget: bytes, and elements (Integer.MAX_VALUE when only bytes count). */
    private final int byteLimit, countLimit;

    private ListValue(long epoch, Object owner, ListNode[] nodes, int first, int nn, long size, int byteLimit, int countLimit) {
        this.epoch = epoch;
        this.owner = owner;
        this.nodes = nodes;
        this.first = first;
        this.nn = nn;
        this.size = size;
        this.byteLimit = byteLimit;
        this.countLimit = countLimit;
    }

    /** An empty list (fill from list-max-listpack-size, as quicklistSetOptions), owned by epoch. */
    public static ListValue create(int fill, long epoch) {
        if (fill > FILL_MAX) fill = FILL_MAX;
        else if (fill < -5) fill = -5;
        int bytes, count;
        if (fill < 0) {
            bytes = SIZE_LEVELS[-fill - 1];
            count = Integer.MAX_VALUE;
        } else {
            bytes = SAFETY_LIMIT;
            count = fill;
        }
        return new ListValue(epoch, new Object(), new ListNode[4], 2, 0, 0, bytes, count);
    }

    @Override
    public String typeName() { return "list"; }

    @Override
    public String encoding() { return "quicklist"; }

    public long size() { return size; }

    /** Chunks in the list (DEBUG OBJECT's ql_nodes). */
    public int nodeCount() { return nn; }

    // =====================================================================================
    // Copy-on-write
    // =====================================================================================

    /** This list if it may be written in epoch, else a copy owned by epoch (see class notes). */
    public ListValue writable(long epoch) {
        return this.epoch == epoch ? this : fork(epoch);
    }

    @Override
    public ListValue duplicate(long epoch) {
        ListValue d = fork(epoch);
        // Both lists now share every node: neither may write one in place any more.
        owner = new Object();
        return d;
    }

    private ListValue fork(long epoch) {
        ListNode[] a = new ListNode[Math.max(4, nn + (nn >> 2) + 2)];
        int f = (a.length - nn) >> 1;
        System.arraycopy(nodes, first, a, f, nn);
        return new ListValue(epoch, new Object(), a, f, nn, size, byteLimit, countLimit);
    }

    /** The node at index i, copied first if another list shares it. */
    private ListNode own(int i) {
        ListNode n = nodes[i];
        if (n.owner != owner) {
            n = n.copy(owner);
            nodes[i] = n;
        }
        return n;
    }

    /** True when n shares no structure with any other list (tests of the COW contract). */
    boolean owns(int nodeIndex) { return nodes[first + nodeIndex].owner == owner; }

    /** The node objects, in order (tests of the COW contract). */
    Object nodeAt(int nodeIndex) { return nodes[first + nodeIndex]; }

    // =====================================================================================
    // Node index
    // =====================================================================================

    private boolean allowInsert(ListNode n, int len) {
        long sz = (long) n.bytes() + LP_OVERHEAD + len + SIZE_ESTIMATE_OVERHEAD;
        if (countLimit == Integer.MAX_VALUE) return sz <= byteLimit;
        return sz <= SAFETY_LIMIT && n.count < countLimit;
    }

    /** Capacity for a new node: room for a few more entries unless the element fills it. */
    private int newNodeCapacity(int len) {
        int esz = ListNode.entrySize(len);
        if (esz + LP_OVERHEAD + SIZE_ESTIMATE_OVERHEAD >= byteLimit) return esz;
        return Math.min(Math.max(esz * 2, 64), byteLimit);
    }

    /**
     * Inserts n before the node now at index at (at in [first, first+nn]) and returns n's index;
     * the indexes of other nodes may shift either way.
     */
    private int insertNode(int at, ListNode n) {
        int end = first + nn;
        int pos;
        if (at == first && first > 0) {
            nodes[pos = --first] = n;
        } else if (at == end && end < nodes.length) {
            nodes[pos = end] = n;
        } else if (end < nodes.length) {
            System.arraycopy(nodes, at, nodes, at + 1, end - at);
            nodes[pos = at] = n;
        } else if (first > 0) {
            System.arraycopy(nodes, first, nodes, first - 1, at - first);
            first--;
            nodes[pos = at - 1] = n;
        } else {
            ListNode[] a = new ListNode[Math.max(4, nodes.length * 2)];
            int f = (a.length - nn - 1) >> 1;
            System.arraycopy(nodes, first, a, f, at - first);
            a[f + at - first] = n;
            System.arraycopy(nodes, at, a, f + at - first + 1, end - at);
            pos = f + at - first;
            nodes = a;
            first = f;
        }
        nn++;
        return pos;
    }

    /**
     * Removes nodes[from, to). Indexes of the nodes after them change (by -k, or not at all when
     * from == first), those before them stay.
     */
    private void removeNodes(int from, int to) {
        int k = to - from;
        if (k <= 0) return;
        int end = first + nn;
        if (from == first) {
            Arrays.fill(nodes, from, to, null);
            first = to;
        } else {
            System.arraycopy(nodes, to, nodes, from, end - to);
            Arrays.fill(nodes, end - k, end, null);
        }
        nn -= k;
        if (nn == 0) first = nodes.length >> 1;
    }

    /** Shrinks a mostly empty index (at the end of an operation: node indexes change). */
    private void compactIndex() {
        if (nodes.length <= 64 || nn >= nodes.length >> 2) return;
        ListNode[] a = new ListNode[Math.max(4, nn * 2)];
        int f = (a.length - nn) >> 1;
        System.arraycopy(nodes, first, a, f, nn);
        nodes = a;
        first = f;
    }

    /** Packed (node index, entry offset) of element index (0 <= index < size). */
    private long seek(long index) {
        int i;
        int k;
        if (index < (size >> 1)) {
            i = first;
            long r = index;
            while (r >= nodes[i].count) r -= nodes[i++].count;
            k = (int) r;
        } else {
            i = first + nn - 1;
            long r = size - 1 - index;
            while (r >= nodes[i].count) r -= nodes[i--].count;
            k = nodes[i].count - 1 - (int) r;
        }
        return pack(i, nodes[i].offsetOf(k));
    }

    private static long pack(int node, int off) { return ((long) node << 32) | (off & 0xffffffffL); }

    private static int nodeOf(long pos) { return (int) (pos >>> 32); }

    private static int offOf(long pos) { return (int) pos; }

    // =====================================================================================
    // Push / pop
    // =====================================================================================

    public void pushHead(byte[] v) { pushHead(v, 0, v.length); }

    public void pushTail(byte[] v) { pushTail(v, 0, v.length); }

    public void pushHead(byte[] d, int off, int len) {
        int esz = ListNode.entrySize(len);
        if (nn > 0 && allowInsert(nodes[first], len)) {
            ListNode h = own(first);
            int p = h.makeRoom(h.start, esz);
            ListNode.write(h.buf, p, d, off, len);
            h.count++;
        } else {
            if (nn > 0 && nodes[first].owner == owner) nodes[first].trim();
            insertNode(first, ListNode.single(owner, d, off, len, true, newNodeCapacity(len)));
        }
        size++;
    }

    public void pushTail(byte[] d, int off, int len) {
        int esz = ListNode.entrySize(len);
        int last = first + nn - 1;
        if (nn > 0 && allowInsert(nodes[last], len)) {
            ListNode t = own(last);
            int p = t.makeRoom(t.end, esz);
            ListNode.write(t.buf, p, d, off, len);
            t.count++;
        } else {
            if (nn > 0 && nodes[last].owner == owner) nodes[last].trim();
            insertNode(first + nn, ListNode.single(owner, d, off, len, false, newNodeCapacity(len)));
        }
        size++;
    }

    /** Removes and returns the first element; the list must not be empty. */
    public byte[] popHead() {
        ListNode n = nodes[first];
        int L = ListNode.readLen(n.buf, n.start);
        int d = n.start + ListNode.varLen(L);
        byte[] v = Arrays.copyOfRange(n.buf, d, d + L);
        deleteRange(0, 1);
        return v;
    }

    /** Removes and returns the last element; the list must not be empty. */
    public byte[] popTail() {
        ListNode n = nodes[first + nn - 1];
        int p = ListNode.startBefore(n.buf, n.end);
        int L = ListNode.readLen(n.buf, p);
        int d = p + ListNode.varLen(L);
        byte[] v = Arrays.copyOfRange(n.buf, d, d + L);
        deleteRange(size - 1, 1);
        return v;
    }

    // =====================================================================================
    // Reads
    // =====================================================================================

    /** Visits the element at index (0 <= index < size). */
    public void get(long index, ElementVisitor v) {
        long pos = seek(index);
        ListNode n = nodes[nodeOf(pos)];
        int p = offOf(pos);
        int L = ListNode.readLen(n.buf, p);
        v.visit(n.buf, p + ListNode.varLen(L), L);
    }

    /** The element at index as a new array (0 <= index < size). */
    public byte[] get(long index) {
        long pos = seek(index);
        ListNode n = nodes[nodeOf(pos)];
        int p = offOf(pos);
        int L = ListNode.readLen(n.buf, p);
        int d = p + ListNode.varLen(L);
        return Arrays.copyOfRange(n.buf, d, d + L);
    }

    /**
     * Visits elements start .. start+count-1 (0 <= start, start+count <= size) in order, or in
     * reverse order (from start+count-1 down to start) when reverse.
     */
    public void visitRange(long start, long count, boolean reverse, ElementVisitor v) {
        if (count <= 0) return;
        if (!reverse) {
            long pos = seek(start);
            int i = nodeOf(pos), p = offOf(pos);
            ListNode n = nodes[i];
            for (long r = count; r > 0; r--) {
                if (p == n.end) {
                    n = nodes[++i];
                    p = n.start;
                }
                int L = ListNode.readLen(n.buf, p);
                int h = ListNode.varLen(L);
                v.visit(n.buf, p + h, L);
                p += h + L + ListNode.varLen(h + L);
            }
        } else {
            long pos = seek(start + count - 1);
            int i = nodeOf(pos), p = offOf(pos);
            ListNode n = nodes[i];
            for (long r = count; r > 0; r--) {
                int L = ListNode.readLen(n.buf, p);
                v.visit(n.buf, p + ListNode.varLen(L), L);
                if (r == 1) break;
                if (p == n.start) {
                    n = nodes[--i];
                    p = n.end;
                }
                p = ListNode.startBefore(n.buf, p);
            }
        }
    }

    /** Visits every element, head to tail. */
    public void forEach(ElementVisitor v) {
        for (int i = first, e = first + nn; i < e; i++) {
            ListNode n = nodes[i];
            byte[] b = n.buf;
            for (int p = n.start; p < n.end; ) {
                int L = ListNode.readLen(b, p);
                int h = ListNode.varLen(L);
                v.visit(b, p + h, L);
                p += h + L + ListNode.varLen(h + L);
            }
        }
    }

    private static boolean eq(byte[] b, int off, int len, byte[] x) {
        return len == x.length && Arrays.equals(b, off, off + len, x, 0, len);
    }

    /**
     * LPOS: indexes of the elements equal to ele, starting from the rank-th match (rank >= 1),
     * scanning from the tail when fromTail, at most max matches (max >= 1), looking at no more
     * than maxlen elements (0 = all).
     */
    public long[] positions(byte[] ele, long rank, boolean fromTail, long max, long maxlen) {
        long[] out = new long[(int) Math.min(max, 16)];
        int found = 0;
        long matches = 0, index = 0;
        if (!fromTail) {
            outer:
            for (int i = first, e = first + nn; i < e; i++) {
                ListNode n = nodes[i];
                byte[] b = n.buf;
                for (int p = n.start; p < n.end; ) {
                    if (maxlen != 0 && index >= maxlen) break outer;
                    int L = ListNode.readLen(b, p);
                    int h = ListNode.varLen(L);
                    if (eq(b, p + h, L, ele) && ++matches >= rank) {
                        if (found == out.length) out = Arrays.copyOf(out, found * 2);
                        out[found++] = index;
                        if (found == max) break outer;
                    }
                    index++;
                    p += h + L + ListNode.varLen(h + L);
                }
            }
        } else {
            outer:
            for (int i = first + nn - 1; i >= first; i--) {
                ListNode n = nodes[i];
                byte[] b = n.buf;
                for (int p = n.end; p > n.start; ) {
                    if (maxlen != 0 && index >= maxlen) break outer;
                    p = ListNode.startBefore(b, p);
                    int L = ListNode.readLen(b, p);
                    if (eq(b, p + ListNode.varLen(L), L, ele) && ++matches >= rank) {
                        if (found == out.length) out = Arrays.copyOf(out, found * 2);
                        out[found++] = size - index - 1;
                        if (found == max) break outer;
                    }
                    index++;
                }
            }
        }
        return found == out.length ? out : Arrays.copyOf(out, found);
    }

    // =====================================================================================
    // Writes (on a list obtained from writable())
    // =====================================================================================

    /** Deletes count elements from start (0 <= start, start+count <= size). */
    public void deleteRange(long start, long count) {
        if (count <= 0) return;
        if (count == size) {
            Arrays.fill(nodes, first, first + nn, null);
            nn = 0;
            first = nodes.length >> 1;
            size = 0;
            return;
        }
        int i;
        long k;
        if (start < (size >> 1)) {
            i = first;
            k = start;
            while (k >= nodes[i].count) k -= nodes[i++].count;
        } else {
            i = first + nn - 1;
            k = size - start;   // elements from start to the tail
            while (k > nodes[i].count) k -= nodes[i--].count;
            k = nodes[i].count - k;
        }
        long remaining = count;
        int dropFrom = -1, dropTo = -1;
        while (remaining > 0) {
            ListNode n = nodes[i];
            if (k == 0 && remaining >= n.count) {
                if (dropFrom < 0) dropFrom = i;
                dropTo = i + 1;
                remaining -= n.count;
            } else {
                int del = (int) Math.min(n.count - k, remaining);
                own(i).deleteEntries((int) k, del);
                remaining -= del;
            }
            i++;
            k = 0;
        }
        if (dropFrom >= 0) removeNodes(dropFrom, dropTo);
        size -= count;
        compactIndex();
    }

    /** Replaces the element at index (0 <= index < size). */
    public void set(long index, byte[] v) {
        long pos = seek(index);
        int i = nodeOf(pos), p = offOf(pos);
        if (nodes[i].count == 1) {
            // The only element of its node: the node becomes exactly the new element.
            nodes[i] = ListNode.single(owner, v, 0, v.length, false, newNodeCapacity(v.length));
            return;
        }
        ListNode n = own(i);
        int old = ListNode.entrySize(ListNode.readLen(n.buf, p));
        int esz = ListNode.entrySize(v.length);
        long grown = (long) n.bytes() - old + esz + LP_OVERHEAD;
        int budget = countLimit == Integer.MAX_VALUE ? byteLimit : SAFETY_LIMIT;
        int b = n.closeGap(p, old);
        if (esz <= old || grown <= budget) {
            int q = n.makeRoom(b, esz);
            ListNode.write(n.buf, q, v, 0, v.length);
            return;
        }
        // Too big for this node now: insert it like LINSERT would (may split the node).
        n.count--;
        size--;
        insertAt(i, b, v);
    }

    /**
     * LINSERT: inserts value before or after the first element equal to pivot. Returns false
     * when there is no such element.
     */
    public boolean insert(byte[] pivot, byte[] value, boolean after) {
        for (int i = first, e = first + nn; i < e; i++) {
            ListNode n = nodes[i];
            byte[] b = n.buf;
            for (int p = n.start; p < n.end; ) {
                int L = ListNode.readLen(b, p);
                int h = ListNode.varLen(L);
                int next = p + h + L + ListNode.varLen(h + L);
                if (eq(b, p + h, L, pivot)) {
                    insertAt(i, after ? next : p, value);
                    return true;
                }
                p = next;
            }
        }
        return false;
    }

    /** Inserts v so that it starts at entry boundary p of node i (quicklist's _quicklistInsert). */
    private void insertAt(int i, int p, byte[] v) {
        ListNode n = nodes[i];
        int esz = ListNode.entrySize(v.length);
        size++;
        if (allowInsert(n, v.length)) {
            n = own(i);
            int q = n.makeRoom(p, esz);
            ListNode.write(n.buf, q, v, 0, v.length);
            n.count++;
            return;
        }
        boolean atHead = p == n.start, atTail = p == n.end;
        int last = first + nn - 1;
        if (atTail && i < last && allowInsert(nodes[i + 1], v.length)) {
            ListNode m = own(i + 1);
            int q = m.makeRoom(m.start, esz);
            ListNode.write(m.buf, q, v, 0, v.length);
            m.count++;
        } else if (atHead && i > first && allowInsert(nodes[i - 1], v.length)) {
            ListNode m = own(i - 1);
            int q = m.makeRoom(m.end, esz);
            ListNode.write(m.buf, q, v, 0, v.length);
            m.count++;
        } else if (atTail) {
            insertNode(i + 1, ListNode.single(owner, v, 0, v.length, true, newNodeCapacity(v.length)));
        } else if (atHead) {
            insertNode(i, ListNode.single(owner, v, 0, v.length, false, newNodeCapacity(v.length)));
        } else {
            // Split the full node at p: [start, p) stays, [p, end) moves to a new node.
            n = own(i);
            int left = n.indexOf(p);
            byte[] rb = Arrays.copyOfRange(n.buf, p, n.end);
            ListNode right = new ListNode(owner, rb, 0, rb.length, n.count - left);
            n.end = p;
            n.count = left;
            int ri = insertNode(i + 1, right);
            if (allowInsert(n, v.length)) {
                int q = n.makeRoom(n.end, esz);
                ListNode.write(n.buf, q, v, 0, v.length);
                n.count++;
            } else if (allowInsert(right, v.length)) {
                int q = right.makeRoom(right.start, esz);
                ListNode.write(right.buf, q, v, 0, v.length);
                right.count++;
            } else {
                insertNode(ri, ListNode.single(owner, v, 0, v.length, false, esz));
            }
        }
    }

    /**
     * LREM: removes up to toRemove elements equal to value (0 = all), scanning from the tail when
     * fromTail. Returns how many were removed.
     */
    public long removeMatching(byte[] value, long toRemove, boolean fromTail) {
        long removed = 0;
        if (!fromTail) {
            int i = first;
            ListNode n = nodes[i];
            int p = n.start;
            while (true) {
                if (p == n.end) {
                    if (++i >= first + nn) break;
                    n = nodes[i];
                    p = n.start;
                    continue;
                }
                byte[] b = n.buf;
                int L = ListNode.readLen(b, p);
                int h = ListNode.varLen(L);
                int tot = h + L + ListNode.varLen(h + L);
                if (!eq(b, p + h, L, value)) {
                    p += tot;
                    continue;
                }
                n = own(i);
                int boundary = n.closeGap(p, tot);
                n.count--;
                size--;
                removed++;
                if (n.count == 0) {
                    boolean wasFirst = i == first;
                    removeNodes(i, i + 1);
                    if (wasFirst) i = first;
                    if (i >= first + nn) break;
                    n = nodes[i];
                    p = n.start;
                } else {
                    p = boundary;
                }
                if (toRemove != 0 && removed == toRemove) break;
            }
        } else {
            int i = first + nn - 1;
            ListNode n = nodes[i];
            int p = n.end;
            while (true) {
                if (p == n.start) {
                    if (--i < first) break;
                    n = nodes[i];
                    p = n.end;
                    continue;
                }
                byte[] b = n.buf;
                int s = ListNode.startBefore(b, p);
                int L = ListNode.readLen(b, s);
                if (!eq(b, s + ListNode.varLen(L), L, value)) {
                    p = s;
                    continue;
                }
                n = own(i);
                int boundary = n.closeGap(s, p - s);
                n.count--;
                size--;
                removed++;
                if (n.count == 0) {
                    removeNodes(i, i + 1);
                    if (nn == 0 || --i < first) break;
                    n = nodes[i];
                    p = n.end;
                } else {
                    p = boundary;
                }
                if (toRemove != 0 && removed == toRemove) break;
            }
        }
        compactIndex();
        return removed;
    }

    // =====================================================================================
    // DEBUG DIGEST, MEMORY USAGE
    // =====================================================================================

    @Override
    public int digestTypeCode() { return Digest.TYPE_LIST; }

    @Override
    public void digestInto(byte[] digest) {
        forEach((b, off, len) -> Digest.mix(digest, b, off, len));
    }

    /**
     * objectComputeSize for a quicklist: the robj and quicklist structs, plus the average of the
     * sampled nodes (node struct + listpack allocation) times the number of nodes.
     */
    @Override
    public long memoryUsage(long samples) {
        double asize = MemoryEstimator.ROBJ + QL;
        if (nn == 0) return (long) asize;
        long elesize = 0;
        int s = 0;
        for (int i = first; i < first + nn && s < samples; i++, s++) {
            elesize += QL_NODE + MemoryEstimator.mallocSize(listpackBytes(nodes[i]));
        }
        asize += (double) elesize / s * nn;
        return (long) asize;
    }

    /** The bytes a listpack holding this node's elements would take (lpBytes). */
    private static long listpackBytes(ListNode n) {
        long total = LP_OVERHEAD;
        byte[] b = n.buf;
        for (int p = n.start; p < n.end; ) {
            int L = ListNode.readLen(b, p);
            int h = ListNode.varLen(L);
            total += lpEntrySize(b, p + h, L);
            p += h + L + ListNode.varLen(h + L);
        }
        return total;
    }

    /** Size of a listpack entry (encoding + data + backlen) for this string. */
    private static int lpEntrySize(byte[] b, int off, int len) {
        int enc;
        if (len > 0 && len <= 20 && Numbers.isLong(b, off, len)) {
            long v = Numbers.parseLong(b, off, len);
            if (v >= 0 && v <= 127) enc = 1;
            else if (v >= -4096 && v <= 4095) enc = 2;
            else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) enc = 3;
            else if (v >= -(1 << 23) && v < (1 << 23)) enc = 4;
            else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) enc = 5;
            else enc = 9;
        } else if (len < 64) {
            enc = 1 + len;
        } else if (len < 4096) {
            enc = 2 + len;
        } else {
            enc = 5 + len;
        }
        int back = enc <= 127 ? 1 : enc < 16383 ? 2 : enc < 2097151 ? 3 : enc < 268435455 ? 4 : 5;
        return enc + back;
    }
}

package org.redoubt.engine.type;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A persistent B+tree from stream IDs (two unsigned 64-bit halves, ms then seq) to values: the
 * ordered index of a stream's listpack nodes and of consumer-group pending lists, in the role
 * of Redis's rax keyed by 128-bit big-endian IDs.
 *
 * <h2>Copy-on-write</h2>
 * Every node records the owner {@code stamp} it was created under. A write passes the stamp of
 * the value it writes for and mutates a node in place only when the stamps match; otherwise it
 * copies the node (and, top-down, every node on the path to it). An owner that forks hands
 * fresh stamps to both sides ({@link #newStamp}), so after a fork neither can write a shared
 * node: one write costs O(log n) node copies, and a tree reachable from a snapshot is never
 * written again. The tree object itself (root, size) belongs to one owner; owners copy it with
 * {@link #copy()}.
 *
 * <h2>Invariants</h2>
 * Leaves hold {@code n} keys in increasing order. Inner nodes hold {@code n} children and
 * separators: {@code ms/seq[i]} is a lower bound of every key below child i and greater than
 * every key below child i-1 (separators may be stale after deletions, they stay valid bounds).
 * No node but the root is empty; a root with one inner child is collapsed.
 */
public final class StreamIdTree<V> {
    static final int MAX = 32;
    private static final AtomicLong STAMPS = new AtomicLong();

    /** A stamp no existing node carries. */
    public static long newStamp() { return STAMPS.incrementAndGet(); }

    static final class Node {
        final long stamp;
        int n;
        final long[] ms = new long[MAX];
        final long[] seq = new long[MAX];
        /** Leaf: values. Null for inner nodes. */
        final Object[] vals;
        /** Inner: children. Null for leaves. */
        final Node[] kids;

        Node(long stamp, boolean leaf) {
            this.stamp = stamp;
            this.vals = leaf ? new Object[MAX] : null;
            this.kids = leaf ? null : new Node[MAX];
        }

        boolean leaf() { return kids == null; }

        Node copy(long stamp) {
            Node c = new Node(stamp, leaf());
            c.n = n;
            System.arraycopy(ms, 0, c.ms, 0, n);
            System.arraycopy(seq, 0, c.seq, 0, n);
            if (vals != null) System.arraycopy(vals, 0, c.vals, 0, n);
            else System.arraycopy(kids, 0, c.kids, 0, n);
            return c;
        }
    }

    private Node root;
    private long size;
    /** Split sibling produced by the last recursive insert; engine thread scratch. */
    private Node splitOut;

    public StreamIdTree() {}

    private StreamIdTree(Node root, long size) {
        this.root = root;
        this.size = size;
    }

    /** Another tree object sharing every node (both sides must write with new stamps). */
    public StreamIdTree<V> copy() { return new StreamIdTree<>(root, size); }

    public long size() { return size; }

    public boolean isEmpty() { return size == 0; }

    public static int compare(long ams, long aseq, long bms, long bseq) {
        int c = Long.compareUnsigned(ams, bms);
        return c != 0 ? c : Long.compareUnsigned(aseq, bseq);
    }

    /** Index of the first key >= k in a leaf (n when none). */
    private static int lowerBound(Node x, long ms, long seq) {
        int lo = 0, hi = x.n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compare(x.ms[mid], x.seq[mid], ms, seq) < 0) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /** The child of an inner node whose range holds k: the last separator <= k, or 0. */
    private static int childFor(Node x, long ms, long seq) {
        int lo = 1, hi = x.n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compare(x.ms[mid], x.seq[mid], ms, seq) <= 0) lo = mid + 1;
            else hi = mid;
        }
        return lo - 1;
    }

    @SuppressWarnings("unchecked")
    public V get(long ms, long seq) {
        Node x = root;
        if (x == null) return null;
        while (!x.leaf()) x = x.kids[childFor(x, ms, seq)];
        int i = lowerBound(x, ms, seq);
        return i < x.n && x.ms[i] == ms && x.seq[i] == seq ? (V) x.vals[i] : null;
    }

    /** The value of the greatest key (its key into keyOut {ms, seq}), or null when empty. */
    @SuppressWarnings("unchecked")
    public V last(long[] keyOut) {
        Node x = root;
        if (x == null) return null;
        while (!x.leaf()) x = x.kids[x.n - 1];
        keyOut[0] = x.ms[x.n - 1];
        keyOut[1] = x.seq[x.n - 1];
        return (V) x.vals[x.n - 1];
    }

    /** Inserts or replaces; returns the previous value or null. */
    @SuppressWarnings("unchecked")
    public V put(long ms, long seq, V v, long stamp) {
        if (root == null) {
            Node l = new Node(stamp, true);
            l.ms[0] = ms;
            l.seq[0] = seq;
            l.vals[0] = v;
            l.n = 1;
            root = l;
            size = 1;
            return null;
        }
        if (root.stamp != stamp) root = root.copy(stamp);
        splitOut = null;
        Object old = insert(root, ms, seq, v, stamp);
        if (splitOut != null) {
            Node r = new Node(stamp, false);
            r.kids[0] = root;
            r.ms[0] = root.ms[0];
            r.seq[0] = root.seq[0];
            r.kids[1] = splitOut;
            r.ms[1] = splitOut.ms[0];
            r.seq[1] = splitOut.seq[0];
            r.n = 2;
            root = r;
            splitOut = null;
        }
        if (old == null) size++;
        return (V) old;
    }

    /** x is owned by stamp. Sets splitOut when x had to split (the new right sibling). */
    private Object insert(Node x, long ms, long seq, Object v, long stamp) {
        if (x.leaf()) {
            int i = lowerBound(x, ms, seq);
            if (i < x.n && x.ms[i] == ms && x.seq[i] == seq) {
                Object old = x.vals[i];
                x.vals[i] = v;
                return old;
            }
            if (x.n < MAX) {
                insertAt(x, i, ms, seq, v, null);
                return null;
            }
            Node right = new Node(stamp, true);
            if (i == MAX) {
                // Appends (the common case for stream IDs) start a new leaf and keep this one full.
                right.ms[0] = ms;
                right.seq[0] = seq;
                right.vals[0] = v;
                right.n = 1;
            } else {
                splitHalf(x, right);
                if (i <= x.n) insertAt(x, i, ms, seq, v, null);
                else insertAt(right, i - x.n, ms, seq, v, null);
            }
            splitOut = right;
            return null;
        }
        int ci = childFor(x, ms, seq);
        Node child = x.kids[ci];
        if (child.stamp != stamp) x.kids[ci] = child = child.copy(stamp);
        if (ci == 0 && compare(ms, seq, x.ms[0], x.seq[0]) < 0) {
            x.ms[0] = ms;
            x.seq[0] = seq;
        }
        Object old = insert(child, ms, seq, v, stamp);
        Node sib = splitOut;
        if (sib == null) return old;
        splitOut = null;
        int at = ci + 1;
        if (x.n < MAX) {
            insertAt(x, at, sib.ms[0], sib.seq[0], null, sib);
            return old;
        }
        Node right = new Node(stamp, false);
        if (at == MAX) {
            right.kids[0] = sib;
            right.ms[0] = sib.ms[0];
            right.seq[0] = sib.seq[0];
            right.n = 1;
        } else {
            splitHalf(x, right);
            if (at <= x.n) insertAt(x, at, sib.ms[0], sib.seq[0], null, sib);
            else insertAt(right, at - x.n, sib.ms[0], sib.seq[0], null, sib);
        }
        splitOut = right;
        return old;
    }

    private static void insertAt(Node x, int i, long ms, long seq, Object v, Node kid) {
        int move = x.n - i;
        System.arraycopy(x.ms, i, x.ms, i + 1, move);
        System.arraycopy(x.seq, i, x.seq, i + 1, move);
        if (x.vals != null) {
            System.arraycopy(x.vals, i, x.vals, i + 1, move);
            x.vals[i] = v;
        } else {
            System.arraycopy(x.kids, i, x.kids, i + 1, move);
            x.kids[i] = kid;
        }
        x.ms[i] = ms;
        x.seq[i] = seq;
        x.n++;
    }

    private static void splitHalf(Node x, Node right) {
        int keep = x.n / 2, move = x.n - keep;
        System.arraycopy(x.ms, keep, right.ms, 0, move);
        System.arraycopy(x.seq, keep, right.seq, 0, move);
        if (x.vals != null) {
            System.arraycopy(x.vals, keep, right.vals, 0, move);
            java.util.Arrays.fill(x.vals, keep, x.n, null);
        } else {
            System.arraycopy(x.kids, keep, right.kids, 0, move);
            java.util.Arrays.fill(x.kids, keep, x.n, null);
        }
        right.n = move;
        x.n = keep;
    }

    /** Removes a key; returns its value or null when absent. */
    @SuppressWarnings("unchecked")
    public V remove(long ms, long seq, long stamp) {
        if (root == null || get(ms, seq) == null) return null;
        if (root.stamp != stamp) root = root.copy(stamp);
        Object old = delete(root, ms, seq, stamp);
        size--;
        while (root != null && !root.leaf() && root.n == 1) root = root.kids[0];
        if (root != null && root.n == 0) root = null;
        return (V) old;
    }

    private static Object delete(Node x, long ms, long seq, long stamp) {
        if (x.leaf()) {
            int i = lowerBound(x, ms, seq);
            Object old = x.vals[i];
            removeAt(x, i);
            return old;
        }
        int ci = childFor(x, ms, seq);
        Node child = x.kids[ci];
        if (child.stamp != stamp) x.kids[ci] = child = child.copy(stamp);
        Object old = delete(child, ms, seq, stamp);
        if (child.n == 0) {
            removeAt(x, ci);
        } else if (child.n < MAX / 4) {
            // Merge a small child into a neighbour when both fit in one node.
            int li = ci > 0 ? ci - 1 : ci, ri = li + 1;
            if (ri < x.n && x.kids[li].n + x.kids[ri].n <= MAX) {
                Node l = x.kids[li];
                if (l.stamp != stamp) x.kids[li] = l = l.copy(stamp);
                Node r = x.kids[ri];
                System.arraycopy(r.ms, 0, l.ms, l.n, r.n);
                System.arraycopy(r.seq, 0, l.seq, l.n, r.n);
                if (l.vals != null) System.arraycopy(r.vals, 0, l.vals, l.n, r.n);
                else System.arraycopy(r.kids, 0, l.kids, l.n, r.n);
                l.n += r.n;
                removeAt(x, ri);
            }
        }
        return old;
    }

    private static void removeAt(Node x, int i) {
        int move = x.n - i - 1;
        System.arraycopy(x.ms, i + 1, x.ms, i, move);
        System.arraycopy(x.seq, i + 1, x.seq, i, move);
        if (x.vals != null) {
            System.arraycopy(x.vals, i + 1, x.vals, i, move);
            x.vals[x.n - 1] = null;
        } else {
            System.arraycopy(x.kids, i + 1, x.kids, i, move);
            x.kids[x.n - 1] = null;
        }
        x.n--;
    }

    // =====================================================================================
    // Cursors
    // =====================================================================================

    /** A read position; invalidated by any write to the tree (re-seek after writing). */
    public Cursor<V> cursor() { return new Cursor<>(this); }

    public static final class Cursor<V> {
        private final StreamIdTree<V> tree;
        private final Node[] path = new Node[16];
        private final int[] idx = new int[16];
        private int depth = -1;
        public long ms, seq;
        public V value;

        Cursor(StreamIdTree<V> tree) { this.tree = tree; }

        @SuppressWarnings("unchecked")
        private boolean load() {
            Node l = path[depth];
            int i = idx[depth];
            ms = l.ms[i];
            seq = l.seq[i];
            value = (V) l.vals[i];
            return true;
        }

        /** Positions at the first key >= k (or > k when strict); false when none. */
        public boolean seekGE(long kms, long kseq, boolean strict) {
            Node x = tree.root;
            if (x == null) return valid(false);
            depth = 0;
            while (!x.leaf()) {
                int ci = childFor(x, kms, kseq);
                path[depth] = x;
                idx[depth++] = ci;
                x = x.kids[ci];
            }
            path[depth] = x;
            int i = lowerBound(x, kms, kseq);
            if (strict && i < x.n && x.ms[i] == kms && x.seq[i] == kseq) i++;
            idx[depth] = i;
            if (i < x.n) return load();
            idx[depth] = x.n - 1;
            return next();
        }

        /** Positions at the last key <= k (or < k when strict); false when none. */
        public boolean seekLE(long kms, long kseq, boolean strict) {
            Node x = tree.root;
            if (x == null) return valid(false);
            depth = 0;
            while (!x.leaf()) {
                int ci = childFor(x, kms, kseq);
                path[depth] = x;
                idx[depth++] = ci;
                x = x.kids[ci];
            }
            path[depth] = x;
            int i = lowerBound(x, kms, kseq);
            // i is the first key >= k: step back unless it is an acceptable exact match.
            if (!(i < x.n && !strict && x.ms[i] == kms && x.seq[i] == kseq)) i--;
            if (i >= 0) {
                idx[depth] = i;
                return load();
            }
            idx[depth] = 0;
            return prev();
        }

        public boolean first() {
            Node x = tree.root;
            if (x == null) return valid(false);
            depth = 0;
            while (!x.leaf()) {
                path[depth] = x;
                idx[depth++] = 0;
                x = x.kids[0];
            }
            path[depth] = x;
            idx[depth] = 0;
            return load();
        }

        public boolean last() {
            Node x = tree.root;
            if (x == null) return valid(false);
            depth = 0;
            while (!x.leaf()) {
                path[depth] = x;
                idx[depth++] = x.n - 1;
                x = x.kids[x.n - 1];
            }
            path[depth] = x;
            idx[depth] = x.n - 1;
            return load();
        }

        private boolean valid(boolean v) {
            if (!v) {
                depth = -1;
                value = null;
            }
            return v;
        }

        public boolean next() {
            if (depth < 0) return false;
            int d = depth;
            if (idx[d] + 1 < path[d].n) {
                idx[d]++;
                return load();
            }
            while (--d >= 0 && idx[d] + 1 >= path[d].n) { }
            if (d < 0) return valid(false);
            idx[d]++;
            Node x = path[d].kids[idx[d]];
            while (++d <= depth) {
                path[d] = x;
                idx[d] = 0;
                if (!x.leaf()) x = x.kids[0];
            }
            return load();
        }

        public boolean prev() {
            if (depth < 0) return false;
            int d = depth;
            if (idx[d] > 0) {
                idx[d]--;
                return load();
            }
            while (--d >= 0 && idx[d] == 0) { }
            if (d < 0) return valid(false);
            idx[d]--;
            Node x = path[d].kids[idx[d]];
            while (++d <= depth) {
                path[d] = x;
                idx[d] = x.n - 1;
                if (!x.leaf()) x = x.kids[x.n - 1];
            }
            return load();
        }
    }

    /** Visits entries in order from the first key >= (ms, seq); the visitor returns false to stop. */
    public interface Visitor<V> { boolean visit(long ms, long seq, V v); }

    @SuppressWarnings("unchecked")
    public void forEach(Visitor<V> v) {
        if (root != null) walk(root, (Visitor<Object>) v);
    }

    private static boolean walk(Node x, Visitor<Object> v) {
        if (x.leaf()) {
            for (int i = 0; i < x.n; i++) if (!v.visit(x.ms[i], x.seq[i], x.vals[i])) return false;
            return true;
        }
        for (int i = 0; i < x.n; i++) if (!walk(x.kids[i], v)) return false;
        return true;
    }

    /** Nodes of the tree, for memory estimates. */
    public long nodeCount() { return root == null ? 0 : count(root); }

    private static long count(Node x) {
        if (x.leaf()) return 1;
        long c = 1;
        for (int i = 0; i < x.n; i++) c += count(x.kids[i]);
        return c;
    }
}

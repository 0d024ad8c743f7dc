package org.redoubt.engine.type;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ordered index of a "skiplist"-encoded sorted set: a persistent, counted B+tree of
 * (score, member) pairs in Redis's order (score, then member bytes compared unsigned, a shorter
 * prefix first). It plays the role of Redis's zskiplist: rank in O(log n) (every inner node keeps
 * the element count below each child), range starts in O(log n), and in-order walks.
 *
 * <h2>Copy-on-write</h2>
 * Every node carries the {@code stamp} of the tree instance that created it. A tree mutates a
 * node in place only if it carries the tree's own stamp; otherwise it copies the node first (and,
 * top-down, every node on the path to it). {@link #fork()} gives both trees fresh stamps, so after
 * a fork no node is writable by either: the first write of each copies only its root-to-leaf
 * path, O(log n) nodes, and neither ever observes the other's later writes. A tree superseded by
 * its fork (the value a snapshot references) is never written again and may be read from another
 * thread once handed over with a happens-before edge.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>A leaf holds {@code n} elements sorted in Redis order in {@code ele/score[0, n)}.</li>
 *   <li>An inner node holds {@code n} children; {@code cnt[i]} is the number of elements below
 *       child i and {@code total} their sum. {@code ele/score[i]} is a lower bound of child i
 *       (a former element, not necessarily present): every element of child i is
 *       &ge; sep[i] and &lt; sep[i + 1]. sep[0] is maintained but never needed for descent.
 *       For an inner child at position r &ge; 1, the child's own sep[0] equals sep[r].</li>
 *   <li>No node but the root is empty. A node left with fewer than {@link #MIN} entries by a
 *       deletion is merged with or refilled from a sibling (nodes made small by an end split
 *       are left to fill up); the root is a leaf or has at least two children.</li>
 * </ul>
 */
final class ZslTree {
    /** Entries per node: 64 keeps a path copy near 4-5 KB at 1M elements with few levels. */
    static final int MAX = 64;
    /** A node below this is merged with or refilled from a sibling after a deletion. */
    static final int MIN = MAX / 4;
    /** Upper bound on the height: MIN-filled nodes over 2^31 elements. */
    private static final int MAX_DEPTH = 24;

    private static final AtomicLong STAMPS = new AtomicLong();

    // Probe modes of countBefore: which elements x count as "before" the probe (p).
    /** x &lt; p in Redis order. */
    static final int EXACT_LT = 0;
    /** x &le; p in Redis order. */
    static final int EXACT_LE = 1;
    /** x.score &lt; p.score. */
    static final int SCORE_LT = 2;
    /** x.score &le; p.score. */
    static final int SCORE_LE = 3;
    /** x.member &lt; p.member. */
    static final int LEX_LT = 4;
    /** x.member &le; p.member. */
    static final int LEX_LE = 5;
    /** Every element ("+" as a lex bound). */
    static final int ALL = 6;
    /** No element ("-" as a lex bound). */
    static final int NONE = 7;

    static final class Node {
        final long stamp;
        /** Elements (leaf) or children (inner). */
        int n;
        /** Elements below (inner); equals n for a leaf. */
        int total;
        /** Leaf: the members. Inner: the child lower bounds (separators). */
        final byte[][] ele;
        final double[] score;
        /** Null for a leaf. */
        final Node[] kids;
        final int[] cnt;

        Node(long stamp, boolean leaf) {
            this.stamp = stamp;
            this.ele = new byte[MAX][];
            this.score = new double[MAX];
            this.kids = leaf ? null : new Node[MAX];
            this.cnt = leaf ? null : new int[MAX];
        }

        private Node(long stamp, Node o) {
            this.stamp = stamp;
            this.n = o.n;
            this.total = o.total;
            this.ele = o.ele.clone();
            this.score = o.score.clone();
            this.kids = o.kids == null ? null : o.kids.clone();
            this.cnt = o.cnt == null ? null : o.cnt.clone();
        }

        boolean leaf() { return kids == null; }
    }

    Node root;
    private long stamp;

    ZslTree() {
        stamp = STAMPS.incrementAndGet();
        root = new Node(stamp, true);
    }

    private ZslTree(Node root) {
        this.stamp = STAMPS.incrementAndGet();
        this.root = root;
    }

    int size() { return root.total; }

    /**
     * A tree with the same elements sharing every node, in O(1). This tree gets a new stamp as
     * well, so neither writes a shared node in place.
     */
    ZslTree fork() {
        stamp = STAMPS.incrementAndGet();
        return new ZslTree(root);
    }

    /** Redis order: score, then member bytes unsigned. -0.0 and 0.0 are equal, as C's ==. */
    static int compare(double as, byte[] ae, double bs, byte[] be) {
        if (as < bs) return -1;
        if (as > bs) return 1;
        return Arrays.compareUnsigned(ae, be);
    }

    /** Whether element x lies before probe p in the given mode (a downward-closed predicate). */
    static boolean before(int mode, double ps, byte[] pe, double xs, byte[] xe) {
        switch (mode) {
            case EXACT_LT: return compare(xs, xe, ps, pe) < 0;
            case EXACT_LE: return compare(xs, xe, ps, pe) <= 0;
            case SCORE_LT: return xs < ps;
            case SCORE_LE: return xs <= ps;
            case LEX_LT: return Arrays.compareUnsigned(xe, pe) < 0;
            case LEX_LE: return Arrays.compareUnsigned(xe, pe) <= 0;
            case ALL: return true;
            default: return false;
        }
    }

    /** Number of leading entries i in [from, n) of node x's keys with before(key i). */
    private static int prefix(Node x, int from, int mode, double ps, byte[] pe) {
        int lo = from, hi = x.n; // answer in [lo, hi]
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (before(mode, ps, pe, x.score[mid], x.ele[mid])) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /** The child of inner node x to descend into: the last i &ge; 1 whose separator is before p, else 0. */
    private static int child(Node x, int mode, double ps, byte[] pe) {
        int k = prefix(x, 1, mode, ps, pe);
        return k - 1;
    }

    /**
     * Number of elements before the probe: the rank of the first element not before it. With
     * EXACT_LT and an existing element, that element's 0-based rank.
     */
    long countBefore(int mode, double ps, byte[] pe) {
        if (mode == ALL) return root.total;
        if (mode == NONE) return 0;
        Node x = root;
        long acc = 0;
        while (!x.leaf()) {
            int i = child(x, mode, ps, pe);
            int[] cnt = x.cnt;
            for (int j = 0; j < i; j++) acc += cnt[j];
            x = x.kids[i];
        }
        return acc + prefix(x, 0, mode, ps, pe);
    }

    /** The leaf holding the element of 0-based rank r (0 &le; r &lt; size); its index in {@code pos[0]}. */
    Node leafAt(long r, int[] pos) {
        Node x = root;
        while (!x.leaf()) {
            int i = 0;
            int[] cnt = x.cnt;
            while (r >= cnt[i]) {
                r -= cnt[i];
                i++;
            }
            x = x.kids[i];
        }
        pos[0] = (int) r;
        return x;
    }

    // =====================================================================================
    // Writes
    // =====================================================================================

    private Node own(Node x) {
        return x.stamp == stamp ? x : new Node(stamp, x);
    }

    /** Inserts an element known to be absent. */
    void insert(double s, byte[] e) {
        Node r = own(root);
        root = r;
        Node split = insert(r, s, e);
        if (split != null) {
            Node nr = new Node(stamp, false);
            nr.n = 2;
            nr.kids[0] = r;
            nr.kids[1] = split;
            nr.cnt[0] = r.total;
            nr.cnt[1] = split.total;
            nr.total = r.total + split.total;
            nr.ele[0] = r.ele[0];
            nr.score[0] = r.score[0];
            nr.ele[1] = split.ele[0];
            nr.score[1] = split.score[0];
            root = nr;
        }
    }

    /** Inserts into owned node x; returns the new right sibling when x had to split, else null. */
    private Node insert(Node x, double s, byte[] e) {
        if (x.leaf()) {
            int p = prefix(x, 0, EXACT_LT, s, e);
            if (x.n < MAX) {
                insertAt(x, p, s, e, null, 0);
                return null;
            }
            Node right = split(x, p);
            if (p <= x.n && x.n < MAX) insertAt(x, p, s, e, null, 0);
            else insertAt(right, p - x.n, s, e, null, 0);
            return right;
        }
        int i = child(x, EXACT_LE, s, e);
        Node c = own(x.kids[i]);
        x.kids[i] = c;
        x.cnt[i]++;
        x.total++;
        Node cs = insert(c, s, e);
        if (cs == null) return null;
        x.cnt[i] = c.total;
        int p = i + 1;
        if (x.n < MAX) {
            insertAt(x, p, cs.score[0], cs.ele[0], cs, cs.total);
            return null;
        }
        Node right = split(x, p);
        if (p <= x.n && x.n < MAX) {
            insertAt(x, p, cs.score[0], cs.ele[0], cs, cs.total);
        } else {
            // split() left cs's elements in x's total (they were counted under child i).
            insertAt(right, p - x.n, cs.score[0], cs.ele[0], cs, cs.total);
            right.total += cs.total;
            x.total -= cs.total;
        }
        return right;
    }

    /**
     * Splits full owned node x before an insertion at position p: x keeps the lower part and the
     * new right node the rest. An insertion at the very end (ascending scores, the common case
     * of time-like scores) leaves x full instead of half full.
     */
    private Node split(Node x, int p) {
        int keep = p == x.n ? x.n : x.n / 2;
        Node r = new Node(stamp, x.leaf());
        int m = x.n - keep;
        System.arraycopy(x.ele, keep, r.ele, 0, m);
        System.arraycopy(x.score, keep, r.score, 0, m);
        Arrays.fill(x.ele, keep, x.n, null);
        if (!x.leaf()) {
            System.arraycopy(x.kids, keep, r.kids, 0, m);
            System.arraycopy(x.cnt, keep, r.cnt, 0, m);
            Arrays.fill(x.kids, keep, x.n, null);
            int t = 0;
            for (int j = 0; j < m; j++) t += r.cnt[j];
            r.total = t;
            x.total -= t;
        } else {
            r.total = m;
            x.total = keep;
        }
        r.n = m;
        x.n = keep;
        return r;
    }

    /** Opens slot p of owned node x (with room) for a key, and a child with its count when inner. */
    private static void insertAt(Node x, int p, double s, byte[] e, Node kid, int kidCount) {
        int m = x.n - p;
        System.arraycopy(x.ele, p, x.ele, p + 1, m);
        System.arraycopy(x.score, p, x.score, p + 1, m);
        x.ele[p] = e;
        x.score[p] = s;
        if (x.kids != null) {
            System.arraycopy(x.kids, p, x.kids, p + 1, m);
            System.arraycopy(x.cnt, p, x.cnt, p + 1, m);
            x.kids[p] = kid;
            x.cnt[p] = kidCount;
            // total already counts the element that caused this child to split.
        } else {
            x.total++;
        }
        x.n++;
    }

    /**
     * Deletes an element; returns the member array the tree held for it, or null when absent.
     * Callers delete elements they know are present (the dict says so): the descent copies the
     * shared nodes of the path as it goes, which an absent element would waste, not corrupt.
     */
    byte[] delete(double s, byte[] e) {
        if (root.total == 0) return null;
        Node r = own(root);
        root = r;
        byte[] stored = delete(r, s, e);
        if (stored == null) return null;
        if (root.total == 0) root = new Node(stamp, true);
        while (!root.leaf() && root.n == 1) root = root.kids[0];
        return stored;
    }

    /** Deletes the element below owned node x; the removed member array, or null when absent. */
    private byte[] delete(Node x, double s, byte[] e) {
        if (x.leaf()) {
            int p = prefix(x, 0, EXACT_LT, s, e);
            if (p >= x.n || x.score[p] != s || !Arrays.equals(x.ele[p], e)) return null;
            byte[] stored = x.ele[p];
            removeAt(x, p);
            x.total--;
            return stored;
        }
        int i = child(x, EXACT_LE, s, e);
        Node c = own(x.kids[i]);
        x.kids[i] = c;
        byte[] stored = delete(c, s, e);
        if (stored == null) return null;
        x.cnt[i]--;
        x.total--;
        // No node but the root is ever empty: walks step over leaves without looking inside.
        if (c.n == 0) {
            byte[] e0 = x.ele[0];
            double s0 = x.score[0];
            removeAt(x, i);
            // x's first separator must stay the bound its parent holds for x.
            x.ele[0] = e0;
            x.score[0] = s0;
        } else if (c.n < MIN && x.n > 1) {
            rebalance(x, i);
        }
        return stored;
    }

    /** Deletes the element of 0-based rank r (0 &le; r &lt; size); returns its member array. */
    byte[] deleteAt(long r) {
        Node x = own(root);
        root = x;
        byte[] stored = deleteAt(x, r);
        if (root.total == 0) root = new Node(stamp, true);
        while (!root.leaf() && root.n == 1) root = root.kids[0];
        return stored;
    }

    private byte[] deleteAt(Node x, long r) {
        if (x.leaf()) {
            int p = (int) r;
            byte[] stored = x.ele[p];
            removeAt(x, p);
            x.total--;
            return stored;
        }
        int i = 0;
        int[] cnt = x.cnt;
        while (r >= cnt[i]) {
            r -= cnt[i];
            i++;
        }
        Node c = own(x.kids[i]);
        x.kids[i] = c;
        byte[] stored = deleteAt(c, r);
        x.cnt[i]--;
        x.total--;
        if (c.n == 0) {
            byte[] e0 = x.ele[0];
            double s0 = x.score[0];
            removeAt(x, i);
            x.ele[0] = e0;
            x.score[0] = s0;
        } else if (c.n < MIN && x.n > 1) {
            rebalance(x, i);
        }
        return stored;
    }

    /** Closes slot p of owned node x. Does not change total. */
    private static void removeAt(Node x, int p) {
        int m = x.n - p - 1;
        System.arraycopy(x.ele, p + 1, x.ele, p, m);
        System.arraycopy(x.score, p + 1, x.score, p, m);
        x.ele[x.n - 1] = null;
        if (x.kids != null) {
            System.arraycopy(x.kids, p + 1, x.kids, p, m);
            System.arraycopy(x.cnt, p + 1, x.cnt, p, m);
            x.kids[x.n - 1] = null;
        }
        x.n--;
    }

    /** Child i of owned inner node x is under-full: merge it with a neighbour or even them out. */
    private void rebalance(Node x, int i) {
        int l = i > 0 ? i - 1 : i;
        int r = l + 1;
        Node a = own(x.kids[l]);
        Node b = own(x.kids[r]);
        x.kids[l] = a;
        x.kids[r] = b;
        boolean leaf = a.leaf();
        if (a.n + b.n <= MAX) {
            // b's entries follow a's; for inner nodes b's first separator is x's separator r.
            if (!leaf) {
                b.ele[0] = x.ele[r];
                b.score[0] = x.score[r];
                System.arraycopy(b.kids, 0, a.kids, a.n, b.n);
                System.arraycopy(b.cnt, 0, a.cnt, a.n, b.n);
            }
            System.arraycopy(b.ele, 0, a.ele, a.n, b.n);
            System.arraycopy(b.score, 0, a.score, a.n, b.n);
            a.n += b.n;
            a.total += b.total;
            x.cnt[l] += x.cnt[r];
            removeAt(x, r);
            return;
        }
        int want = (a.n + b.n) / 2;
        if (a.n < want) {
            int k = want - a.n; // move b[0, k) to the end of a
            if (!leaf) {
                b.ele[0] = x.ele[r];
                b.score[0] = x.score[r];
                System.arraycopy(b.kids, 0, a.kids, a.n, k);
                System.arraycopy(b.cnt, 0, a.cnt, a.n, k);
                System.arraycopy(b.kids, k, b.kids, 0, b.n - k);
                System.arraycopy(b.cnt, k, b.cnt, 0, b.n - k);
                Arrays.fill(b.kids, b.n - k, b.n, null);
            }
            System.arraycopy(b.ele, 0, a.ele, a.n, k);
            System.arraycopy(b.score, 0, a.score, a.n, k);
            System.arraycopy(b.ele, k, b.ele, 0, b.n - k);
            System.arraycopy(b.score, k, b.score, 0, b.n - k);
            Arrays.fill(b.ele, b.n - k, b.n, null);
            a.n += k;
            b.n -= k;
        } else {
            int k = a.n - want; // move a[a.n - k, a.n) to the front of b
            System.arraycopy(b.ele, 0, b.ele, k, b.n);
            System.arraycopy(b.score, 0, b.score, k, b.n);
            System.arraycopy(a.ele, a.n - k, b.ele, 0, k);
            System.arraycopy(a.score, a.n - k, b.score, 0, k);
            Arrays.fill(a.ele, a.n - k, a.n, null);
            if (!leaf) {
                System.arraycopy(b.kids, 0, b.kids, k, b.n);
                System.arraycopy(b.cnt, 0, b.cnt, k, b.n);
                System.arraycopy(a.kids, a.n - k, b.kids, 0, k);
                System.arraycopy(a.cnt, a.n - k, b.cnt, 0, k);
                Arrays.fill(a.kids, a.n - k, a.n, null);
                // b's old first child keeps the separator x held for it.
                b.ele[k] = x.ele[r];
                b.score[k] = x.score[r];
            }
            a.n -= k;
            b.n += k;
        }
        if (leaf) {
            a.total = a.n;
            b.total = b.n;
        } else {
            a.total = sum(a.cnt, a.n);
            b.total = sum(b.cnt, b.n);
        }
        x.cnt[l] = a.total;
        x.cnt[r] = b.total;
        x.ele[r] = b.ele[0];
        x.score[r] = b.score[0];
    }

    private static int sum(int[] a, int n) {
        int t = 0;
        for (int j = 0; j < n; j++) t += a[j];
        return t;
    }

    /** Removes every element (the old nodes stay with whoever shares them). */
    void clear() {
        root = new Node(stamp, true);
    }

    /** Entries per node of a bulk build: room is left so that the next inserts do not split. */
    private static final int FILL = MAX * 3 / 4;

    /**
     * A tree holding {@code ele/score[0, n)}, which must be sorted in Redis order without
     * duplicates, built bottom-up in O(n) with nodes filled evenly to about {@link #FILL}.
     */
    static ZslTree build(byte[][] ele, double[] score, int n) {
        ZslTree t = new ZslTree();
        if (n == 0) return t;
        long st = t.stamp;
        int nodes = (n + FILL - 1) / FILL;
        Node[] level = new Node[nodes];
        for (int k = 0, from = 0; k < nodes; k++) {
            int to = (int) ((long) n * (k + 1) / nodes);
            Node x = new Node(st, true);
            System.arraycopy(ele, from, x.ele, 0, to - from);
            System.arraycopy(score, from, x.score, 0, to - from);
            x.n = x.total = to - from;
            level[k] = x;
            from = to;
        }
        while (nodes > 1) {
            int up = (nodes + FILL - 1) / FILL;
            Node[] next = new Node[up];
            for (int k = 0, from = 0; k < up; k++) {
                int to = (int) ((long) nodes * (k + 1) / up);
                Node x = new Node(st, false);
                for (int j = from; j < to; j++) {
                    Node c = level[j];
                    int q = j - from;
                    x.kids[q] = c;
                    x.cnt[q] = c.total;
                    x.ele[q] = c.ele[0];
                    x.score[q] = c.score[0];
                    x.total += c.total;
                }
                x.n = to - from;
                next[k] = x;
                from = to;
            }
            level = next;
            nodes = up;
        }
        t.root = level[0];
        return t;
    }

    // =====================================================================================
    // Walks
    // =====================================================================================

    /**
     * An in-order walk from a rank, forwards or backwards. {@link #next} moves to the next
     * element and exposes it in {@link #ele}/{@link #score}; the tree must not change meanwhile.
     */
    static final class Cursor {
        private final Node[] path = new Node[MAX_DEPTH];
        private final int[] idx = new int[MAX_DEPTH];
        private int depth;
        private Node leaf;
        private int pos;
        private boolean reverse, started, done;
        byte[] ele;
        double score;

        /** Positions before the element of rank r (0 &le; r &lt; size), or at the end when out of range. */
        void seek(ZslTree t, long r, boolean reverse) {
            this.reverse = reverse;
            this.started = false;
            Node x = t.root;
            if (r < 0 || r >= x.total) {
                done = true;
                return;
            }
            done = false;
            int d = 0;
            while (!x.leaf()) {
                int i = 0;
                int[] cnt = x.cnt;
                while (r >= cnt[i]) {
                    r -= cnt[i];
                    i++;
                }
                path[d] = x;
                idx[d] = i;
                d++;
                x = x.kids[i];
            }
            depth = d;
            leaf = x;
            pos = (int) r;
        }

        boolean next() {
            if (done) return false;
            if (!started) {
                started = true;
            } else if (!reverse) {
                if (++pos >= leaf.n && !step(1)) return false;
            } else {
                if (--pos < 0 && !step(-1)) return false;
            }
            ele = leaf.ele[pos];
            score = leaf.score[pos];
            return true;
        }

        /** Moves to the first (dir 1) or last (dir -1) element of the adjacent leaf. */
        private boolean step(int dir) {
            int d = depth - 1;
            while (d >= 0) {
                int ni = idx[d] + dir;
                if (ni >= 0 && ni < path[d].n) {
                    idx[d] = ni;
                    break;
                }
                d--;
            }
            if (d < 0) {
                done = true;
                return false;
            }
            Node x = path[d].kids[idx[d]];
            for (d++; d < depth; d++) {
                path[d] = x;
                int i = dir > 0 ? 0 : x.n - 1;
                idx[d] = i;
                x = x.kids[i];
            }
            leaf = x;
            pos = dir > 0 ? 0 : x.n - 1;
            return true;
        }
    }

    // =====================================================================================
    // Test support
    // =====================================================================================

    /** Checks every invariant; throws AssertionError on a violation. Returns the height. */
    int verify() {
        int[] h = new int[1];
        check(root, true, null, Double.NaN, null, Double.NaN, h, 0);
        return h[0];
    }

    private void check(Node x, boolean isRoot, byte[] loE, double loS, byte[] hiE, double hiS, int[] h, int d) {
        // Nodes may be small (an end split leaves a one-entry right node) but never empty.
        if (!isRoot && x.n < 1) throw new AssertionError("empty node");
        if (x.n > MAX) throw new AssertionError("over-full node");
        if (x.leaf()) {
            if (h[0] == 0) h[0] = d + 1;
            else if (h[0] != d + 1) throw new AssertionError("unbalanced");
            if (x.total != x.n) throw new AssertionError("leaf total");
            for (int i = 0; i < x.n; i++) {
                if (i > 0 && compare(x.score[i - 1], x.ele[i - 1], x.score[i], x.ele[i]) >= 0) {
                    throw new AssertionError("leaf order");
                }
                if (loE != null && compare(x.score[i], x.ele[i], loS, loE) < 0) throw new AssertionError("below bound");
                if (hiE != null && compare(x.score[i], x.ele[i], hiS, hiE) >= 0) throw new AssertionError("above bound");
            }
            for (int i = x.n; i < MAX; i++) if (x.ele[i] != null) throw new AssertionError("stale leaf slot");
            return;
        }
        if (isRoot && x.n < 2) throw new AssertionError("inner root with one child");
        int t = 0;
        for (int i = 0; i < x.n; i++) {
            Node c = x.kids[i];
            if (c.total != x.cnt[i]) throw new AssertionError("count " + x.cnt[i] + " != " + c.total);
            t += x.cnt[i];
            if (i > 0 && !c.leaf() && (c.ele[0] != x.ele[i] || c.score[0] != x.score[i])) {
                throw new AssertionError("inner child separator mismatch");
            }
            byte[] le = i == 0 ? loE : x.ele[i];
            double ls = i == 0 ? loS : x.score[i];
            byte[] he = i + 1 < x.n ? x.ele[i + 1] : hiE;
            double hs = i + 1 < x.n ? x.score[i + 1] : hiS;
            check(c, false, le, ls, he, hs, h, d + 1);
        }
        if (t != x.total) throw new AssertionError("inner total");
        for (int i = x.n; i < MAX; i++) if (x.kids[i] != null) throw new AssertionError("stale inner slot");
    }
}

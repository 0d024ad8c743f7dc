package org.redoubt.engine.type;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The sorted set value and its ordered index: structure, ranks, ranges, copy-on-write. */
class ZSetValueTest {
    private static final long BIG = Long.MAX_VALUE;

    /** A reference element in Redis order. */
    record E(double score, String member) implements Comparable<E> {
        byte[] bytes() { return member.getBytes(StandardCharsets.ISO_8859_1); }

        @Override public int compareTo(E o) {
            return ZslTree.compare(score, bytes(), o.score, o.bytes());
        }
    }

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }

    private static List<E> contents(ZSetValue z) {
        List<E> l = new ArrayList<>();
        ZSetValue.Iter it = z.iter(0, false);
        while (it.next()) l.add(new E(it.score, new String(it.member, StandardCharsets.ISO_8859_1)));
        return l;
    }

    @Test
    void randomOperationsAgreeWithAReference() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (boolean listpackFirst : new boolean[] {true, false}) {
            ZSetValue z = listpackFirst ? ZSetValue.newListpack(0) : ZSetValue.newSkiplist(0);
            TreeSet<E> ref = new TreeSet<>();
            java.util.HashMap<String, Double> scores = new java.util.HashMap<>();
            for (int op = 0; op < 60_000; op++) {
                String m = "m" + rnd.nextInt(8000);
                int kind = rnd.nextInt(10);
                if (kind < 6) {
                    double s = rnd.nextInt(200) / 4.0;
                    int r = z.add(s, b(m), 0, 128, 64, null);
                    Double old = scores.put(m, s);
                    if (old != null) ref.remove(new E(old, m));
                    ref.add(new E(s, m));
                    assertThat((r & ZSetValue.OUT_ADDED) != 0).isEqualTo(old == null);
                } else if (kind < 9) {
                    boolean had = z.remove(b(m));
                    Double old = scores.remove(m);
                    assertThat(had).isEqualTo(old != null);
                    if (old != null) ref.remove(new E(old, m));
                } else {
                    long rk = z.rank(b(m), false);
                    Double old = scores.get(m);
                    assertThat(rk).isEqualTo(old == null ? -1 : ref.headSet(new E(old, m)).size());
                }
                if (op % 5000 == 0) {
                    z.verify();
                    assertThat(contents(z)).containsExactlyElementsOf(ref);
                }
            }
            z.verify();
            assertThat(z.encoding()).isEqualTo("skiplist");
            assertThat(contents(z)).containsExactlyElementsOf(ref);
            // Score range counts and reverse walks.
            for (int k = 0; k < 200; k++) {
                double s = rnd.nextInt(210) / 4.0 - 1;
                long below = ref.stream().filter(e -> e.score < s).count();
                long atOrBelow = ref.stream().filter(e -> e.score <= s).count();
                assertThat(z.countScoreBelow(s, false)).isEqualTo(below);
                assertThat(z.countScoreBelow(s, true)).isEqualTo(atOrBelow);
            }
            List<E> rev = new ArrayList<>(ref);
            Collections.reverse(rev);
            List<E> walked = new ArrayList<>();
            ZSetValue.Iter it = z.iter(0, true);
            while (it.next()) walked.add(new E(it.score, new String(it.member, StandardCharsets.ISO_8859_1)));
            assertThat(walked).containsExactlyElementsOf(rev);
            // Remove everything by rank ranges.
            while (z.size() > 0) {
                long from = rnd.nextLong(z.size());
                z.removeRange(from, from + 1 + rnd.nextInt(300));
                z.verify();
            }
        }
    }

    @Test
    void bulkBuildAndSequentialInsertKeepInvariants() {
        int n = 100_000;
        byte[][] e = new byte[n][];
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            e[i] = b(String.format("%08d", i));
            s[i] = i;
        }
        ZslTree t = ZslTree.build(e, s, n);
        t.verify();
        assertThat(t.size()).isEqualTo(n);
        ZslTree u = new ZslTree();
        for (int i = 0; i < n; i++) u.insert(s[i], e[i]);
        u.verify();
        assertThat(u.countBefore(ZslTree.EXACT_LT, 5000, e[5000])).isEqualTo(5000);
        // Descending inserts split in the middle; still balanced.
        ZslTree d = new ZslTree();
        for (int i = n - 1; i >= 0; i--) d.insert(s[i], e[i]);
        assertThat(d.verify()).isLessThanOrEqualTo(5);
    }

    @Test
    void massDeletionsRebalanceADeepTree() {
        SplittableRandom rnd = new SplittableRandom(7);
        int n = 300_000;
        ZslTree t = new ZslTree();
        List<E> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            E x = new E(rnd.nextInt(1000), "k" + i);
            all.add(x);
            t.insert(x.score, x.bytes());
        }
        t.verify();
        Collections.shuffle(all, new java.util.Random(3));
        TreeSet<E> left = new TreeSet<>(all);
        for (int i = 0; i < n - 10; i++) {
            E x = all.get(i);
            assertThat(t.delete(x.score, x.bytes())).isNotNull();
            left.remove(x);
            if (i % 20_000 == 0 || i > n - 200) {
                t.verify();
                assertThat(t.size()).isEqualTo(left.size());
            }
        }
        assertThat(t.delete(-5, b("absent"))).isNull();
        List<E> rest = new ArrayList<>();
        ZslTree.Cursor cur = new ZslTree.Cursor();
        cur.seek(t, 0, false);
        while (cur.next()) rest.add(new E(cur.score, new String(cur.ele, StandardCharsets.ISO_8859_1)));
        assertThat(rest).containsExactlyElementsOf(left);
        assertThat(t.verify()).isLessThanOrEqualTo(2);
    }

    @Test
    void forkIsolatesBothSides() {
        ZSetValue a = ZSetValue.newSkiplist(0);
        for (int i = 0; i < 5000; i++) a.add(i, b("k" + i), 0, BIG, BIG, null);
        List<E> before = contents(a);
        ZSetValue c = a.writable(1);
        assertThat(c).isNotSameAs(a);
        for (int i = 0; i < 5000; i += 3) c.remove(b("k" + i));
        for (int i = 0; i < 2000; i++) c.add(-i, b("n" + i), 0, BIG, BIG, null);
        c.add(99999, b("k1"), 0, BIG, BIG, null);
        assertThat(contents(a)).isEqualTo(before);
        assertThat(a.score(b("k1"))).isEqualTo(1.0);
        assertThat(c.score(b("k1"))).isEqualTo(99999.0);
        a.verify();
        c.verify();
        // The original can still be written (COPY keeps using it) without disturbing the copy.
        List<E> copyContents = contents(c);
        ZSetValue dup = c.duplicate(1);
        c.add(5, b("zzz"), 0, BIG, BIG, null);
        assertThat(contents(dup)).isEqualTo(copyContents);
        assertThat(dup.contains(b("zzz"))).isFalse();
    }

    @Test
    void oneWriteAfterAForkCopiesOnlyAPath() {
        int n = 1 << 20;
        byte[][] e = new byte[n][];
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            e[i] = b("member:" + i);
            s[i] = i * 0.5;
        }
        ZSetValue.sort(e, s, n);
        ZSetValue big = ZSetValue.fromSorted(e, s, n, false, 0);
        ZslTree old = big.tree();
        ZSetValue w = big.writable(1);
        w.add(123.25, b("new-member"), 0, BIG, BIG, null);
        IdentityHashMap<ZslTree.Node, Boolean> shared = new IdentityHashMap<>();
        collect(old.root, shared);
        int fresh = countFresh(w.tree().root, shared);
        assertThat(fresh).isLessThanOrEqualTo(old.verify() + 1);
        assertThat(big.size()).isEqualTo(n);
        assertThat(w.size()).isEqualTo(n + 1);
    }

    private static void collect(ZslTree.Node x, IdentityHashMap<ZslTree.Node, Boolean> set) {
        set.put(x, Boolean.TRUE);
        if (x.kids != null) for (int i = 0; i < x.n; i++) collect(x.kids[i], set);
    }

    private static int countFresh(ZslTree.Node x, IdentityHashMap<ZslTree.Node, Boolean> old) {
        if (old.containsKey(x)) return 0;
        int k = 1;
        if (x.kids != null) for (int i = 0; i < x.n; i++) k += countFresh(x.kids[i], old);
        return k;
    }

    @Test
    void listpackNormalizesNegativeZeroAndConvertsAtTheLimits() {
        ZSetValue z = ZSetValue.newListpack(0);
        z.add(-0.0, b("a"), 0, 3, 5, null);
        assertThat(Double.doubleToRawLongBits(z.score(b("a")))).isEqualTo(0L);
        z.add(1, b("b"), 0, 3, 5, null);
        z.add(2, b("c"), 0, 3, 5, null);
        assertThat(z.encoding()).isEqualTo("listpack");
        z.add(3, b("d"), 0, 3, 5, null);
        assertThat(z.encoding()).isEqualTo("skiplist");
        ZSetValue y = ZSetValue.newListpack(0);
        y.add(1, b("123456"), 0, 3, 5, null);
        assertThat(y.encoding()).isEqualTo("skiplist");
        y.add(-0.0, b("z"), 0, 3, 5, null);
        assertThat(Double.doubleToRawLongBits(y.score(b("z")))).isEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    @Test
    void lexAndScoreRangeParsing() {
        assertThat(ZSetValue.ScoreRange.parse(b("(1"), b("+inf")).minex).isTrue();
        assertThat(ZSetValue.ScoreRange.parse(b(""), b("(")).max).isEqualTo(0.0);
        assertThat(ZSetValue.ScoreRange.parse(b(" 2"), b("1e400")).max).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(ZSetValue.ScoreRange.parse(b("nan"), b("1"))).isNull();
        assertThat(ZSetValue.ScoreRange.parse(b("1 "), b("1"))).isNull();
        assertThat(ZSetValue.ScoreRange.parse(b("abc"), b("1"))).isNull();
        assertThat(ZSetValue.LexBound.parse(b("a"))).isNull();
        assertThat(ZSetValue.LexBound.parse(b("+x"))).isNull();
        assertThat(ZSetValue.LexBound.parse(b("-")).inf).isEqualTo(-1);
        assertThat(ZSetValue.LexBound.parse(b("(a")).ex).isTrue();
    }
}

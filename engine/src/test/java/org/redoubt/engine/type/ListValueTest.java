package org.redoubt.engine.type;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ListValueTest {

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static List<String> contents(ListValue l) {
        List<String> out = new ArrayList<>();
        l.forEach((buf, off, len) -> out.add(new String(buf, off, len, StandardCharsets.ISO_8859_1)));
        return out;
    }

    private static List<String> range(ListValue l, long start, long n, boolean reverse) {
        List<String> out = new ArrayList<>();
        l.visitRange(start, n, reverse, (buf, off, len) -> out.add(new String(buf, off, len, StandardCharsets.ISO_8859_1)));
        return out;
    }

    private static String randomElement(SplittableRandom r) {
        int kind = r.nextInt(10);
        int len = kind < 6 ? r.nextInt(12) : kind < 9 ? r.nextInt(300) : r.nextInt(20000);
        char[] c = new char[len];
        for (int i = 0; i < len; i++) c[i] = (char) ('a' + r.nextInt(4));
        return new String(c);
    }

    /** Every operation against an ArrayList model, with node budgets small enough to split often. */
    @Test
    void randomOperationsMatchModel() {
        for (int fill : new int[] {-5, -2, -1, 0, 1, 3, 16}) {
            SplittableRandom r = new SplittableRandom(42 + fill);
            ListValue l = ListValue.create(fill, 0);
            List<String> model = new ArrayList<>();
            for (int step = 0; step < 6000; step++) {
                int op = r.nextInt(12);
                String e = randomElement(r);
                switch (op) {
                    case 0, 1 -> { l.pushHead(b(e)); model.add(0, e); }
                    case 2, 3 -> { l.pushTail(b(e)); model.add(e); }
                    case 4 -> {
                        if (!model.isEmpty()) assertThat(new String(l.popHead(), StandardCharsets.ISO_8859_1)).isEqualTo(model.remove(0));
                    }
                    case 5 -> {
                        if (!model.isEmpty()) assertThat(new String(l.popTail(), StandardCharsets.ISO_8859_1)).isEqualTo(model.remove(model.size() - 1));
                    }
                    case 6 -> {
                        if (!model.isEmpty()) {
                            int i = r.nextInt(model.size());
                            l.set(i, b(e));
                            model.set(i, e);
                        }
                    }
                    case 7 -> {
                        if (!model.isEmpty()) {
                            String pivot = model.get(r.nextInt(model.size()));
                            boolean after = r.nextBoolean();
                            assertThat(l.insert(b(pivot), b(e), after)).isTrue();
                            int i = model.indexOf(pivot);
                            model.add(after ? i + 1 : i, e);
                        } else {
                            assertThat(l.insert(b("x"), b(e), true)).isFalse();
                        }
                    }
                    case 8 -> {
                        if (!model.isEmpty()) {
                            String victim = model.get(r.nextInt(model.size()));
                            int count = r.nextInt(5) - 2;
                            long removed = l.removeMatching(b(victim), Math.abs(count), count < 0);
                            long expect = removeFromModel(model, victim, count);
                            assertThat(removed).isEqualTo(expect);
                        }
                    }
                    case 9 -> {
                        if (model.size() > 2) {
                            int start = r.nextInt(model.size());
                            int n = r.nextInt(model.size() - start + 1);
                            l.deleteRange(start, n);
                            model.subList(start, start + n).clear();
                        }
                    }
                    case 10 -> {
                        if (!model.isEmpty()) {
                            int start = r.nextInt(model.size());
                            int n = 1 + r.nextInt(model.size() - start);
                            boolean rev = r.nextBoolean();
                            List<String> expect = new ArrayList<>(model.subList(start, start + n));
                            if (rev) Collections.reverse(expect);
                            assertThat(range(l, start, n, rev)).isEqualTo(expect);
                        }
                    }
                    default -> {
                        if (!model.isEmpty()) {
                            int i = r.nextInt(model.size());
                            assertThat(new String(l.get(i), StandardCharsets.ISO_8859_1)).isEqualTo(model.get(i));
                        }
                    }
                }
                assertThat(l.size()).isEqualTo(model.size());
                if (step % 500 == 0) assertThat(contents(l)).isEqualTo(model);
            }
            assertThat(contents(l)).isEqualTo(model);
        }
    }

    private static long removeFromModel(List<String> model, String v, int count) {
        long removed = 0;
        if (count >= 0) {
            for (int i = 0; i < model.size(); ) {
                if (model.get(i).equals(v)) {
                    model.remove(i);
                    removed++;
                    if (count != 0 && removed == count) break;
                } else {
                    i++;
                }
            }
        } else {
            for (int i = model.size() - 1; i >= 0; i--) {
                if (model.get(i).equals(v)) {
                    model.remove(i);
                    removed++;
                    if (removed == -count) break;
                }
            }
        }
        return removed;
    }

    @Test
    void positionsAsLpos() {
        ListValue l = ListValue.create(2, 0);
        for (String s : "a b c 1 2 3 c c".split(" ")) l.pushTail(b(s));
        assertThat(l.positions(b("c"), 1, false, 1, 0)).containsExactly(2);
        assertThat(l.positions(b("c"), 2, false, 1, 0)).containsExactly(6);
        assertThat(l.positions(b("c"), 1, true, 1, 0)).containsExactly(7);
        assertThat(l.positions(b("c"), 1, false, Long.MAX_VALUE, 0)).containsExactly(2, 6, 7);
        assertThat(l.positions(b("c"), 1, true, 2, 0)).containsExactly(7, 6);
        assertThat(l.positions(b("c"), 1, false, Long.MAX_VALUE, 3)).containsExactly(2);
        assertThat(l.positions(b("x"), 1, false, 1, 0)).isEmpty();
    }

    /**
     * A snapshot of a 1M-element list keeps its content while the live list is written, and one
     * write after the snapshot copies one chunk (plus the chunk index), not the list.
     */
    @Test
    void snapshotOfLargeListIsUnchangedByLaterWrites() {
        ListValue live = ListValue.create(-2, 0);
        for (int i = 0; i < 1_000_000; i++) live.pushTail(b("element:" + i));
        ListValue snap = live;                 // what a snapshot taken now holds
        long epoch = 1;                        // engine.snapshotEpoch after the snapshot
        int nodes = snap.nodeCount();
        assertThat(nodes).isGreaterThan(100);

        ListValue w = live.writable(epoch);
        assertThat(w).isNotSameAs(snap);
        w.pushHead(b("new-head"));
        // The index is copied, the nodes are shared except the one written.
        IdentityHashMap<Object, Boolean> snapNodes = new IdentityHashMap<>();
        for (int i = 0; i < nodes; i++) snapNodes.put(snap.nodeAt(i), true);
        int shared = 0;
        for (int i = 0; i < w.nodeCount(); i++) if (snapNodes.containsKey(w.nodeAt(i))) shared++;
        assertThat(shared).isGreaterThanOrEqualTo(nodes - 1);

        w.set(500_000, b("changed"));
        w.deleteRange(999_000, 1000);
        w.removeMatching(b("element:7"), 0, false);
        w.insert(b("element:8"), b("inserted"), true);
        assertThat(w.writable(epoch)).isSameAs(w);
        int copied = 0;
        for (int i = 0; i < w.nodeCount(); i++) if (!snapNodes.containsKey(w.nodeAt(i))) copied++;
        assertThat(copied).isLessThanOrEqualTo(8);

        // The snapshot still reads exactly the original list.
        assertThat(snap.size()).isEqualTo(1_000_000);
        long[] i = {0};
        snap.forEach((buf, off, len) -> {
            assertThat(new String(buf, off, len, StandardCharsets.ISO_8859_1)).isEqualTo("element:" + i[0]);
            i[0]++;
        });
        assertThat(i[0]).isEqualTo(1_000_000);
        assertThat(new String(w.get(0), StandardCharsets.ISO_8859_1)).isEqualTo("new-head");
        assertThat(new String(w.get(500_000), StandardCharsets.ISO_8859_1)).isEqualTo("changed");
    }

    @Test
    void duplicateIsIndependentInTheSameEpoch() {
        ListValue a = ListValue.create(-2, 0);
        for (int i = 0; i < 5000; i++) a.pushTail(b("v" + i));
        ListValue d = a.duplicate(0);
        a.set(0, b("changed-in-a"));
        d.pushTail(b("pushed-to-d"));
        d.set(100, b("changed-in-d"));
        assertThat(new String(d.get(0), StandardCharsets.ISO_8859_1)).isEqualTo("v0");
        assertThat(new String(a.get(100), StandardCharsets.ISO_8859_1)).isEqualTo("v100");
        assertThat(a.size()).isEqualTo(5000);
        assertThat(d.size()).isEqualTo(5001);
    }

    @Test
    void encodingIsQuicklistAsRedis70() {
        ListValue l = ListValue.create(-2, 0);
        l.pushTail(b("a"));
        assertThat(l.encoding()).isEqualTo("quicklist");
        assertThat(l.typeName()).isEqualTo("list");
    }

    @Test
    void memoryUsageIsInRedisBallpark() {
        ListValue l = ListValue.create(-2, 0);
        for (int i = 0; i < 3; i++) l.pushTail(b("abc"));
        // Redis 7.0: robj 16 + quicklist 40 + node 32 + listpack (6 + 3 * 5 + 1 = 22 -> 32).
        assertThat(l.memoryUsage(5)).isEqualTo(16 + 40 + 32 + 32);
    }

    @Test
    void bigElementsGetTheirOwnNodes() {
        ListValue l = ListValue.create(-2, 0);
        byte[] big = new byte[100_000];
        Arrays.fill(big, (byte) 'x');
        l.pushTail(b("a"));
        l.pushTail(big);
        l.pushTail(b("b"));
        assertThat(l.nodeCount()).isEqualTo(3);
        assertThat(l.get(1)).isEqualTo(big);
        l.set(0, big);
        l.set(2, b("c"));
        assertThat(l.get(0)).isEqualTo(big);
        assertThat(new String(l.get(2), StandardCharsets.ISO_8859_1)).isEqualTo("c");
    }
}

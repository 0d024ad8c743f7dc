package org.redoubt.engine.type;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StreamValueTest {

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }

    private static final String[] SPECIAL = {
        "0", "1", "-1", "127", "128", "-4096", "4095", "4096", "32767", "-32769", "8388607", "2147483648",
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "0123", "+1", "-0", "", " 1",
        "12a", "-",
    };

    private static String element(SplittableRandom r) {
        int kind = r.nextInt(20);
        if (kind < 5) return SPECIAL[r.nextInt(SPECIAL.length)];
        if (kind < 8) return Long.toString(r.nextLong());
        int len = kind < 17 ? r.nextInt(20) : kind < 19 ? 55 + r.nextInt(20) : 4090 + r.nextInt(12);
        char[] c = new char[len];
        for (int i = 0; i < len; i++) c[i] = (char) ('a' + r.nextInt(3));
        return new String(c);
    }

    /**
     * One node holding every entry (no size or count limit): its listpack must be exactly what
     * appending the elements of Redis's node layout one at a time gives, including the element
     * count saturating at 65535 ("unknown") and entries with and without the master's fields.
     */
    @Test
    void entriesAreByteIdenticalToElementByElementAppends() {
        SplittableRandom r = new SplittableRandom(11);
        StreamValue s = StreamValue.create(0);
        List<byte[][]> entries = new ArrayList<>();
        List<long[]> ids = new ArrayList<>();
        byte[][] master = {b("f1"), b("v"), b("f2"), b("v")};
        long ms = 1_700_000_000_000L, seq = 0;
        for (int e = 0; e < 15_000; e++) {
            int shape = r.nextInt(4);
            byte[][] argv;
            if (shape < 2) {
                argv = new byte[][] {master[0], b(element(r)), master[2], b(element(r))};
            } else if (shape == 2) {
                argv = new byte[][] {b("f1"), b(element(r)), b("other"), b(element(r))};
            } else {
                int nf = 1 + r.nextInt(3);
                argv = new byte[nf * 2][];
                for (int i = 0; i < nf * 2; i++) argv[i] = b(element(r));
            }
            if (r.nextInt(3) == 0) {
                ms += 1 + (r.nextInt(10) == 0 ? r.nextLong(1L << 40) : r.nextInt(5000));
                seq = r.nextInt(3) == 0 ? r.nextLong(1L << 33) : 0;
            } else {
                seq++;
            }
            int rc = e == 0
                ? s.append(master, 0, 2, true, ms, seq, true, 0, 0, 0)
                : s.append(argv, 0, argv.length / 2, true, ms, seq, true, 0, 0, 0);
            assertThat(rc).isEqualTo(StreamValue.APPEND_OK);
            entries.add(e == 0 ? master : argv);
            ids.add(new long[] {ms, seq});
        }
        assertThat(s.nodeCount()).isEqualTo(1);

        byte[] ref = StreamListpack.create(16);
        ref = StreamListpack.appendInt(ref, entries.size());
        ref = StreamListpack.appendInt(ref, 0);
        ref = StreamListpack.appendInt(ref, 2);
        ref = StreamListpack.append(ref, master[0], 0, master[0].length);
        ref = StreamListpack.append(ref, master[2], 0, master[2].length);
        ref = StreamListpack.appendInt(ref, 0);
        long masterMs = ids.get(0)[0], masterSeq = ids.get(0)[1];
        for (int e = 0; e < entries.size(); e++) {
            byte[][] argv = entries.get(e);
            int nf = argv.length / 2;
            boolean same = nf == 2 && java.util.Arrays.equals(argv[0], master[0]) && java.util.Arrays.equals(argv[2], master[2]);
            ref = StreamListpack.appendInt(ref, same ? StreamValue.FLAG_SAMEFIELDS : StreamValue.FLAG_NONE);
            ref = StreamListpack.appendInt(ref, ids.get(e)[0] - masterMs);
            ref = StreamListpack.appendInt(ref, ids.get(e)[1] - masterSeq);
            if (!same) ref = StreamListpack.appendInt(ref, nf);
            for (int i = 0; i < nf; i++) {
                if (!same) ref = StreamListpack.append(ref, argv[2 * i], 0, argv[2 * i].length);
                ref = StreamListpack.append(ref, argv[2 * i + 1], 0, argv[2 * i + 1].length);
            }
            ref = StreamListpack.appendInt(ref, same ? nf + 3 : 2L * nf + 4);
        }
        byte[][] got = new byte[1][];
        s.forEachNode((m, q, lp) -> {
            got[0] = java.util.Arrays.copyOf(lp, StreamListpack.bytes(lp));
            return true;
        });
        assertThat(StreamListpack.numElements(got[0])).isEqualTo(0xFFFF);
        assertThat(got[0]).isEqualTo(java.util.Arrays.copyOf(ref, StreamListpack.bytes(ref)));

        // And the entries read back as written.
        StreamValue.Iter it = s.iterator(0, 0, -1L, -1L, false);
        for (int e = 0; e < entries.size(); e++) {
            assertThat(it.next()).isTrue();
            assertThat(new long[] {it.ms, it.seq}).isEqualTo(ids.get(e));
            byte[][] argv = entries.get(e);
            assertThat(it.numFields).isEqualTo(argv.length / 2);
            int vp = it.dataPos, fp = it.masterFieldsStart;
            for (int i = 0; i < it.numFields; i++) {
                if (it.sameFields()) {
                    assertThat(StreamListpack.getBytes(it.lp, fp)).isEqualTo(argv[2 * i]);
                    fp = StreamListpack.next(it.lp, fp);
                } else {
                    assertThat(StreamListpack.getBytes(it.lp, vp)).isEqualTo(argv[2 * i]);
                    vp = StreamListpack.next(it.lp, vp);
                }
                assertThat(StreamListpack.getBytes(it.lp, vp)).isEqualTo(argv[2 * i + 1]);
                vp = StreamListpack.next(it.lp, vp);
            }
        }
        assertThat(it.next()).isFalse();
    }

    /** A node that stops being the tail keeps no spare capacity; the tail keeps its preallocation. */
    @Test
    void closedNodesAreCutToTheirSize() {
        StreamValue s = StreamValue.create(0);
        for (int i = 0; i < 1000; i++) {
            byte[][] argv = {b("field"), b("value-" + i)};
            assertThat(s.append(argv, 0, 1, false, 0, 0, true, 1000 + i / 7, 4096, 100)).isEqualTo(StreamValue.APPEND_OK);
        }
        assertThat(s.nodeCount()).isEqualTo(10);
        List<int[]> sizes = new ArrayList<>();
        s.forEachNode((m, q, lp) -> sizes.add(new int[] {StreamListpack.bytes(lp), lp.length}));
        for (int i = 0; i < sizes.size() - 1; i++) assertThat(sizes.get(i)[1]).isEqualTo(sizes.get(i)[0]);
        assertThat(sizes.get(sizes.size() - 1)[1]).isEqualTo(4096);
    }

    /** A forked stream (snapshot, COPY) keeps its nodes while the other side appends and closes nodes. */
    @Test
    void forkSeesNoLaterAppends() {
        StreamValue s = StreamValue.create(0);
        for (int i = 0; i < 150; i++) s.append(new byte[][] {b("f"), b("v" + i)}, 0, 1, false, 0, 0, true, 5, 4096, 100);
        StreamValue copy = s.duplicate(1);
        List<byte[]> before = new ArrayList<>();
        copy.forEachNode((m, q, lp) -> before.add(java.util.Arrays.copyOf(lp, StreamListpack.bytes(lp))));
        for (int i = 0; i < 200; i++) s.append(new byte[][] {b("f"), b("w" + i)}, 0, 1, false, 0, 0, true, 6, 4096, 100);
        List<byte[]> after = new ArrayList<>();
        copy.forEachNode((m, q, lp) -> after.add(java.util.Arrays.copyOf(lp, StreamListpack.bytes(lp))));
        assertThat(after).containsExactlyElementsOf(before);
        assertThat(copy.length).isEqualTo(150);
        assertThat(s.length).isEqualTo(350);
    }
}

package org.redoubt.engine.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Client;
import org.redoubt.engine.Harness;
import org.redoubt.engine.type.StreamListpack;
import org.redoubt.engine.type.StreamValue;

/**
 * Stream commands. Expected replies (lengths, node counts, digests, memory) were produced by
 * Redis 7.0.15 for the same commands.
 */
class StreamCommandsTest {
    private final Harness h = new Harness();

    private static Harness.Err err(String m) { return new Harness.Err(m); }

    private StreamValue stream(String key) {
        return (StreamValue) h.engine.db(0).mainMap().get(key.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void addRangeAndLength() {
        assertThat(h.exec("XADD", "s", "1-1", "a", "1", "b", "2")).isEqualTo("1-1");
        assertThat(h.exec("XADD", "s", "1-*", "a", "3", "b", "4")).isEqualTo("1-2");
        assertThat(h.exec("XADD", "s", "5", "c", "x")).isEqualTo("5-0");
        assertThat(h.exec("XLEN", "s")).isEqualTo(3L);
        assertThat(h.exec("XRANGE", "s", "-", "+")).isEqualTo(List.of(
            List.of("1-1", List.of("a", "1", "b", "2")),
            List.of("1-2", List.of("a", "3", "b", "4")),
            List.of("5-0", List.of("c", "x"))));
        assertThat(h.exec("XREVRANGE", "s", "+", "-", "COUNT", "1")).isEqualTo(List.of(List.of("5-0", List.of("c", "x"))));
        assertThat(h.exec("XRANGE", "s", "(1-1", "(5-0")).isEqualTo(List.of(List.of("1-2", List.of("a", "3", "b", "4"))));
        // An incomplete exclusive end ("(5" is "(5-max") still includes 5-0.
        assertThat(h.exec("XRANGE", "s", "(1-2", "(5")).isEqualTo(List.of(List.of("5-0", List.of("c", "x"))));
        assertThat(h.exec("XRANGE", "s", "-", "+", "COUNT", "0")).isNull();
        assertThat(h.exec("XRANGE", "nokey", "-", "+")).isEqualTo(List.of());
    }

    @Test
    void idErrors() {
        h.exec("XADD", "s", "5-5", "a", "1");
        assertThat(h.exec("XADD", "s", "5-5", "a", "1"))
            .isEqualTo(err("ERR The ID specified in XADD is equal or smaller than the target stream top item"));
        assertThat(h.exec("XADD", "s", "0-0", "a", "1")).isEqualTo(err("ERR The ID specified in XADD must be greater than 0-0"));
        assertThat(h.exec("XADD", "s", "abc", "a", "1")).isEqualTo(err(StreamCommands.INVALID_ID));
        assertThat(h.exec("XADD", "s", "*", "a")).isEqualTo(err("ERR wrong number of arguments for 'xadd' command"));
        assertThat(h.exec("XRANGE", "s", "(-", "+")).isEqualTo(err(StreamCommands.INVALID_ID));
        assertThat(h.exec("XADD", "s", "18446744073709551615-18446744073709551615", "a", "1"))
            .isEqualTo("18446744073709551615-18446744073709551615");
        assertThat(h.exec("XADD", "s", "*", "a", "1"))
            .isEqualTo(err("ERR The stream has exhausted the last possible ID, unable to add more items"));
        h.exec("SET", "str", "x");
        assertThat(h.exec("XADD", "str", "*", "a", "1")).isEqualTo(err("WRONGTYPE Operation against a key holding the wrong kind of value"));
        assertThat(h.exec("XADD", "new", "NOMKSTREAM", "*", "a", "1")).isNull();
        assertThat(h.exec("EXISTS", "new")).isEqualTo(0L);
    }

    @Test
    void nodesAndTrimmingFollowRedisLayout() {
        for (int i = 1; i <= 1000; i++) h.exec("XADD", "t", i + "-0", "a", "b");
        StreamValue s = stream("t");
        // Redis 7.0.15: 10 nodes of 100 entries, 26 rax nodes, MEMORY USAGE 22248.
        assertThat(s.nodeCount()).isEqualTo(10);
        assertThat(s.radixTreeNodes()).isEqualTo(26);
        assertThat(h.exec("MEMORY", "USAGE", "t")).isEqualTo(22248L);
        // Approximate trimming removes whole nodes only.
        assertThat(h.exec("XTRIM", "t", "MAXLEN", "~", "250")).isEqualTo(700L);
        assertThat(h.exec("XLEN", "t")).isEqualTo(300L);
        assertThat(h.exec("XTRIM", "t", "MAXLEN", "=", "250")).isEqualTo(50L);
        assertThat(h.exec("XRANGE", "t", "-", "+", "COUNT", "1")).isEqualTo(List.of(List.of("751-0", List.of("a", "b"))));
        assertThat(h.exec("XTRIM", "t", "MINID", "800")).isEqualTo(49L);
        assertThat(h.exec("XLEN", "t")).isEqualTo(201L);
    }

    @Test
    void nodeMaxBytesSplitsOnListpackSize() {
        h.exec("CONFIG", "SET", "stream-node-max-bytes", "500");
        for (int i = 1; i <= 300; i++) h.exec("XADD", "t", i + "-0", "a", "b");
        // Redis 7.0.15 with stream-node-max-bytes 500: 7 nodes, 17 rax nodes.
        assertThat(stream("t").nodeCount()).isEqualTo(7);
        assertThat(stream("t").radixTreeNodes()).isEqualTo(17);
    }

    @Test
    void deletesAndInfo() {
        for (int i = 1; i <= 5; i++) h.exec("XADD", "s", i + "-0", "f", Integer.toString(i));
        assertThat(h.exec("XDEL", "s", "1-0", "3-0", "9-0")).isEqualTo(2L);
        @SuppressWarnings("unchecked")
        Map<Object, Object> info = toMap((List<Object>) h.exec("XINFO", "STREAM", "s"));
        assertThat(info.get("length")).isEqualTo(3L);
        assertThat(info.get("max-deleted-entry-id")).isEqualTo("3-0");
        assertThat(info.get("recorded-first-entry-id")).isEqualTo("2-0");
        assertThat(info.get("entries-added")).isEqualTo(5L);
        assertThat(info.get("first-entry")).isEqualTo(List.of("2-0", List.of("f", "2")));
        assertThat(info.get("last-entry")).isEqualTo(List.of("5-0", List.of("f", "5")));
        assertThat(h.exec("XSETID", "s", "4-0")).isEqualTo(err("ERR The ID specified in XSETID is smaller than the target stream top item"));
        assertThat(h.exec("XSETID", "s", "10-0", "ENTRIESADDED", "20", "MAXDELETEDID", "6-0")).isEqualTo("OK");
        assertThat(h.exec("XSETID", "nokey", "10-0")).isEqualTo(err("ERR no such key"));
    }

    private static Map<Object, Object> toMap(List<Object> flat) {
        Map<Object, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < flat.size(); i += 2) m.put(flat.get(i), flat.get(i + 1));
        return m;
    }

    @Test
    void digestMatchesRedis() {
        h.exec("XADD", "s", "1-1", "a", "1", "b", "2");
        h.exec("XADD", "s", "2-0", "a", "x", "b", "y");
        h.exec("XADD", "s", "3-0", "other", "-17");
        // DEBUG DIGEST-VALUE of the same stream in Redis 7.0.15.
        byte[] out = new byte[20];
        assertThat(org.redoubt.engine.info.Digest.keyValue(h.engine.db(0), "s".getBytes(), out)).isNull();
        assertThat(org.redoubt.engine.info.Digest.hex(out)).isEqualTo(digestOfReference())
            .isEqualTo("77c3af5a034267d1c17de2197f51282d0b2114b1");
    }

    /** The digest computed directly from the entries, as debug.c defines it. */
    private static String digestOfReference() {
        byte[] d = new byte[20];
        byte[] type = {0, 0, 0, 6};
        org.redoubt.engine.info.Digest.mix(d, type);
        String[][] entries = {{"1.1", "a", "1", "b", "2"}, {"2.0", "a", "x", "b", "y"}, {"3.0", "other", "-17"}};
        for (String[] e : entries) for (String x : e) org.redoubt.engine.info.Digest.mix(d, x);
        return org.redoubt.engine.info.Digest.hex(d);
    }

    @Test
    void consumerGroupsDeliverAckAndClaim() {
        for (int i = 1; i <= 4; i++) h.exec("XADD", "s", i + "-0", "f", "v" + i);
        assertThat(h.exec("XGROUP", "CREATE", "s", "g", "0")).isEqualTo("OK");
        assertThat(h.exec("XGROUP", "CREATE", "s", "g", "0")).isEqualTo(err("BUSYGROUP Consumer Group name already exists"));
        assertThat(h.exec("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">")).isEqualTo(List.of(
            List.of("s", List.of(List.of("1-0", List.of("f", "v1")), List.of("2-0", List.of("f", "v2"))))));
        assertThat(h.exec("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">")).isEqualTo(List.of(
            List.of("s", List.of(List.of("3-0", List.of("f", "v3")), List.of("4-0", List.of("f", "v4"))))));
        assertThat(h.exec("XPENDING", "s", "g")).isEqualTo(List.of(4L, "1-0", "4-0",
            List.of(List.of("alice", "2"), List.of("bob", "2"))));
        assertThat(h.exec("XACK", "s", "g", "1-0", "9-0")).isEqualTo(1L);
        // History of alice: only her pending entry.
        assertThat(h.exec("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0")).isEqualTo(List.of(
            List.of("s", List.of(List.of("2-0", List.of("f", "v2"))))));
        assertThat(h.exec("XCLAIM", "s", "g", "bob", "0", "2-0", "JUSTID")).isEqualTo(List.of("2-0"));
        assertThat(h.exec("XPENDING", "s", "g", "-", "+", "10", "alice")).isEqualTo(List.of());
        h.exec("XDEL", "s", "3-0");
        assertThat(h.exec("XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "10", "JUSTID"))
            .isEqualTo(List.of("0-0", List.of("2-0", "4-0"), List.of("3-0")));
        @SuppressWarnings("unchecked")
        List<Object> groups = (List<Object>) h.exec("XINFO", "GROUPS", "s");
        Map<Object, Object> g = toMap(castList(groups.get(0)));
        assertThat(g.get("consumers")).isEqualTo(3L);
        assertThat(g.get("pending")).isEqualTo(2L);
        assertThat(g.get("last-delivered-id")).isEqualTo("4-0");
        assertThat(g.get("entries-read")).isEqualTo(4L);
        assertThat(g.get("lag")).isEqualTo(0L);
        assertThat(h.exec("XGROUP", "DELCONSUMER", "s", "g", "carol")).isEqualTo(2L);
        assertThat(h.exec("XGROUP", "DESTROY", "s", "g")).isEqualTo(1L);
        assertThat(h.exec("XREADGROUP", "GROUP", "g", "x", "STREAMS", "s", ">"))
            .isEqualTo(err("NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option"));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> castList(Object o) { return (List<Object>) o; }

    @Test
    void readsAndBlocks() {
        h.exec("XADD", "s", "1-0", "a", "1");
        assertThat(h.exec("XREAD", "STREAMS", "s", "0")).isEqualTo(List.of(List.of("s", List.of(List.of("1-0", List.of("a", "1"))))));
        assertThat(h.exec("XREAD", "STREAMS", "s", "$")).isNull();
        Client waiter = h.newClient();
        assertThat(h.exec(waiter, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")).isSameAs(Harness.NONE);
        h.exec("XADD", "s", "2-0", "b", "2");
        assertThat(h.drain(waiter)).isEqualTo(List.of(List.of(List.of("s", List.of(List.of("2-0", List.of("b", "2")))))));
    }

    @Test
    void writesCopyValuesSharedWithSnapshots() {
        for (int i = 1; i <= 150; i++) h.exec("XADD", "s", i + "-0", "f", "v");
        h.exec("XGROUP", "CREATE", "s", "g", "0");
        h.exec("XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "STREAMS", "s", ">");
        StreamValue before = stream("s");
        Object snapshotRange = h.exec("XRANGE", "s", "-", "+");
        Object snapshotPending = h.exec("XPENDING", "s", "g");
        h.engine.snapshotEpoch++;
        h.exec("XADD", "s", "200-0", "f", "new");
        h.exec("XDEL", "s", "5-0");
        h.exec("XACK", "s", "g", "1-0", "2-0");
        h.exec("XTRIM", "s", "MAXLEN", "100");
        StreamValue after = stream("s");
        assertThat(after).isNotSameAs(before);
        // The old value (what a snapshot holds) is unchanged.
        h.engine.db(0).mainMap().put("s".getBytes(), before, 0);
        assertThat(h.exec("XRANGE", "s", "-", "+")).isEqualTo(snapshotRange);
        assertThat(h.exec("XPENDING", "s", "g")).isEqualTo(snapshotPending);
        h.engine.db(0).mainMap().put("s".getBytes(), after, 0);
        assertThat(h.exec("XLEN", "s")).isEqualTo(100L);
    }

    @Test
    void copyIsIndependent() {
        h.exec("XADD", "s", "1-0", "a", "1");
        h.exec("XGROUP", "CREATE", "s", "g", "0");
        assertThat(h.exec("COPY", "s", "d")).isEqualTo(1L);
        h.exec("XADD", "s", "2-0", "a", "2");
        h.exec("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">");
        assertThat(h.exec("XLEN", "d")).isEqualTo(1L);
        assertThat(h.exec("XPENDING", "d", "g")).isEqualTo(java.util.Arrays.asList(0L, null, null, null));
        assertThat(h.exec("XLEN", "s")).isEqualTo(2L);
    }

    @Test
    void listpackEncodingMatchesRedis() {
        byte[] lp = StreamListpack.create(16);
        lp = StreamListpack.appendInt(lp, 1);
        lp = StreamListpack.appendInt(lp, -4096);
        lp = StreamListpack.appendInt(lp, 40000);
        lp = StreamListpack.append(lp, "hello".getBytes(), 0, 5);
        lp = StreamListpack.append(lp, "12".getBytes(), 0, 2);
        // header 6 + [1]2 + [-4096]3 + [40000]5 + [hello]7 + [12]2 + end 1
        assertThat(StreamListpack.bytes(lp)).isEqualTo(26);
        int p = StreamListpack.last(lp);
        assertThat(StreamListpack.getInt(lp, p)).isEqualTo(12);
        p = StreamListpack.prev(lp, p);
        assertThat(new String(StreamListpack.getBytes(lp, p))).isEqualTo("hello");
        p = StreamListpack.prev(lp, p);
        assertThat(StreamListpack.getInt(lp, p)).isEqualTo(40000);
        p = StreamListpack.prev(lp, p);
        assertThat(StreamListpack.getInt(lp, p)).isEqualTo(-4096);
        lp = StreamListpack.replaceInt(lp, StreamListpack.first(lp), 200);
        assertThat(StreamListpack.bytes(lp)).isEqualTo(27);
        assertThat(StreamListpack.getInt(lp, StreamListpack.first(lp))).isEqualTo(200);
    }

    private String argv() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < h.client.argc; i++) {
            if (i > 0) sb.append(' ');
            sb.append(new String(h.client.argv[i], StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    @Test
    void propagatedFormsAreDeterministic() {
        h.exec("XADD", "s", "MAXLEN", "~", "1", "5-*", "f", "v");
        assertThat(argv()).isEqualTo("XADD s MAXLEN = 1 5-0 f v");
        for (int i = 6; i < 10; i++) h.exec("XADD", "s", i + "-0", "f", "v");
        h.exec("XGROUP", "CREATE", "s", "g", "0");
        h.exec("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "100", "COUNT", "3", "STREAMS", "s", ">");
        assertThat(argv()).isEqualTo("XREADGROUP GROUP g alice COUNT 3 STREAMS s >");
        h.exec("XDEL", "s", "6-0");
        h.exec("XCLAIM", "s", "g", "bob", "0", "5-0", "6-0", "9-0", "JUSTID");
        assertThat(argv()).matches("XCLAIM s g bob 0 5-0 6-0 TIME [0-9]+ JUSTID LASTID 7-0");
        h.exec("XAUTOCLAIM", "s", "g", "carol", "0", "0");
        assertThat(argv()).matches("XCLAIM s g carol 0 5-0 7-0 TIME [0-9]+ LASTID 7-0");
        h.exec("XCLAIM", "s", "g", "dan", "0", "9-0", "LASTID", "9-0");
        assertThat(argv()).isEqualTo("XGROUP SETID s g 9-0 ENTRIESREAD 3");
    }
}

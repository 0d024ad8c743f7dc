package org.redoubt.engine.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Harness;
import org.redoubt.engine.Harness.Err;
import org.redoubt.engine.config.Notify;
import org.redoubt.engine.type.ListValue;
import org.redoubt.engine.type.Types;

class SortCommandTest {
    private Harness h;
    private final List<String> events = new ArrayList<>();

    @BeforeEach
    void setUp() {
        h = new Harness();
        h.engine.config.notifyKeyspaceEvents = Notify.ALL | Notify.KEYEVENT;
        h.engine.notifyListeners.add((type, event, key, db) ->
            events.add(event + ":" + new String(key, StandardCharsets.UTF_8)));
    }

    private Object x(String... args) { return h.exec(args); }

    private static Err err(String m) { return new Err(m); }

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    /** A list built head to tail (as RPUSH), without depending on the list commands. */
    private void list(String key, String... items) {
        ListValue l = ListValue.create(h.engine.config.listMaxListpackSize, h.engine.snapshotEpoch);
        for (String i : items) l.pushTail(b(i));
        h.client.db.setKey(b(key), l, false);
    }

    private List<String> listContent(String key) {
        ListValue l = (ListValue) h.client.db.lookupNoTouch(b(key));
        List<String> out = new ArrayList<>();
        l.forEach((buf, off, len) -> out.add(new String(buf, off, len, StandardCharsets.UTF_8)));
        return out;
    }

    @Test
    void numericAlphaAndDesc() {
        list("l", "3", "1", "10", "2");
        assertThat(x("SORT", "l")).isEqualTo(List.of("1", "2", "3", "10"));
        assertThat(x("SORT", "l", "DESC")).isEqualTo(List.of("10", "3", "2", "1"));
        assertThat(x("SORT", "l", "ALPHA")).isEqualTo(List.of("1", "10", "2", "3"));
        assertThat(x("SORT", "l", "ALPHA", "DESC", "ASC")).isEqualTo(List.of("1", "10", "2", "3"));
        list("f", "1.1", "5.10", "3.10", "7.44", "2.1", "5.75", "6.12", "0.25", "1.15");
        assertThat(x("SORT", "f")).isEqualTo(List.of("0.25", "1.1", "1.15", "2.1", "3.10", "5.10", "5.75", "6.12", "7.44"));
        assertThat(x("SORT", "nokey")).isEqualTo(List.of());
        x("SET", "str", "x");
        assertThat(x("SORT", "str")).isEqualTo(err("WRONGTYPE Operation against a key holding the wrong kind of value"));
        x("HSET", "hash", "a", "1");
        assertThat(x("SORT", "hash")).isEqualTo(err("WRONGTYPE Operation against a key holding the wrong kind of value"));
    }

    @Test
    void badDoubles() {
        x("SADD", "s", "1", "2", "3", "4", "not-a-double");
        assertThat(x("SORT", "s")).isEqualTo(err("ERR One or more scores can't be converted into double"));
        x("DEL", "s");
        x("SADD", "s", "1", "2", "3", "4");
        x("MSET", "score:1", "10", "score:2", "20", "score:3", "30", "score:4", "not-a-double");
        assertThat(x("SORT", "s", "BY", "score:*")).isEqualTo(err("ERR One or more scores can't be converted into double"));
        // strtod accepts leading blanks and an empty string (0), not trailing garbage or NaN.
        list("w", " 2", "", "1e1");
        assertThat(x("SORT", "w")).isEqualTo(List.of("", " 2", "1e1"));
        list("n", "nan", "1");
        assertThat(x("SORT", "n")).isEqualTo(err("ERR One or more scores can't be converted into double"));
        list("t", "1 ", "1");
        assertThat(x("SORT", "t")).isEqualTo(err("ERR One or more scores can't be converted into double"));
    }

    @Test
    void byKeyAndHashFieldWithLimitAndGet() {
        Random rnd = new Random(7);
        List<int[]> items = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int w = rnd.nextInt(1_000_000);
            x("SET", "weight_" + i, String.valueOf(w));
            x("HSET", "wobj_" + i, "weight", String.valueOf(w));
            items.add(new int[] {i, w});
        }
        String[] ids = new String[100];
        for (int i = 0; i < 100; i++) ids[i] = String.valueOf(i);
        list("tosort", ids);
        items.sort(Comparator.comparingInt((int[] a) -> a[1]).thenComparing(a -> String.valueOf(a[0])));
        List<String> expect = new ArrayList<>();
        for (int[] a : items) expect.add(String.valueOf(a[0]));
        assertThat(x("SORT", "tosort", "BY", "weight_*")).isEqualTo(expect);
        assertThat(x("SORT", "tosort", "BY", "wobj_*->weight")).isEqualTo(expect);
        assertThat(x("SORT", "tosort", "BY", "weight_*", "LIMIT", "5", "5")).isEqualTo(expect.subList(5, 10));
        List<?> got = (List<?>) x("SORT", "tosort", "BY", "weight_*", "GET", "#", "GET", "weight_*", "GET", "wobj_*->weight");
        assertThat(got).hasSize(300);
        for (int i = 0; i < got.size(); i += 3) {
            assertThat(got.get(i + 1)).isEqualTo(x("GET", "weight_" + got.get(i)));
            assertThat(got.get(i + 2)).isEqualTo(got.get(i + 1));
        }
        List<?> constant = (List<?>) x("SORT", "tosort", "GET", "foo");
        assertThat(constant).hasSize(100).containsOnlyNulls();
    }

    @Test
    void tiesSubSortLexicographically() {
        String[] m = {"a", "b", "c", "d", "e", "f", "aa", "aaa", "azz"};
        String[] cmd = new String[m.length + 2];
        cmd[0] = "SADD";
        cmd[1] = "s";
        System.arraycopy(m, 0, cmd, 2, m.length);
        x(cmd);
        assertThat(x("SORT", "s", "BY", "score:*")).isEqualTo(List.of("a", "aa", "aaa", "azz", "b", "c", "d", "e", "f"));
    }

    @Test
    void noSortKeepsNativeOrder() {
        list("testa", "5", "3", "4", "1", "2");
        assertThat(x("SORT", "testa", "BY", "nosort")).isEqualTo(List.of("5", "3", "4", "1", "2"));
        assertThat(x("SORT", "testa", "BY", "nosort", "DESC")).isEqualTo(List.of("2", "1", "4", "3", "5"));
        assertThat(x("SORT", "testa", "BY", "nosort", "LIMIT", "1", "2")).isEqualTo(List.of("3", "4"));
        assertThat(x("SORT", "testa", "BY", "nosort", "DESC", "LIMIT", "1", "2")).isEqualTo(List.of("1", "4"));
        assertThat(x("SORT", "testa", "BY", "nosort", "STORE", "testb")).isEqualTo(5L);
        assertThat(listContent("testb")).containsExactly("5", "3", "4", "1", "2");
        assertThat(x("SORT", "testa", "BY", "nosort", "LIMIT", "0", "3", "STORE", "testb")).isEqualTo(3L);
        assertThat(listContent("testb")).containsExactly("5", "3", "4");
        assertThat(Types.encoding(h.client.db.lookupNoTouch(b("testb")))).isEqualTo("quicklist");
        list("L", "0", "1", "2");
        assertThat(x("SORT_RO", "L", "BY", "a", "LIMIT", "2", "9223372036854775807")).isEqualTo(List.of("2"));
    }

    @Test
    void sortedSets() {
        x("ZADD", "zset", "1", "a", "5", "b", "2", "c", "10", "d", "3", "e");
        assertThat(x("SORT", "zset", "ALPHA", "DESC")).isEqualTo(List.of("e", "d", "c", "b", "a"));
        assertThat(x("SORT", "zset", "BY", "nosort", "ASC")).isEqualTo(List.of("a", "c", "e", "b", "d"));
        assertThat(x("SORT", "zset", "BY", "nosort", "DESC")).isEqualTo(List.of("d", "b", "e", "c", "a"));
        assertThat(x("SORT", "zset", "BY", "nosort", "ASC", "LIMIT", "0", "2")).isEqualTo(List.of("a", "c"));
        assertThat(x("SORT", "zset", "BY", "nosort", "DESC", "LIMIT", "0", "2")).isEqualTo(List.of("d", "b"));
        assertThat(x("SORT", "zset", "BY", "nosort", "LIMIT", "5", "10")).isEqualTo(List.of());
        assertThat(x("SORT", "zset", "BY", "nosort", "LIMIT", "-10", "100")).isEqualTo(List.of("a", "c", "e", "b", "d"));
    }

    @Test
    void storeSemantics() {
        assertThat(x("SORT", "foo", "STORE", "bar")).isEqualTo(0L);
        list("foo", "bar");
        assertThat(x("SORT", "foo", "ALPHA", "LIMIT", "10", "10", "STORE", "zap")).isEqualTo(0L);
        assertThat(x("EXISTS", "zap")).isEqualTo(0L);
        assertThat(x("SORT", "emptylist", "STORE", "foo")).isEqualTo(0L);
        assertThat(x("EXISTS", "foo")).isEqualTo(0L);
        assertThat(events).containsExactly("del:foo");

        x("SADD", "myset", "a", "b", "c", "d", "e", "f", "g", "h", "i", "l", "m", "n", "o", "p", "q", "r", "s",
            "t", "u", "v", "z", "aa", "aaa", "azz");
        assertThat(x("SORT", "myset", "ALPHA", "BY", "_", "STORE", "mylist")).isEqualTo(24L);
        assertThat(listContent("mylist")).containsExactly("a", "aa", "aaa", "azz", "b", "c", "d", "e", "f", "g",
            "h", "i", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "z");
        assertThat(events).contains("sortstore:mylist");

        list("src", "x", "y");
        x("SET", "v_x", "1");
        assertThat(x("SORT", "src", "ALPHA", "GET", "v_*", "GET", "#", "STORE", "dst")).isEqualTo(4L);
        assertThat(listContent("dst")).containsExactly("1", "x", "", "y");
    }

    @Test
    void sortRoAndSyntax() {
        list("l", "a");
        x("SET", "x:a", "100");
        assertThat(x("SORT_RO", "l", "BY", "nosort", "GET", "x:*")).isEqualTo(List.of("100"));
        assertThat(x("SORT_RO", "foolist", "STORE", "bar")).isEqualTo(err("ERR syntax error"));
        assertThat(x("SORT", "l", "LIMIT", "1")).isEqualTo(err("ERR syntax error"));
        assertThat(x("SORT", "l", "LIMIT", "a", "1")).isEqualTo(err("ERR value is not an integer or out of range"));
        assertThat(x("SORT", "l", "BY")).isEqualTo(err("ERR syntax error"));
        assertThat(x("SORT", "l", "bogus")).isEqualTo(err("ERR syntax error"));
        x("SET", "x:a->", "7");
        assertThat(x("SORT", "l", "BY", "num", "GET", "x:*->")).isEqualTo(List.of("7"));
    }

    @Test
    void collateStopsAtNul() {
        assertThat(SortCommand.collate(new byte[] {'a', 0, 'z'}, new byte[] {'a', 0, 'b'})).isZero();
        assertThat(SortCommand.collate(b("a"), b("ab"))).isNegative();
        assertThat(SortCommand.collate(b("b"), b("ab"))).isPositive();
        assertThat(Arrays.asList(SortCommand.weight(b("")), SortCommand.weight(b("\t3")), SortCommand.weight(new byte[] {'4', 0, 'x'})))
            .containsExactly(0.0, 3.0, 4.0);
        assertThat(SortCommand.weight(b("0x10"))).isEqualTo(16.0);
        assertThat(SortCommand.weight(b("1e400"))).isNaN();
    }
}

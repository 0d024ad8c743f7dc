package org.redoubt.engine.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Harness;
import org.redoubt.engine.Harness.Err;
import org.redoubt.engine.config.Config;
import org.redoubt.engine.config.Notify;
import org.redoubt.engine.type.ListValue;

class ListCommandsTest {
    private static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    private Harness h;
    private final List<String> events = new ArrayList<>();
    /** Commands handed to propagation (AOF/replication), as "argv joined by spaces". */
    private final List<String> propagated = new ArrayList<>();

    @BeforeEach
    void setUp() {
        Config config = new Config();
        // Tiny nodes, so that multi-node paths run in every test.
        config.listMaxListpackSize = 2;
        h = new Harness(config);
        h.engine.config.notifyKeyspaceEvents = Notify.ALL | Notify.KEYEVENT;
        h.engine.notifyListeners.add((type, event, key, db) ->
            events.add(event + ":" + new String(key, StandardCharsets.UTF_8)));
        h.engine.writeListeners.add((c, cmd) -> {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < c.argc; i++) {
                if (i > 0) sb.append(' ');
                sb.append(new String(c.argv[i], StandardCharsets.UTF_8));
            }
            propagated.add(sb.toString());
        });
    }

    private Object x(String... args) { return h.exec(args); }

    private static Err err(String m) { return new Err(m); }

    private List<Object> range(String key) {
        @SuppressWarnings("unchecked")
        List<Object> l = (List<Object>) x("LRANGE", key, "0", "-1");
        return l;
    }

    private void rpush(String key, String... elements) {
        String[] a = new String[elements.length + 2];
        a[0] = "RPUSH";
        a[1] = key;
        System.arraycopy(elements, 0, a, 2, elements.length);
        x(a);
    }

    // ------------------------------------------------------------------ push

    @Test
    void pushVariantsAndEvents() {
        assertThat(x("LPUSH", "l", "a", "b", "c")).isEqualTo(3L);
        assertThat(x("RPUSH", "l", "0", "1", "2", "3")).isEqualTo(7L);
        assertThat(range("l")).containsExactly("c", "b", "a", "0", "1", "2", "3");
        assertThat(events).containsExactly("lpush:l", "rpush:l");
        assertThat(h.engine.dirty).isEqualTo(7);
        assertThat(x("LPUSHX", "nolist", "a")).isEqualTo(0L);
        assertThat(x("RPUSHX", "nolist", "a")).isEqualTo(0L);
        assertThat(x("EXISTS", "nolist")).isEqualTo(0L);
        assertThat(x("LPUSHX", "l", "y3", "y2", "y1")).isEqualTo(10L);
        assertThat(x("RPUSHX", "l", "42", "x")).isEqualTo(12L);
        assertThat(range("l")).containsExactly("y1", "y2", "y3", "c", "b", "a", "0", "1", "2", "3", "42", "x");
        x("SET", "s", "v");
        assertThat(x("LPUSH", "s", "a")).isEqualTo(err(WRONGTYPE));
        assertThat(x("RPUSHX", "s", "a")).isEqualTo(err(WRONGTYPE));
        assertThat(x("TYPE", "l")).isEqualTo("list");
        assertThat(x("OBJECT", "ENCODING", "l")).isEqualTo("quicklist");
    }

    @Test
    void binarySafeElements() {
        byte[] bin = {0, (byte) 0xff, '\r', '\n', 7};
        h.execBytes(h.client, "RPUSH".getBytes(), "b".getBytes(), bin);
        Object v = h.client.db.lookupNoTouch("b".getBytes());
        assertThat(((ListValue) v).get(0)).isEqualTo(bin);
        assertThat(h.raw("LINDEX", "b", "0")).startsWith("$5\r\n");
    }

    // ------------------------------------------------------------------ pop

    @Test
    void popWithAndWithoutCount() {
        assertThat(x("LPUSH", "lc", "aa", "bb", "cc", "dd", "ee", "ff", "gg")).isEqualTo(7L);
        assertThat(x("LPOP", "lc", "1")).isEqualTo(List.of("gg"));
        assertThat(x("LPOP", "lc", "2")).isEqualTo(List.of("ff", "ee"));
        assertThat(x("RPOP", "lc", "2")).isEqualTo(List.of("aa", "bb"));
        assertThat(x("RPOP", "lc")).isEqualTo("cc");
        assertThat(x("LPOP", "lc", "0")).isEqualTo(List.of());
        assertThat(x("RPOP", "lc", "123")).isEqualTo(List.of("dd"));
        assertThat(x("EXISTS", "lc")).isEqualTo(0L);
        assertThat(x("LPOP", "x", "-123")).isEqualTo(err("ERR value is out of range, must be positive"));
        assertThat(x("LPOP", "x", "abc")).isEqualTo(err("ERR value is out of range, must be positive"));
        assertThat(x("LPOP", "k", "1", "1")).isEqualTo(err("ERR wrong number of arguments for 'lpop' command"));
        assertThat(x("RPOP", "k", "2", "2")).isEqualTo(err("ERR wrong number of arguments for 'rpop' command"));
        assertThat(events).contains("lpop:lc", "rpop:lc", "del:lc");
    }

    @Test
    void popNullFormsInResp2AndResp3() {
        x("RPUSH", "l", "zero");
        assertThat(h.raw("LPOP", "l", "0")).isEqualTo("*0\r\n");
        assertThat(h.raw("LPOP", "none")).isEqualTo("$-1\r\n");
        assertThat(h.raw("LPOP", "none", "1")).isEqualTo("*-1\r\n");
        assertThat(h.raw("RPOP", "none", "0")).isEqualTo("*-1\r\n");
        assertThat(h.raw("LMPOP", "1", "none", "LEFT")).isEqualTo("*-1\r\n");
        x("HELLO", "3");
        assertThat(h.raw("LPOP", "l", "0")).isEqualTo("*0\r\n");
        assertThat(h.raw("LPOP", "none")).isEqualTo("_\r\n");
        assertThat(h.raw("LPOP", "none", "1")).isEqualTo("_\r\n");
        assertThat(h.raw("RPOP", "none")).isEqualTo("_\r\n");
        assertThat(h.raw("BLPOP", "none", "0.001").length()).isZero(); // blocked: no reply yet
    }

    // ------------------------------------------------------------------ LLEN / LINDEX / LSET / LRANGE

    @Test
    void llenLindex() {
        rpush("l", "a", "b", "c");
        assertThat(x("LLEN", "l")).isEqualTo(3L);
        assertThat(x("LLEN", "none")).isEqualTo(0L);
        assertThat(x("LINDEX", "l", "0")).isEqualTo("a");
        assertThat(x("LINDEX", "l", "-1")).isEqualTo("c");
        assertThat(x("LINDEX", "l", "3")).isNull();
        assertThat(x("LINDEX", "l", "-4")).isNull();
        assertThat(x("LINDEX", "none", "x")).isNull();
        assertThat(x("LINDEX", "l", "x")).isEqualTo(err("ERR value is not an integer or out of range"));
        x("SET", "s", "v");
        assertThat(x("LLEN", "s")).isEqualTo(err(WRONGTYPE));
        assertThat(x("LINDEX", "s", "0")).isEqualTo(err(WRONGTYPE));
    }

    @Test
    void lsetErrorsAndEvents() {
        assertThat(x("LSET", "none", "0", "x")).isEqualTo(err("ERR no such key"));
        rpush("l", "a", "b", "c");
        assertThat(x("LSET", "l", "1", "B")).isEqualTo("OK");
        assertThat(x("LSET", "l", "-1", "C")).isEqualTo("OK");
        assertThat(x("LSET", "l", "3", "x")).isEqualTo(err("ERR index out of range"));
        assertThat(x("LSET", "l", "-4", "x")).isEqualTo(err("ERR index out of range"));
        assertThat(x("LSET", "l", "z", "x")).isEqualTo(err("ERR value is not an integer or out of range"));
        String big = "x".repeat(10000);
        assertThat(x("LSET", "l", "0", big)).isEqualTo("OK");
        assertThat(range("l")).containsExactly(big, "B", "C");
        assertThat(events).contains("lset:l");
        x("SET", "s", "v");
        assertThat(x("LSET", "s", "0", "x")).isEqualTo(err(WRONGTYPE));
    }

    @Test
    void lrangeIndexes() {
        rpush("l", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(x("LRANGE", "l", "1", "-2")).isEqualTo(List.of("1", "2", "3", "4", "5", "6", "7", "8"));
        assertThat(x("LRANGE", "l", "-3", "-1")).isEqualTo(List.of("7", "8", "9"));
        assertThat(x("LRANGE", "l", "4", "4")).isEqualTo(List.of("4"));
        assertThat(x("LRANGE", "l", "6", "2")).isEqualTo(List.of());
        assertThat((List<?>) x("LRANGE", "l", "-100", "100")).hasSize(10);
        assertThat(x("LRANGE", "l", "0", "-11")).isEqualTo(List.of());
        assertThat(x("LRANGE", "l", "0", "-10")).isEqualTo(List.of("0"));
        assertThat(x("LRANGE", "none", "0", "-1")).isEqualTo(List.of());
        assertThat(x("LRANGE", "l", "a", "1")).isEqualTo(err("ERR value is not an integer or out of range"));
        assertThat((List<?>) x("LRANGE", "l", "-9223372036854775808", "9223372036854775807")).hasSize(10);
    }

    @Test
    void ltrim() {
        rpush("l", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(x("LTRIM", "l", "1", "-2")).isEqualTo("OK");
        assertThat(range("l")).containsExactly("1", "2", "3", "4", "5", "6", "7", "8");
        assertThat(h.engine.dirty).isEqualTo(12);
        assertThat(x("LTRIM", "l", "0", "-100")).isEqualTo("OK");
        assertThat(x("EXISTS", "l")).isEqualTo(0L);
        assertThat(events).endsWith("ltrim:l", "ltrim:l", "del:l");
        assertThat(x("LTRIM", "none", "0", "1")).isEqualTo("OK");
        assertThat(x("LTRIM", "none", "x", "1")).isEqualTo(err("ERR value is not an integer or out of range"));
    }

    // ------------------------------------------------------------------ LINSERT / LREM / LPOS

    @Test
    void linsert() {
        rpush("l", "a", "b", "c", "d");
        assertThat(x("LINSERT", "l", "before", "c", "zz")).isEqualTo(5L);
        assertThat(x("LINSERT", "l", "AFTER", "c", "yy")).isEqualTo(6L);
        assertThat(x("LINSERT", "l", "after", "d", "dd")).isEqualTo(7L);
        assertThat(x("LINSERT", "l", "after", "bad", "ddd")).isEqualTo(-1L);
        assertThat(x("LINSERT", "l", "before", "a", "aa")).isEqualTo(8L);
        assertThat(range("l")).containsExactly("aa", "a", "b", "zz", "c", "yy", "d", "dd");
        assertThat(x("LINSERT", "none", "before", "a", "x")).isEqualTo(0L);
        assertThat(x("LINSERT", "l", "aft3r", "aa", "42")).isEqualTo(err("ERR syntax error"));
        assertThat(x("LINSERT", "none", "aft3r", "aa", "42")).isEqualTo(err("ERR syntax error"));
        assertThat(events).contains("linsert:l");
    }

    @Test
    void lrem() {
        rpush("l", "foo", "bar", "foobar", "foobared", "zap", "bar", "test", "foo");
        assertThat(x("LREM", "l", "0", "bar")).isEqualTo(2L);
        assertThat(range("l")).containsExactly("foo", "foobar", "foobared", "zap", "test", "foo");
        assertThat(x("LREM", "l", "1", "foo")).isEqualTo(1L);
        assertThat(x("LREM", "l", "1", "nosuch")).isEqualTo(0L);
        rpush("t", "foo", "x", "foo", "y", "foo");
        assertThat(x("LREM", "t", "-2", "foo")).isEqualTo(2L);
        assertThat(range("t")).containsExactly("foo", "x", "y");
        assertThat(x("LREM", "t", "-9223372036854775808", "foo")).isEqualTo(1L);
        assertThat(x("LREM", "none", "0", "a")).isEqualTo(0L);
        rpush("one", "a", "a");
        assertThat(x("LREM", "one", "0", "a")).isEqualTo(2L);
        assertThat(x("EXISTS", "one")).isEqualTo(0L);
        assertThat(events).contains("lrem:one", "del:one");
        assertThat(x("LREM", "l", "x", "a")).isEqualTo(err("ERR value is not an integer or out of range"));
    }

    @Test
    void lpos() {
        rpush("l", "a", "b", "c", "1", "2", "3", "c", "c");
        assertThat(x("LPOS", "l", "a")).isEqualTo(0L);
        assertThat(x("LPOS", "l", "c")).isEqualTo(2L);
        assertThat(x("LPOS", "l", "c", "RANK", "2")).isEqualTo(6L);
        assertThat(x("LPOS", "l", "c", "RANK", "4")).isNull();
        assertThat(x("LPOS", "l", "c", "RANK", "-1")).isEqualTo(7L);
        assertThat(x("LPOS", "l", "c", "RANK", "-2")).isEqualTo(6L);
        assertThat(x("LPOS", "l", "c", "RANK", "0")).isEqualTo(err("ERR RANK can't be zero: use 1 to start from the first match, "
            + "2 from the second ... or use negative to start from the end of the list"));
        assertThat(x("LPOS", "l", "c", "COUNT", "0")).isEqualTo(List.of(2L, 6L, 7L));
        assertThat(x("LPOS", "l", "c", "COUNT", "2", "RANK", "-1")).isEqualTo(List.of(7L, 6L));
        assertThat(x("LPOS", "l", "c", "COUNT", "0", "MAXLEN", "3")).isEqualTo(List.of(2L));
        assertThat(x("LPOS", "l", "c", "COUNT", "0", "MAXLEN", "7", "RANK", "2")).isEqualTo(List.of(6L));
        assertThat(x("LPOS", "none", "c", "COUNT", "0")).isEqualTo(List.of());
        assertThat(x("LPOS", "none", "c")).isNull();
        assertThat(x("LPOS", "l", "x", "COUNT", "2")).isEqualTo(List.of());
        assertThat(x("LPOS", "l", "c", "COUNT", "-1")).isEqualTo(err("ERR COUNT can't be negative"));
        assertThat(x("LPOS", "l", "c", "MAXLEN", "-1")).isEqualTo(err("ERR MAXLEN can't be negative"));
        assertThat(x("LPOS", "l", "c", "RANK")).isEqualTo(err("ERR syntax error"));
        assertThat(x("LPOS", "l", "c", "FOO", "1")).isEqualTo(err("ERR syntax error"));
        assertThat(x("LPOS", "l", "c", "RANK", "x")).isEqualTo(err("ERR value is not an integer or out of range"));
    }

    // ------------------------------------------------------------------ LMOVE / RPOPLPUSH / LMPOP

    @Test
    void lmoveAndRpoplpush() {
        rpush("src", "a", "b", "c", "d");
        assertThat(x("RPOPLPUSH", "src", "dst")).isEqualTo("d");
        assertThat(x("LMOVE", "src", "dst", "LEFT", "RIGHT")).isEqualTo("a");
        assertThat(range("src")).containsExactly("b", "c");
        assertThat(range("dst")).containsExactly("d", "a");
        assertThat(x("LMOVE", "src", "src", "left", "right")).isEqualTo("b");
        assertThat(range("src")).containsExactly("c", "b");
        assertThat(x("RPOPLPUSH", "none", "dst")).isNull();
        assertThat(x("LMOVE", "src", "dst", "up", "left")).isEqualTo(err("ERR syntax error"));
        x("SET", "s", "v");
        assertThat(x("RPOPLPUSH", "src", "s")).isEqualTo(err(WRONGTYPE));
        assertThat(x("RPOPLPUSH", "s", "dst")).isEqualTo(err(WRONGTYPE));
        assertThat(range("src")).containsExactly("c", "b");
        rpush("single", "x");
        events.clear();
        assertThat(x("LMOVE", "single", "single", "LEFT", "LEFT")).isEqualTo("x");
        assertThat(events).containsExactly("lpush:single", "lpop:single");
        assertThat(x("LMOVE", "single", "other", "LEFT", "LEFT")).isEqualTo("x");
        assertThat(x("EXISTS", "single")).isEqualTo(0L);
        assertThat(events).endsWith("lpush:other", "lpop:single", "del:single");
    }

    @Test
    void lmpopArgumentsAndReplies() {
        assertThat(x("LMPOP", "0", "l", "LEFT")).isEqualTo(err("ERR numkeys should be greater than 0"));
        assertThat(x("LMPOP", "a", "l", "LEFT")).isEqualTo(err("ERR numkeys should be greater than 0"));
        assertThat(x("LMPOP", "-1", "l", "RIGHT")).isEqualTo(err("ERR numkeys should be greater than 0"));
        assertThat(x("LMPOP", "1", "l", "bad_where")).isEqualTo(err("ERR syntax error"));
        assertThat(x("LMPOP", "1", "l", "LEFT", "bar_arg")).isEqualTo(err("ERR syntax error"));
        assertThat(x("LMPOP", "1", "l", "RIGHT", "LEFT")).isEqualTo(err("ERR syntax error"));
        assertThat(x("LMPOP", "1", "l", "COUNT")).isEqualTo(err("ERR syntax error"));
        assertThat(x("LMPOP", "1", "l", "LEFT", "COUNT", "1", "COUNT", "2")).isEqualTo(err("ERR syntax error"));
        assertThat(x("LMPOP", "2", "l", "l2", "bad_arg")).isEqualTo(err("ERR syntax error"));
        assertThat(x("LMPOP", "9223372036854775807", "l", "LEFT")).isEqualTo(err("ERR syntax error"));
        assertThat(x("LMPOP", "1", "l", "LEFT", "COUNT", "0")).isEqualTo(err("ERR count should be greater than 0"));
        assertThat(x("LMPOP", "1", "l", "RIGHT", "COUNT", "a")).isEqualTo(err("ERR count should be greater than 0"));
        rpush("l", "a", "b", "c", "d", "e", "f");
        assertThat(x("LMPOP", "2", "l", "l", "left", "count", "2")).isEqualTo(List.of("l", List.of("a", "b")));
        assertThat(x("LMPOP", "2", "l", "l", "right", "count", "2")).isEqualTo(List.of("l", List.of("f", "e")));
        assertThat(x("LMPOP", "2", "none", "l", "right")).isEqualTo(List.of("l", List.of("d")));
        assertThat(x("LMPOP", "1", "l", "LEFT", "COUNT", "10")).isEqualTo(List.of("l", List.of("c")));
        assertThat(x("LMPOP", "1", "l", "LEFT")).isNull();
        x("SET", "s", "v");
        assertThat(x("LMPOP", "2", "none", "s", "LEFT")).isEqualTo(err(WRONGTYPE));
        assertThat(propagated).containsSubsequence("LPOP l 2", "RPOP l 2", "RPOP l 1", "LPOP l 1");
    }

    // ------------------------------------------------------------------ blocking forms, served at once

    @Test
    void blockingFormsWithDataPropagateAsNonBlocking() {
        rpush("l", "a", "b", "c", "d");
        rpush("m", "1", "2", "3");
        assertThat(x("BLPOP", "none", "l", "0")).isEqualTo(List.of("l", "a"));
        assertThat(x("BRPOP", "l", "0")).isEqualTo(List.of("l", "d"));
        assertThat(x("BLMPOP", "0", "2", "none", "m", "RIGHT", "COUNT", "10")).isEqualTo(List.of("m", List.of("3", "2", "1")));
        assertThat(x("BLMOVE", "l", "t", "LEFT", "RIGHT", "0")).isEqualTo("b");
        assertThat(x("BRPOPLPUSH", "l", "t", "0")).isEqualTo("c");
        assertThat(propagated).endsWith("LPOP l", "RPOP l", "RPOP m 3", "LMOVE l t LEFT RIGHT", "RPOPLPUSH l t");
        x("SET", "s", "v");
        assertThat(x("BLPOP", "s", "0")).isEqualTo(err(WRONGTYPE));
        assertThat(x("BLPOP", "none", "s", "0")).isEqualTo(err(WRONGTYPE));
        assertThat(x("BRPOPLPUSH", "s", "t", "0")).isEqualTo(err(WRONGTYPE));
        assertThat(x("BLMPOP", "0", "2", "none", "s", "LEFT")).isEqualTo(err(WRONGTYPE));
    }

    @Test
    void timeoutArgumentErrors() {
        assertThat(x("BLPOP", "l", "-1")).isEqualTo(err("ERR timeout is negative"));
        assertThat(x("BLPOP", "l", "abc")).isEqualTo(err("ERR timeout is not a float or out of range"));
        assertThat(x("BRPOP", "l", "-0.001")).isEqualTo(err("ERR timeout is negative"));
        assertThat(x("BLMOVE", "a", "b", "LEFT", "LEFT", "nan")).isEqualTo(err("ERR timeout is not a float or out of range"));
        assertThat(x("BLMOVE", "a", "b", "UP", "LEFT", "nan")).isEqualTo(err("ERR syntax error"));
        assertThat(x("BRPOPLPUSH", "a", "b", "1e300")).isEqualTo(err("ERR timeout is negative"));
        assertThat(x("BLMPOP", "x", "1", "l", "LEFT")).isEqualTo(err("ERR timeout is not a float or out of range"));
        assertThat(x("BLMPOP", "x", "0", "l", "LEFT")).isEqualTo(err("ERR numkeys should be greater than 0"));
        assertThat(x("BLPOP", "l", "inf")).isEqualTo(err("ERR timeout is negative"));
    }

    @Test
    void blockingCommandsInsideMultiActAsTimedOut() {
        rpush("xlist", "bar", "foo");
        x("MULTI");
        x("BLPOP", "xlist", "0");
        x("BLPOP", "xlist", "0");
        x("BLPOP", "xlist", "0");
        x("BRPOPLPUSH", "xlist", "target", "0");
        assertThat(x("EXEC")).isEqualTo(Arrays.asList(List.of("xlist", "bar"), List.of("xlist", "foo"), null, null));
        assertThat(h.raw("BLPOP", "xlist", "0").length()).isZero(); // outside MULTI it blocks
    }

    @Test
    void copyOfListIsIndependent() {
        rpush("a", "1", "2", "3", "4", "5");
        assertThat(x("COPY", "a", "b")).isEqualTo(1L);
        x("LSET", "a", "0", "changed");
        x("RPUSH", "b", "6");
        assertThat(range("a")).containsExactly("changed", "2", "3", "4", "5");
        assertThat(range("b")).containsExactly("1", "2", "3", "4", "5", "6");
    }

    @Test
    void writesAfterSnapshotDoNotTouchTheSnapshotValue() {
        rpush("l", "a", "b", "c", "d", "e");
        Object before = h.client.db.lookupNoTouch("l".getBytes());
        h.engine.snapshotEpoch++;
        x("LPUSH", "l", "z");
        x("LSET", "l", "3", "C");
        x("RPOP", "l");
        Object after = h.client.db.lookupNoTouch("l".getBytes());
        assertThat(after).isNotSameAs(before);
        List<String> old = new ArrayList<>();
        ((ListValue) before).forEach((b, off, len) -> old.add(new String(b, off, len, StandardCharsets.UTF_8)));
        assertThat(old).containsExactly("a", "b", "c", "d", "e");
        assertThat(range("l")).containsExactly("z", "a", "b", "C", "d");
    }

    @Test
    void digestAndMemoryUsage() {
        h.engine.config.enableDebugCommand = 1;
        rpush("l", "a", "b");
        Object d1 = x("DEBUG", "DIGEST-VALUE", "l");
        x("DEL", "l");
        rpush("l", "b", "a");
        assertThat(x("DEBUG", "DIGEST-VALUE", "l")).isNotEqualTo(d1);
        assertThat((Long) x("MEMORY", "USAGE", "l")).isGreaterThan(56L);
    }
}

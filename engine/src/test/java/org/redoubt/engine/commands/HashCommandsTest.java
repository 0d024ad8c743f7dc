package org.redoubt.engine.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Harness;
import org.redoubt.engine.Harness.Err;
import org.redoubt.engine.config.Notify;
import org.redoubt.engine.db.CowMap;
import org.redoubt.engine.info.Digest;
import org.redoubt.engine.type.HashValue;
import org.redoubt.engine.type.Types;

class HashCommandsTest {
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

    private Object value(String key) { return h.client.db.lookupNoTouch(key.getBytes(StandardCharsets.UTF_8)); }

    private String encoding(String key) { return Types.encoding(value(key)); }

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private List<String> argv(String... a) { return List.of(a); }

    private List<String> propagated() {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < h.client.argc; i++) l.add(new String(h.client.argv[i], StandardCharsets.UTF_8));
        return l;
    }

    // ------------------------------------------------------------------ HSET / HGET / HMSET / HSETNX

    @Test
    void hsetHgetAndCounts() {
        assertThat(x("HSET", "h", "a", "1", "b", "2")).isEqualTo(2L);
        assertThat(x("HSET", "h", "a", "10", "c", "3")).isEqualTo(1L);
        assertThat(x("HGET", "h", "a")).isEqualTo("10");
        assertThat(x("HGET", "h", "zz")).isNull();
        assertThat(x("HGET", "nokey", "a")).isNull();
        assertThat(x("HLEN", "h")).isEqualTo(3L);
        assertThat(x("HLEN", "nokey")).isEqualTo(0L);
        assertThat(x("TYPE", "h")).isEqualTo("hash");
        assertThat(encoding("h")).isEqualTo("listpack");
        assertThat(events).containsExactly("hset:h", "hset:h");
        assertThat(h.engine.dirty).isEqualTo(4);
    }

    @Test
    void hsetArityAndWrongType() {
        assertThat(x("HSET", "h", "a", "1", "b")).isEqualTo(err("ERR wrong number of arguments for 'hset' command"));
        assertThat(x("HMSET", "h", "a", "1", "b")).isEqualTo(err("ERR wrong number of arguments for 'hmset' command"));
        x("SET", "s", "v");
        for (String[] cmd : new String[][] {{"HSET", "s", "a", "1"}, {"HGET", "s", "a"}, {"HMGET", "s", "a"},
            {"HDEL", "s", "a"}, {"HLEN", "s"}, {"HKEYS", "s"}, {"HGETALL", "s"}, {"HINCRBY", "s", "a", "1"},
            {"HINCRBYFLOAT", "s", "a", "1"}, {"HSETNX", "s", "a", "1"}, {"HEXISTS", "s", "a"},
            {"HSTRLEN", "s", "a"}, {"HRANDFIELD", "s"}, {"HRANDFIELD", "s", "2"}, {"HSCAN", "s", "0"}}) {
            assertThat(x(cmd)).as(String.join(" ", cmd))
                .isEqualTo(err("WRONGTYPE Operation against a key holding the wrong kind of value"));
        }
    }

    @Test
    void hmsetRepliesOk() {
        assertThat(x("HMSET", "h", "a", "1", "b", "2")).isEqualTo("OK");
        assertThat(x("HMGET", "h", "a", "nope", "b")).isEqualTo(java.util.Arrays.asList("1", null, "2"));
        assertThat(x("HMGET", "nokey", "a", "b")).isEqualTo(java.util.Arrays.asList(null, null));
    }

    @Test
    void hsetnx() {
        assertThat(x("HSETNX", "h", "a", "1")).isEqualTo(1L);
        assertThat(x("HSETNX", "h", "a", "2")).isEqualTo(0L);
        assertThat(x("HGET", "h", "a")).isEqualTo("1");
        assertThat(events).containsExactly("hset:h");
        assertThat(h.engine.dirty).isEqualTo(1);
    }

    // ------------------------------------------------------------------ HDEL / HEXISTS / HSTRLEN

    @Test
    void hdelDeletesEmptyKey() {
        x("HSET", "h", "a", "1", "b", "2", "c", "3");
        events.clear();
        assertThat(x("HDEL", "h", "a", "zz")).isEqualTo(1L);
        assertThat(x("HDEL", "h", "zz")).isEqualTo(0L);
        assertThat(x("HDEL", "h", "b", "c", "a")).isEqualTo(2L);
        assertThat(x("EXISTS", "h")).isEqualTo(0L);
        assertThat(x("HDEL", "h", "a")).isEqualTo(0L);
        assertThat(events).containsExactly("hdel:h", "hdel:h", "del:h");
    }

    @Test
    void hexistsAndHstrlen() {
        x("HSET", "h", "a", "hello", "n", "-9223372036854775808");
        assertThat(x("HEXISTS", "h", "a")).isEqualTo(1L);
        assertThat(x("HEXISTS", "h", "b")).isEqualTo(0L);
        assertThat(x("HEXISTS", "nokey", "b")).isEqualTo(0L);
        assertThat(x("HSTRLEN", "h", "a")).isEqualTo(5L);
        assertThat(x("HSTRLEN", "h", "n")).isEqualTo(20L);
        assertThat(x("HSTRLEN", "h", "zz")).isEqualTo(0L);
    }

    // ------------------------------------------------------------------ HKEYS / HVALS / HGETALL

    @Test
    void hgetallKeysValsInOneOrder() {
        for (int i = 0; i < 600; i++) x("HSET", "big", "f" + i, "v" + i);
        assertThat(encoding("big")).isEqualTo("hashtable");
        @SuppressWarnings("unchecked") List<Object> keys = (List<Object>) x("HKEYS", "big");
        @SuppressWarnings("unchecked") List<Object> vals = (List<Object>) x("HVALS", "big");
        assertThat(keys).hasSize(600);
        for (int i = 0; i < keys.size(); i++) assertThat("v" + ((String) keys.get(i)).substring(1)).isEqualTo(vals.get(i));
        @SuppressWarnings("unchecked") List<Object> all = (List<Object>) x("HGETALL", "big");
        assertThat(all).hasSize(1200);
        x("HSET", "small", "x", "1", "y", "2");
        assertThat(x("HGETALL", "small")).isEqualTo(List.of("x", "1", "y", "2"));
        assertThat(x("HGETALL", "nokey")).isEqualTo(List.of());
        assertThat(x("HKEYS", "nokey")).isEqualTo(List.of());
    }

    @Test
    void hgetallResp3IsAMap() {
        x("HSET", "h", "x", "1", "y", "2");
        x("HELLO", "3");
        assertThat(x("HGETALL", "h")).isEqualTo(Map.of("x", "1", "y", "2"));
        assertThat(h.raw("HGETALL", "nokey")).isEqualTo("%0\r\n");
        assertThat(h.raw("HKEYS", "nokey")).isEqualTo("*0\r\n");
    }

    // ------------------------------------------------------------------ HINCRBY / HINCRBYFLOAT

    @Test
    void hincrby() {
        assertThat(x("HINCRBY", "h", "n", "5")).isEqualTo(5L);
        assertThat(x("HINCRBY", "h", "n", "-7")).isEqualTo(-2L);
        assertThat(x("HINCRBY", "h", "n", "x")).isEqualTo(err("ERR value is not an integer or out of range"));
        x("HSET", "h", "s", " 1", "big", "9223372036854775807");
        assertThat(x("HINCRBY", "h", "s", "1")).isEqualTo(err("ERR hash value is not an integer"));
        assertThat(x("HINCRBY", "h", "big", "1")).isEqualTo(err("ERR increment or decrement would overflow"));
        assertThat(x("HINCRBY", "h", "big", "-1")).isEqualTo(9223372036854775806L);
        assertThat(events).containsExactly("hincrby:h", "hincrby:h", "hset:h", "hincrby:h");
    }

    @Test
    void hincrbyfloatPropagatesAsHset() {
        assertThat(x("HINCRBYFLOAT", "h", "f", "1.23")).isEqualTo("1.23");
        assertThat(propagated()).isEqualTo(argv("HSET", "h", "f", "1.23"));
        assertThat(x("HINCRBYFLOAT", "h", "f", "0.77")).isEqualTo("2");
        assertThat(x("HINCRBYFLOAT", "h", "f", "-0.1")).isEqualTo("1.9");
        assertThat(x("HINCRBYFLOAT", "h", "f", "abc")).isEqualTo(err("ERR value is not a valid float"));
        assertThat(x("HINCRBYFLOAT", "h", "f", "+inf")).isEqualTo(err("ERR value is NaN or Infinity"));
        assertThat(x("HINCRBYFLOAT", "nokey", "f", "inf")).isEqualTo(err("ERR value is NaN or Infinity"));
        assertThat(x("EXISTS", "nokey")).isEqualTo(0L);
        x("HSET", "h", "s", "1 ");
        assertThat(x("HINCRBYFLOAT", "h", "s", "1")).isEqualTo(err("ERR hash value is not a float"));
        h.execBytes(h.client, b("HSET"), b("h"), b("nul"), new byte[] {'1', 0, '2'});
        assertThat(h.execBytes(h.client, b("HINCRBYFLOAT"), b("h"), b("nul"), b("1")))
            .isEqualTo(err("ERR hash value is not a float"));
        // long double does not overflow at double's limit; it does at 2 * 1e4932.
        x("HSET", "h", "m", "1.7976931348623157e308");
        assertThat(x("HINCRBYFLOAT", "h", "m", "1.7976931348623157e308")).asString().startsWith("35953862697246313");
        x("HSET", "h", "m", "1e4932");
        assertThat(x("HINCRBYFLOAT", "h", "m", "1e4932"))
            .isEqualTo(err("ERR increment would produce NaN or Infinity"));
    }

    @Test
    void hincrbyfloatConvertsOnLongValueOrField() {
        x("CONFIG", "SET", "hash-max-listpack-value", "8");
        x("HSET", "small", "tmp", "0");
        x("HSET", "big", "tmp", "0");
        x("HINCRBYFLOAT", "small", "tmp", "0.000005");
        x("HINCRBYFLOAT", "big", "tmp", "0.0000005");
        assertThat(encoding("small")).isEqualTo("listpack");
        assertThat(encoding("big")).isEqualTo("hashtable");
        x("HINCRBYFLOAT", "s2", "abcdefgh", "1");
        x("HINCRBYFLOAT", "b2", "abcdefghi", "1");
        assertThat(encoding("s2")).isEqualTo("listpack");
        assertThat(encoding("b2")).isEqualTo("hashtable");
    }

    // ------------------------------------------------------------------ encodings

    @Test
    void conversionExactlyAtThresholds() {
        h.engine.config.hashMaxListpackEntries = 4;
        h.engine.config.hashMaxListpackValue = 5;
        for (int i = 0; i < 4; i++) x("HSET", "h", "f" + i, "v");
        assertThat(encoding("h")).isEqualTo("listpack");
        x("HSET", "h", "f4", "v");
        assertThat(encoding("h")).isEqualTo("hashtable");
        x("HDEL", "h", "f0", "f1", "f2");
        assertThat(encoding("h")).isEqualTo("hashtable");

        x("HSET", "v", "a", "12345");
        assertThat(encoding("v")).isEqualTo("listpack");
        x("HSET", "v", "b", "123456");
        assertThat(encoding("v")).isEqualTo("hashtable");
        x("HSET", "f", "123456", "a");
        assertThat(encoding("f")).isEqualTo("hashtable");
        // One over-long argument converts before any pair is written.
        x("HSET", "m", "a", "1", "b", "1234567");
        assertThat(encoding("m")).isEqualTo("hashtable");
        assertThat(x("HGETALL", "m")).asList().containsExactlyInAnyOrder("a", "1", "b", "1234567");
    }

    @Test
    void defaultListpackLimitsAreRedis70s() {
        assertThat(x("CONFIG", "GET", "hash-max-listpack-entries")).isEqualTo(List.of("hash-max-listpack-entries", "512"));
        assertThat(x("CONFIG", "GET", "hash-max-listpack-value")).isEqualTo(List.of("hash-max-listpack-value", "64"));
        for (int i = 0; i < 512; i++) x("HSET", "h", "f" + i, "v");
        assertThat(encoding("h")).isEqualTo("listpack");
        x("HSET", "h", "one-more", "v");
        assertThat(encoding("h")).isEqualTo("hashtable");
    }

    @Test
    void listpackKeepsInsertionOrderAcrossDeletes() {
        x("HSET", "h", "c", "3", "a", "1", "b", "2");
        x("HDEL", "h", "a");
        x("HSET", "h", "a", "9");
        assertThat(x("HKEYS", "h")).isEqualTo(List.of("c", "b", "a"));
    }

    // ------------------------------------------------------------------ copy-on-write

    @Test
    void snapshotOfBigHashUnchangedByLaterWrites() {
        HashValue hv = HashValue.create(h.engine.snapshotEpoch);
        int n = 1_000_000;
        for (int i = 0; i < n; i++) hv.set(b("f" + i), b("v" + i), 512, 64);
        h.client.db.add(b("h"), hv);
        assertThat(encoding("h")).isEqualTo("hashtable");

        h.engine.snapshotEpoch++;          // a snapshot now references hv
        long t0 = System.nanoTime();
        x("HSET", "h", "f1", "changed", "new", "x");
        x("HDEL", "h", "f2");
        x("HINCRBY", "h", "counter", "5");
        long writesNs = System.nanoTime() - t0;

        assertThat(value("h")).isNotSameAs(hv);
        assertThat(x("HGET", "h", "f1")).isEqualTo("changed");
        assertThat(x("HLEN", "h")).isEqualTo((long) n + 2 - 1);
        // The copy is a fork of the trie, not a million-entry copy.
        assertThat(writesNs).isLessThan(200_000_000L);

        // The snapshot's value still holds exactly the original million fields.
        assertThat(hv.size()).isEqualTo(n);
        assertThat(hv.get(b("new"))).isNull();
        assertThat(hv.get(b("counter"))).isNull();
        long[] seen = {0};
        hv.forEach((CowMap.Visitor) (f, v, meta) -> {
            String fs = new String(f, StandardCharsets.UTF_8);
            assertThat(new String((byte[]) v, StandardCharsets.UTF_8)).isEqualTo("v" + fs.substring(1));
            seen[0]++;
            return true;
        });
        assertThat(seen[0]).isEqualTo(n);

        // A second snapshot and more writes leave both earlier versions alone.
        HashValue second = (HashValue) value("h");
        h.engine.snapshotEpoch++;
        x("HSET", "h", "f3", "again");
        assertThat(second.get(b("f3"))).isEqualTo(b("v3"));
        assertThat(hv.get(b("f3"))).isEqualTo(b("v3"));
        assertThat(x("HGET", "h", "f3")).isEqualTo("again");
    }

    @Test
    void smallHashCopyOnWriteAndWritableInPlace() {
        x("HSET", "h", "a", "1");
        Object v1 = value("h");
        x("HSET", "h", "b", "2");
        assertThat(value("h")).isSameAs(v1);
        h.engine.snapshotEpoch++;
        x("HSET", "h", "c", "3");
        Object v2 = value("h");
        assertThat(v2).isNotSameAs(v1);
        assertThat(((HashValue) v1).size()).isEqualTo(2);
        assertThat(((HashValue) v2).size()).isEqualTo(3);
    }

    @Test
    void copyDuplicatesIndependently() {
        for (int i = 0; i < 600; i++) x("HSET", "h", "f" + i, "v");
        x("HSET", "s", "a", "1");
        assertThat(x("COPY", "h", "h2")).isEqualTo(1L);
        assertThat(x("COPY", "s", "s2")).isEqualTo(1L);
        x("HSET", "h2", "f0", "changed");
        x("HSET", "s2", "a", "changed");
        x("HDEL", "h", "f1");
        assertThat(x("HGET", "h", "f0")).isEqualTo("v");
        assertThat(x("HGET", "h2", "f1")).isEqualTo("v");
        assertThat(x("HGET", "s", "a")).isEqualTo("1");
        assertThat(encoding("h2")).isEqualTo("hashtable");
        assertThat(encoding("s2")).isEqualTo("listpack");
    }

    @Test
    void watchSeesInPlaceWrites() {
        List<String> modified = new ArrayList<>();
        h.engine.keyListeners.add((db, key) -> modified.add(new String(key, StandardCharsets.UTF_8)));
        x("HSET", "h", "a", "1");
        x("HSET", "h", "b", "1");
        x("HDEL", "h", "zz");
        x("HINCRBY", "h", "a", "1");
        assertThat(modified).containsExactly("h", "h", "h");
    }

    // ------------------------------------------------------------------ digest / memory

    private String digest(String key) {
        byte[] d = new byte[20];
        Digest.keyValue(h.client.db, b(key), d);
        return Digest.hex(d);
    }

    @Test
    void digestMatchesRedis() {
        // DEBUG DIGEST-VALUE h in Redis 7.0.15 after HSET h a 1 b 2, whatever the encoding and order.
        String redis = "6c8f22b3bf510fdcfd6122dd0f908a80e88243bf";
        x("HSET", "h", "a", "1", "b", "2");
        x("HSET", "h2", "b", "2", "a", "1");
        assertThat(digest("h")).isEqualTo(redis);
        assertThat(digest("h2")).isEqualTo(redis);
        x("CONFIG", "SET", "hash-max-listpack-entries", "0");
        x("HSET", "h3", "a", "1", "b", "2");
        assertThat(encoding("h3")).isEqualTo("hashtable");
        assertThat(digest("h3")).isEqualTo(redis);
    }

    @Test
    void memoryUsageMatchesRedis() {
        // MEMORY USAGE in Redis 7.0.15 (jemalloc): 80 for the listpack, 216 for the hashtable.
        x("HSET", "h", "a", "1", "b", "2");
        assertThat(x("MEMORY", "USAGE", "h")).isEqualTo(80L);
        x("CONFIG", "SET", "hash-max-listpack-entries", "0");
        x("HSET", "h3", "a", "1", "b", "2");
        assertThat(x("MEMORY", "USAGE", "h3")).isEqualTo(216L);
    }

    // ------------------------------------------------------------------ HRANDFIELD

    @Test
    void hrandfieldArgumentsAndEmpty() {
        x("HSET", "h", "a", "1");
        assertThat(x("HRANDFIELD", "h", "-9223372036854770000", "WITHVALUES")).isEqualTo(err("ERR value is out of range"));
        assertThat(x("HRANDFIELD", "h", "-9223372036854775808", "WITHVALUES")).isEqualTo(err(
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"));
        assertThat(x("HRANDFIELD", "h", "-9223372036854775808")).isEqualTo(err(
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"));
        assertThat(x("HRANDFIELD", "h", "x")).isEqualTo(err("ERR value is not an integer or out of range"));
        assertThat(x("HRANDFIELD", "h", "1", "bad")).isEqualTo(err("ERR syntax error"));
        assertThat(x("HRANDFIELD", "h", "1", "withvalues", "x")).isEqualTo(err("ERR syntax error"));
        assertThat(h.raw("HRANDFIELD", "h", "0")).isEqualTo("*0\r\n");
        assertThat(h.raw("HRANDFIELD", "nokey", "100")).isEqualTo("*0\r\n");
        assertThat(x("HRANDFIELD", "nokey")).isNull();
        assertThat(x("HRANDFIELD", "h")).isEqualTo("a");
    }

    @Test
    void hrandfieldAllCases() {
        for (String enc : new String[] {"listpack", "hashtable"}) {
            x("DEL", "h");
            Set<String> fields = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                String f = enc.equals("hashtable") && i == 9 ? "x".repeat(100) : "f" + i;
                x("HSET", "h", f, "v" + i);
                fields.add(f);
            }
            assertThat(encoding("h")).isEqualTo(enc);
            // Case 1: negative counts repeat.
            assertThat((List<?>) x("HRANDFIELD", "h", "-20")).hasSize(20);
            assertThat((List<?>) x("HRANDFIELD", "h", "-20", "WITHVALUES")).hasSize(40);
            // Case 2: the whole hash.
            for (String n : new String[] {"10", "20"}) {
                List<?> r = (List<?>) x("HRANDFIELD", "h", n);
                assertThat(new HashSet<>(r)).isEqualTo(fields);
                assertThat(r).hasSize(10);
            }
            // Cases 3 and 4: distinct fields, all eventually.
            for (String n : new String[] {"8", "2"}) {
                Set<Object> seen = new HashSet<>();
                for (int k = 0; k < 200; k++) {
                    List<?> r = (List<?>) x("HRANDFIELD", "h", n, "WITHVALUES");
                    assertThat(r).hasSize(2 * Integer.parseInt(n));
                    Set<Object> once = new HashSet<>();
                    for (int i = 0; i < r.size(); i += 2) {
                        assertThat(once.add(r.get(i))).isTrue();
                        assertThat(fields).contains((String) r.get(i));
                        String idx = ((String) r.get(i + 1)).substring(1);
                        assertThat(x("HGET", "h", (String) r.get(i))).isEqualTo("v" + idx);
                    }
                    seen.addAll(once);
                }
                assertThat(seen).hasSize(10);
            }
        }
    }

    @Test
    void hrandfieldResp3NestsPairs() {
        x("HSET", "h", "a", "1", "b", "2", "c", "3");
        x("HELLO", "3");
        List<?> r = (List<?>) x("HRANDFIELD", "h", "3", "WITHVALUES");
        assertThat(r).hasSize(3);
        assertThat((List<?>) r.get(1)).hasSize(2);
        List<?> neg = (List<?>) x("HRANDFIELD", "h", "-5", "WITHVALUES");
        assertThat(neg).hasSize(5);
        assertThat((List<?>) neg.get(0)).hasSize(2);
        assertThat((List<?>) x("HRANDFIELD", "h", "3")).allMatch(o -> o instanceof String);
    }

    // ------------------------------------------------------------------ HSCAN

    @Test
    void hscanSmallReturnsAllWithCursorZero() {
        x("HSET", "h", "a", "1", "b", "2", "c", "3");
        assertThat(x("HSCAN", "h", "0")).isEqualTo(List.of("0", List.of("a", "1", "b", "2", "c", "3")));
        assertThat(x("HSCAN", "h", "0", "MATCH", "b*")).isEqualTo(List.of("0", List.of("b", "2")));
        assertThat(x("HSCAN", "nokey", "0")).isEqualTo(List.of("0", List.of()));
        assertThat(x("HSCAN", "h", "x")).isEqualTo(err("ERR invalid cursor"));
        assertThat(x("HSCAN", "h", "0", "COUNT", "0")).isEqualTo(err("ERR syntax error"));
        assertThat(x("HSCAN", "h", "0", "COUNT", "x")).isEqualTo(err("ERR value is not an integer or out of range"));
        assertThat(x("HSCAN", "h", "0", "TYPE", "string")).isEqualTo(err("ERR syntax error"));
        assertThat(x("HSCAN", "nokey", "0", "COUNT", "0")).isEqualTo(List.of("0", List.of()));
    }

    @Test
    void hscanBigIteratesEverythingOnce() {
        for (int i = 0; i < 1000; i++) x("HSET", "h", "f" + i, "v" + i);
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        int calls = 0;
        do {
            List<?> r = (List<?>) x("HSCAN", "h", cursor, "COUNT", "20");
            cursor = (String) r.get(0);
            List<?> items = (List<?>) r.get(1);
            for (int i = 0; i < items.size(); i += 2) {
                String f = (String) items.get(i);
                assertThat(items.get(i + 1)).isEqualTo("v" + f.substring(1));
                assertThat(seen.add(f)).isTrue();
            }
            calls++;
        } while (!cursor.equals("0"));
        assertThat(seen).hasSize(1000);
        assertThat(calls).isGreaterThan(10);
        @SuppressWarnings("unchecked") List<Object> matched = (List<Object>) ((List<?>) x("HSCAN", "h", "0", "MATCH", "f99*", "COUNT", "100000")).get(1);
        assertThat(matched).containsExactlyInAnyOrder("f99", "v99", "f990", "v990", "f991", "v991", "f992", "v992",
            "f993", "v993", "f994", "v994", "f995", "v995", "f996", "v996", "f997", "v997", "f998", "v998", "f999", "v999");
    }

    @Test
    void visitorStopsForEach() {
        HashValue hv = HashValue.create(0);
        hv.set(b("a"), b("1"), 512, 64);
        hv.set(b("b"), b("2"), 512, 64);
        int[] n = {0};
        hv.forEach((CowMap.Visitor) (k, v, m) -> ++n[0] < 1);
        assertThat(n[0]).isEqualTo(1);
    }
}

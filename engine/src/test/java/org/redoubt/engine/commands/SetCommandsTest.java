package org.redoubt.engine.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Harness;
import org.redoubt.engine.Harness.Err;
import org.redoubt.engine.config.Notify;
import org.redoubt.engine.info.Digest;
import org.redoubt.engine.type.SetValue;
import org.redoubt.engine.type.Types;

class SetCommandsTest {
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

    private Object value(String key) { return h.client.db.lookupNoTouch(b(key)); }

    private String encoding(String key) { return Types.encoding(value(key)); }

    @SuppressWarnings("unchecked")
    private Set<Object> members(String key) { return new HashSet<>((List<Object>) x("SMEMBERS", key)); }

    private static Set<Object> set(Object... o) { return new HashSet<>(Arrays.asList(o)); }

    private List<String> propagated() {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < h.client.argc; i++) l.add(new String(h.client.argv[i], StandardCharsets.UTF_8));
        return l;
    }

    private static final Err WRONGTYPE = new Err("WRONGTYPE Operation against a key holding the wrong kind of value");

    // ------------------------------------------------------------------ basics and encodings

    @Test
    void basicsRegularSetAndIntset() {
        assertThat(x("SADD", "s", "foo")).isEqualTo(1L);
        assertThat(encoding("s")).isEqualTo("hashtable");
        assertThat(x("SADD", "s", "bar", "foo")).isEqualTo(1L);
        assertThat(x("SCARD", "s")).isEqualTo(2L);
        assertThat(x("SISMEMBER", "s", "foo")).isEqualTo(1L);
        assertThat(x("SISMEMBER", "s", "bla")).isEqualTo(0L);
        assertThat(x("SMISMEMBER", "s", "foo", "bla", "bar")).isEqualTo(List.of(1L, 0L, 1L));
        assertThat(x("SMISMEMBER", "nokey", "a", "b")).isEqualTo(List.of(0L, 0L));
        assertThat(members("s")).isEqualTo(set("foo", "bar"));
        assertThat(x("TYPE", "s")).isEqualTo("set");

        assertThat(x("SADD", "i", "17", "16", "-5")).isEqualTo(3L);
        assertThat(encoding("i")).isEqualTo("intset");
        assertThat(x("SMEMBERS", "i")).isEqualTo(List.of("-5", "16", "17"));
        assertThat(x("SISMEMBER", "i", "16")).isEqualTo(1L);
        assertThat(x("SISMEMBER", "i", "016")).isEqualTo(0L);
        assertThat(x("SCARD", "nokey")).isEqualTo(0L);
        assertThat(events).containsExactly("sadd:s", "sadd:s", "sadd:i");
        assertThat(h.engine.dirty).isEqualTo(5);
    }

    @Test
    void intsetConversions() {
        x("SADD", "s", "1", "2");
        x("SADD", "s", "a");
        assertThat(encoding("s")).isEqualTo("hashtable");
        x("SADD", "big", "1", "9223372036854775808");
        assertThat(encoding("big")).isEqualTo("hashtable");
        x("SADD", "z", "-0");
        assertThat(encoding("z")).isEqualTo("hashtable");
        for (int i = 0; i < 512; i++) x("SADD", "max", String.valueOf(i));
        assertThat(encoding("max")).isEqualTo("intset");
        x("SADD", "max", "512");
        assertThat(encoding("max")).isEqualTo("hashtable");
        assertThat(x("SCARD", "max")).isEqualTo(513L);
        h.engine.config.setMaxIntsetEntries = 0;
        x("SADD", "zero", "1");
        assertThat(encoding("zero")).isEqualTo("hashtable");
    }

    @Test
    void wrongType() {
        x("SET", "str", "v");
        for (String[] cmd : new String[][] {{"SADD", "str", "a"}, {"SREM", "str", "a"}, {"SCARD", "str"},
            {"SISMEMBER", "str", "a"}, {"SMISMEMBER", "str", "a"}, {"SMEMBERS", "str"}, {"SPOP", "str"},
            {"SPOP", "str", "2"}, {"SRANDMEMBER", "str"}, {"SRANDMEMBER", "str", "2"}, {"SINTER", "str"},
            {"SUNION", "str"}, {"SDIFF", "str"}, {"SSCAN", "str", "0"}, {"SINTERCARD", "1", "str"}}) {
            assertThat(x(cmd)).as(String.join(" ", cmd)).isEqualTo(WRONGTYPE);
        }
    }

    @Test
    void sremDeletesEmptySet() {
        x("SADD", "s", "1", "2", "3");
        events.clear();
        assertThat(x("SREM", "s", "1", "4")).isEqualTo(1L);
        assertThat(x("SREM", "s", "x")).isEqualTo(0L);
        assertThat(x("SREM", "s", "2", "3", "5")).isEqualTo(2L);
        assertThat(x("EXISTS", "s")).isEqualTo(0L);
        assertThat(x("SREM", "nokey", "a")).isEqualTo(0L);
        assertThat(events).containsExactly("srem:s", "srem:s", "del:s");
    }

    // ------------------------------------------------------------------ SINTER family

    @Test
    void sinterAndStore() {
        for (String enc : new String[] {"intset", "hashtable"}) {
            x("FLUSHALL");
            for (int i = 0; i < 200; i++) {
                x("SADD", "s1", String.valueOf(i));
                x("SADD", "s2", String.valueOf(i + 195));
            }
            for (String m : new String[] {"199", "195", "1000", "2000"}) x("SADD", "s3", m);
            if (enc.equals("hashtable")) {
                x("SADD", "s1", "x");
                x("SADD", "s2", "x");
                x("SADD", "s3", "x");
                x("SREM", "s1", "x");
                x("SREM", "s2", "x");
                x("SREM", "s3", "x");
            }
            assertThat(encoding("s1")).isEqualTo(enc);
            assertThat(members("s1").size()).isEqualTo(200);
            Object r = x("SINTER", "s1", "s2");
            assertThat(new HashSet<>((List<?>) r)).isEqualTo(set("195", "196", "197", "198", "199"));
            assertThat(x("SINTERCARD", "2", "s1", "s2")).isEqualTo(5L);
            assertThat(x("SINTERCARD", "2", "s1", "s2", "LIMIT", "3")).isEqualTo(3L);
            assertThat(x("SINTERCARD", "2", "s1", "s2", "LIMIT", "0")).isEqualTo(5L);
            assertThat(x("SINTERSTORE", "res", "s1", "s2")).isEqualTo(5L);
            // A result of integers is an intset, whatever the sources were.
            assertThat(encoding("res")).isEqualTo("intset");
            assertThat(new HashSet<>((List<?>) x("SINTER", "s1", "s2", "s3"))).isEqualTo(set("195", "199"));
            assertThat(x("SINTER", "s1", "s1")).asList().hasSize(200);
        }
    }

    @Test
    void sinterEmptyAndStoreDeletes() {
        x("SADD", "s", "a");
        x("SET", "dst", "x");
        assertThat(x("SINTER", "s", "nokey")).isEqualTo(List.of());
        assertThat(x("SINTERSTORE", "dst", "s", "nokey")).isEqualTo(0L);
        assertThat(x("EXISTS", "dst")).isEqualTo(0L);
        x("HELLO", "3");
        assertThat(h.raw("SINTER", "s", "nokey")).isEqualTo("~0\r\n");
        assertThat(h.raw("SMEMBERS", "s")).isEqualTo("~1\r\n$1\r\na\r\n");
        assertThat(h.raw("SMEMBERS", "nokey")).isEqualTo("~0\r\n");
    }

    @Test
    void sinterWrongTypeAfterMissingKey() {
        x("SET", "str", "x");
        x("SADD", "s", "a");
        assertThat(x("SINTER", "nokey", "str")).isEqualTo(WRONGTYPE);
        assertThat(x("SINTERCARD", "2", "str", "nokey")).isEqualTo(WRONGTYPE);
        assertThat(x("SINTERCARD", "2", "s", "str")).isEqualTo(WRONGTYPE);
        assertThat(x("SINTERSTORE", "d", "nokey", "str")).isEqualTo(WRONGTYPE);
    }

    @Test
    void sintercardArguments() {
        assertThat(x("SINTERCARD", "0", "s")).isEqualTo(err("ERR numkeys should be greater than 0"));
        assertThat(x("SINTERCARD", "a", "s")).isEqualTo(err("ERR numkeys should be greater than 0"));
        assertThat(x("SINTERCARD", "2", "s")).isEqualTo(err("ERR Number of keys can't be greater than number of args"));
        assertThat(x("SINTERCARD", "1", "s", "t")).isEqualTo(err("ERR syntax error"));
        assertThat(x("SINTERCARD", "1", "s", "LIMIT")).isEqualTo(err("ERR syntax error"));
        assertThat(x("SINTERCARD", "1", "s", "LIMIT", "-1")).isEqualTo(err("ERR LIMIT can't be negative"));
        assertThat(x("SINTERCARD", "1", "s", "LIMIT", "a")).isEqualTo(err("ERR LIMIT can't be negative"));
        assertThat(x("SINTERCARD", "1", "nokey", "LIMIT", "10")).isEqualTo(0L);
    }

    // ------------------------------------------------------------------ SUNION / SDIFF

    @Test
    void sunionAndSdiff() {
        x("SADD", "a", "1", "2", "3", "x");
        x("SADD", "b", "3", "4");
        x("SADD", "c", "x", "5");
        assertThat(new HashSet<>((List<?>) x("SUNION", "a", "b", "nokey"))).isEqualTo(set("1", "2", "3", "4", "5", "x").stream()
            .filter(e -> !e.equals("5")).collect(java.util.stream.Collectors.toSet()));
        assertThat(new HashSet<>((List<?>) x("SDIFF", "a", "b", "c"))).isEqualTo(set("1", "2"));
        assertThat(new HashSet<>((List<?>) x("SDIFF", "a", "nokey"))).isEqualTo(set("1", "2", "3", "x"));
        assertThat(x("SDIFF", "nokey", "a")).isEqualTo(List.of());
        assertThat(x("SDIFF", "a", "a")).isEqualTo(List.of());
        assertThat(x("SUNIONSTORE", "u", "b", "nokey")).isEqualTo(2L);
        assertThat(encoding("u")).isEqualTo("intset");
        assertThat(x("SDIFFSTORE", "d", "a", "c")).isEqualTo(3L);
        assertThat(x("SMEMBERS", "d")).isEqualTo(List.of("1", "2", "3"));
        x("SET", "str", "x");
        assertThat(x("SUNIONSTORE", "str", "nokey")).isEqualTo(0L);
        assertThat(x("EXISTS", "str")).isEqualTo(0L);
        x("SET", "str", "x");
        assertThat(x("SDIFF", "a", "str")).isEqualTo(WRONGTYPE);
        assertThat(x("SUNIONSTORE", "u", "nokey", "str")).isEqualTo(WRONGTYPE);
        assertThat(events).contains("sunionstore:u", "sdiffstore:d", "del:str");
    }

    @Test
    void sdiffFuzzAgainstReference() {
        java.util.Random rnd = new java.util.Random(42);
        for (int round = 0; round < 50; round++) {
            x("FLUSHALL");
            List<Set<String>> ref = new ArrayList<>();
            int n = 1 + rnd.nextInt(4);
            for (int k = 0; k < n; k++) {
                Set<String> s = new HashSet<>();
                int size = rnd.nextInt(round % 2 == 0 ? 30 : 300);
                for (int i = 0; i < size; i++) {
                    String m = rnd.nextBoolean() ? String.valueOf(rnd.nextInt(100)) : "m" + rnd.nextInt(100);
                    s.add(m);
                    x("SADD", "k" + k, m);
                }
                ref.add(s);
            }
            String[] cmd = new String[n + 1];
            cmd[0] = "SDIFF";
            for (int k = 0; k < n; k++) cmd[k + 1] = "k" + k;
            Set<String> expect = new HashSet<>(ref.get(0));
            for (int k = 1; k < n; k++) expect.removeAll(ref.get(k));
            assertThat(new HashSet<>((List<?>) x(cmd))).isEqualTo(expect);
            cmd[0] = "SINTER";
            Set<String> inter = new HashSet<>(ref.get(0));
            for (int k = 1; k < n; k++) inter.retainAll(ref.get(k));
            assertThat(new HashSet<>((List<?>) x(cmd))).isEqualTo(inter);
        }
    }

    // ------------------------------------------------------------------ SPOP

    @Test
    void spopSingle() {
        x("SADD", "s", "a", "b");
        Object p = x("SPOP", "s");
        assertThat(propagated()).containsExactly("SREM", "s", (String) p);
        x("SPOP", "s");
        assertThat(x("EXISTS", "s")).isEqualTo(0L);
        assertThat(x("SPOP", "s")).isNull();
        assertThat(x("SPOP", "s", "1", "2")).isEqualTo(err("ERR syntax error"));
        assertThat(events).containsExactly("sadd:s", "spop:s", "spop:s", "del:s");
    }

    @Test
    void spopWithCountAllPaths() {
        assertThat(x("SPOP", "s", "-1")).isEqualTo(err("ERR value is out of range, must be positive"));
        assertThat(x("SPOP", "s", "x")).isEqualTo(err("ERR value is out of range, must be positive"));
        assertThat(x("SPOP", "nokey", "5")).isEqualTo(List.of());
        for (String enc : new String[] {"intset", "hashtable"}) {
            for (int count : new int[] {0, 2, 18, 20, 30}) {
                x("DEL", "s");
                Set<Object> all = new HashSet<>();
                for (int i = 1; i <= 20; i++) {
                    String m = enc.equals("intset") ? String.valueOf(i) : "m" + i;
                    x("SADD", "s", m);
                    all.add(m);
                }
                assertThat(encoding("s")).isEqualTo(enc);
                List<?> popped = (List<?>) x("SPOP", "s", String.valueOf(count));
                List<String> p = propagated();
                assertThat(popped).hasSize(Math.min(count, 20));
                assertThat(new HashSet<>(popped)).hasSize(popped.size());
                Set<Object> union = new HashSet<>(popped);
                union.addAll(count >= 20 ? Set.of() : members("s"));
                assertThat(union).isEqualTo(all);
                if (count >= 20) {
                    assertThat(x("EXISTS", "s")).isEqualTo(0L);
                    assertThat(p).containsExactly("DEL", "s");
                } else if (count > 0) {
                    // Re-running the propagated SREM on the original set gives the same result.
                    assertThat(p.subList(0, 2)).containsExactly("SREM", "s");
                    assertThat(new HashSet<Object>(p.subList(2, p.size()))).isEqualTo(new HashSet<>(popped));
                    assertThat(x("SCARD", "s")).isEqualTo((long) (20 - count));
                }
            }
        }
    }

    // ------------------------------------------------------------------ SRANDMEMBER

    @Test
    void srandmemberAllPaths() {
        assertThat(x("SRANDMEMBER", "nokey")).isNull();
        assertThat(h.raw("SRANDMEMBER", "nokey", "5")).isEqualTo("*0\r\n");
        x("SADD", "one", "a");
        assertThat(h.raw("SRANDMEMBER", "one", "0")).isEqualTo("*0\r\n");
        assertThat(x("SRANDMEMBER", "one", "-9223372036854775808")).isEqualTo(err(
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"));
        assertThat(x("SRANDMEMBER", "one", "1", "2")).isEqualTo(err("ERR syntax error"));
        for (String enc : new String[] {"intset", "hashtable"}) {
            x("DEL", "s");
            Set<Object> all = new HashSet<>();
            for (int i = 0; i < 50; i++) {
                String m = enc.equals("intset") ? String.valueOf(i) : "m" + i;
                x("SADD", "s", m);
                all.add(m);
            }
            assertThat(encoding("s")).isEqualTo(enc);
            assertThat((List<?>) x("SRANDMEMBER", "s", "-100")).hasSize(100).allMatch(all::contains);
            assertThat(new HashSet<>((List<?>) x("SRANDMEMBER", "s", "50"))).isEqualTo(all);
            assertThat(new HashSet<>((List<?>) x("SRANDMEMBER", "s", "100"))).isEqualTo(all);
            for (int n : new int[] {45, 5}) {
                Set<Object> seen = new HashSet<>();
                for (int k = 0; k < 200; k++) {
                    List<?> r = (List<?>) x("SRANDMEMBER", "s", String.valueOf(n));
                    assertThat(r).hasSize(n);
                    assertThat(new HashSet<>(r)).hasSize(n);
                    seen.addAll(r);
                }
                assertThat(seen).isEqualTo(all);
            }
            assertThat(all).contains(x("SRANDMEMBER", "s"));
        }
    }

    // ------------------------------------------------------------------ SMOVE

    @Test
    void smove() {
        x("SADD", "a", "1", "x");
        x("SADD", "b", "2", "3");
        assertThat(x("SMOVE", "a", "b", "x")).isEqualTo(1L);
        assertThat(encoding("b")).isEqualTo("hashtable");
        assertThat(x("SMOVE", "a", "b", "zz")).isEqualTo(0L);
        assertThat(x("SMOVE", "nokey", "b", "2")).isEqualTo(0L);
        assertThat(x("SMOVE", "a", "new", "1")).isEqualTo(1L);
        assertThat(x("EXISTS", "a")).isEqualTo(0L);
        assertThat(encoding("new")).isEqualTo("intset");
        assertThat(x("SMOVE", "b", "b", "2")).isEqualTo(1L);
        assertThat(x("SMOVE", "b", "b", "9")).isEqualTo(0L);
        x("SET", "str", "v");
        assertThat(x("SMOVE", "str", "b", "2")).isEqualTo(WRONGTYPE);
        assertThat(x("SMOVE", "b", "str", "2")).isEqualTo(WRONGTYPE);
        events.clear();
        x("SADD", "c", "2");
        assertThat(x("SMOVE", "b", "c", "2")).isEqualTo(1L);
        // The destination already had it: only the source changed.
        assertThat(events).containsExactly("sadd:c", "srem:b");
    }

    // ------------------------------------------------------------------ SSCAN

    @Test
    void sscan() {
        x("SADD", "i", "1", "2", "3", "10");
        assertThat(x("SSCAN", "i", "0")).isEqualTo(List.of("0", List.of("1", "2", "3", "10")));
        assertThat(x("SSCAN", "i", "0", "MATCH", "1*")).isEqualTo(List.of("0", List.of("1", "10")));
        for (int i = 0; i < 1000; i++) x("SADD", "big", "m" + i);
        Set<Object> seen = new HashSet<>();
        String cursor = "0";
        do {
            List<?> r = (List<?>) x("SSCAN", "big", cursor, "COUNT", "50");
            cursor = (String) r.get(0);
            for (Object m : (List<?>) r.get(1)) assertThat(seen.add(m)).isTrue();
        } while (!cursor.equals("0"));
        assertThat(seen).hasSize(1000);
        assertThat(x("SSCAN", "nokey", "0")).isEqualTo(List.of("0", List.of()));
        assertThat(x("SSCAN", "big", "-1x")).isEqualTo(err("ERR invalid cursor"));
    }

    // ------------------------------------------------------------------ copy-on-write, digest, memory

    @Test
    void copyOnWrite() {
        for (int i = 0; i < 1000; i++) x("SADD", "big", "m" + i);
        x("SADD", "small", "1", "2");
        SetValue big = (SetValue) value("big"), small = (SetValue) value("small");
        h.engine.snapshotEpoch++;
        x("SADD", "big", "new");
        x("SREM", "big", "m1");
        x("SADD", "small", "3");
        x("SPOP", "big", "10");
        assertThat(big.size()).isEqualTo(1000);
        assertThat(big.contains(b("m1"))).isTrue();
        assertThat(big.contains(b("new"))).isFalse();
        assertThat(small.size()).isEqualTo(2);
        assertThat(x("SCARD", "big")).isEqualTo(990L);
        assertThat(x("SCARD", "small")).isEqualTo(3L);
        assertThat(x("COPY", "big", "big2")).isEqualTo(1L);
        x("SADD", "big2", "only-in-copy");
        assertThat(x("SISMEMBER", "big", "only-in-copy")).isEqualTo(0L);
    }

    private String digest(String key) {
        byte[] d = new byte[20];
        Digest.keyValue(h.client.db, b(key), d);
        return Digest.hex(d);
    }

    @Test
    void digestAndMemoryMatchRedis() {
        // DEBUG DIGEST-VALUE and MEMORY USAGE of the same sets in Redis 7.0.15.
        x("SADD", "i", "1", "2", "3");
        x("SADD", "s", "a", "b", "c");
        assertThat(digest("i")).isEqualTo("2a462a3f51a1db89738ebbeef0c47ce1bbc85246");
        assertThat(digest("s")).isEqualTo("593c2414786d75446e97f4ea5d4b731f3313da72");
        assertThat(x("MEMORY", "USAGE", "i")).isEqualTo(64L);
        assertThat(x("MEMORY", "USAGE", "s")).isEqualTo(232L);
    }
}

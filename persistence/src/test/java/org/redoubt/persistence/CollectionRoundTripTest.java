package org.redoubt.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every collection encoding survives SAVE + load and DUMP + RESTORE with content and encoding intact. */
class CollectionRoundTripTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    /** The content of every key in a comparable form. */
    private static List<Object> dumpAll(Harness h) {
        List<Object> out = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<Object> keys = (List<Object>) h.exec("KEYS", "*");
        keys.sort((a, c) -> ((String) a).compareTo((String) c));
        for (Object k : keys) {
            String key = (String) k;
            String type = (String) h.exec("TYPE", key);
            out.add(key + ":" + type + ":" + h.exec("OBJECT", "ENCODING", key));
            switch (type) {
                case "string" -> out.add(h.exec("GET", key));
                case "list" -> out.add(h.exec("LRANGE", key, "0", "-1"));
                case "hash" -> {
                    @SuppressWarnings("unchecked") List<Object> l = (List<Object>) h.exec("HGETALL", key);
                    out.add(pairsSorted(l));
                }
                case "set" -> {
                    @SuppressWarnings("unchecked") List<Object> l = (List<Object>) h.exec("SMEMBERS", key);
                    List<Object> s = new ArrayList<>(l);
                    s.sort((a, c) -> ((String) a).compareTo((String) c));
                    out.add(s);
                }
                case "zset" -> out.add(h.exec("ZRANGE", key, "0", "-1", "WITHSCORES"));
                default -> out.add(type);
            }
            out.add(h.exec("PTTL", key));
        }
        return out;
    }

    private static List<String> pairsSorted(List<Object> l) {
        List<String> s = new ArrayList<>();
        for (int i = 0; i < l.size(); i += 2) s.add(l.get(i) + "=" + l.get(i + 1));
        s.sort(null);
        return s;
    }

    private static void fill(Harness h) {
        h.exec("RPUSH", "list:small", "a", "1", "-5", "9223372036854775807", "x".repeat(100));
        for (int i = 0; i < 3000; i++) h.exec("RPUSH", "list:big", "element-" + i, Integer.toString(i * 7919));
        h.exec("RPUSH", "list:huge-element", "y".repeat(70_000), "z");
        h.exec("HSET", "hash:small", "f1", "v1", "f2", "22", "f3", "");
        for (int i = 0; i < 600; i++) h.exec("HSET", "hash:big", "field" + i, "value" + i);
        h.exec("HSET", "hash:longvalue", "f", "v".repeat(100));
        h.exec("SADD", "set:ints", "1", "-2", "300", "70000", "-5000000000");
        for (int i = 0; i < 600; i++) h.exec("SADD", "set:bigints", Integer.toString(i));
        h.exec("SADD", "set:strings", "a", "b", "c", "12");
        h.exec("ZADD", "zset:small", "1", "a", "2.5", "b", "-inf", "c", "inf", "d", "0", "e", "-3", "f");
        for (int i = 0; i < 200; i++) h.exec("ZADD", "zset:big", Double.toString(i / 3.0), "member" + i);
        h.exec("ZADD", "zset:longmember", "1", "m".repeat(100));
        h.exec("PEXPIRE", "hash:small", "1000000");
    }

    @Test
    void everyEncodingSurvivesAReload() {
        Harness h = new Harness(dir);
        fill(h);
        List<Object> before = dumpAll(h);
        assertThat(before).contains("set:ints:set:intset", "set:bigints:set:hashtable", "hash:small:hash:listpack",
            "hash:big:hash:hashtable", "zset:small:zset:listpack", "zset:big:zset:skiplist", "list:big:list:quicklist");
        assertThat(h.exec("DEBUG", "RELOAD")).isEqualTo("OK");
        List<Object> after = dumpAll(h);
        for (int i = 0; i < before.size(); i++) {
            Object x = before.get(i), y = after.get(i);
            if (x instanceof Long px && px > 0) assertThat((Long) y).isBetween(px - 1000, px);
            else assertThat(y).as("item %d", i).isEqualTo(x);
        }
    }

    @Test
    void everyEncodingSurvivesDumpAndRestore() {
        Harness h = new Harness(dir);
        fill(h);
        @SuppressWarnings("unchecked")
        List<Object> keys = new ArrayList<>((List<Object>) h.exec("KEYS", "*"));
        List<Object> before = dumpAll(h);
        for (Object k : keys) {
            String key = (String) k;
            byte[] payload = h.execRaw("DUMP", key);
            long pttl = (Long) h.exec("PTTL", key);
            h.exec("DEL", key);
            assertThat(h.execBytes(b("RESTORE"), b(key), b(Long.toString(Math.max(0, pttl))), payload)).isEqualTo("OK");
        }
        List<Object> after = dumpAll(h);
        for (int i = 0; i < before.size(); i++) {
            Object x = before.get(i), y = after.get(i);
            if (x instanceof Long px && px > 0) assertThat((Long) y).isBetween(px - 1000, px);
            else assertThat(y).as("item %d", i).isEqualTo(x);
        }
    }

    @Test
    void loadingAppliesTheCurrentEncodingThresholds() {
        Harness h = new Harness(dir);
        h.exec("HSET", "h", "a", "1", "b", "2", "c", "3");
        h.exec("ZADD", "z", "1", "a", "2", "b", "3", "c");
        h.exec("SADD", "s", "1", "2", "3");
        h.exec("SAVE");
        h.exec("CONFIG", "SET", "hash-max-listpack-entries", "2");
        h.exec("CONFIG", "SET", "zset-max-listpack-entries", "2");
        h.exec("CONFIG", "SET", "set-max-intset-entries", "2");
        h.exec("DEBUG", "RELOAD", "NOSAVE");
        assertThat(h.exec("OBJECT", "ENCODING", "h")).isEqualTo("hashtable");
        assertThat(h.exec("OBJECT", "ENCODING", "z")).isEqualTo("skiplist");
        assertThat(h.exec("OBJECT", "ENCODING", "s")).isEqualTo("hashtable");
        assertThat(h.exec("HGET", "h", "c")).isEqualTo("3");
        assertThat(h.exec("ZSCORE", "z", "b")).isEqualTo("2");
        assertThat(h.exec("SISMEMBER", "s", "3")).isEqualTo(1L);
    }

    @Test
    void bgsaveOfCollectionsIsPointInTime() {
        Harness h = new Harness(dir);
        for (int i = 0; i < 2000; i++) h.exec("RPUSH", "l", Integer.toString(i));
        for (int i = 0; i < 1000; i++) h.exec("HSET", "h", "f" + i, "v" + i);
        for (int i = 0; i < 300; i++) h.exec("ZADD", "z", Integer.toString(i), "m" + i);
        h.exec("CONFIG", "SET", "rdb-key-save-delay", "200000");
        h.exec("BGSAVE");
        h.exec("RPUSH", "l", "after");
        h.exec("LSET", "l", "0", "changed");
        h.exec("HSET", "h", "f1", "changed", "extra", "x");
        h.exec("ZADD", "z", "1000", "m0");
        h.exec("CONFIG", "SET", "rdb-key-save-delay", "0");
        h.p.awaitBgsave();
        Harness loaded = new Harness(dir);
        loaded.exec("DEBUG", "RELOAD", "NOSAVE");
        assertThat(loaded.exec("LLEN", "l")).isEqualTo(2000L);
        assertThat(loaded.exec("LINDEX", "l", "0")).isEqualTo("0");
        assertThat(loaded.exec("HGET", "h", "f1")).isEqualTo("v1");
        assertThat(loaded.exec("HEXISTS", "h", "extra")).isEqualTo(0L);
        assertThat(loaded.exec("ZSCORE", "z", "m0")).isEqualTo("0");
    }
}

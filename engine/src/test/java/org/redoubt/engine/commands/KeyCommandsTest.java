package org.redoubt.engine.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Client;
import org.redoubt.engine.Harness;
import org.redoubt.engine.Harness.Err;
import org.redoubt.engine.config.Config;
import org.redoubt.engine.config.Notify;
import org.redoubt.engine.db.Db;
import org.redoubt.engine.type.RValue;
import org.redoubt.engine.type.Sds;

class KeyCommandsTest {
    private Harness h;
    private final List<String> events = new ArrayList<>();
    private final List<String> propagated = new ArrayList<>();
    private final List<String> signalled = new ArrayList<>();

    @BeforeEach
    void setUp() {
        h = harness(new Config());
    }

    private Harness harness(Config config) {
        Harness x = new Harness(config);
        x.engine.config.notifyKeyspaceEvents = Notify.ALL | Notify.KEYSPACE | Notify.KEYEVENT | Notify.KEY_MISS;
        x.engine.notifyListeners.add((type, event, key, dbid) -> events.add(event + ":" + s(key) + ":" + dbid));
        x.engine.writeListeners.add((c, cmd) -> {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < c.argc; i++) sb.append(i == 0 ? "" : " ").append(s(c.argv[i]));
            propagated.add(sb.toString());
        });
        x.engine.keyListeners.add((db, key) -> signalled.add(db.id + ":" + s(key)));
        return x;
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Object r(String... args) {
        return h.exec(args);
    }

    private Db db(int i) {
        return h.engine.db(i);
    }

    /** Gives an existing key a TTL that has already passed (no sleeping). */
    private void expireNow(int dbi, String key) {
        db(dbi).setExpire(b(key), System.currentTimeMillis() - 10);
    }

    private static Err err(String msg) {
        return new Err(msg);
    }

    /** A non-string value for TYPE/SCAN TYPE/COPY (collections come from other families). */
    private record FakeList() implements RValue {
        @Override public String typeName() { return "list"; }
        @Override public String encoding() { return "quicklist"; }
        @Override public org.redoubt.engine.type.RValue duplicate(long epoch) { return this; }
    }

    // =====================================================================================
    // DEL / UNLINK / EXISTS / TYPE / TOUCH / DBSIZE
    // =====================================================================================

    @Test
    void delCountsDeletedKeysAndNotifies() {
        r("SET", "a", "1");
        r("SET", "b", "2");
        events.clear();
        long dirty = h.engine.dirty;
        assertThat(r("DEL", "a", "b", "c", "a")).isEqualTo(2L);
        assertThat(h.engine.dirty - dirty).isEqualTo(2);
        assertThat(events).containsExactly("del:a:0", "del:b:0");
        assertThat(r("GET", "a")).isNull();
        assertThat(r("DBSIZE")).isEqualTo(0L);
        assertThat(r("DEL", "nokey")).isEqualTo(0L);
    }

    @Test
    void unlinkIsDel() {
        r("SET", "a", "1");
        assertThat(r("UNLINK", "a", "b")).isEqualTo(1L);
        assertThat(r("EXISTS", "a")).isEqualTo(0L);
        assertThat(r("UNLINK")).isEqualTo(err("ERR wrong number of arguments for 'unlink' command"));
    }

    @Test
    void delOfAnExpiredKeyCountsNothing() {
        r("SET", "k", "v");
        expireNow(0, "k");
        long expired = h.engine.stats.expiredKeys;
        assertThat(r("DEL", "k")).isEqualTo(0L);
        assertThat(h.engine.stats.expiredKeys).isEqualTo(expired + 1);
        assertThat(db(0).size()).isZero();
    }

    @Test
    void existsCountsEveryArgumentAndStats() {
        r("SET", "newkey", "test");
        long hits = h.engine.stats.keyspaceHits, misses = h.engine.stats.keyspaceMisses;
        events.clear();
        assertThat(r("EXISTS", "newkey", "newkey", "nokey")).isEqualTo(2L);
        assertThat(h.engine.stats.keyspaceHits - hits).isEqualTo(2);
        assertThat(h.engine.stats.keyspaceMisses - misses).isEqualTo(1);
        assertThat(events).containsExactly("keymiss:nokey:0");
        r("DEL", "newkey");
        assertThat(r("EXISTS", "newkey")).isEqualTo(0L);
        r("SET", "emptykey", "");
        assertThat(r("EXISTS", "emptykey")).isEqualTo(1L);
    }

    @Test
    void existsAndTypeDoNotTouchTheAccessClock() {
        r("SET", "k", "v");
        db(0).mainMap().touchMeta(b("k"), 7);
        r("EXISTS", "k");
        r("TYPE", "k");
        r("TTL", "k");
        r("OBJECT", "ENCODING", "k");
        assertThat(db(0).mainMap().getMeta(b("k"))).isEqualTo(7);
        r("TOUCH", "k");
        assertThat(db(0).mainMap().getMeta(b("k"))).isEqualTo(h.engine.lruClock());
    }

    @Test
    void existsHidesExpiredKeys() {
        r("SET", "k", "v");
        expireNow(0, "k");
        assertThat(r("EXISTS", "k")).isEqualTo(0L);
    }

    @Test
    void typeReplies() {
        r("SET", "s", "v");
        db(0).add(b("l"), new FakeList());
        assertThat(h.raw("TYPE", "s")).isEqualTo("+string\r\n");
        assertThat(h.raw("TYPE", "l")).isEqualTo("+list\r\n");
        assertThat(h.raw("TYPE", "none")).isEqualTo("+none\r\n");
        expireNow(0, "s");
        assertThat(r("TYPE", "s")).isEqualTo("none");
    }

    @Test
    void touchCountsExistingKeys() {
        r("SET", "a", "1");
        r("SET", "b", "2");
        assertThat(r("TOUCH", "a", "b", "c", "a")).isEqualTo(3L);
    }

    @Test
    void dbsize() {
        assertThat(r("DBSIZE")).isEqualTo(0L);
        for (String k : new String[] {"key_x", "key_y", "key_z", "foo_a", "foo_b", "foo_c"}) r("SET", k, "hello");
        assertThat(r("DBSIZE")).isEqualTo(6L);
    }

    // =====================================================================================
    // KEYS
    // =====================================================================================

    @SuppressWarnings("unchecked")
    private static Set<String> set(Object reply) {
        return new HashSet<>((List<String>) reply);
    }

    @Test
    void keysWithPattern() {
        for (String k : new String[] {"key_x", "key_y", "key_z", "foo_a", "foo_b", "foo_c"}) r("SET", k, "hello");
        assertThat(set(r("KEYS", "foo*"))).containsExactlyInAnyOrder("foo_a", "foo_b", "foo_c");
        assertThat(set(r("KEYS", "*"))).hasSize(6);
        assertThat(set(r("KEYS", "*_[xy]"))).containsExactlyInAnyOrder("key_x", "key_y");
        assertThat(set(r("KEYS", "KEY*"))).isEmpty();
        assertThat(r("KEYS", "nomatch")).isEqualTo(List.of());
    }

    @Test
    void keysHidesExpiredKeysWithoutDeletingThem() {
        r("SET", "a", "1");
        r("SET", "b", "2");
        expireNow(0, "a");
        assertThat(r("KEYS", "*")).isEqualTo(List.of("b"));
        assertThat(r("KEYS", "?")).isEqualTo(List.of("b"));
        assertThat(db(0).size()).isEqualTo(2);
    }

    @Test
    void keysStarFastPathIncludesTheEmptyKey() {
        r("SET", "", "v");
        assertThat(r("KEYS", "*")).isEqualTo(List.of(""));
        assertThat(r("KEYS", "**")).as("the glob itself never matches an empty key").isEqualTo(List.of());
    }

    @Test
    void keysPatternRegressions() {
        r("SET", "dlskeriewrioeuwqoirueioqwrueoqwrueqw", "test");
        r("KEYS", "*");
        assertThat(r("KEYS", "*")).isEqualTo(List.of("dlskeriewrioeuwqoirueioqwrueoqwrueqw"));
        r("FLUSHDB");
        r("SET", "a".repeat(40), "1");
        assertThat(r("KEYS", "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b")).isEqualTo(List.of());
        r("FLUSHDB");
        r("SET", "a".repeat(50000), "1");
        assertThat(r("KEYS", "*?".repeat(50000))).isEqualTo(List.of());
    }

    // =====================================================================================
    // SCAN
    // =====================================================================================

    @SuppressWarnings("unchecked")
    private Set<String> scanAll(String... opts) {
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        int rounds = 0;
        do {
            String[] args = new String[2 + opts.length];
            args[0] = "SCAN";
            args[1] = cursor;
            System.arraycopy(opts, 0, args, 2, opts.length);
            List<Object> reply = (List<Object>) r(args);
            cursor = (String) reply.get(0);
            seen.addAll((List<String>) reply.get(1));
            assertThat(++rounds).isLessThan(100000);
        } while (!cursor.equals("0"));
        return seen;
    }

    @Test
    void scanIteratesEverything() {
        for (int i = 0; i < 1000; i++) r("SET", "key:" + i, "v");
        Set<String> all = scanAll();
        assertThat(all).hasSize(1000);
        assertThat(scanAll("COUNT", "100")).hasSize(1000);
        assertThat(scanAll("count", "1")).hasSize(1000);
    }

    @Test
    @SuppressWarnings("unchecked")
    void scanCountBoundsEachCall() {
        for (int i = 0; i < 1000; i++) r("SET", "key:" + i, "v");
        List<Object> reply = (List<Object>) r("SCAN", "0");
        assertThat((List<String>) reply.get(1)).hasSizeBetween(10, 12);
        assertThat(reply.get(0)).isNotEqualTo("0");
        reply = (List<Object>) r("SCAN", "0", "COUNT", "5000");
        assertThat((List<String>) reply.get(1)).hasSize(1000);
        assertThat(reply.get(0)).isEqualTo("0");
    }

    @Test
    void scanMatchAndType() {
        for (int i = 0; i < 100; i++) r("SET", "key:" + i, "v");
        for (int i = 0; i < 10; i++) db(0).add(b("list:" + i), new FakeList());
        assertThat(scanAll("MATCH", "key:1*")).hasSize(11);
        assertThat(scanAll("MATCH", "*")).hasSize(110);
        assertThat(scanAll("TYPE", "list")).hasSize(10).allMatch(k -> k.startsWith("list:"));
        assertThat(scanAll("TYPE", "STRING")).hasSize(100);
        assertThat(scanAll("TYPE", "zset")).isEmpty();
        assertThat(scanAll("MATCH", "list:[0-4]", "TYPE", "list", "COUNT", "3")).hasSize(5);
    }

    @Test
    void scanSkipsAndDeletesExpiredKeys() {
        for (int i = 0; i < 20; i++) r("SET", "k" + i, "v");
        for (int i = 0; i < 10; i++) expireNow(0, "k" + i);
        long expired = h.engine.stats.expiredKeys;
        assertThat(scanAll()).hasSize(10).allMatch(k -> Integer.parseInt(k.substring(1)) >= 10);
        assertThat(h.engine.stats.expiredKeys - expired).isEqualTo(10);
        assertThat(db(0).size()).isEqualTo(10);
    }

    @Test
    @SuppressWarnings("unchecked")
    void scanCursorParsing() {
        r("SET", "k", "v");
        // strtoul: signs, leading zeros, the empty string; a cursor past 2^32 keeps its low bits.
        for (String ok : new String[] {"0", "", "00", "+0", "-0", "18446744073709551615", "-1", "4294967296"}) {
            Object reply = r("SCAN", ok);
            assertThat(reply).as(ok).isInstanceOf(List.class);
        }
        assertThat(((List<Object>) r("SCAN", "4294967296")).get(1)).isEqualTo(List.of("k"));
        for (String bad : new String[] {"abc", " 1", "1 ", "\t0", "18446744073709551616", "99999999999999999999", "+",
            "-", "0x10", "1.5"}) {
            assertThat(r("SCAN", bad)).as(bad).isEqualTo(err("ERR invalid cursor"));
        }
        // C stops reading at a NUL byte.
        Object reply = h.execBytes(h.client, b("SCAN"), new byte[] {'0', 0, 'x'});
        assertThat(reply).isInstanceOf(List.class);
    }

    @Test
    void scanOptionErrors() {
        assertThat(r("SCAN", "0", "COUNT", "0")).isEqualTo(err("ERR syntax error"));
        assertThat(r("SCAN", "0", "COUNT", "-1")).isEqualTo(err("ERR syntax error"));
        assertThat(r("SCAN", "0", "COUNT", "x")).isEqualTo(err("ERR value is not an integer or out of range"));
        assertThat(r("SCAN", "0", "COUNT")).isEqualTo(err("ERR syntax error"));
        assertThat(r("SCAN", "0", "MATCH")).isEqualTo(err("ERR syntax error"));
        assertThat(r("SCAN", "0", "FOO", "bar")).isEqualTo(err("ERR syntax error"));
        assertThat(r("SCAN", "x", "FOO", "bar")).isEqualTo(err("ERR invalid cursor"));
        assertThat(r("SCAN", "0", "COUNT", "9223372036854775807")).isInstanceOf(List.class);
    }

    @Test
    void scanReplyShape() {
        assertThat(h.raw("SCAN", "0")).isEqualTo("*2\r\n$1\r\n0\r\n*0\r\n");
    }

    // =====================================================================================
    // RANDOMKEY
    // =====================================================================================

    @Test
    void randomkey() {
        assertThat(r("RANDOMKEY")).isNull();
        r("SET", "foo", "x");
        r("SET", "bar", "y");
        Set<Object> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) seen.add(r("RANDOMKEY"));
        assertThat(seen).containsExactlyInAnyOrder("foo", "bar");
        r("FLUSHDB");
        r("SET", "x", "10");
        r("DEL", "x");
        assertThat(r("RANDOMKEY")).isNull();
    }

    @Test
    void randomkeyExpiresWhatItDraws() {
        r("SET", "a", "1");
        r("SET", "b", "2");
        r("SET", "live", "3");
        expireNow(0, "a");
        expireNow(0, "b");
        for (int i = 0; i < 20; i++) assertThat(r("RANDOMKEY")).isEqualTo("live");
        r("DEL", "live");
        r("SET", "c", "1");
        expireNow(0, "c");
        assertThat(r("RANDOMKEY")).isNull();
        assertThat(db(0).size()).isZero();
    }

    @Test
    void randomkeyOnAReplicaWithOnlyExpiredKeysTerminates() {
        Config cfg = new Config();
        cfg.replicaofHost = "127.0.0.1";
        cfg.replicaofPort = 1;
        h = harness(cfg);
        db(0).add(b("a"), b("1"));
        expireNow(0, "a");
        assertThat(r("RANDOMKEY")).isEqualTo("a");
    }

    // =====================================================================================
    // RENAME / RENAMENX
    // =====================================================================================

    @Test
    void renameBasics() {
        r("SET", "mykey", "hello");
        assertThat(r("RENAME", "mykey", "mykey1")).isEqualTo("OK");
        assertThat(r("RENAME", "mykey1", "mykey2")).isEqualTo("OK");
        assertThat(r("GET", "mykey2")).isEqualTo("hello");
        assertThat(r("EXISTS", "mykey", "mykey1")).isEqualTo(0L);
        r("SET", "a", "x");
        r("SET", "b", "y");
        events.clear();
        assertThat(r("RENAME", "b", "a")).isEqualTo("OK");
        assertThat(events).containsExactly("rename_from:b:0", "rename_to:a:0");
        assertThat(r("GET", "a")).isEqualTo("y");
        assertThat(r("EXISTS", "b")).isEqualTo(0L);
    }

    @Test
    void renameErrorsAndSameKey() {
        assertThat(r("RENAME", "nokey", "foobar")).isEqualTo(err("ERR no such key"));
        assertThat(r("RENAMENX", "nokey", "foobar")).isEqualTo(err("ERR no such key"));
        r("SET", "mykey", "foo");
        long dirty = h.engine.dirty;
        assertThat(r("RENAME", "mykey", "mykey")).isEqualTo("OK");
        assertThat(r("RENAMENX", "mykey", "mykey")).isEqualTo(0L);
        assertThat(h.engine.dirty).isEqualTo(dirty);
        r("DEL", "mykey");
        assertThat(r("RENAME", "mykey", "mykey")).isEqualTo(err("ERR no such key"));
        r("SET", "exp", "v");
        expireNow(0, "exp");
        assertThat(r("RENAME", "exp", "other")).isEqualTo(err("ERR no such key"));
    }

    @Test
    void renamenx() {
        r("SET", "mykey", "foobar");
        assertThat(r("RENAMENX", "mykey", "mykey2")).isEqualTo(1L);
        assertThat(r("GET", "mykey2")).isEqualTo("foobar");
        assertThat(r("EXISTS", "mykey")).isEqualTo(0L);
        r("SET", "mykey", "foo");
        r("SET", "mykey2", "bar");
        assertThat(r("RENAMENX", "mykey", "mykey2")).isEqualTo(0L);
        assertThat(r("GET", "mykey")).isEqualTo("foo");
        assertThat(r("GET", "mykey2")).isEqualTo("bar");
    }

    @Test
    void renameMovesTheTtlAndDropsTheTargetOne() {
        r("SET", "mykey", "foo");
        r("EXPIRE", "mykey", "100");
        r("RENAME", "mykey", "mykey2");
        assertThat((Long) r("TTL", "mykey2")).isBetween(95L, 100L);
        r("DEL", "mykey", "mykey2");
        r("SET", "mykey", "foo");
        r("SET", "mykey2", "bar");
        r("EXPIRE", "mykey2", "100");
        r("RENAME", "mykey", "mykey2");
        assertThat(r("TTL", "mykey2")).isEqualTo(-1L);
        assertThat(db(0).expiresSize()).isZero();
    }

    // =====================================================================================
    // COPY
    // =====================================================================================

    @Test
    void copyBasics() {
        r("SELECT", "9");
        r("SET", "mykey", "foobar");
        assertThat(r("COPY", "mykey", "mynewkey")).isEqualTo(1L);
        assertThat(r("GET", "mynewkey")).isEqualTo("foobar");
        assertThat(r("DBSIZE")).isEqualTo(2L);
        events.clear();
        assertThat(r("COPY", "mykey", "mynewkey", "DB", "10")).isEqualTo(1L);
        assertThat(events).containsExactly("copy_to:mynewkey:10");
        assertThat(db(10).size()).isEqualTo(1);
        r("SET", "mykey2", "hello");
        assertThat(r("COPY", "mykey2", "mynewkey", "DB", "10")).isEqualTo(0L);
        assertThat(r("COPY", "mykey2", "mynewkey", "db", "10", "replace")).isEqualTo(1L);
        r("SELECT", "10");
        assertThat(r("GET", "mynewkey")).isEqualTo("hello");
        assertThat(r("COPY", "nokey", "x")).isEqualTo(0L);
    }

    @Test
    void copyErrors() {
        r("SET", "mykey", "foobar");
        assertThat(r("COPY", "mykey", "mykey")).isEqualTo(err("ERR source and destination objects are the same"));
        assertThat(r("COPY", "mykey", "mykey", "DB", "0")).isEqualTo(err("ERR source and destination objects are the same"));
        assertThat(r("COPY", "mykey", "mykey", "DB", "1")).isEqualTo(1L);
        assertThat(r("COPY", "mykey", "x", "DB", "notanumber")).isEqualTo(err("ERR value is not an integer or out of range"));
        assertThat(r("COPY", "mykey", "x", "DB", "16")).isEqualTo(err("ERR DB index is out of range"));
        assertThat(r("COPY", "mykey", "x", "DB", "-1")).isEqualTo(err("ERR DB index is out of range"));
        assertThat(r("COPY", "mykey", "x", "DB", "4294967296"))
            .isEqualTo(err("ERR value is out of range, value must between -2147483648 and 2147483647"));
        assertThat(r("COPY", "mykey", "x", "DB")).isEqualTo(err("ERR syntax error"));
        assertThat(r("COPY", "mykey", "x", "FOO")).isEqualTo(err("ERR syntax error"));
    }

    @Test
    void copyKeepsTheTtlOnlyWhenThereIsOne() {
        r("SET", "mykey", "foobar", "EX", "100");
        r("COPY", "mykey", "mynewkey", "REPLACE");
        assertThat((Long) r("TTL", "mynewkey")).isBetween(1L, 100L);
        assertThat(r("GET", "mynewkey")).isEqualTo("foobar");
        r("SET", "mykey", "foobar");
        r("COPY", "mykey", "mynewkey", "REPLACE");
        assertThat(r("TTL", "mynewkey")).isEqualTo(-1L);
    }

    @Test
    void copyOfAnSdsIsIndependentAndStaysRaw() {
        Sds v = new Sds(b("hello world______"), 11, h.engine.snapshotEpoch);
        db(0).add(b("raw"), v);
        assertThat(r("COPY", "raw", "dup")).isEqualTo(1L);
        Object copy = db(0).mainMap().get(b("dup"));
        assertThat(copy).isInstanceOf(Sds.class).isNotSameAs(v);
        assertThat(((Sds) copy).buf).isNotSameAs(v.buf);
        assertThat(r("OBJECT", "ENCODING", "dup")).isEqualTo("raw");
        // Writing the original in place does not show through the copy.
        Sds w = Sds.writable(v, h.engine.snapshotEpoch);
        w.append(b("!"), 0, 1);
        db(0).overwrite(b("raw"), w);
        assertThat(r("GET", "raw")).isEqualTo("hello world!");
        assertThat(r("GET", "dup")).isEqualTo("hello world");
        r("APPEND", "dup", "?");
        assertThat(r("GET", "raw")).isEqualTo("hello world!");
        assertThat(r("GET", "dup")).isEqualTo("hello world?");
    }

    @Test
    void copyDataIsIndependentAcrossDbs() {
        r("SET", "mykey", "foobar");
        r("COPY", "mykey", "mynewkey", "DB", "10");
        r("SELECT", "10");
        r("SET", "mynewkey", "hoge");
        assertThat(r("GET", "mynewkey")).isEqualTo("hoge");
        r("SELECT", "0");
        assertThat(r("GET", "mykey")).isEqualTo("foobar");
    }

    // =====================================================================================
    // MOVE
    // =====================================================================================

    @Test
    void moveBasics() {
        r("SELECT", "9");
        r("SET", "mykey", "foobar");
        events.clear();
        assertThat(r("MOVE", "mykey", "10")).isEqualTo(1L);
        assertThat(events).containsExactly("move_from:mykey:9", "move_to:mykey:10");
        assertThat(r("EXISTS", "mykey")).isEqualTo(0L);
        assertThat(r("DBSIZE")).isEqualTo(0L);
        r("SELECT", "10");
        assertThat(r("GET", "mykey")).isEqualTo("foobar");
        r("SELECT", "9");
        r("SET", "mykey", "hello");
        assertThat(r("MOVE", "mykey", "10")).isEqualTo(0L);
        assertThat(r("MOVE", "nokey", "10")).isEqualTo(0L);
    }

    @Test
    void moveErrors() {
        r("SET", "mykey", "hello");
        assertThat(r("MOVE", "mykey", "notanumber")).isEqualTo(err("ERR value is not an integer or out of range"));
        assertThat(r("MOVE", "mykey", "0")).isEqualTo(err("ERR source and destination objects are the same"));
        assertThat(r("MOVE", "mykey", "16")).isEqualTo(err("ERR DB index is out of range"));
        assertThat(r("MOVE", "mykey", "99999999999"))
            .isEqualTo(err("ERR value is out of range, value must between -2147483648 and 2147483647"));
        assertThat(r("MOVE", "nokey", "0")).isEqualTo(err("ERR source and destination objects are the same"));
    }

    @Test
    void moveCarriesTheTtl() {
        r("SET", "mykey", "foo", "EX", "100");
        r("MOVE", "mykey", "10");
        assertThat(r("TTL", "mykey")).isEqualTo(-2L);
        r("SELECT", "10");
        assertThat((Long) r("TTL", "mykey")).isBetween(1L, 100L);
        r("SELECT", "0");
        r("SET", "k2", "foo");
        r("MOVE", "k2", "10");
        r("SELECT", "10");
        assertThat(r("TTL", "k2")).isEqualTo(-1L);
    }

    // =====================================================================================
    // SWAPDB
    // =====================================================================================

    @Test
    void swapdb() {
        r("SET", "a", "0");
        r("SELECT", "1");
        r("SET", "b", "1");
        r("EXPIRE", "b", "100");
        long dirty = h.engine.dirty;
        Client other = h.newClient();
        assertThat(r("SWAPDB", "0", "1")).isEqualTo("OK");
        assertThat(h.engine.dirty).isEqualTo(dirty + 1);
        assertThat(r("GET", "a")).isEqualTo("0");
        assertThat(h.exec(other, "GET", "b")).isEqualTo("1");
        assertThat((Long) h.exec(other, "TTL", "b")).isPositive();
        assertThat(r("SWAPDB", "1", "1")).isEqualTo("OK");
        assertThat(h.engine.dirty).isEqualTo(dirty + 2);
    }

    @Test
    void swapdbErrors() {
        assertThat(r("SWAPDB", "x", "1")).isEqualTo(err("ERR invalid first DB index"));
        assertThat(r("SWAPDB", "0", "x")).isEqualTo(err("ERR invalid second DB index"));
        assertThat(r("SWAPDB", "99999999999", "1")).isEqualTo(err("ERR invalid first DB index"));
        assertThat(r("SWAPDB", "0", "16")).isEqualTo(err("ERR DB index is out of range"));
        assertThat(r("SWAPDB", "-1", "0")).isEqualTo(err("ERR DB index is out of range"));
    }

    @Test
    void swapdbSignalsKeysOfBothSides() {
        r("SET", "a", "0");
        r("SELECT", "1");
        r("SET", "b", "1");
        // A watcher of "a" in db 0 and of "b" in db 1 (absent in db 1 before the swap) both fail.
        org.redoubt.engine.Client w0 = h.newClient();
        org.redoubt.engine.Client w1 = h.newClient();
        h.exec(w1, "SELECT", "1");
        h.exec(w0, "WATCH", "a");
        h.exec(w1, "WATCH", "a");
        r("SWAPDB", "0", "1");
        h.exec(w0, "MULTI");
        h.exec(w1, "MULTI");
        assertThat(h.exec(w0, "EXEC")).as("watched key moved away").isNull();
        assertThat(h.exec(w1, "EXEC")).as("watched key arrived").isNull();
    }

    // =====================================================================================
    // FLUSHDB / FLUSHALL
    // =====================================================================================

    @Test
    void flushdbAndFlushall() {
        r("SET", "a", "1");
        r("SET", "b", "1", "EX", "100");
        r("SELECT", "1");
        r("SET", "c", "1");
        long dirty = h.engine.dirty;
        assertThat(r("FLUSHDB")).isEqualTo("OK");
        assertThat(h.engine.dirty).isEqualTo(dirty + 1);
        assertThat(db(1).size()).isZero();
        assertThat(db(0).size()).isEqualTo(2);
        assertThat(r("FLUSHDB", "ASYNC")).isEqualTo("OK");
        assertThat(r("FLUSHDB", "sync")).isEqualTo("OK");
        assertThat(r("FLUSHDB", "foo")).isEqualTo(err("ERR syntax error"));
        assertThat(r("FLUSHDB", "async", "sync")).isEqualTo(err("ERR syntax error"));
        org.redoubt.engine.Client watcher = h.newClient();
        h.exec(watcher, "WATCH", "a");
        h.engine.config.savePoints = new long[0][];
        dirty = h.engine.dirty;
        assertThat(r("FLUSHALL")).isEqualTo("OK");
        h.exec(watcher, "MULTI");
        assertThat(h.exec(watcher, "EXEC")).as("FLUSHALL touches a live watched key").isNull();
        assertThat(h.engine.dirty).as("no save points: the removed keys count").isEqualTo(dirty + 2);
        assertThat(db(0).size()).isZero();
        assertThat(db(0).expiresSize()).isZero();
        assertThat(r("FLUSHALL", "ASYNC")).isEqualTo("OK");
        assertThat(r("FLUSHALL", "x")).isEqualTo(err("ERR syntax error"));
    }

    @Test
    void flushAndSwapDoNotSignalStaleKeys() {
        r("DEBUG", "SET-ACTIVE-EXPIRE", "0");
        r("SET", "stale", "1");
        expireNow(0, "stale");
        org.redoubt.engine.Client watcher = h.newClient();
        h.exec(watcher, "WATCH", "stale");
        // The watched key was already logically absent: flushing its database does not
        // change it, as Redis's touchAllWatchedKeysInDb skips expired keys.
        r("FLUSHDB");
        h.exec(watcher, "MULTI");
        h.exec(watcher, "PING");
        assertThat(h.exec(watcher, "EXEC")).isEqualTo(java.util.List.of("PONG"));
    }

    @Test
    void flushallWithSavePointsZeroesDirty() {
        h.engine.config.savePoints = new long[][] {{3600, 1}};
        r("SET", "key", "value");
        assertThat(h.engine.dirty).isPositive();
        r("FLUSHALL");
        assertThat(h.engine.dirty).isZero();
    }

    // =====================================================================================
    // EXPIRE family
    // =====================================================================================

    @Test
    void expireSetsTimeoutsMultipleTimes() {
        r("SET", "x", "foobar");
        assertThat(r("EXPIRE", "x", "5")).isEqualTo(1L);
        assertThat((Long) r("TTL", "x")).isBetween(4L, 5L);
        assertThat(r("EXPIRE", "x", "10")).isEqualTo(1L);
        assertThat(r("TTL", "x")).isEqualTo(10L);
        assertThat(r("GET", "x")).isEqualTo("foobar");
        assertThat(r("EXPIRE", "nokey", "10")).isEqualTo(0L);
    }

    @Test
    void expireIsPropagatedAsAbsolutePexpireat() {
        r("SET", "k", "v");
        propagated.clear();
        events.clear();
        long before = System.currentTimeMillis();
        r("EXPIRE", "k", "100");
        r("PEXPIRE", "k", "100000", "XX");
        long at = (System.currentTimeMillis() / 1000 + 100);
        r("EXPIREAT", "k", Long.toString(at));
        r("PEXPIREAT", "k", "99999999999999");
        assertThat(propagated).hasSize(4);
        String[] p0 = propagated.get(0).split(" ");
        assertThat(p0[0]).isEqualTo("PEXPIREAT");
        assertThat(p0[1]).isEqualTo("k");
        assertThat(Long.parseLong(p0[2])).isBetween(before + 100_000, System.currentTimeMillis() + 100_000);
        assertThat(propagated.get(1)).startsWith("PEXPIREAT k ").endsWith(" XX");
        assertThat(propagated.get(2)).isEqualTo("PEXPIREAT k " + at * 1000);
        assertThat(propagated.get(3)).isEqualTo("PEXPIREAT k 99999999999999");
        assertThat(events).containsExactly("expire:k:0", "expire:k:0", "expire:k:0", "expire:k:0");
        assertThat(r("PEXPIRETIME", "k")).isEqualTo(99999999999999L);
    }

    @Test
    void expireInThePastDeletesAndPropagatesDel() {
        r("SET", "foo11", "bar");
        propagated.clear();
        events.clear();
        long dirty = h.engine.dirty;
        long now = System.currentTimeMillis() / 1000;
        assertThat(r("EXPIREAT", "foo11", Long.toString(now - 100))).isEqualTo(1L);
        assertThat(propagated).containsExactly("DEL foo11");
        assertThat(events).containsExactly("del:foo11:0");
        assertThat(h.engine.dirty).isEqualTo(dirty + 1);
        assertThat(r("PEXPIRETIME", "foo11")).isEqualTo(-2L);
        r("SET", "foo", "bar");
        h.engine.config.lazyfreeLazyExpire = true;
        propagated.clear();
        assertThat(r("PEXPIRE", "foo", "-1")).isEqualTo(1L);
        assertThat(propagated).containsExactly("UNLINK foo");
        assertThat(r("EXISTS", "foo")).isEqualTo(0L);
    }

    @Test
    void expireInThePastOnAReplicaKeepsTheKey() {
        Config cfg = new Config();
        cfg.replicaofHost = "127.0.0.1";
        cfg.replicaofPort = 1;
        h = harness(cfg);
        db(0).add(b("k"), b("v"));
        assertThat(r("PEXPIRE", "k", "-1000")).isEqualTo(1L);
        assertThat(db(0).size()).isEqualTo(1);
        assertThat(db(0).getExpire(b("k"))).isLessThan(System.currentTimeMillis());
        assertThat(r("EXISTS", "k")).as("logically expired").isEqualTo(0L);
    }

    @Test
    void expireShouldNotResurrectKeys() {
        r("SET", "foo", "bar");
        expireNow(0, "foo");
        assertThat(r("EXPIRE", "foo", "10")).isEqualTo(0L);
        assertThat(r("EXISTS", "foo")).isEqualTo(0L);
    }

    @Test
    void expireArgumentErrors() {
        r("SET", "foo", "bar");
        assertThat(r("EXPIRE", "foo", "")).isEqualTo(err("ERR value is not an integer or out of range"));
        assertThat(r("EXPIRE", "foo", "1.5")).isEqualTo(err("ERR value is not an integer or out of range"));
        String invalid = "ERR invalid expire time in 'expire' command";
        assertThat(r("EXPIRE", "foo", "9223370399119966")).isEqualTo(err(invalid));
        assertThat(r("EXPIRE", "foo", "9223372036854776")).isEqualTo(err(invalid));
        assertThat(r("EXPIRE", "foo", "10000000000000000")).isEqualTo(err(invalid));
        assertThat(r("EXPIRE", "foo", "18446744073709561")).isEqualTo(err(invalid));
        assertThat(r("EXPIRE", "foo", "-9223372036854776")).isEqualTo(err(invalid));
        assertThat(r("EXPIRE", "foo", "-9999999999999999")).isEqualTo(err(invalid));
        assertThat(r("TTL", "foo")).isEqualTo(-1L);
        assertThat(r("PEXPIRE", "foo", "9223372036854770000"))
            .isEqualTo(err("ERR invalid expire time in 'pexpire' command"));
        assertThat(r("EXPIREAT", "foo", "9223372036854776"))
            .isEqualTo(err("ERR invalid expire time in 'expireat' command"));
        assertThat(r("PEXPIREAT", "foo", "9223372036854770000")).isEqualTo(1L);
        r("SET", "foo", "bar");
        assertThat(r("PEXPIREAT", "foo", "-9223372036854770000")).isEqualTo(1L);
        assertThat(r("TTL", "foo")).isEqualTo(-2L);
        // Options are checked before the number.
        assertThat(r("EXPIRE", "foo", "x", "AB")).isEqualTo(err("ERR Unsupported option AB"));
    }

    @Test
    void expireOptions() {
        r("SET", "foo", "bar", "EX", "100");
        assertThat(r("EXPIRE", "foo", "200", "NX")).isEqualTo(0L);
        assertThat((Long) r("TTL", "foo")).isBetween(50L, 100L);
        r("SET", "foo", "bar");
        assertThat(r("EXPIRE", "foo", "200", "nx")).isEqualTo(1L);
        assertThat((Long) r("TTL", "foo")).isBetween(100L, 200L);

        r("SET", "foo", "bar", "EX", "100");
        assertThat(r("EXPIRE", "foo", "200", "XX")).isEqualTo(1L);
        assertThat((Long) r("TTL", "foo")).isBetween(100L, 200L);
        r("SET", "foo", "bar");
        assertThat(r("EXPIRE", "foo", "200", "XX")).isEqualTo(0L);
        assertThat(r("TTL", "foo")).isEqualTo(-1L);

        r("SET", "foo", "bar", "EX", "100");
        assertThat(r("EXPIRE", "foo", "200", "GT")).isEqualTo(1L);
        r("SET", "foo", "bar", "EX", "200");
        assertThat(r("EXPIRE", "foo", "100", "GT")).isEqualTo(0L);
        assertThat(r("EXPIRE", "foo", "200", "GT")).as("equal is not greater").isEqualTo(0L);
        r("SET", "foo", "bar");
        assertThat(r("EXPIRE", "foo", "200", "GT")).isEqualTo(0L);
        assertThat(r("TTL", "foo")).isEqualTo(-1L);

        r("SET", "foo", "bar", "EX", "100");
        assertThat(r("EXPIRE", "foo", "200", "LT")).isEqualTo(0L);
        r("SET", "foo", "bar", "EX", "200");
        assertThat(r("EXPIRE", "foo", "100", "LT")).isEqualTo(1L);
        assertThat((Long) r("TTL", "foo")).isBetween(50L, 100L);
        r("SET", "foo", "bar");
        assertThat(r("EXPIRE", "foo", "100", "LT")).isEqualTo(1L);

        r("SET", "foo", "bar", "EX", "200");
        assertThat(r("EXPIRE", "foo", "100", "LT", "XX")).isEqualTo(1L);
        r("SET", "foo", "bar");
        assertThat(r("EXPIRE", "foo", "200", "LT", "XX")).isEqualTo(0L);
        assertThat(r("TTL", "foo")).isEqualTo(-1L);

        for (String o : new String[] {"NX", "XX", "GT", "LT"}) {
            assertThat(r("EXPIRE", "none", "100", o)).isEqualTo(0L);
        }
    }

    @Test
    void expireOptionConflicts() {
        assertThat(r("EXPIRE", "foo", "200", "LT", "GT")).isEqualTo(err("ERR GT and LT options at the same time are not compatible"));
        String nx = "ERR NX and XX, GT or LT options at the same time are not compatible";
        assertThat(r("EXPIRE", "foo", "200", "NX", "GT")).isEqualTo(err(nx));
        assertThat(r("EXPIRE", "foo", "200", "NX", "LT")).isEqualTo(err(nx));
        assertThat(r("EXPIRE", "foo", "200", "NX", "XX")).isEqualTo(err(nx));
        assertThat(r("EXPIRE", "foo", "200", "XX", "NX", "GT", "LT")).isEqualTo(err(nx));
        assertThat(r("EXPIRE", "foo", "200", "AB")).isEqualTo(err("ERR Unsupported option AB"));
        assertThat(r("EXPIRE", "foo", "200", "XX", "AB")).isEqualTo(err("ERR Unsupported option AB"));
    }

    @Test
    void expireWithNegativeTimeAndLt() {
        r("SET", "foo", "bar", "EX", "100");
        assertThat(r("EXPIRE", "foo", "-10", "LT")).isEqualTo(1L);
        assertThat(r("TTL", "foo")).isEqualTo(-2L);
        r("SET", "foo", "bar");
        assertThat(r("EXPIRE", "foo", "-10", "LT")).isEqualTo(1L);
        assertThat(r("TTL", "foo")).isEqualTo(-2L);
    }

    @Test
    void expireSignalsTheKey() {
        r("SET", "k", "v");
        signalled.clear();
        r("EXPIRE", "k", "100");
        assertThat(signalled).containsExactly("0:k");
        signalled.clear();
        r("EXPIRE", "k", "-1");
        assertThat(signalled).containsExactly("0:k");
    }

    // =====================================================================================
    // TTL family / PERSIST
    // =====================================================================================

    @Test
    void ttlFamily() {
        r("SET", "x", "hello");
        assertThat(List.of(r("TTL", "x"), r("PTTL", "x"), r("EXPIRETIME", "x"), r("PEXPIRETIME", "x")))
            .containsExactly(-1L, -1L, -1L, -1L);
        r("DEL", "x");
        assertThat(List.of(r("TTL", "x"), r("PTTL", "x"), r("EXPIRETIME", "x"), r("PEXPIRETIME", "x")))
            .containsExactly(-2L, -2L, -2L, -2L);
        long abs = System.currentTimeMillis() / 1000 + 100;
        r("SET", "x", "v", "EXAT", Long.toString(abs));
        assertThat(r("EXPIRETIME", "x")).isEqualTo(abs);
        assertThat(r("PEXPIRETIME", "x")).isEqualTo(abs * 1000);
        long pabs = System.currentTimeMillis() + 100000;
        r("SET", "x", "v", "PXAT", Long.toString(pabs));
        assertThat(r("PEXPIRETIME", "x")).isEqualTo(pabs);
        r("PSETEX", "x", "1000", "v");
        assertThat((Long) r("PTTL", "x")).isBetween(900L, 1000L);
        assertThat(r("TTL", "x")).as("rounded to the nearest second").isEqualTo(1L);
    }

    @Test
    void ttlRounding() {
        r("SET", "x", "v");
        db(0).setExpire(b("x"), System.currentTimeMillis() + 1600);
        assertThat(r("TTL", "x")).isEqualTo(2L);
        db(0).setExpire(b("x"), System.currentTimeMillis() + 1400);
        assertThat(r("TTL", "x")).isEqualTo(1L);
        db(0).setExpire(b("x"), 1500);
        assertThat(r("EXPIRETIME", "x")).as("an expired key is gone first").isEqualTo(-2L);
    }

    @Test
    void persist() {
        r("SET", "x", "foo");
        r("EXPIRE", "x", "50");
        events.clear();
        long dirty = h.engine.dirty;
        assertThat(List.of(r("TTL", "x"), r("PERSIST", "x"), r("TTL", "x"), r("GET", "x")))
            .containsExactly(50L, 1L, -1L, "foo");
        assertThat(events).containsExactly("persist:x:0");
        assertThat(h.engine.dirty).isEqualTo(dirty + 1);
        assertThat(r("PERSIST", "x")).isEqualTo(0L);
        assertThat(r("PERSIST", "nokeyatall")).isEqualTo(0L);
        r("SET", "y", "v");
        expireNow(0, "y");
        assertThat(r("PERSIST", "y")).isEqualTo(0L);
        assertThat(r("EXISTS", "y")).isEqualTo(0L);
    }

    // =====================================================================================
    // OBJECT
    // =====================================================================================

    @Test
    void objectEncoding() {
        r("SET", "i", "12345");
        r("SET", "e", "hello");
        r("SET", "r", "x".repeat(45));
        db(0).add(b("l"), new FakeList());
        assertThat(r("OBJECT", "ENCODING", "i")).isEqualTo("int");
        assertThat(r("OBJECT", "encoding", "e")).isEqualTo("embstr");
        assertThat(r("OBJECT", "ENCODING", "r")).isEqualTo("raw");
        assertThat(r("OBJECT", "ENCODING", "l")).isEqualTo("quicklist");
        assertThat(r("OBJECT", "ENCODING", "missing")).isNull();
        events.clear();
        r("OBJECT", "ENCODING", "missing");
        assertThat(events).as("OBJECT sends no keymiss").isEmpty();
    }

    @Test
    void objectRefcount() {
        r("SET", "shared", "9999");
        r("SET", "zero", "0");
        r("SET", "big", "10000");
        r("SET", "neg", "-1");
        r("SET", "str", "abc");
        assertThat(r("OBJECT", "REFCOUNT", "shared")).isEqualTo(2147483647L);
        assertThat(r("OBJECT", "REFCOUNT", "zero")).isEqualTo(2147483647L);
        assertThat(r("OBJECT", "REFCOUNT", "big")).isEqualTo(1L);
        assertThat(r("OBJECT", "REFCOUNT", "neg")).isEqualTo(1L);
        assertThat(r("OBJECT", "REFCOUNT", "str")).isEqualTo(1L);
        assertThat(r("OBJECT", "REFCOUNT", "missing")).isNull();
        h.engine.config.maxmemory = 1 << 30;
        h.engine.config.maxmemoryPolicy = "allkeys-lru";
        assertThat(r("OBJECT", "REFCOUNT", "shared")).as("LRU needs per-key clocks").isEqualTo(1L);
        h.engine.config.maxmemoryPolicy = "volatile-ttl";
        assertThat(r("OBJECT", "REFCOUNT", "shared")).isEqualTo(2147483647L);
    }

    @Test
    void objectIdletime() {
        r("SET", "k", "v");
        assertThat(r("OBJECT", "IDLETIME", "k")).isEqualTo(0L);
        db(0).mainMap().touchMeta(b("k"), h.engine.lruClock() - 10);
        assertThat(r("OBJECT", "IDLETIME", "k")).isEqualTo(10L);
        assertThat(r("OBJECT", "IDLETIME", "k")).as("OBJECT does not touch").isEqualTo(10L);
        assertThat(r("OBJECT", "IDLETIME", "missing")).isNull();
        assertThat(KeyCommands.idleMs(5, (1 << 24) - 3)).as("clock wrapped").isEqualTo(7000);
        h.engine.config.maxmemoryPolicy = "allkeys-lfu";
        assertThat(r("OBJECT", "IDLETIME", "k")).isEqualTo(err(
            "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
    }

    @Test
    void objectFreq() {
        r("SET", "k", "v");
        assertThat(r("OBJECT", "FREQ", "k")).isEqualTo(err(
            "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
        h.engine.config.maxmemoryPolicy = "volatile-lfu";
        long nowMin = (System.currentTimeMillis() / 60000) & 0xFFFF;
        db(0).mainMap().touchMeta(b("k"), (int) (nowMin << 8 | 5));
        assertThat(r("OBJECT", "FREQ", "k")).isEqualTo(5L);
        assertThat(r("OBJECT", "FREQ", "missing")).isNull();
        long now = 100L * 60_000;
        assertThat(KeyCommands.lfuDecayed(97 << 8 | 10, now, 1)).isEqualTo(7);
        assertThat(KeyCommands.lfuDecayed(97 << 8 | 10, now, 2)).isEqualTo(9);
        assertThat(KeyCommands.lfuDecayed(50 << 8 | 10, now, 1)).isEqualTo(0);
        assertThat(KeyCommands.lfuDecayed(97 << 8 | 10, now, 0)).isEqualTo(10);
        assertThat(KeyCommands.lfuDecayed(65530 << 8 | 10, now, 1)).as("minutes wrapped").isEqualTo(0);
        assertThat(KeyCommands.lfuDecayed(65534 << 8 | 200, 3L * 60_000, 1)).isEqualTo(196);
    }

    @Test
    @SuppressWarnings("unchecked")
    void objectHelpAndErrors() {
        List<Object> help = (List<Object>) r("OBJECT", "HELP");
        assertThat(help.get(0)).isEqualTo("OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        assertThat(help).contains("ENCODING <key>", "FREQ <key>", "IDLETIME <key>", "REFCOUNT <key>", "HELP");
        assertThat(help).hasSize(15);
        assertThat(r("OBJECT", "FOO", "k")).isEqualTo(err("ERR unknown subcommand 'FOO'. Try OBJECT HELP."));
        assertThat(r("OBJECT", "ENCODING")).isEqualTo(err("ERR wrong number of arguments for 'object|encoding' command"));
    }

    // =====================================================================================
    // Lazy and active expiry
    // =====================================================================================

    @Test
    void lazyExpiryOnRead() {
        r("SET", "a", "1");
        r("SET", "b", "2");
        expireNow(0, "a");
        expireNow(0, "b");
        assertThat(r("DBSIZE")).isEqualTo(2L);
        assertThat(r("MGET", "a", "b")).isEqualTo(java.util.Arrays.asList(null, null));
        assertThat(r("DBSIZE")).isEqualTo(0L);
    }

    @Test
    void activeExpiryRemovesExpiredKeys() {
        for (int i = 0; i < 500; i++) r("SET", "k" + i, "v");
        for (int i = 0; i < 300; i++) expireNow(0, "k" + i);
        r("SELECT", "3");
        r("SET", "other", "v");
        expireNow(3, "other");
        for (int i = 300; i < 500; i++) db(0).setExpire(b("k" + i), System.currentTimeMillis() + 100_000);
        long expired = h.engine.stats.expiredKeys;
        for (int i = 0; i < 20 && (db(0).size() > 200 || db(3).size() > 0); i++) h.engine.cron();
        assertThat(db(0).size()).isEqualTo(200);
        assertThat(db(3).size()).isZero();
        assertThat(h.engine.stats.expiredKeys - expired).isEqualTo(301);
    }

    @Test
    void slowActiveExpiryCycleIsALatencyEvent() {
        for (int i = 0; i < 100_000; i++) r("SET", "k" + i, "v");
        for (int i = 0; i < 100_000; i++) expireNow(0, "k" + i);
        h.engine.cron();
        assertThat(h.engine.latency.events).as("monitor off (threshold 0)").doesNotContainKey("expire-cycle");
        r("CONFIG", "SET", "latency-monitor-threshold", "1");
        // 100k expired keys keep the cycle busy up to its time cap (25% of a 100 ms cron period).
        h.engine.cron();
        assertThat(h.engine.latency.events).containsKey("expire-cycle");
        assertThat(String.valueOf(r("LATENCY", "LATEST"))).contains("expire-cycle");
    }

    @Test
    void activeExpiryCanBeDisabled() {
        r("SET", "k", "v");
        expireNow(0, "k");
        h.engine.config.activeExpireEnabled = false;
        h.engine.cron();
        assertThat(db(0).size()).isEqualTo(1);
        h.engine.config.activeExpireEnabled = true;
        h.engine.cron();
        assertThat(db(0).size()).isZero();
    }
}

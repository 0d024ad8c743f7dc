package org.redoubt.engine.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Harness;
import org.redoubt.engine.Harness.Err;
import org.redoubt.engine.config.Notify;
import org.redoubt.engine.type.Sds;
import org.redoubt.engine.type.Types;

class StringCommandsTest {
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

    private long pttl(String key) {
        long when = h.client.db.getExpire(key.getBytes(StandardCharsets.UTF_8));
        return when < 0 ? when : when - System.currentTimeMillis();
    }

    // ------------------------------------------------------------------ GET / SET

    @Test
    void setAndGet() {
        assertThat(x("SET", "k", "v")).isEqualTo("OK");
        assertThat(x("GET", "k")).isEqualTo("v");
        assertThat(x("GET", "missing")).isNull();
        assertThat(x("SET", "e", "")).isEqualTo("OK");
        assertThat(x("GET", "e")).isEqualTo("");
        assertThat(events).containsExactly("set:k", "set:e");
        assertThat(h.engine.dirty).isEqualTo(2);
    }

    @Test
    void setBinarySafeAndBig() {
        byte[] big = new byte[1 << 20];
        for (int i = 0; i < big.length; i++) big[i] = (byte) i;
        h.execBytes(h.client, b("SET"), b("big"), big);
        Object v = value("big");
        assertThat(Types.bytes(v)).isEqualTo(big);
        assertThat(x("STRLEN", "big")).isEqualTo((long) big.length);
    }

    @Test
    void encodingsOfSetValues() {
        x("SET", "i", "12345");
        x("SET", "s", "hello");
        x("SET", "r", "x".repeat(45));
        assertThat(encoding("i")).isEqualTo("int");
        assertThat(encoding("s")).isEqualTo("embstr");
        assertThat(encoding("r")).isEqualTo("raw");
    }

    @Test
    void getWrongType() {
        h.client.db.add(b("l"), new FakeList());
        assertThat(x("GET", "l")).isEqualTo(err("WRONGTYPE Operation against a key holding the wrong kind of value"));
    }

    @Test
    void setOverwriteDropsTtlUnlessKeepTtl() {
        x("SET", "k", "v", "EX", "100");
        assertThat(pttl("k")).isBetween(98_000L, 100_000L);
        x("SET", "k", "v2");
        assertThat(pttl("k")).isEqualTo(-1);
        x("SET", "k", "v", "PX", "100000");
        assertThat(x("SET", "k", "v3", "KEEPTTL")).isEqualTo("OK");
        assertThat(pttl("k")).isBetween(98_000L, 100_000L);
        assertThat(x("GET", "k")).isEqualTo("v3");
    }

    @Test
    void setExpireForms() {
        long now = System.currentTimeMillis();
        x("SET", "a", "v", "EXAT", Long.toString(now / 1000 + 100));
        assertThat(pttl("a")).isBetween(98_000L, 100_000L);
        x("SET", "b", "v", "PXAT", Long.toString(now + 50_000));
        assertThat(pttl("b")).isBetween(49_000L, 50_000L);
        assertThat(x("SET", "c", "v", "ex", "10", "ex", "20")).isEqualTo("OK");
        assertThat(pttl("c")).isBetween(19_000L, 20_000L);
        assertThat(events).contains("set:a", "expire:a");
    }

    @Test
    void setPastAbsoluteExpiryIsStoredThenExpiresOnAccess() {
        assertThat(x("SET", "k", "v", "PXAT", "1")).isEqualTo("OK");
        assertThat(x("GET", "k")).isNull();
        assertThat(h.client.db.size()).isZero();
        assertThat(h.engine.stats.expiredKeys).isEqualTo(1);
    }

    @Test
    void setInvalidExpire() {
        String e = "ERR invalid expire time in 'set' command";
        assertThat(x("SET", "k", "v", "EX", "0")).isEqualTo(err(e));
        assertThat(x("SET", "k", "v", "PX", "-5")).isEqualTo(err(e));
        assertThat(x("SET", "k", "v", "EXAT", "0")).isEqualTo(err(e));
        // seconds * 1000 would overflow
        assertThat(x("SET", "k", "v", "EX", "9223372036854775")).isEqualTo(err(e));
        // ms + now would overflow
        assertThat(x("SET", "k", "v", "PX", "9223372036854775807")).isEqualTo(err(e));
        assertThat(x("SET", "k", "v", "EX", "abc")).isEqualTo(err("ERR value is not an integer or out of range"));
        assertThat(x("SETEX", "k", "0", "v")).isEqualTo(err("ERR invalid expire time in 'setex' command"));
        assertThat(x("PSETEX", "k", "-1", "v")).isEqualTo(err("ERR invalid expire time in 'psetex' command"));
        assertThat(value("k")).isNull();
    }

    @Test
    void setSyntaxErrors() {
        String e = "ERR syntax error";
        assertThat(x("SET", "k", "v", "bogus")).isEqualTo(err(e));
        assertThat(x("SET", "k", "v", "NX", "XX")).isEqualTo(err(e));
        assertThat(x("SET", "k", "v", "EX", "10", "PX", "100")).isEqualTo(err(e));
        assertThat(x("SET", "k", "v", "KEEPTTL", "EX", "10")).isEqualTo(err(e));
        assertThat(x("SET", "k", "v", "EX", "10", "KEEPTTL")).isEqualTo(err(e));
        assertThat(x("SET", "k", "v", "EX")).isEqualTo(err(e));
        assertThat(x("SET", "k", "v", "PERSIST")).isEqualTo(err(e));
        assertThat(value("k")).isNull();
    }

    @Test
    void setNxXx() {
        assertThat(x("SET", "k", "1", "XX")).isNull();
        assertThat(x("SET", "k", "1", "NX")).isEqualTo("OK");
        assertThat(x("SET", "k", "2", "NX")).isNull();
        assertThat(x("GET", "k")).isEqualTo("1");
        assertThat(x("SET", "k", "3", "xx", "px", "100000")).isEqualTo("OK");
        assertThat(x("GET", "k")).isEqualTo("3");
        assertThat(pttl("k")).isPositive();
        assertThat(h.engine.dirty).isEqualTo(2);
    }

    @Test
    void setGetOption() {
        assertThat(x("SET", "k", "a", "GET")).isNull();
        assertThat(x("SET", "k", "b", "GET")).isEqualTo("a");
        assertThat(x("SET", "k", "c", "GET", "NX")).isEqualTo("b");
        assertThat(x("GET", "k")).isEqualTo("b");
        assertThat(x("SET", "n", "c", "GET", "XX")).isNull();
        assertThat(value("n")).isNull();
        assertThat(x("SET", "k", "d", "GET", "XX")).isEqualTo("b");
        assertThat(x("GET", "k")).isEqualTo("d");
        h.client.db.add(b("l"), new FakeList());
        assertThat(x("SET", "l", "v", "GET")).isEqualTo(err("WRONGTYPE Operation against a key holding the wrong kind of value"));
        assertThat(value("l")).isInstanceOf(FakeList.class);
    }

    @Test
    void setnxSetexPsetex() {
        assertThat(x("SETNX", "k", "a")).isEqualTo(1L);
        assertThat(x("SETNX", "k", "b")).isEqualTo(0L);
        assertThat(x("GET", "k")).isEqualTo("a");
        assertThat(x("SETEX", "s", "100", "v")).isEqualTo("OK");
        assertThat(pttl("s")).isBetween(98_000L, 100_000L);
        assertThat(x("PSETEX", "p", "100000", "v")).isEqualTo("OK");
        assertThat(pttl("p")).isBetween(98_000L, 100_000L);
        assertThat(x("SETEX", "s", "x", "v")).isEqualTo(err("ERR value is not an integer or out of range"));
    }

    @Test
    void setnxAgainstExpiredKey() {
        x("SET", "k", "old", "PXAT", "1");
        assertThat(x("SETNX", "k", "new")).isEqualTo(1L);
        assertThat(x("GET", "k")).isEqualTo("new");
        assertThat(pttl("k")).isEqualTo(-1);
    }

    @Test
    void getsetAndGetdel() {
        assertThat(x("GETSET", "k", "a")).isNull();
        h.client.db.setExpire(b("k"), System.currentTimeMillis() + 100_000);
        assertThat(x("GETSET", "k", "b")).isEqualTo("a");
        assertThat(pttl("k")).isEqualTo(-1);
        assertThat(x("GETDEL", "k")).isEqualTo("b");
        assertThat(x("GETDEL", "k")).isNull();
        assertThat(events).containsExactly("set:k", "set:k", "del:k");
        assertThat(h.engine.dirty).isEqualTo(3);
        h.client.db.add(b("l"), new FakeList());
        assertThat(x("GETDEL", "l")).isInstanceOf(Err.class);
        assertThat(x("GETSET", "l", "x")).isInstanceOf(Err.class);
        assertThat(value("l")).isInstanceOf(FakeList.class);
    }

    @Test
    void getexOptions() {
        x("SET", "k", "v");
        assertThat(x("GETEX", "k")).isEqualTo("v");
        assertThat(pttl("k")).isEqualTo(-1);
        assertThat(h.engine.dirty).isEqualTo(1);
        assertThat(x("GETEX", "k", "EX", "100")).isEqualTo("v");
        assertThat(pttl("k")).isBetween(98_000L, 100_000L);
        assertThat(x("GETEX", "k", "PX", "50000")).isEqualTo("v");
        assertThat(pttl("k")).isBetween(48_000L, 50_000L);
        long now = System.currentTimeMillis();
        assertThat(x("GETEX", "k", "EXAT", Long.toString(now / 1000 + 200))).isEqualTo("v");
        assertThat(pttl("k")).isBetween(198_000L, 200_000L);
        assertThat(x("GETEX", "k", "PXAT", Long.toString(now + 30_000))).isEqualTo("v");
        assertThat(pttl("k")).isBetween(28_000L, 30_000L);
        assertThat(x("GETEX", "k", "PERSIST")).isEqualTo("v");
        assertThat(pttl("k")).isEqualTo(-1);
        assertThat(events).containsExactly("set:k", "expire:k", "expire:k", "expire:k", "expire:k", "persist:k");
        // PERSIST of a key without TTL changes nothing.
        long dirty = h.engine.dirty;
        x("GETEX", "k", "PERSIST");
        assertThat(h.engine.dirty).isEqualTo(dirty);
    }

    @Test
    void getexPastAbsoluteTimeDeletes() {
        x("SET", "k", "v");
        assertThat(x("GETEX", "k", "PXAT", "1")).isEqualTo("v");
        assertThat(value("k")).isNull();
        assertThat(events).containsExactly("set:k", "del:k");
    }

    @Test
    void getexErrors() {
        assertThat(x("GETEX", "k", "bogus")).isEqualTo(err("ERR syntax error"));
        assertThat(x("GETEX", "k", "EX", "10", "PERSIST")).isEqualTo(err("ERR syntax error"));
        assertThat(x("GETEX", "k", "KEEPTTL")).isEqualTo(err("ERR syntax error"));
        assertThat(x("GETEX", "k", "NX")).isEqualTo(err("ERR syntax error"));
        // The expire value is checked only for an existing key.
        assertThat(x("GETEX", "missing", "EX", "-1")).isNull();
        x("SET", "k", "v");
        assertThat(x("GETEX", "k", "EX", "-1")).isEqualTo(err("ERR invalid expire time in 'getex' command"));
        assertThat(x("GETEX", "k", "EX", "nan")).isEqualTo(err("ERR value is not an integer or out of range"));
        assertThat(x("GETEX")).isEqualTo(err("ERR wrong number of arguments for 'getex' command"));
    }

    @Test
    void mgetMsetMsetnx() {
        assertThat(x("MSET", "a", "1", "b", "two", "c", "x x\r\n")).isEqualTo("OK");
        h.client.db.add(b("l"), new FakeList());
        assertThat(x("MGET", "a", "nope", "b", "l", "c")).isEqualTo(java.util.Arrays.asList("1", null, "two", null, "x x\r\n"));
        assertThat(x("MSET", "a", "1", "b")).isEqualTo(err("ERR wrong number of arguments for 'mset' command"));
        assertThat(x("MSETNX", "a", "1", "b")).isEqualTo(err("ERR wrong number of arguments for 'msetnx' command"));
        assertThat(x("MSETNX", "x1", "xxx", "a", "20")).isEqualTo(0L);
        assertThat(value("x1")).isNull();
        assertThat(x("MSETNX", "x1", "xxx", "x1", "yyy")).isEqualTo(1L);
        assertThat(x("GET", "x1")).isEqualTo("yyy");
        assertThat(h.engine.dirty).isEqualTo(5);
    }

    // ------------------------------------------------------------------ APPEND / STRLEN / ranges

    @Test
    void appendCreatesAndGrowsRaw() {
        assertThat(x("APPEND", "k", "12")).isEqualTo(2L);
        assertThat(encoding("k")).isEqualTo("int");
        assertThat(x("APPEND", "k", "34")).isEqualTo(4L);
        assertThat(encoding("k")).isEqualTo("raw");
        assertThat(value("k")).isInstanceOf(Sds.class);
        Sds first = (Sds) value("k");
        for (int i = 0; i < 1000; i++) x("APPEND", "k", "ab");
        // Grown in place: the same object, with amortized spare room.
        assertThat(value("k")).isSameAs(first);
        assertThat(x("STRLEN", "k")).isEqualTo(2004L);
        assertThat(((String) x("GET", "k"))).startsWith("1234abab").endsWith("abab");
        assertThat(events).hasSize(1002).allMatch(e -> e.equals("append:k"));
    }

    @Test
    void appendKeepsTtlAndRespectsSnapshots() {
        x("SET", "k", "a", "EX", "100");
        x("APPEND", "k", "b");
        assertThat(pttl("k")).isPositive();
        Sds before = (Sds) value("k");
        h.engine.snapshotEpoch++;
        x("APPEND", "k", "c");
        // The snapshot still sees the old contents.
        assertThat(new String(before.toBytes(), StandardCharsets.UTF_8)).isEqualTo("ab");
        assertThat(x("GET", "k")).isEqualTo("abc");
    }

    @Test
    void appendLimitAndWrongType() {
        h.engine.config.protoMaxBulkLen = 10;
        x("SET", "k", "12345678");
        assertThat(x("APPEND", "k", "abc")).isEqualTo(err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"));
        assertThat(x("APPEND", "k", "ab")).isEqualTo(10L);
        h.client.db.add(b("l"), new FakeList());
        assertThat(x("APPEND", "l", "x")).isInstanceOf(Err.class);
    }

    @Test
    void strlen() {
        assertThat(x("STRLEN", "none")).isEqualTo(0L);
        x("SET", "i", "-555");
        assertThat(x("STRLEN", "i")).isEqualTo(4L);
        h.client.db.add(b("l"), new FakeList());
        assertThat(x("STRLEN", "l")).isInstanceOf(Err.class);
    }

    @Test
    void getrange() {
        assertThat(x("GETRANGE", "none", "0", "-1")).isEqualTo("");
        x("SET", "k", "Hello World");
        assertThat(x("GETRANGE", "k", "0", "3")).isEqualTo("Hell");
        assertThat(x("GETRANGE", "k", "0", "-1")).isEqualTo("Hello World");
        assertThat(x("GETRANGE", "k", "-4", "-1")).isEqualTo("orld");
        assertThat(x("GETRANGE", "k", "5", "3")).isEqualTo("");
        assertThat(x("GETRANGE", "k", "5", "5000")).isEqualTo(" World");
        assertThat(x("GETRANGE", "k", "-5000", "10000")).isEqualTo("Hello World");
        assertThat(x("GETRANGE", "k", "-1", "-5")).isEqualTo("");
        assertThat(x("GETRANGE", "k", "0", "4294967297")).isEqualTo("Hello World");
        assertThat(x("SUBSTR", "k", "6", "-1")).isEqualTo("World");
        assertThat(x("GETRANGE", "k", "a", "1")).isEqualTo(err("ERR value is not an integer or out of range"));
        x("SET", "e", "");
        assertThat(x("GETRANGE", "e", "0", "-1")).isEqualTo("");
        x("APPEND", "e", "raw!");
        assertThat(x("GETRANGE", "e", "1", "2")).isEqualTo("aw");
    }

    @Test
    void setrange() {
        assertThat(x("SETRANGE", "k", "0", "")).isEqualTo(0L);
        assertThat(value("k")).isNull();
        assertThat(x("SETRANGE", "k", "1", "foo")).isEqualTo(4L);
        assertThat(x("GET", "k")).isEqualTo("\0foo");
        assertThat(encoding("k")).isEqualTo("raw");

        x("SET", "n", "1234");
        assertThat(x("SETRANGE", "n", "0", "")).isEqualTo(4L);
        assertThat(encoding("n")).isEqualTo("int");
        assertThat(x("SETRANGE", "n", "1", "3")).isEqualTo(4L);
        assertThat(encoding("n")).isEqualTo("raw");
        assertThat(x("GET", "n")).isEqualTo("1334");
        assertThat(x("SETRANGE", "n", "6", "ab")).isEqualTo(8L);
        assertThat(x("GET", "n")).isEqualTo("1334\0\0ab");
        assertThat(events).containsExactly("setrange:k", "set:n", "setrange:n", "setrange:n");
    }

    @Test
    void setrangeErrors() {
        assertThat(x("SETRANGE", "k", "-1", "x")).isEqualTo(err("ERR offset is out of range"));
        assertThat(x("SETRANGE", "k", "x", "x")).isEqualTo(err("ERR value is not an integer or out of range"));
        String big = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
        assertThat(x("SETRANGE", "k", Long.toString(512L * 1024 * 1024 - 4), "world")).isEqualTo(err(big));
        assertThat(x("SETRANGE", "k", "9223372036854775807", "A")).isEqualTo(err(big));
        x("SET", "k", "hello");
        assertThat(x("SETRANGE", "k", Long.toString(512L * 1024 * 1024 - 4), "world")).isEqualTo(err(big));
        assertThat(x("GET", "k")).isEqualTo("hello");
        h.client.db.add(b("l"), new FakeList());
        assertThat(x("SETRANGE", "l", "0", "x")).isInstanceOf(Err.class);
    }

    // ------------------------------------------------------------------ counters

    @Test
    void incrDecr() {
        assertThat(x("INCR", "n")).isEqualTo(1L);
        assertThat(x("GET", "n")).isEqualTo("1");
        assertThat(x("INCR", "n")).isEqualTo(2L);
        assertThat(x("DECR", "n")).isEqualTo(1L);
        assertThat(x("INCRBY", "n", "17179869184")).isEqualTo(17179869185L);
        assertThat(x("DECRBY", "n", "17179869186")).isEqualTo(-1L);
        assertThat(encoding("n")).isEqualTo("int");
        assertThat(events).containsExactly("incrby:n", "incrby:n", "incrby:n", "incrby:n", "incrby:n");
        assertThat(h.engine.dirty).isEqualTo(5);
    }

    @Test
    void incrKeepsTtlAndWorksOnRaw() {
        x("SET", "n", "1", "EX", "100");
        x("APPEND", "n", "0");
        assertThat(x("INCR", "n")).isEqualTo(11L);
        assertThat(pttl("n")).isPositive();
        assertThat(encoding("n")).isEqualTo("int");
    }

    @Test
    void incrErrors() {
        String notInt = "ERR value is not an integer or out of range";
        for (String bad : new String[] {"    11", "11    ", " 11 ", "1.5", "", "+1", "01", "x"}) {
            x("SET", "n", bad);
            assertThat(x("INCR", "n")).as(bad).isEqualTo(err(notInt));
        }
        x("SET", "n", "9223372036854775807");
        assertThat(x("INCR", "n")).isEqualTo(err("ERR increment or decrement would overflow"));
        x("SET", "n", "-9223372036854775808");
        assertThat(x("DECR", "n")).isEqualTo(err("ERR increment or decrement would overflow"));
        assertThat(x("INCRBY", "n", "-1")).isEqualTo(err("ERR increment or decrement would overflow"));
        x("SET", "n", "0");
        assertThat(x("DECRBY", "n", "-9223372036854775808")).isEqualTo(err("ERR decrement would overflow"));
        assertThat(x("INCRBY", "n", "1x")).isEqualTo(err(notInt));
        assertThat(x("INCRBY", "n", "9223372036854775808")).isEqualTo(err(notInt));
        assertThat(x("INCRBY", "n", "-9223372036854775808")).isEqualTo(-9223372036854775808L);
        h.client.db.add(b("l"), new FakeList());
        assertThat(x("INCR", "l")).isEqualTo(err("WRONGTYPE Operation against a key holding the wrong kind of value"));
    }

    @Test
    void incrbyfloat() {
        assertThat(x("INCRBYFLOAT", "f", "1")).isEqualTo("1");
        assertThat(x("INCRBYFLOAT", "f", "0.25")).isEqualTo("1.25");
        x("SET", "f", "1.5");
        assertThat(x("INCRBYFLOAT", "f", "1.5")).isEqualTo("3");
        x("SET", "f", "17179869184");
        assertThat(x("INCRBYFLOAT", "f", "1.5")).isEqualTo("17179869185.5");
        x("SET", "f", "10.50");
        assertThat(x("INCRBYFLOAT", "f", "0.1")).isEqualTo("10.6");
        x("SET", "f", "5.0e3");
        assertThat(x("INCRBYFLOAT", "f", "2.0e2")).isEqualTo("5200");
        x("SET", "f", "1");
        assertThat(x("INCRBYFLOAT", "f", "-1.1")).isEqualTo("-0.1");
        assertThat(x("GET", "f")).isEqualTo("-0.1");
        assertThat(events).endsWith("incrbyfloat:f");
    }

    @Test
    void incrbyfloatNoNegativeZero() {
        x("INCRBYFLOAT", "f", Double.toString(1.0 / 41));
        assertThat(x("INCRBYFLOAT", "f", Double.toString(-1.0 / 41))).isEqualTo("0");
        assertThat(x("GET", "f")).isEqualTo("0");
    }

    @Test
    void incrbyfloatErrors() {
        String notFloat = "ERR value is not a valid float";
        for (String bad : new String[] {"    11", "11    ", " 11 ", "abc", ""}) {
            x("SET", "f", bad);
            assertThat(x("INCRBYFLOAT", "f", "1.0")).as(bad).isEqualTo(err(notFloat));
        }
        x("SET", "f", "1");
        assertThat(x("INCRBYFLOAT", "f", "x")).isEqualTo(err(notFloat));
        assertThat(x("INCRBYFLOAT", "f", "nan")).isEqualTo(err(notFloat));
        assertThat(x("INCRBYFLOAT", "f", "+inf")).isEqualTo(err("ERR increment would produce NaN or Infinity"));
        assertThat(x("GET", "f")).isEqualTo("1");
        x("SETRANGE", "f", "2", "2");
        assertThat(x("INCRBYFLOAT", "f", "1")).isEqualTo(err(notFloat));
        h.client.db.add(b("l"), new FakeList());
        assertThat(x("INCRBYFLOAT", "l", "1")).isInstanceOf(Err.class);
    }

    // ------------------------------------------------------------------ LCS

    @Test
    void lcsBasic() {
        x("SET", "a", "ohmytext");
        x("SET", "b", "mynewtext");
        assertThat(x("LCS", "a", "b")).isEqualTo("mytext");
        assertThat(x("LCS", "a", "b", "LEN")).isEqualTo(6L);
        assertThat(x("LCS", "a", "missing")).isEqualTo("");
        assertThat(x("LCS", "missing", "other", "LEN")).isEqualTo(0L);
    }

    @Test
    void lcsIdx() {
        x("SET", "a", "ohmytext");
        x("SET", "b", "mynewtext");
        Object r = x("LCS", "a", "b", "IDX");
        assertThat(r).isEqualTo(List.of("matches",
            List.of(List.of(List.of(4L, 7L), List.of(5L, 8L)), List.of(List.of(2L, 3L), List.of(0L, 1L))),
            "len", 6L));
        r = x("LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN");
        assertThat(r).isEqualTo(List.of("matches", List.of(List.of(List.of(4L, 7L), List.of(5L, 8L), 4L)), "len", 6L));
        // RESP3: a map.
        h.client.resp = 3;
        r = x("LCS", "a", "b", "IDX", "WITHMATCHLEN");
        assertThat(r).isInstanceOf(Map.class);
        assertThat(((Map<?, ?>) r).get("len")).isEqualTo(6L);
        assertThat(((Map<?, ?>) r).get("matches")).isEqualTo(List.of(
            List.of(List.of(4L, 7L), List.of(5L, 8L), 4L), List.of(List.of(2L, 3L), List.of(0L, 1L), 2L)));
    }

    @Test
    void lcsErrors() {
        x("SET", "a", "x");
        assertThat(x("LCS", "a", "a", "LEN", "IDX"))
            .isEqualTo(err("ERR If you want both the length and indexes, please just use IDX."));
        assertThat(x("LCS", "a", "a", "FOO")).isEqualTo(err("ERR syntax error"));
        assertThat(x("LCS", "a", "a", "MINMATCHLEN")).isEqualTo(err("ERR syntax error"));
        assertThat(x("LCS", "a", "a", "MINMATCHLEN", "z")).isEqualTo(err("ERR value is not an integer or out of range"));
        h.client.db.add(b("l"), new FakeList());
        assertThat(x("LCS", "a", "l")).isEqualTo(err("ERR The specified keys must contain string values"));
        h.engine.config.protoMaxBulkLen = 100;
        x("SET", "big", "0123456789");
        assertThat(x("LCS", "big", "big"))
            .isEqualTo(err("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"));
    }

    @Test
    void lcsLongRandomAgreesWithReference() {
        java.util.Random rnd = new java.util.Random(7);
        for (int round = 0; round < 20; round++) {
            String s1 = randomDna(rnd, 1 + rnd.nextInt(200)), s2 = randomDna(rnd, 1 + rnd.nextInt(200));
            x("SET", "a", s1);
            x("SET", "b", s2);
            String lcs = (String) x("LCS", "a", "b");
            assertThat((long) lcs.length()).isEqualTo(x("LCS", "a", "b", "LEN"));
            assertThat(isSubsequence(lcs, s1)).isTrue();
            assertThat(isSubsequence(lcs, s2)).isTrue();
            assertThat(lcs.length()).isEqualTo(referenceLcsLen(s1, s2));
        }
    }

    // ------------------------------------------------------------------ propagation

    private List<String> argv() {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < h.client.argc; i++) l.add(new String(h.client.argv[i], StandardCharsets.UTF_8));
        return l;
    }

    @Test
    void propagatedForms() {
        x("SET", "k", "v", "NX", "EX", "100");
        List<String> a = argv();
        assertThat(a.subList(0, 4)).containsExactly("SET", "k", "v", "PXAT");
        assertThat(Long.parseLong(a.get(4))).isEqualTo(h.client.db.getExpire(b("k")));
        x("SETEX", "k", "100", "w");
        assertThat(argv().subList(0, 4)).containsExactly("SET", "k", "w", "PXAT");
        x("SET", "k", "v2", "get", "XX", "GET");
        assertThat(argv()).containsExactly("SET", "k", "v2", "XX");
        x("GETSET", "k", "v3");
        assertThat(argv()).containsExactly("SET", "k", "v3");
        x("GETEX", "k", "EX", "50");
        assertThat(argv().subList(0, 2)).containsExactly("PEXPIREAT", "k");
        x("GETEX", "k", "PERSIST");
        assertThat(argv()).containsExactly("PERSIST", "k");
        x("GETEX", "k", "PXAT", "1");
        assertThat(argv()).containsExactly("DEL", "k");
        x("SET", "k", "1");
        x("GETDEL", "k");
        assertThat(argv()).containsExactly("DEL", "k");
        x("INCRBYFLOAT", "f", "1.5");
        assertThat(argv()).containsExactly("SET", "f", "1.5", "KEEPTTL");
        x("SET", "k", "v");
        assertThat(argv()).containsExactly("SET", "k", "v");
    }

    // ------------------------------------------------------------------ helpers

    private static String randomDna(java.util.Random r, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) sb.append("ACGT".charAt(r.nextInt(4)));
        return sb.toString();
    }

    private static boolean isSubsequence(String sub, String s) {
        int i = 0;
        for (int j = 0; j < s.length() && i < sub.length(); j++) if (s.charAt(j) == sub.charAt(i)) i++;
        return i == sub.length();
    }

    private static int referenceLcsLen(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 1; i <= a.length(); i++)
            for (int j = 1; j <= b.length(); j++)
                d[i][j] = a.charAt(i - 1) == b.charAt(j - 1) ? d[i - 1][j - 1] + 1 : Math.max(d[i - 1][j], d[i][j - 1]);
        return d[a.length()][b.length()];
    }

    static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    /** A non-string value, for WRONGTYPE paths (collections are implemented elsewhere). */
    static final class FakeList implements org.redoubt.engine.type.RValue {
        @Override public String typeName() { return "list"; }
        @Override public String encoding() { return "quicklist"; }
        @Override public org.redoubt.engine.type.RValue duplicate(long epoch) { return this; }
    }
}

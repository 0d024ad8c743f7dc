package org.redoubt.engine.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Client;
import org.redoubt.engine.Harness;
import org.redoubt.engine.Harness.Err;
import org.redoubt.engine.config.Notify;

/** Blocking semantics (BLPOP & co, CLIENT UNBLOCK, timeouts) with two or more in-process clients. */
class BlockingTest {
    private Harness h;
    private Client a, b, c2;
    private final List<String> propagated = new ArrayList<>();
    private final List<String> events = new ArrayList<>();

    @BeforeEach
    void setUp() {
        h = new Harness();
        a = h.newClient();
        b = h.newClient();
        c2 = h.newClient();
        h.engine.writeListeners.add((c, cmd) -> {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < c.argc; i++) {
                if (i > 0) sb.append(' ');
                sb.append(new String(c.argv[i], StandardCharsets.UTF_8));
            }
            propagated.add(sb.toString());
        });
        h.engine.config.notifyKeyspaceEvents = Notify.ALL | Notify.KEYEVENT;
        h.engine.notifyListeners.add((type, event, key, db) ->
            events.add(event + ":" + new String(key, StandardCharsets.UTF_8)));
    }

    private Object x(Client c, String... args) { return h.exec(c, args); }

    /** The single reply buffered for a blocked client since it was served, or NONE. */
    private Object reply(Client c) {
        List<Object> r = h.drain(c);
        if (r.isEmpty()) return Harness.NONE;
        assertThat(r).hasSize(1);
        return r.get(0);
    }

    private String info(String field) {
        String s = (String) x(c2, "INFO", "clients");
        for (String line : s.split("\r\n")) if (line.startsWith(field + ":")) return line.substring(field.length() + 1);
        return null;
    }

    @Test
    void blpopWokenByPushFromAnotherClient() {
        assertThat(x(a, "BLPOP", "q", "0")).isSameAs(Harness.NONE);
        assertThat(a.has(Client.F_BLOCKED)).isTrue();
        assertThat(h.engine.blocking.blockedClients()).isEqualTo(1);
        assertThat(info("total_blocking_keys")).isEqualTo("1");
        assertThat(x(b, "RPUSH", "q", "job1", "job2")).isEqualTo(2L);
        assertThat(reply(a)).isEqualTo(List.of("q", "job1"));
        assertThat(a.has(Client.F_BLOCKED)).isFalse();
        assertThat(x(b, "LRANGE", "q", "0", "-1")).isEqualTo(List.of("job2"));
        assertThat(propagated).containsExactly("RPUSH q job1 job2", "LPOP q");
        assertThat(h.engine.blocking.blockedClients()).isZero();
        assertThat(info("total_blocking_keys")).isEqualTo("0");
        // The unblocked client runs commands again.
        assertThat(x(a, "PING")).isEqualTo("PONG");
    }

    @Test
    void firstBlockedFirstServedAndDeletedKeyStopsServing() {
        x(a, "BRPOP", "q", "0");
        x(b, "BRPOP", "q", "other", "0");
        assertThat(x(c2, "LPUSH", "q", "x")).isEqualTo(1L);
        assertThat(reply(a)).isEqualTo(List.of("q", "x"));
        assertThat(reply(b)).isSameAs(Harness.NONE);
        assertThat(x(c2, "EXISTS", "q")).isEqualTo(0L);
        x(c2, "LPUSH", "other", "y");
        assertThat(reply(b)).isEqualTo(List.of("other", "y"));
    }

    @Test
    void multiExecIsServedAtTheEndAndOnlyFromLiveLists() {
        x(a, "BLPOP", "list", "0");
        x(c2, "MULTI");
        x(c2, "LPUSH", "list", "a");
        x(c2, "LPUSH", "list", "b");
        x(c2, "LPUSH", "list", "c");
        x(c2, "EXEC");
        assertThat(reply(a)).isEqualTo(List.of("list", "c"));

        x(a, "BLPOP", "list2", "0");
        x(c2, "MULTI");
        x(c2, "LPUSH", "list2", "a");
        x(c2, "DEL", "list2");
        x(c2, "SET", "list2", "foo");
        x(c2, "EXEC");
        assertThat(reply(a)).isSameAs(Harness.NONE);
        x(c2, "DEL", "list2");
        x(c2, "LPUSH", "list2", "b");
        assertThat(reply(a)).isEqualTo(List.of("list2", "b"));
    }

    @Test
    void blmpopServesSeveralClientsInOrder() {
        x(a, "BLMPOP", "0", "2", "bl", "bl2", "LEFT", "COUNT", "1");
        x(b, "BLMPOP", "0", "2", "bl", "bl2", "RIGHT", "COUNT", "10");
        Client d = h.newClient();
        x(d, "BLMPOP", "0", "2", "bl", "bl2", "LEFT", "COUNT", "10");
        x(c2, "MULTI");
        x(c2, "LPUSH", "bl", "a", "b", "c", "d", "e");
        x(c2, "LPUSH", "bl2", "1", "2", "3", "4", "5");
        x(c2, "EXEC");
        assertThat(reply(a)).isEqualTo(List.of("bl", List.of("e")));
        assertThat(reply(b)).isEqualTo(List.of("bl", List.of("a", "b", "c", "d")));
        assertThat(reply(d)).isEqualTo(List.of("bl2", List.of("5", "4", "3", "2", "1")));
        assertThat(propagated).contains("LPOP bl 1", "RPOP bl 4", "LPOP bl2 5");
    }

    @Test
    void blmoveChainsAndWrongDestination() {
        // a: bl -> target; b blocked on target gets it next, in the same round.
        x(b, "BLPOP", "target", "0");
        x(a, "BLMOVE", "bl", "target", "RIGHT", "LEFT", "0");
        x(c2, "RPUSH", "bl", "foo");
        assertThat(reply(a)).isEqualTo("foo");
        assertThat(reply(b)).isEqualTo(List.of("target", "foo"));
        assertThat(x(c2, "EXISTS", "target", "bl")).isEqualTo(0L);
        assertThat(propagated).containsExactly("RPUSH bl foo", "LMOVE bl target right left", "LPOP target");

        // Destination of the wrong type: that client gets WRONGTYPE, the next one is served.
        x(c2, "SET", "t1", "nolist");
        x(a, "BRPOPLPUSH", "src", "t1", "0");
        x(b, "BRPOPLPUSH", "src", "t2", "0");
        x(c2, "LPUSH", "src", "foo");
        assertThat(reply(a)).isEqualTo(new Err("WRONGTYPE Operation against a key holding the wrong kind of value"));
        assertThat(reply(b)).isEqualTo("foo");
        assertThat(x(c2, "LRANGE", "t2", "0", "-1")).isEqualTo(List.of("foo"));
    }

    @Test
    void circularAndSelfReferentialBrpoplpush() {
        x(a, "BRPOPLPUSH", "l1", "l2", "0");
        x(b, "BRPOPLPUSH", "l2", "l1", "0");
        x(c2, "RPUSH", "l1", "foo");
        assertThat(x(c2, "LRANGE", "l1", "0", "-1")).isEqualTo(List.of("foo"));
        assertThat(x(c2, "LRANGE", "l2", "0", "-1")).isEqualTo(List.of());
        assertThat(reply(a)).isEqualTo("foo");
        assertThat(reply(b)).isEqualTo("foo");

        x(a, "BRPOPLPUSH", "self", "self", "0");
        x(c2, "RPUSH", "self", "x");
        assertThat(reply(a)).isEqualTo("x");
        assertThat(x(c2, "LRANGE", "self", "0", "-1")).isEqualTo(List.of("x"));
    }

    @Test
    void keyMovedIntoPlaceWakesTheClient() {
        x(a, "BLPOP", "foo", "0");
        x(c2, "LPUSH", "bob", "abc", "def", "hij");
        x(c2, "RENAME", "bob", "foo");
        assertThat(reply(a)).isEqualTo(List.of("foo", "hij"));
    }

    @Test
    void timeoutRepliesNullArray() throws InterruptedException {
        x(a, "BLPOP", "q", "0.01");
        x(b, "BRPOPLPUSH", "q", "t", "0.01");
        assertThat(h.engine.blocking.blockedClients()).isEqualTo(2);
        Thread.sleep(30);
        h.engine.blocking.expireTimeouts();
        assertThat(a.has(Client.F_BLOCKED)).isFalse();
        assertThat(reply(a)).isNull();
        assertThat(reply(b)).isNull();
        x(a, "HELLO", "3");
        x(a, "BLPOP", "q", "0.001");
        Thread.sleep(10);
        h.engine.blocking.expireTimeouts();
        List<Object> raw = h.drain(a);
        assertThat(raw).hasSize(1);
        assertThat(raw.get(0)).isNull();
        // A zero timeout never expires.
        x(a, "BLPOP", "q", "0");
        h.engine.blocking.expireTimeouts();
        assertThat(a.has(Client.F_BLOCKED)).isTrue();
        assertThat(propagated).isEmpty();
    }

    @Test
    void clientUnblock() {
        x(a, "BLPOP", "l", "0");
        assertThat(x(c2, "CLIENT", "UNBLOCK", Long.toString(a.id))).isEqualTo(1L);
        assertThat(reply(a)).isNull();
        x(a, "BLPOP", "l", "0");
        assertThat(x(c2, "CLIENT", "UNBLOCK", Long.toString(a.id), "TIMEOUT")).isEqualTo(1L);
        assertThat(reply(a)).isNull();
        x(a, "BLPOP", "l", "0");
        assertThat(x(c2, "CLIENT", "UNBLOCK", Long.toString(a.id), "error")).isEqualTo(1L);
        assertThat(reply(a)).isEqualTo(new Err("UNBLOCKED client unblocked via CLIENT UNBLOCK"));
        assertThat(x(c2, "CLIENT", "UNBLOCK", "asd")).isEqualTo(new Err("ERR value is not an integer or out of range"));
        assertThat(x(c2, "CLIENT", "UNBLOCK", Long.toString(c2.id))).isEqualTo(0L);
        assertThat(x(c2, "CLIENT", "UNBLOCK", Long.toString(a.id), "later"))
            .isEqualTo(new Err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"));
        // Still functional afterwards.
        x(a, "BLPOP", "l", "0");
        x(c2, "LPUSH", "l", "foo");
        assertThat(reply(a)).isEqualTo(List.of("l", "foo"));
        // Stats as Redis: counted once when it blocked; an unblock counts as a failed call.
        String stats = (String) x(c2, "INFO", "commandstats");
        assertThat(stats).contains("cmdstat_blpop:calls=4,").contains("failed_calls=3");
    }

    @Test
    void closedClientIsForgotten() {
        x(a, "BLPOP", "q", "0");
        h.engine.clientClosed(a);
        assertThat(h.engine.blocking.blockedClients()).isZero();
        x(b, "RPUSH", "q", "v");
        assertThat(x(b, "LLEN", "q")).isEqualTo(1L);
        assertThat(reply(a)).isSameAs(Harness.NONE);
    }

    @Test
    void sameKeyRepeatedIsOneWait() {
        x(a, "BLPOP", "l1", "l2", "l2", "l1", "0");
        assertThat(h.engine.blocking.totalBlockingKeys()).isEqualTo(2);
        x(c2, "LPUSH", "l2", "b");
        assertThat(reply(a)).isEqualTo(List.of("l2", "b"));
    }

    @Test
    void watchIsTouchedByThePushOfAServedBlmove() {
        x(a, "BRPOPLPUSH", "srclist", "dstlist", "0");
        x(b, "WATCH", "dstlist");
        x(b, "MULTI");
        x(b, "PING");
        x(c2, "LPUSH", "srclist", "element");
        assertThat(reply(a)).isEqualTo("element");
        assertThat(x(b, "EXEC")).isNull();
    }

    @Test
    void servedClientEventsAndSlowlog() {
        x(c2, "CONFIG", "SET", "slowlog-log-slower-than", "0");
        x(c2, "SLOWLOG", "RESET");
        x(a, "BLPOP", "l", "0");
        events.clear();
        x(c2, "RPUSH", "l", "foo");
        assertThat(events).containsExactly("rpush:l", "lpop:l", "del:l");
        @SuppressWarnings("unchecked")
        List<Object> log = (List<Object>) x(c2, "SLOWLOG", "GET");
        @SuppressWarnings("unchecked")
        List<Object> entry = (List<Object>) log.get(0);
        assertThat(entry.get(3)).isEqualTo(List.of("BLPOP", "l", "0"));
    }

    @Test
    void swapdbWakesClientOfTheOtherDb() {
        x(c2, "SELECT", "1");
        x(c2, "RPUSH", "k", "hello");
        x(a, "SELECT", "9");
        x(a, "BRPOP", "k", "5");
        x(c2, "SWAPDB", "1", "9");
        assertThat(reply(a)).isEqualTo(List.of("k", "hello"));
    }
}

package org.redoubt.engine.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Client;
import org.redoubt.engine.Harness;
import org.redoubt.engine.Harness.Err;

class PubSubCommandsTest {
    private final Harness h = new Harness();
    private final Client sub = h.newClient();

    PubSubCommandsTest() {
        // Tracking redirections look clients up by id among the connected ones.
        h.engine.clients.put(h.client.id, h.client);
        h.engine.clients.put(sub.id, sub);
    }

    /** Runs a command and returns every reply it produced (subscriptions answer per argument). */
    private List<Object> all(Client c, String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
        c.argv = argv;
        c.argc = argv.length;
        h.engine.process(c);
        return h.drain(c);
    }

    private static List<Object> l(Object... o) { return Arrays.asList(o); }

    // =====================================================================================
    // SUBSCRIBE / PUBLISH
    // =====================================================================================

    @Test
    void subscribePublishUnsubscribe() {
        assertThat(all(sub, "SUBSCRIBE", "chan1", "chan2")).containsExactly(
            l("subscribe", "chan1", 1L), l("subscribe", "chan2", 2L));
        assertThat(sub.has(Client.F_PUBSUB)).isTrue();
        assertThat(h.exec("PUBLISH", "chan1", "hello")).isEqualTo(1L);
        assertThat(h.exec("PUBLISH", "chan2", "world")).isEqualTo(1L);
        assertThat(h.exec("PUBLISH", "nobody", "x")).isEqualTo(0L);
        assertThat(h.drain(sub)).containsExactly(l("message", "chan1", "hello"), l("message", "chan2", "world"));

        assertThat(all(sub, "UNSUBSCRIBE", "chan1")).containsExactly(l("unsubscribe", "chan1", 1L));
        assertThat(h.exec("PUBLISH", "chan1", "hello")).isEqualTo(0L);
        assertThat(all(sub, "UNSUBSCRIBE")).containsExactly(l("unsubscribe", "chan2", 0L));
        assertThat(sub.has(Client.F_PUBSUB)).isFalse();
        assertThat(h.exec("PUBLISH", "chan2", "world")).isEqualTo(0L);
        assertThat(h.engine.pubsub.serverChannels()).isZero();
    }

    @Test
    void subscribingTwiceCountsOnce() {
        assertThat(all(sub, "SUBSCRIBE", "c", "c", "c")).containsExactly(
            l("subscribe", "c", 1L), l("subscribe", "c", 1L), l("subscribe", "c", 1L));
        assertThat(h.exec("PUBLISH", "c", "m")).isEqualTo(1L);
    }

    @Test
    void unsubscribeWithoutSubscriptionsStillAnswers() {
        assertThat(all(sub, "UNSUBSCRIBE", "foo", "bar")).containsExactly(
            l("unsubscribe", "foo", 0L), l("unsubscribe", "bar", 0L));
        assertThat(all(sub, "UNSUBSCRIBE")).containsExactly(l("unsubscribe", null, 0L));
        assertThat(all(sub, "PUNSUBSCRIBE")).containsExactly(l("punsubscribe", null, 0L));
        assertThat(all(sub, "SUNSUBSCRIBE")).containsExactly(l("sunsubscribe", null, 0L));
    }

    @Test
    void patterns() {
        assertThat(all(sub, "PSUBSCRIBE", "foo.*", "bar.*")).containsExactly(
            l("psubscribe", "foo.*", 1L), l("psubscribe", "bar.*", 2L));
        assertThat(h.exec("PUBLISH", "foo.1", "hello")).isEqualTo(1L);
        assertThat(h.exec("PUBLISH", "barfoo.1", "hello")).isEqualTo(0L);
        assertThat(h.drain(sub)).containsExactly(l("pmessage", "foo.*", "foo.1", "hello"));
        assertThat(h.exec("PUBSUB", "NUMPAT")).isEqualTo(2L);
        assertThat(all(sub, "PUNSUBSCRIBE", "foo.*")).containsExactly(l("punsubscribe", "foo.*", 1L));
        assertThat(all(sub, "PUNSUBSCRIBE")).containsExactly(l("punsubscribe", "bar.*", 0L));
        assertThat(h.exec("PUBSUB", "NUMPAT")).isEqualTo(0L);
    }

    @Test
    void channelAndPatternBothDeliver() {
        all(sub, "SUBSCRIBE", "foo.bar");
        assertThat(all(sub, "PSUBSCRIBE", "foo.*")).containsExactly(l("psubscribe", "foo.*", 2L));
        assertThat(h.exec("PUBLISH", "foo.bar", "hello")).isEqualTo(2L);
        assertThat(h.drain(sub)).containsExactly(l("message", "foo.bar", "hello"),
            l("pmessage", "foo.*", "foo.bar", "hello"));
    }

    @Test
    void resp2SubscriberMayOnlyRunSubscriptionCommands() {
        all(sub, "SUBSCRIBE", "c");
        assertThat(h.exec(sub, "GET", "k")).isEqualTo(new Err(
            "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"));
        assertThat(h.exec(sub, "CONFIG", "GET", "x")).isEqualTo(new Err(
            "ERR Can't execute 'config|get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"));
        assertThat(h.exec(sub, "PING")).isEqualTo(l("pong", ""));
        assertThat(h.exec(sub, "PING", "foo")).isEqualTo(l("pong", "foo"));
        all(sub, "UNSUBSCRIBE");
        assertThat(h.exec(sub, "PING")).isEqualTo("PONG");
    }

    @Test
    void resp3SubscriberGetsPushesAndMayRunAnything() {
        h.exec(sub, "HELLO", "3");
        all(sub, "SUBSCRIBE", "c");
        assertThat(h.exec(sub, "SET", "k", "v")).isEqualTo("OK");
        h.exec("PUBLISH", "c", "m");
        byte[] raw = rawOutput(sub);
        assertThat(new String(raw, StandardCharsets.UTF_8)).isEqualTo(">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n");
    }

    private static byte[] rawOutput(Client c) {
        io.netty.buffer.ByteBuf b = c.takeOutput();
        try {
            byte[] r = new byte[b.readableBytes()];
            b.readBytes(r);
            return r;
        } finally {
            b.release();
        }
    }

    @Test
    void messagesAndConfirmationsBypassClientReplyOff() {
        h.exec(sub, "CLIENT", "REPLY", "OFF");
        assertThat(all(sub, "SUBSCRIBE", "channel")).containsExactly(l("subscribe", "channel", 1L));
        assertThat(h.exec(sub, "PING")).isSameAs(Harness.NONE);
        h.exec("PUBLISH", "channel", "hello");
        assertThat(h.drain(sub)).containsExactly(l("message", "channel", "hello"));
    }

    @Test
    void pubsubIntrospection() {
        Client sub2 = h.newClient();
        all(sub, "SUBSCRIBE", "a", "b");
        all(sub2, "SUBSCRIBE", "a");
        all(sub2, "SSUBSCRIBE", "s");
        assertThat(h.exec("PUBSUB", "CHANNELS")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST).containsExactlyInAnyOrder("a", "b");
        assertThat(h.exec("PUBSUB", "CHANNELS", "b*")).isEqualTo(List.of("b"));
        assertThat(h.exec("PUBSUB", "NUMSUB", "a", "b", "zz")).isEqualTo(l("a", 2L, "b", 1L, "zz", 0L));
        assertThat(h.exec("PUBSUB", "NUMSUB")).isEqualTo(List.of());
        assertThat(h.exec("PUBSUB", "SHARDCHANNELS")).isEqualTo(List.of("s"));
        assertThat(h.exec("PUBSUB", "SHARDNUMSUB", "s", "a")).isEqualTo(l("s", 1L, "a", 0L));
        assertThat(h.exec("PUBSUB", "CHANNELS", "a", "b")).isEqualTo(new Err(
            "ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP."));
        assertThat((List<?>) h.exec("PUBSUB", "HELP")).hasSize(14);
        assertThat(org.redoubt.engine.PubSub.channelCount(sub)).isEqualTo(2);
        assertThat(org.redoubt.engine.PubSub.shardCount(sub2)).isEqualTo(1);
    }

    @Test
    void shardChannelsAreSeparate() {
        Client sub2 = h.newClient();
        assertThat(all(sub, "SSUBSCRIBE", "chan1")).containsExactly(l("ssubscribe", "chan1", 1L));
        assertThat(all(sub, "SSUBSCRIBE", "chan2")).containsExactly(l("ssubscribe", "chan2", 2L));
        all(sub2, "SUBSCRIBE", "chan1");
        assertThat(h.exec("SPUBLISH", "chan1", "hello")).isEqualTo(1L);
        assertThat(h.exec("PUBLISH", "chan1", "hello")).isEqualTo(1L);
        assertThat(h.drain(sub)).containsExactly(l("smessage", "chan1", "hello"));
        assertThat(h.drain(sub2)).containsExactly(l("message", "chan1", "hello"));
        assertThat(all(sub, "SUNSUBSCRIBE")).containsExactly(l("sunsubscribe", "chan1", 1L), l("sunsubscribe", "chan2", 0L));
        assertThat(sub.has(Client.F_PUBSUB)).isFalse();
    }

    @Test
    void closedAndResetClientsLoseTheirSubscriptions() {
        all(sub, "SUBSCRIBE", "a");
        all(sub, "PSUBSCRIBE", "p*");
        h.engine.clientClosed(sub);
        assertThat(h.exec("PUBLISH", "a", "x")).isEqualTo(0L);
        assertThat(h.exec("PUBLISH", "pq", "x")).isEqualTo(0L);

        all(h.client, "SUBSCRIBE", "b");
        assertThat(h.exec("RESET")).isEqualTo("RESET");
        assertThat(h.client.has(Client.F_PUBSUB)).isFalse();
        assertThat(h.engine.pubsub.serverChannels()).isZero();
    }

    @Test
    void publishIsForcedToReplicas() {
        List<String> seen = new java.util.ArrayList<>();
        h.engine.writeListeners.add((c, cmd) -> seen.add(cmd.fullName + ":" + c.has(Client.F_FORCE_REPL)));
        h.exec("PUBLISH", "x", "y");
        h.exec("SET", "a", "b");
        assertThat(seen).containsExactly("publish:true", "set:false");
    }

    @Test
    @SuppressWarnings("unchecked")
    void subscribeInsideMultiWorks() {
        h.exec(sub, "MULTI");
        assertThat(h.exec(sub, "SUBSCRIBE", "x")).isEqualTo("QUEUED");
        assertThat(h.exec(sub, "SSUBSCRIBE", "y")).isEqualTo("QUEUED");
        List<Object> r = (List<Object>) h.exec(sub, "EXEC");
        assertThat(r).containsExactly(l("subscribe", "x", 1L),
            new Err("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client"));
    }

    // =====================================================================================
    // Keyspace notifications
    // =====================================================================================

    @Test
    void keyspaceAndKeyeventNotifications() {
        h.exec("CONFIG", "SET", "notify-keyspace-events", "KEA");
        all(sub, "PSUBSCRIBE", "*");
        h.exec("SET", "foo", "bar");
        assertThat(h.drain(sub)).containsExactly(
            l("pmessage", "*", "__keyspace@0__:foo", "set"),
            l("pmessage", "*", "__keyevent@0__:set", "foo"));
        h.exec("SELECT", "9");
        h.exec("DEL", "nothing");
        h.exec("SET", "k", "v");
        h.exec("DEL", "k");
        assertThat(h.drain(sub)).containsExactly(
            l("pmessage", "*", "__keyspace@9__:k", "set"),
            l("pmessage", "*", "__keyevent@9__:set", "k"),
            l("pmessage", "*", "__keyspace@9__:k", "del"),
            l("pmessage", "*", "__keyevent@9__:del", "k"));
    }

    @Test
    void notificationClassesAreMasked() {
        h.exec("CONFIG", "SET", "notify-keyspace-events", "Kg");
        all(sub, "SUBSCRIBE", "__keyspace@0__:foo");
        h.exec("SET", "foo", "bar");
        h.exec("EXPIRE", "foo", "100");
        assertThat(h.drain(sub)).containsExactly(l("message", "__keyspace@0__:foo", "expire"));
        h.exec("CONFIG", "SET", "notify-keyspace-events", "");
        h.exec("DEL", "foo");
        assertThat(h.drain(sub)).isEmpty();
    }

    @Test
    void expiredEventsAndNewKeyEvents() throws InterruptedException {
        h.exec("CONFIG", "SET", "notify-keyspace-events", "Exn");
        all(sub, "PSUBSCRIBE", "*");
        h.exec("SET", "foo", "1", "PX", "1");
        h.exec("SET", "foo2", "1");
        Thread.sleep(10);
        assertThat(h.exec("EXISTS", "foo")).isEqualTo(0L);
        assertThat(h.drain(sub)).containsExactly(
            l("pmessage", "*", "__keyevent@0__:new", "foo"),
            l("pmessage", "*", "__keyevent@0__:new", "foo2"),
            l("pmessage", "*", "__keyevent@0__:expired", "foo"));
    }

    // =====================================================================================
    // Client tracking
    // =====================================================================================

    @Test
    void resp3TrackingInvalidatesReadKeysAfterTheReply() {
        h.exec("HELLO", "3");
        assertThat(h.exec("CLIENT", "TRACKING", "on")).isEqualTo("OK");
        h.exec(sub, "SET", "key1", "1");
        assertThat(h.exec("GET", "key1")).isEqualTo("1");
        assertThat(h.engine.tracking.totalKeys()).isEqualTo(1);
        h.exec(sub, "SET", "key1", "2");
        assertThat(h.drain(h.client)).containsExactly(l("invalidate", l("key1")));
        // Forgotten after one invalidation.
        h.exec(sub, "SET", "key1", "3");
        assertThat(h.drain(h.client)).isEmpty();

        // Own writes: the invalidation follows the reply.
        h.exec("GET", "key1");
        assertThat(all(h.client, "SET", "key1", "4")).containsExactly("OK", l("invalidate", l("key1")));
    }

    @Test
    void unblockedBlmoveGetsItsReplyBeforeTheInvalidationOfItsDestination() {
        h.exec(sub, "RPUSH", "list2", "a");
        h.exec("HELLO", "3");
        h.exec("CLIENT", "TRACKING", "on");
        assertThat(h.exec("LRANGE", "list2", "0", "-1")).isEqualTo(List.of("a"));
        assertThat(all(h.client, "BLMOVE", "list1", "list2", "LEFT", "LEFT", "0")).isEmpty();
        h.exec(sub, "RPUSH", "list1", "foo");
        assertThat(h.drain(h.client)).containsExactly("foo", l("invalidate", l("list2")));
    }

    @Test
    void scriptsTrackTheirDeclaredKeysOnlyWhenTheyRead() {
        h.exec("HELLO", "3");
        h.exec("CLIENT", "TRACKING", "on");
        // A script that only writes tracks nothing.
        h.exec("EVAL", "redis.call('set', 'key3', 'bar')", "2", "key1", "key2");
        h.exec(sub, "MSET", "key1", "1", "key2", "1");
        assertThat(h.drain(h.client)).isEmpty();
        // One that reads tracks every declared key (not the keys it touched).
        h.exec("EVAL", "redis.call('get', 'key3')", "2", "key1", "key2");
        h.exec(sub, "MSET", "key2", "2", "key1", "2", "key3", "x");
        assertThat(h.drain(h.client)).containsExactly(l("invalidate", l("key2")), l("invalidate", l("key1")));
        // EVAL_RO is judged by the commands it runs too.
        h.exec("EVAL_RO", "redis.call('ping')", "2", "key1", "key2");
        h.exec(sub, "MSET", "key2", "3", "key1", "3");
        assertThat(h.drain(h.client)).isEmpty();
    }

    @Test
    void noloopIgnoresTheClientsOwnWritesFromScripts() {
        h.exec("CLIENT", "TRACKING", "on", "NOLOOP");
        h.exec("HELLO", "3");
        h.exec("SET", "key1", "1");
        assertThat(h.exec("GET", "key1")).isEqualTo("1");
        assertThat(all(h.client, "EVAL", "return redis.call('set', 'key1', '2')", "1", "key1")).containsExactly("OK");
        assertThat(all(h.client, "GET", "key1")).containsExactly("2");
    }

    @Test
    void trackingInsideATransactionSendsAfterExec() {
        h.exec("HELLO", "3");
        h.exec("CLIENT", "TRACKING", "on");
        h.exec("MSET", "a", "1", "b", "2");
        h.exec("GET", "a");
        h.exec("MULTI");
        h.exec("INCR", "a");
        h.exec("GET", "b");
        assertThat(all(h.client, "EXEC")).containsExactly(l(2L, "2"), l("invalidate", l("a")));
    }

    @Test
    void resp2RedirectToSubscriber() {
        all(sub, "SUBSCRIBE", "__redis__:invalidate");
        assertThat(h.exec("CLIENT", "TRACKING", "on", "REDIRECT", Long.toString(sub.id))).isEqualTo("OK");
        assertThat(h.exec("CLIENT", "GETREDIR")).isEqualTo(sub.id);
        h.exec("SET", "a", "1");
        h.exec("SET", "b", "1");
        h.exec("GET", "a");
        h.exec("INCR", "b");
        h.exec("INCR", "a");
        assertThat(h.drain(sub)).containsExactly(l("message", "__redis__:invalidate", l("a")));
        // A flush invalidates everything at once.
        h.exec("GET", "b");
        h.engine.signalFlushedDb(-1);
        assertThat(h.drain(sub)).containsExactly(l("message", "__redis__:invalidate", null));
        assertThat(h.engine.tracking.totalKeys()).isZero();
    }

    @Test
    void brokenRedirection() {
        Client gone = h.newClient();
        h.engine.clients.put(gone.id, gone);
        h.exec("HELLO", "3");
        h.exec("CLIENT", "TRACKING", "on", "REDIRECT", Long.toString(gone.id));
        h.exec("GET", "k");
        h.engine.clients.remove(gone.id);
        h.engine.clientClosed(gone);
        h.exec(sub, "SET", "k", "1");
        assertThat(h.drain(h.client)).containsExactly(l("tracking-redir-broken", gone.id));
        Map<?, ?> info = (Map<?, ?>) h.exec("CLIENT", "TRACKINGINFO");
        assertThat(info.get("flags")).isEqualTo(List.of("on", "broken_redirect"));
        assertThat(info.get("redirect")).isEqualTo(gone.id);
    }

    @Test
    void noloopSkipsOwnWrites() {
        all(sub, "SUBSCRIBE", "__redis__:invalidate");
        h.exec("CLIENT", "TRACKING", "on", "REDIRECT", Long.toString(sub.id), "NOLOOP");
        Client writer = h.newClient();
        h.exec("MGET", "k1", "loop", "k2");
        h.exec(writer, "SET", "k1", "1");
        h.exec("SET", "loop", "1");
        h.exec(writer, "SET", "k2", "1");
        assertThat(h.drain(sub)).containsExactly(
            l("message", "__redis__:invalidate", l("k1")), l("message", "__redis__:invalidate", l("k2")));
    }

    @Test
    void optinAndOptout() {
        h.exec("HELLO", "3");
        h.exec("CLIENT", "TRACKING", "on", "OPTIN");
        h.exec("GET", "k1");
        h.exec("CLIENT", "CACHING", "yes");
        h.exec("GET", "k2");
        h.exec("GET", "k3");   // CACHING applied to one command only
        h.exec(sub, "MSET", "k1", "x", "k2", "x", "k3", "x");
        assertThat(h.drain(h.client)).containsExactly(l("invalidate", l("k2")));

        assertThat(h.exec("CLIENT", "TRACKING", "on", "OPTOUT")).isEqualTo(new Err(
            "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode."));
        h.exec("CLIENT", "TRACKING", "off");
        h.exec("CLIENT", "TRACKING", "on", "OPTOUT");
        h.exec("CLIENT", "CACHING", "no");
        h.exec("GET", "k1");
        h.exec("GET", "k2");
        h.exec(sub, "MSET", "k1", "y", "k2", "y");
        assertThat(h.drain(h.client)).containsExactly(l("invalidate", l("k2")));
    }

    @Test
    void trackingOptionErrors() {
        assertThat(h.exec("CLIENT", "CACHING", "yes")).isEqualTo(new Err(
            "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled"));
        assertThat(h.exec("CLIENT", "TRACKING", "on", "PREFIX", "a")).isEqualTo(new Err(
            "ERR PREFIX option requires BCAST mode to be enabled"));
        assertThat(h.exec("CLIENT", "TRACKING", "on", "BCAST", "OPTIN")).isEqualTo(new Err(
            "ERR OPTIN and OPTOUT are not compatible with BCAST"));
        assertThat(h.exec("CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT")).isEqualTo(new Err(
            "ERR You can't specify both OPTIN mode and OPTOUT mode"));
        assertThat(h.exec("CLIENT", "TRACKING", "on", "REDIRECT", "999999")).isEqualTo(new Err(
            "ERR The client ID you want redirect to does not exist"));
        assertThat(h.exec("CLIENT", "TRACKING", "on", "REDIRECT", "x")).isEqualTo(new Err(
            "ERR value is not an integer or out of range"));
        assertThat(h.exec("CLIENT", "TRACKING", "maybe")).isEqualTo(new Err("ERR syntax error"));
        assertThat(h.exec("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "FOOBAR", "PREFIX", "FOO")).isEqualTo(new Err(
            "ERR Prefix 'FOOBAR' overlaps with another provided prefix 'FOO'. Prefixes for a single client must not overlap."));
        h.exec("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "FOO", "PREFIX", "BAR");
        assertThat(h.exec("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "FO")).isEqualTo(new Err(
            "ERR Prefix 'FO' overlaps with an existing prefix 'FOO'. Prefixes for a single client must not overlap."));
        assertThat(h.exec("CLIENT", "TRACKING", "on")).isEqualTo(new Err(
            "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode."));
    }

    @Test
    void trackingInfoAndGetredir() {
        h.exec("HELLO", "3");
        assertThat(h.exec("CLIENT", "GETREDIR")).isEqualTo(-1L);
        Map<?, ?> info = (Map<?, ?>) h.exec("CLIENT", "TRACKINGINFO");
        assertThat(info.get("flags")).isEqualTo(List.of("off"));
        assertThat(info.get("redirect")).isEqualTo(-1L);
        assertThat(info.get("prefixes")).isEqualTo(List.of());
        h.exec("CLIENT", "TRACKING", "on");
        assertThat(h.exec("CLIENT", "GETREDIR")).isEqualTo(0L);
        h.exec("CLIENT", "TRACKING", "off");
        h.exec("CLIENT", "TRACKING", "on", "OPTIN");
        h.exec("CLIENT", "CACHING", "yes");
        info = (Map<?, ?>) h.exec("CLIENT", "TRACKINGINFO");
        assertThat(info.get("flags")).isEqualTo(List.of("on", "optin", "caching-yes"));
        h.exec("CLIENT", "TRACKING", "off");
        h.exec("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "foo", "PREFIX", "bar");
        info = (Map<?, ?>) h.exec("CLIENT", "TRACKINGINFO");
        assertThat(info.get("flags")).isEqualTo(List.of("on", "bcast"));
        assertThat(info.get("prefixes")).isEqualTo(List.of("bar", "foo"));
        assertThat(h.engine.tracking.totalPrefixes()).isEqualTo(2);
        h.exec("CLIENT", "TRACKING", "off");
        assertThat(h.engine.tracking.totalPrefixes()).isZero();
    }

    @Test
    void bcastSendsModifiedKeysPerPrefix() {
        all(sub, "SUBSCRIBE", "__redis__:invalidate");
        h.exec("CLIENT", "TRACKING", "on", "BCAST", "REDIRECT", Long.toString(sub.id), "PREFIX", "a:", "PREFIX", "b:");
        h.exec("MULTI");
        h.exec("INCR", "a:2");
        h.exec("INCR", "a:1");
        h.exec("INCR", "b:1");
        h.exec("INCR", "c:1");
        h.exec("EXEC");
        assertThat(h.drain(sub)).containsExactlyInAnyOrder(
            l("message", "__redis__:invalidate", l("a:1", "a:2")),
            l("message", "__redis__:invalidate", l("b:1")));
    }

    @Test
    void trackingTableMaxKeysEvictsWithGrowingEffort() {
        all(sub, "SUBSCRIBE", "__redis__:invalidate");
        h.exec("CLIENT", "TRACKING", "on", "REDIRECT", Long.toString(sub.id));
        for (int i = 0; i < 250; i++) h.exec("GET", "key" + i);
        assertThat(h.engine.tracking.totalKeys()).isEqualTo(250);
        h.exec("CONFIG", "SET", "tracking-table-max-keys", "1");
        h.exec("PING");
        assertThat(h.engine.tracking.totalKeys()).isEqualTo(150);
        h.exec("PING");
        assertThat(h.engine.tracking.totalKeys()).isEqualTo(1);
        assertThat(h.drain(sub)).hasSize(249);
    }

    @Test
    void trackingStopsWithTheConnection() {
        h.exec("CLIENT", "TRACKING", "on");
        assertThat(h.engine.tracking.trackingClients()).isEqualTo(1);
        assertThat(h.exec("RESET")).isEqualTo("RESET");
        assertThat(h.engine.tracking.trackingClients()).isZero();
        assertThat(h.client.has(Client.F_TRACKING)).isFalse();
    }
}

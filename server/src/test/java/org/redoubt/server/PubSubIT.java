package org.redoubt.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Transaction;

/** Pub/sub, keyspace notifications, transactions and client tracking over real sockets. */
class PubSubIT {
    static ServerFixture srv;
    static RedisClient lettuce;

    @BeforeAll
    static void up() {
        srv = ServerFixture.start();
        lettuce = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(srv.port)
            .withTimeout(Duration.ofSeconds(10)).build());
        lettuce.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP3).build());
    }

    @AfterAll
    static void down() {
        lettuce.shutdown();
        srv.close();
    }

    /** A Jedis subscriber running in its own thread, recording what it receives. */
    private static final class Recorder extends JedisPubSub {
        final BlockingQueue<String> got = new LinkedBlockingQueue<>();
        final CountDownLatch subscribed;

        Recorder(int subscriptions) { subscribed = new CountDownLatch(subscriptions); }

        @Override public void onMessage(String channel, String message) { got.add(channel + ":" + message); }

        @Override public void onPMessage(String pattern, String channel, String message) {
            got.add(pattern + "|" + channel + ":" + message);
        }

        @Override public void onSubscribe(String channel, int count) { subscribed.countDown(); }

        @Override public void onPSubscribe(String pattern, int count) { subscribed.countDown(); }
    }

    private static Thread background(Runnable r) {
        Thread t = new Thread(r, "subscriber");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void jedisSubscribePublishUnsubscribe() throws Exception {
        Recorder rec = new Recorder(2);
        try (Jedis sub = new Jedis("127.0.0.1", srv.port); Jedis pub = new Jedis("127.0.0.1", srv.port)) {
            Thread t = background(() -> sub.subscribe(rec, "news", "sport"));
            assertThat(rec.subscribed.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(pub.pubsubNumSub("news", "none")).containsEntry("news", 1L).containsEntry("none", 0L);
            assertThat(pub.publish("news", "hello")).isEqualTo(1);
            assertThat(pub.publish("sport", "goal")).isEqualTo(1);
            assertThat(pub.publish("weather", "rain")).isZero();
            assertThat(rec.got.poll(10, TimeUnit.SECONDS)).isEqualTo("news:hello");
            assertThat(rec.got.poll(10, TimeUnit.SECONDS)).isEqualTo("sport:goal");
            rec.unsubscribe();
            t.join(10_000);
            assertThat(t.isAlive()).isFalse();
            assertThat(pub.publish("news", "again")).isZero();
            assertThat(pub.pubsubChannels()).isEmpty();
        }
    }

    @Test
    void jedisPatternsAndKeyspaceNotifications() throws Exception {
        Recorder rec = new Recorder(1);
        try (Jedis sub = new Jedis("127.0.0.1", srv.port); Jedis r = new Jedis("127.0.0.1", srv.port)) {
            r.configSet("notify-keyspace-events", "KEA");
            try {
                Thread t = background(() -> sub.psubscribe(rec, "__key*__:*"));
                assertThat(rec.subscribed.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(r.pubsubNumPat()).isEqualTo(1);
                r.set("foo", "bar");
                r.del("foo");
                assertThat(rec.got.poll(10, TimeUnit.SECONDS)).isEqualTo("__key*__:*|__keyspace@0__:foo:set");
                assertThat(rec.got.poll(10, TimeUnit.SECONDS)).isEqualTo("__key*__:*|__keyevent@0__:set:foo");
                assertThat(rec.got.poll(10, TimeUnit.SECONDS)).isEqualTo("__key*__:*|__keyspace@0__:foo:del");
                assertThat(rec.got.poll(10, TimeUnit.SECONDS)).isEqualTo("__key*__:*|__keyevent@0__:del:foo");
                rec.punsubscribe();
                t.join(10_000);
            } finally {
                r.configSet("notify-keyspace-events", "");
            }
        }
    }

    @Test
    void jedisTransactionsAndWatch() {
        try (Jedis j = new Jedis("127.0.0.1", srv.port); Jedis other = new Jedis("127.0.0.1", srv.port)) {
            j.set("counter", "1");
            Transaction t = j.multi();
            t.incr("counter");
            t.get("counter");
            t.set("tx", "done");
            assertThat(t.exec()).containsExactly(2L, "2", "OK");

            j.watch("counter");
            other.set("counter", "100");
            Transaction aborted = j.multi();
            aborted.set("counter", "3");
            assertThat(aborted.exec()).isNull();
            assertThat(j.get("counter")).isEqualTo("100");

            j.watch("counter");
            Transaction ok = j.multi();
            ok.incr("counter");
            assertThat(ok.exec()).containsExactly(101L);
        }
    }

    @Test
    void lettuceResp3SubscriberReceivesPushesAndMayRunCommands() throws Exception {
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        try (StatefulRedisPubSubConnection<String, String> sub = lettuce.connectPubSub();
             StatefulRedisConnection<String, String> pub = lettuce.connect()) {
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override public void message(String channel, String message) { got.add(channel + ":" + message); }

                @Override public void message(String pattern, String channel, String message) {
                    got.add(pattern + "|" + channel + ":" + message);
                }

                @Override public void smessage(String channel, String message) { got.add("s:" + channel + ":" + message); }
            });
            sub.sync().subscribe("ch1");
            sub.sync().psubscribe("ch*");
            // RESP3 lifts the subscriber restrictions.
            pub.sync().set("plain", "value");
            assertThat(sub.sync().get("plain")).isEqualTo("value");
            assertThat(pub.sync().publish("ch1", "m1")).isEqualTo(2);
            assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("ch1:m1");
            assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("ch*|ch1:m1");
            sub.sync().unsubscribe("ch1");
            sub.sync().punsubscribe("ch*");
            assertThat(pub.sync().publish("ch1", "m2")).isZero();
            // Shard channels.
            sub.sync().ssubscribe("shard");
            assertThat(pub.sync().spublish("shard", "s1")).isEqualTo(1);
            assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("s:shard:s1");
        }
    }

    @Test
    void lettuceResp3ClientTrackingInvalidation() throws Exception {
        BlockingQueue<List<String>> pushes = new LinkedBlockingQueue<>();
        try (StatefulRedisConnection<String, String> cache = lettuce.connect();
             StatefulRedisConnection<String, String> writer = lettuce.connect()) {
            cache.addListener((PushMessage m) -> {
                List<String> parts = new ArrayList<>();
                parts.add(m.getType());
                for (Object o : m.getContent()) parts.add(text(o));
                pushes.add(parts);
            });
            writer.sync().set("cached", "v1");
            assertThat(cache.sync().clientTracking(TrackingArgs.Builder.enabled())).isEqualTo("OK");
            assertThat(cache.sync().get("cached")).isEqualTo("v1");
            writer.sync().set("cached", "v2");
            List<String> inv = pushes.poll(10, TimeUnit.SECONDS);
            assertThat(inv).isNotNull();
            assertThat(inv.get(0)).isEqualTo("invalidate");
            assertThat(inv.get(2)).contains("cached");
            // Invalidated once: a second write without a read sends nothing.
            writer.sync().set("cached", "v3");
            assertThat(cache.sync().ping()).isEqualTo("PONG");
            assertThat(pushes.poll(200, TimeUnit.MILLISECONDS)).isNull();
            assertThat(cache.sync().clientTrackinginfo()).isNotNull();
        }
    }

    private static String text(Object o) {
        if (o instanceof ByteBuffer b) return StandardCharsets.UTF_8.decode(b.duplicate()).toString();
        if (o instanceof List<?> l) {
            List<String> r = new ArrayList<>();
            for (Object x : l) r.add(text(x));
            return r.toString();
        }
        return String.valueOf(o);
    }
}

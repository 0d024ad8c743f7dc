package org.redoubt.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RAtomicLong;
import org.redisson.api.RLock;
import org.redisson.api.RMap;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * Redisson (locks, maps, atomics, topics: EVAL/EVALSHA scripts, pub/sub, HELLO/CLIENT SETNAME)
 * against a real Redoubt, with two independent clients as two application instances would be.
 */
class RedissonIT {
    static ServerFixture srv;
    static RedissonClient a, b;

    @BeforeAll
    static void up() {
        srv = ServerFixture.start();
        a = client("redoubt-it-a");
        b = client("redoubt-it-b");
    }

    private static RedissonClient client(String name) {
        Config cfg = new Config();
        cfg.setThreads(2).setNettyThreads(2);
        cfg.useSingleServer()
            .setAddress("redis://127.0.0.1:" + srv.port)
            .setClientName(name)
            .setConnectionMinimumIdleSize(1)
            .setConnectionPoolSize(4)
            .setSubscriptionConnectionMinimumIdleSize(1)
            .setSubscriptionConnectionPoolSize(2)
            .setTimeout(10_000)
            .setConnectTimeout(10_000)
            .setRetryAttempts(0);
        return Redisson.create(cfg);
    }

    @AfterAll
    static void down() {
        if (a != null) a.shutdown(0, 5, TimeUnit.SECONDS);
        if (b != null) b.shutdown(0, 5, TimeUnit.SECONDS);
        srv.close();
    }

    @Test
    void lockIsExclusiveAcrossClientsUntilUnlock() throws Exception {
        RLock la = a.getLock("it:lock:unlock");
        RLock lb = b.getLock("it:lock:unlock");
        assertThat(la.tryLock(0, 30, TimeUnit.SECONDS)).isTrue();
        assertThat(la.isHeldByCurrentThread()).isTrue();
        assertThat(lb.isLocked()).isTrue();
        assertThat(lb.isHeldByCurrentThread()).isFalse();
        // Reentrant for its holder, refused to the other client.
        assertThat(la.tryLock(0, 30, TimeUnit.SECONDS)).isTrue();
        assertThat(la.getHoldCount()).isEqualTo(2);
        assertThat(lb.tryLock(0, 30, TimeUnit.SECONDS)).isFalse();
        assertThat(lb.remainTimeToLive()).isBetween(1L, 30_000L);

        // A waiter is woken by the unlock message (pub/sub), not by polling.
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return lb.tryLock(10, 30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        Thread.sleep(200);
        assertThat(waiting).isNotDone();
        la.unlock();
        assertThat(la.isLocked()).isTrue();  // still held once (reentrant count 2)
        la.unlock();
        assertThat(waiting.get(10, TimeUnit.SECONDS)).isTrue();
        // b's lock belongs to the thread that took it; force-unlock ends it for the test.
        assertThat(lb.isLocked()).isTrue();
        assertThat(la.tryLock(0, 30, TimeUnit.SECONDS)).isFalse();
        assertThat(lb.forceUnlock()).isTrue();
        assertThat(la.tryLock(0, 30, TimeUnit.SECONDS)).isTrue();
        la.unlock();
        assertThat(la.isLocked()).isFalse();
    }

    @Test
    void leaseExpiryReleasesTheLockForTheOtherClient() throws Exception {
        RLock la = a.getLock("it:lock:lease");
        RLock lb = b.getLock("it:lock:lease");
        assertThat(la.tryLock(0, 700, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(lb.tryLock(0, 10, TimeUnit.SECONDS)).isFalse();
        long t0 = System.nanoTime();
        // Nobody unlocks: b gets it once the lease (PEXPIRE on the lock hash) runs out.
        assertThat(lb.tryLock(10, 10, TimeUnit.SECONDS)).isTrue();
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(waitedMs).isBetween(200L, 9_000L);
        assertThat(lb.isHeldByCurrentThread()).isTrue();
        assertThat(la.isHeldByCurrentThread()).isFalse();
        lb.unlock();
        assertThat(lb.isLocked()).isFalse();
    }

    @Test
    void lockWithoutLeaseIsKeptAliveAndReleased() throws Exception {
        RLock la = a.getLock("it:lock:watchdog");
        la.lock();
        try {
            assertThat(b.getLock("it:lock:watchdog").tryLock(0, 1, TimeUnit.SECONDS)).isFalse();
            // The watchdog gave it Redisson's default 30 s lease.
            assertThat(la.remainTimeToLive()).isBetween(1L, 30_000L);
        } finally {
            la.unlock();
        }
        assertThat(b.getLock("it:lock:watchdog").tryLock(0, 1, TimeUnit.SECONDS)).isTrue();
        b.getLock("it:lock:watchdog").forceUnlock();
    }

    @Test
    void mapPutGetAcrossClients() {
        RMap<String, String> ma = a.getMap("it:map", StringCodec.INSTANCE);
        RMap<String, String> mb = b.getMap("it:map", StringCodec.INSTANCE);
        ma.delete();
        assertThat(ma.put("f1", "v1")).isNull();
        assertThat(ma.put("f1", "v2")).isEqualTo("v1");
        assertThat(ma.fastPut("f2", "x")).isTrue();
        assertThat(ma.putIfAbsent("f2", "y")).isEqualTo("x");
        assertThat(mb.get("f1")).isEqualTo("v2");
        assertThat(mb.get("missing")).isNull();
        assertThat(mb.size()).isEqualTo(2);
        assertThat(mb.containsKey("f2")).isTrue();
        assertThat(mb.readAllMap()).containsEntry("f1", "v2").containsEntry("f2", "x").hasSize(2);
        assertThat(mb.remove("f1")).isEqualTo("v2");
        assertThat(ma.get("f1")).isNull();
        // HINCRBYFLOAT's reply, converted to the type of the increment by Redisson.
        assertThat((Object) ma.addAndGet("n", 5)).isEqualTo(5);
        ma.delete();
        assertThat(mb.isExists()).isFalse();
    }

    @Test
    void atomicLongIncrementsAcrossClients() {
        RAtomicLong xa = a.getAtomicLong("it:counter");
        RAtomicLong xb = b.getAtomicLong("it:counter");
        xa.set(0);
        for (int i = 1; i <= 100; i++) {
            assertThat((i % 2 == 0 ? xa : xb).incrementAndGet()).isEqualTo(i);
        }
        assertThat(xb.get()).isEqualTo(100);
        assertThat(xa.addAndGet(-40)).isEqualTo(60);
        assertThat(xb.compareAndSet(60, 7)).isTrue();
        assertThat(xa.compareAndSet(60, 8)).isFalse();
        assertThat(xa.getAndDelete()).isEqualTo(7);
        assertThat(xb.isExists()).isFalse();
    }

    @Test
    void topicPublishReachesListenersOfBothClients() throws Exception {
        BlockingQueue<String> gotA = new LinkedBlockingQueue<>();
        BlockingQueue<String> gotB = new LinkedBlockingQueue<>();
        RTopic ta = a.getTopic("it:topic", StringCodec.INSTANCE);
        RTopic tb = b.getTopic("it:topic", StringCodec.INSTANCE);
        int idA = ta.addListener(String.class, (ch, msg) -> gotA.add(ch + ":" + msg));
        int idB = tb.addListener(String.class, (ch, msg) -> gotB.add(ch + ":" + msg));
        try {
            assertThat(ta.countSubscribers()).isEqualTo(2);
            assertThat(tb.publish("hello")).isEqualTo(2);
            assertThat(ta.publish("world")).isEqualTo(2);
            for (BlockingQueue<String> q : java.util.List.of(gotA, gotB)) {
                assertThat(q.poll(10, TimeUnit.SECONDS)).isEqualTo("it:topic:hello");
                assertThat(q.poll(10, TimeUnit.SECONDS)).isEqualTo("it:topic:world");
            }
        } finally {
            ta.removeListener(idA);
            tb.removeListener(idB);
        }
        // Once both listeners are gone nobody is subscribed any more.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ta.countSubscribers() != 0 && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(ta.countSubscribers()).isZero();
        assertThat(ta.publish("nobody")).isZero();
    }
}

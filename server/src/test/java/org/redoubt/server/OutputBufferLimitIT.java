package org.redoubt.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.OutputLimits;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;

/**
 * client-output-buffer-limit: a subscriber that stops reading is cut off at its class's hard
 * limit while a publisher floods its channel; the server's buffers stay bounded and the other
 * clients (a subscriber that keeps up, a normal client) are not affected. The server's direct
 * buffers grow by about the limit, not with the flood, and the heap retains nothing of it.
 */
class OutputBufferLimitIT {
    static ServerFixture srv;
    static final int MESSAGES = 100_000;
    static final int HARD_LIMIT = 1 << 20;

    @BeforeAll
    static void up() { srv = ServerFixture.start(); }

    @AfterAll
    static void down() { srv.close(); }

    private static long engineRead(java.util.function.Supplier<Long> s) throws Exception {
        return CompletableFuture.supplyAsync(s, srv.server.engine().loop).get(10, TimeUnit.SECONDS);
    }

    @Test
    void stalledSubscriberIsDisconnectedAtItsHardLimit() throws Exception {
        Logger limitsLog = (Logger) LoggerFactory.getLogger(OutputLimits.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        limitsLog.addAppender(logged);
        try (Jedis admin = new Jedis("127.0.0.1", srv.port)) {
            admin.configSet("client-output-buffer-limit", "pubsub " + HARD_LIMIT + " 0 0");
            long disconnectsBefore = engineRead(() -> srv.server.engine().stats.clientOutputBufferLimitDisconnections);

            // A subscriber that reads its confirmation and then never reads again.
            Socket stalled = new Socket();
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress("127.0.0.1", srv.port), 5000);
            OutputStream out = stalled.getOutputStream();
            out.write("SUBSCRIBE flood\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = stalled.getInputStream();
            byte[] confirm = new byte[64];
            int n = in.read(confirm);
            assertThat(new String(confirm, 0, n, StandardCharsets.US_ASCII)).contains("subscribe");

            // A subscriber that keeps up must get every message.
            CountingSubscriber healthy = new CountingSubscriber();
            Jedis healthyConn = new Jedis("127.0.0.1", srv.port);
            Thread t = new Thread(() -> healthyConn.subscribe(healthy, "flood"), "healthy-subscriber");
            t.setDaemon(true);
            t.start();
            long deadline = System.currentTimeMillis() + 10_000;
            while (admin.pubsubNumSub("flood").get("flood") < 2 && System.currentTimeMillis() < deadline) Thread.sleep(10);
            assertThat(admin.pubsubNumSub("flood")).containsEntry("flood", 2L);

            // The server's buffers come from Netty's default allocator, which reports its usage.
            assertThat(ByteBufAllocator.DEFAULT).isInstanceOf(ByteBufAllocatorMetricProvider.class);
            long heapBefore = heapAfterGc();
            long directBefore = usedDirectMemory();
            long maxDirect = 0;
            int cutAt = -1;
            String payload = "x".repeat(200);
            try (Jedis pub = new Jedis("127.0.0.1", srv.port)) {
                for (int sent = 0; sent < MESSAGES; ) {
                    Pipeline p = pub.pipelined();
                    for (int i = 0; i < 1000; i++, sent++) p.publish("flood", payload);
                    p.sync();
                    maxDirect = Math.max(maxDirect, usedDirectMemory());
                    // Another client is served all along.
                    if (sent % 20_000 == 0) assertThat(admin.ping()).isEqualTo("PONG");
                    if (cutAt < 0 && admin.pubsubNumSub("flood").get("flood") == 1) cutAt = sent;
                }
            }
            // Cut off during the flood, not at its end: the hard limit plus what the kernel's
            // socket buffers absorbed is a few thousand 230-byte messages (16k measured).
            assertThat(cutAt).isBetween(1, MESSAGES / 2);
            // Cut off: only the healthy subscriber is left on the channel.
            assertThat(admin.pubsubNumSub("flood")).containsEntry("flood", 1L);
            assertThat(engineRead(() -> srv.server.engine().stats.clientOutputBufferLimitDisconnections))
                .isEqualTo(disconnectsBefore + 1);
            assertThat(logged.list).anyMatch(e -> e.getFormattedMessage().contains(
                "scheduled to be closed ASAP for overcoming of output buffer limits."));

            // The stalled socket sees at most about its limit, then the end of the stream.
            stalled.setSoTimeout(10_000);
            long total = 0;
            byte[] buf = new byte[65536];
            for (int r; (r = in.read(buf)) > 0; ) total += r;
            assertThat(total).isLessThan(HARD_LIMIT + 8L * (1 << 20));
            stalled.close();

            // The one that kept up got all of them.
            deadline = System.currentTimeMillis() + 30_000;
            while (healthy.count < MESSAGES && System.currentTimeMillis() < deadline) Thread.sleep(20);
            assertThat(healthy.count).isEqualTo(MESSAGES);
            healthy.unsubscribe();
            t.join(10_000);
            healthyConn.close();

            // 100k messages of ~230 bytes (23 MB per subscriber) went through. The server's
            // buffers (direct memory) grew by about the stalled client's limit instead of with
            // the flood: 4 MB measured, 27 MB without the limit; and nothing stayed on the heap.
            assertThat(maxDirect - directBefore).isLessThan(12L << 20);
            assertThat(heapAfterGc() - heapBefore).isLessThan(8L << 20);
            admin.configSet("client-output-buffer-limit", "pubsub 32mb 8mb 60");
        } finally {
            limitsLog.detachAppender(logged);
        }
    }

    @Test
    void normalClientsAreUnlimitedByDefault() throws Exception {
        try (Jedis j = new Jedis("127.0.0.1", srv.port)) {
            String big = "y".repeat(1 << 20);
            j.set("big", big);
            for (int i = 0; i < 5; i++) assertThat(j.get("big")).hasSize(1 << 20);
            assertThat(engineRead(() -> (long) srv.server.engine().clients.size())).isGreaterThanOrEqualTo(1L);
        }
    }

    /** Heap in use after a full collection: what is retained, not garbage. */
    private static long heapAfterGc() {
        System.gc();
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Direct memory held by Netty's default allocator (what the server's buffers use). */
    private static long usedDirectMemory() {
        return ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider m ? m.metric().usedDirectMemory() : 0;
    }

    private static final class CountingSubscriber extends JedisPubSub {
        volatile int count;

        @Override public void onMessage(String channel, String message) { count++; }
    }
}

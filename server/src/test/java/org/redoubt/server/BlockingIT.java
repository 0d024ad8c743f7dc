package org.redoubt.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** Blocking list commands over real sockets: wake-ups, timeouts, pipelining, disconnects. */
class BlockingIT {
    static ServerFixture srv;

    @BeforeAll
    static void up() { srv = ServerFixture.start(); }

    @AfterAll
    static void down() { srv.close(); }

    @BeforeEach
    void flush() {
        try (Jedis j = jedis()) {
            j.flushAll();
        }
    }

    private static Jedis jedis() { return new Jedis("127.0.0.1", srv.port); }

    /** A raw RESP connection, to see replies exactly and to pipeline. */
    private static final class Raw implements AutoCloseable {
        final Socket s;
        final OutputStream out;
        final InputStream in;

        Raw() throws IOException {
            s = new Socket("127.0.0.1", srv.port);
            s.setSoTimeout(5000);
            out = s.getOutputStream();
            in = s.getInputStream();
        }

        void send(String... args) throws IOException {
            StringBuilder sb = new StringBuilder().append('*').append(args.length).append("\r\n");
            for (String a : args) {
                sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
            }
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Reads exactly n bytes. */
        String read(int n) throws IOException {
            byte[] b = in.readNBytes(n);
            return new String(b, StandardCharsets.UTF_8);
        }

        /** Reads one line (with its CRLF). */
        String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int prev = -1;
            while (true) {
                int ch = in.read();
                if (ch < 0) throw new IOException("closed");
                b.write(ch);
                if (prev == '\r' && ch == '\n') return b.toString(StandardCharsets.UTF_8);
                prev = ch;
            }
        }

        boolean nothingPending(int waitMs) throws IOException {
            s.setSoTimeout(waitMs);
            try {
                return in.read() < 0;
            } catch (java.net.SocketTimeoutException e) {
                return true;
            } finally {
                s.setSoTimeout(5000);
            }
        }

        @Override
        public void close() throws IOException { s.close(); }
    }

    private static long blockedClients(Jedis j) {
        for (String l : j.info("clients").split("\r\n")) {
            if (l.startsWith("blocked_clients:")) return Long.parseLong(l.substring(16));
        }
        return -1;
    }

    private static void waitBlocked(Jedis j, long n) throws InterruptedException {
        for (int i = 0; i < 200 && blockedClients(j) != n; i++) Thread.sleep(10);
        assertThat(blockedClients(j)).isEqualTo(n);
    }

    @Test
    void blpopIsWokenByRpushFromAnotherConnection() throws Exception {
        try (Jedis waiter = jedis(); Jedis pusher = jedis()) {
            CompletableFuture<List<String>> f = CompletableFuture.supplyAsync(() -> waiter.blpop(0, "queue"));
            waitBlocked(pusher, 1);
            assertThat(pusher.rpush("queue", "job")).isEqualTo(1);
            assertThat(f.get(5, TimeUnit.SECONDS)).containsExactly("queue", "job");
            assertThat(pusher.exists("queue")).isFalse();
            waitBlocked(pusher, 0);
        }
    }

    @Test
    void pipelinedCommandsRunAfterTheBlockedOneIsServed() throws Exception {
        try (Raw r = new Raw(); Jedis pusher = jedis()) {
            r.send("BLPOP", "q", "0");
            r.send("LLEN", "q");
            r.send("PING");
            waitBlocked(pusher, 1);
            assertThat(r.nothingPending(100)).isTrue();
            pusher.rpush("q", "a", "b");
            assertThat(r.read("*2\r\n$1\r\nq\r\n$1\r\na\r\n".length())).isEqualTo("*2\r\n$1\r\nq\r\n$1\r\na\r\n");
            assertThat(r.line()).isEqualTo(":1\r\n");
            assertThat(r.line()).isEqualTo("+PONG\r\n");
        }
    }

    @Test
    void timeoutRepliesNullInResp2AndResp3() throws Exception {
        try (Raw r = new Raw()) {
            long t0 = System.nanoTime();
            r.send("BLPOP", "q", "0.1");
            assertThat(r.line()).isEqualTo("*-1\r\n");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).isBetween(90L, 2000L);
            r.send("HELLO", "3");
            r.send("PING");
            while (!r.line().equals("+PONG\r\n")) { /* skip HELLO's reply */ }
            r.send("BRPOPLPUSH", "q", "t", "0.05");
            assertThat(r.line()).isEqualTo("_\r\n");
        }
    }

    @Test
    void disconnectedBlockedClientIsCleanedUp() throws Exception {
        try (Jedis j = jedis()) {
            Raw r = new Raw();
            r.send("BLPOP", "gone", "0");
            waitBlocked(j, 1);
            r.close();
            waitBlocked(j, 0);
            assertThat(j.rpush("gone", "v")).isEqualTo(1);
            assertThat(j.lrange("gone", 0, -1)).containsExactly("v");
        }
    }

    @Test
    void clientUnblockOverTheWire() throws Exception {
        try (Raw r = new Raw(); Jedis j = jedis()) {
            r.send("CLIENT", "ID");
            long id = Long.parseLong(r.line().substring(1).trim());
            r.send("BLPOP", "q", "0");
            waitBlocked(j, 1);
            assertThat(j.clientUnblock(id)).isEqualTo(1);
            assertThat(r.line()).isEqualTo("*-1\r\n");
            r.send("BRPOP", "q", "0");
            waitBlocked(j, 1);
            assertThat(j.sendCommand(redis.clients.jedis.Protocol.Command.CLIENT, "UNBLOCK", Long.toString(id), "ERROR"))
                .isEqualTo(1L);
            assertThat(r.line()).isEqualTo("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
            assertThat(j.clientList()).contains("id=" + id);
        }
    }

    @Test
    void brpoplpushChainServedInOneRound() throws Exception {
        try (Raw a = new Raw(); Raw b = new Raw(); Jedis j = jedis()) {
            b.send("BLPOP", "target", "0");
            waitBlocked(j, 1);
            a.send("BLMOVE", "src", "target", "LEFT", "RIGHT", "0");
            waitBlocked(j, 2);
            j.rpush("src", "foo");
            assertThat(a.line()).isEqualTo("$3\r\n");
            assertThat(a.line()).isEqualTo("foo\r\n");
            assertThat(b.read("*2\r\n$6\r\ntarget\r\n$3\r\nfoo\r\n".length())).isEqualTo("*2\r\n$6\r\ntarget\r\n$3\r\nfoo\r\n");
            assertThat(j.exists("target", "src")).isZero();
        }
    }
}

package org.redoubt.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Sends random and mutated RESP frames over many connections and checks that the server stays
 * up, answers PING throughout, never sends a Java stack trace, and keeps its heap bounded.
 * Frame count: -Dfuzz.frames (default 100,000 in the build; the 1,000,000 run is
 * {@code ./mvnw -pl server verify -Dit.test=ProtocolFuzzIT -Dfuzz.frames=1000000}). The seed is
 * printed; -Dfuzz.seed replays a run.
 */
class ProtocolFuzzIT {
    static final String[] COMMANDS = {
        "GET", "SET", "DEL", "INCR", "INCRBY", "APPEND", "MGET", "MSET", "EXISTS", "TYPE", "EXPIRE",
        "TTL", "PING", "ECHO", "STRLEN", "GETRANGE", "SETRANGE", "SETBIT", "BITCOUNT", "BITFIELD",
        "SCAN", "KEYS", "DBSIZE", "SELECT", "HELLO", "CLIENT", "COMMAND", "INFO", "OBJECT", "LCS",
        "GETEX", "INCRBYFLOAT", "RENAME", "COPY", "TIME", "BITPOS", "SUBSTR", "PERSIST", "TOUCH",
    };

    @Test
    void randomAndMutatedFramesNeverHurtTheServer() throws Exception {
        long frames = Long.getLong("fuzz.frames", 100_000);
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        int conns = Integer.getInteger("fuzz.connections", 8);
        System.out.println("ProtocolFuzzIT seed=" + seed + " frames=" + frames + " connections=" + conns);
        long deadline = System.currentTimeMillis() + Long.getLong("fuzz.seconds", 600) * 1000;
        try (ServerFixture srv = ServerFixture.start("--proto-max-bulk-len", "1mb", "--client-query-buffer-limit", "4mb")) {
            AtomicLong sent = new AtomicLong();
            AtomicReference<String> bad = new AtomicReference<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < conns; t++) {
                SplittableRandom rnd = new SplittableRandom(seed + t);
                Thread th = new Thread(() -> fuzzLoop(srv.port, rnd, frames / conns, sent, bad, stop, deadline));
                th.start();
                threads.add(th);
            }
            // PING must be answered throughout.
            int pings = 0;
            while (threads.stream().anyMatch(Thread::isAlive)) {
                assertThat(ping(srv.port)).as("PING during fuzzing").isEqualTo("+PONG");
                pings++;
                Thread.sleep(200);
                if (System.currentTimeMillis() > deadline) stop.set(true);
            }
            for (Thread th : threads) th.join();
            assertThat(bad.get()).as("a reply that looks like a Java stack trace").isNull();
            assertThat(ping(srv.port)).isEqualTo("+PONG");
            assertThat(sent.get()).isGreaterThanOrEqualTo(System.currentTimeMillis() > deadline ? 0 : frames - conns);
            System.gc();
            long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            System.out.println("ProtocolFuzzIT sent=" + sent.get() + " pings=" + pings + " heapUsedAfterGc=" + used);
            assertThat(used).as("heap after fuzzing").isLessThan(512L * 1024 * 1024);
        }
    }

    static String ping(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] b = new byte[7];
            int n = 0;
            while (n < 7) {
                int r = s.getInputStream().read(b, n, 7 - n);
                if (r < 0) break;
                n += r;
            }
            return new String(b, 0, Math.max(0, n - 2), StandardCharsets.US_ASCII);
        }
    }

    static void fuzzLoop(int port, SplittableRandom rnd, long n, AtomicLong sent, AtomicReference<String> bad,
                         AtomicBoolean stop, long deadline) {
        long i = 0;
        while (i < n && !stop.get() && System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                AtomicBoolean closed = new AtomicBoolean();
                Thread reader = new Thread(() -> drain(in, bad, closed));
                reader.start();
                // A connection lives for a random number of frames, or until the server closes it.
                int life = 1 + rnd.nextInt(2000);
                for (int k = 0; k < life && i < n && !closed.get(); k++, i++) {
                    out.write(frame(rnd));
                    sent.incrementAndGet();
                }
                out.flush();
                s.shutdownOutput();
                reader.join(15_000);
            } catch (IOException e) {
                // The server may close a connection at a protocol error: open another one.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    static void drain(InputStream in, AtomicReference<String> bad, AtomicBoolean closed) {
        byte[] buf = new byte[65536];
        try {
            int r;
            while ((r = in.read(buf)) > 0) {
                String s = new String(buf, 0, r, StandardCharsets.ISO_8859_1);
                if (s.contains("\tat org.") || s.contains("\tat java.") || s.contains("Exception:")) {
                    bad.compareAndSet(null, s.substring(0, Math.min(500, s.length())));
                }
            }
        } catch (IOException e) {
            // closed by the server or timed out
        } finally {
            closed.set(true);
        }
    }

    static byte[] frame(SplittableRandom rnd) {
        byte[] valid = validCommand(rnd);
        switch (rnd.nextInt(10)) {
            case 0: { // flip bytes
                for (int k = 0, m = 1 + rnd.nextInt(3); k < m; k++) valid[rnd.nextInt(valid.length)] = (byte) rnd.nextInt(256);
                return valid;
            }
            case 1: // truncate
                return java.util.Arrays.copyOf(valid, rnd.nextInt(valid.length));
            case 2: { // random bytes
                byte[] b = new byte[rnd.nextInt(64)];
                for (int k = 0; k < b.length; k++) b[k] = (byte) rnd.nextInt(256);
                return b;
            }
            case 3: { // hostile headers
                String[] h = {"*-1\r\n", "*0\r\n", "*99999999999\r\n", "*2\r\n$-5\r\n", "*1\r\n$99999999999\r\n",
                    "*1\r\n+x\r\n", "\"unbalanced\r\n", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n", "$3\r\nfoo\r\n",
                    "*1000000\r\n", "*abc\r\n", "*1\r\n$abc\r\n", "  \r\n", "\r\n", "\n", "PING 'a\r\n",
                    "SET \"a\\x4\" b\r\n"};
                return h[rnd.nextInt(h.length)].getBytes(StandardCharsets.ISO_8859_1);
            }
            case 4: { // inline form of a valid command
                StringBuilder sb = new StringBuilder(COMMANDS[rnd.nextInt(COMMANDS.length)]);
                for (int k = 0, m = rnd.nextInt(4); k < m; k++) sb.append(' ').append(randomArg(rnd));
                return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
            }
            default:
                return valid;
        }
    }

    static String randomArg(SplittableRandom rnd) {
        return switch (rnd.nextInt(8)) {
            case 0 -> Long.toString(rnd.nextLong());
            case 1 -> Integer.toString(rnd.nextInt(100) - 50);
            case 2 -> "k" + rnd.nextInt(50);
            case 3 -> "EX";
            case 4 -> "-1";
            case 5 -> "1.5e308";
            case 6 -> "*";
            default -> "v" + rnd.nextInt(1000);
        };
    }

    static byte[] validCommand(SplittableRandom rnd) {
        int argc = 1 + rnd.nextInt(6);
        StringBuilder sb = new StringBuilder();
        sb.append('*').append(argc).append("\r\n");
        for (int k = 0; k < argc; k++) {
            String a = k == 0 ? COMMANDS[rnd.nextInt(COMMANDS.length)] : randomArg(rnd);
            if (k == 0 && a.equals("CLIENT")) a = "CLIENT";
            byte[] b = a.getBytes(StandardCharsets.ISO_8859_1);
            sb.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}

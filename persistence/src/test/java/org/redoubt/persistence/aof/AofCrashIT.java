package org.redoubt.persistence.aof;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * kill -9 of a real server process at random moments, under a continuous load of SET, INCR and
 * RPUSH from two connections, sometimes in the middle of a BGREWRITEAOF: after each restart
 * (which replays the log, cutting a torn tail) every acknowledged write must be there.
 *
 * <p>With appendfsync always the guarantee is the fsync before the reply; with everysec the
 * reply still waits for the write(2), so a process crash (unlike a power loss) loses nothing
 * acknowledged either. Iterations: {@code -Daof.crash.iterations} (default 20, everysec a
 * quarter of it).
 */
class AofCrashIT {
    @TempDir
    Path dir;

    /** One writer's acknowledged state. */
    private static final class Writer {
        final String p;
        long nextKey;        // keys p:k:0 .. nextKey-1 acknowledged
        long counter;        // last acknowledged INCR result
        long listLen;        // last acknowledged RPUSH result
        long acks;

        Writer(String prefix) { this.p = prefix; }

        /** Writes until the connection breaks (the kill); records what was acknowledged. */
        void run(Jedis j, AtomicBoolean stop) {
            try {
                while (!stop.get()) {
                    long k = nextKey;
                    j.set(p + ":k:" + k, "v" + k);
                    nextKey = k + 1;
                    counter = j.incr(p + ":counter");
                    // Each element is the index it lands at, so the list checks itself.
                    listLen = j.rpush(p + ":list", Long.toString(listLen));
                    acks += 3;
                }
            } catch (Exception e) {
                // the server was killed under us
            }
        }

        /** After a restart: everything acknowledged is there; adopt the server's state. */
        void verify(Jedis j) {
            for (long from = 0; from < nextKey; from += 1000) {
                long to = Math.min(nextKey, from + 1000);
                String[] keys = new String[(int) (to - from)];
                for (long k = from; k < to; k++) keys[(int) (k - from)] = p + ":k:" + k;
                List<String> vals = j.mget(keys);
                for (long k = from; k < to; k++) {
                    assertThat(vals.get((int) (k - from))).as("acknowledged SET %s:k:%d", p, k).isEqualTo("v" + k);
                }
            }
            long c = Long.parseLong(j.get(p + ":counter") == null ? "0" : j.get(p + ":counter"));
            assertThat(c).as("INCR %s:counter", p).isBetween(counter, counter + 1);
            counter = c;
            long len = j.llen(p + ":list");
            assertThat(len).as("RPUSH %s:list", p).isBetween(listLen, listLen + 1);
            if (len > 0) {
                List<String> tail = j.lrange(p + ":list", Math.max(0, len - 50), -1);
                for (int i = 0; i < tail.size(); i++) assertThat(tail.get(i)).isEqualTo(Long.toString(len - tail.size() + i));
                assertThat(j.lindex(p + ":list", 0)).isEqualTo("0");
            }
            listLen = len;
        }
    }

    private void crashLoop(String fsync, int iterations) throws Exception {
        ServerProcess.assumeOurServer();
        List<Writer> writers = List.of(new Writer("a"), new Writer("b"));
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        long totalAcks = 0;
        for (int it = 0; it < iterations; it++) {
            ServerProcess s = ServerProcess.ours(dir, "--appendonly", "yes", "--appendfsync", fsync,
                "--aof-load-truncated", "yes", "--aof-use-rdb-preamble", it % 2 == 0 ? "yes" : "no");
            try {
                try (Jedis j = s.client()) {
                    for (Writer w : writers) w.verify(j);
                }
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> threads = new ArrayList<>();
                List<Jedis> conns = new ArrayList<>();
                for (Writer w : writers) {
                    Jedis j = s.client();
                    conns.add(j);
                    Thread t = new Thread(() -> w.run(j, stop), "writer-" + w.p);
                    t.start();
                    threads.add(t);
                }
                Thread.sleep(rnd.nextInt(50, 400));
                if (it % 3 == 1) {
                    // Crash during (or right after) a rewrite with its rewrite buffer.
                    try (Jedis j = s.client()) {
                        j.configSet("rdb-key-save-delay", Integer.toString(rnd.nextInt(0, 50)));
                        j.bgrewriteaof();
                    }
                    Thread.sleep(rnd.nextInt(1, 300));
                }
                s.kill();
                stop.set(true);
                for (Thread t : threads) t.join(30_000);
                for (Jedis j : conns) {
                    try { j.close(); } catch (Exception ignored) { }
                }
            } finally {
                s.close();
            }
        }
        ServerProcess s = ServerProcess.ours(dir, "--appendonly", "yes", "--aof-load-truncated", "yes");
        try (Jedis j = s.client()) {
            for (Writer w : writers) {
                w.verify(j);
                totalAcks += w.acks;
            }
        } finally {
            s.shutdown();
        }
        System.out.printf("AofCrashIT appendfsync %s: %d kill -9, %d acknowledged writes verified after every restart%n",
            fsync, iterations, totalAcks);
        assertThat(totalAcks).as("acknowledged writes checked").isGreaterThan(iterations * 10L);
    }

    @Test
    void alwaysLosesNoAcknowledgedWriteAcrossKills() throws Exception {
        crashLoop("always", Integer.getInteger("aof.crash.iterations", 20));
    }

    @Test
    void everysecLosesNoAcknowledgedWriteOnAProcessKill() throws Exception {
        crashLoop("everysec", Math.max(3, Integer.getInteger("aof.crash.iterations", 20) / 4));
    }
}

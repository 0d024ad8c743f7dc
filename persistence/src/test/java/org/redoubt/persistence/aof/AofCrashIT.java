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
 * <p>With appendfsync always the guarantee is the fsync before the reply: nothing acknowledged may
 * be lost. With everysec the reply normally waits for the write(2) (a process kill then loses
 * nothing), but while a background fsync is slow Redis's rule postpones the write by up to two
 * seconds and replies meanwhile: only writes acknowledged in the last ~2 s before a kill may be
 * missing, and only as a suffix of the log. Iterations: {@code -Daof.crash.iterations}
 * (default 20, everysec a quarter of it).
 */
class AofCrashIT {
    @TempDir
    Path dir;

    /** One writer's acknowledged state, with the time of every acknowledgement. */
    private static final class Writer {
        final String p;
        long nextKey;        // keys p:k:0 .. nextKey-1 acknowledged
        long counter;        // last acknowledged INCR result
        long listLen;        // last acknowledged RPUSH result
        long acks, lostWithinWindow;
        /** Acknowledgement times (nanoTime) by key index, counter value and list length. */
        final Times setAt = new Times(), incrAt = new Times(), pushAt = new Times();

        /** Sends rounds of this many (SET, INCR, RPUSH) triples pipelined; 1: one command at a time. */
        final int pipeline;

        Writer(String prefix, int pipeline) {
            this.p = prefix;
            this.pipeline = pipeline;
        }

        /** Writes until the connection breaks (the kill); records what was acknowledged, and when. */
        void run(Jedis j, AtomicBoolean stop) {
            if (pipeline > 1) {
                runPipelined(j, stop);
                return;
            }
            try {
                while (!stop.get()) {
                    long k = nextKey;
                    j.set(p + ":k:" + k, "v" + k);
                    setAt.put(k, System.nanoTime());
                    nextKey = k + 1;
                    counter = j.incr(p + ":counter");
                    incrAt.put(counter, System.nanoTime());
                    // Each element is the index it lands at, so the list checks itself.
                    listLen = j.rpush(p + ":list", Long.toString(listLen));
                    pushAt.put(listLen, System.nanoTime());
                    acks += 3;
                }
            } catch (Exception e) {
                // the server was killed under us
            }
        }

        /** Pipelined rounds: a round counts as acknowledged once all its replies arrived. */
        private void runPipelined(Jedis j, AtomicBoolean stop) {
            try {
                while (!stop.get()) {
                    redis.clients.jedis.Pipeline pl = j.pipelined();
                    List<redis.clients.jedis.Response<Long>> incrs = new ArrayList<>();
                    List<redis.clients.jedis.Response<Long>> pushes = new ArrayList<>();
                    for (int i = 0; i < pipeline; i++) {
                        long k = nextKey + i;
                        pl.set(p + ":k:" + k, "v" + k);
                        incrs.add(pl.incr(p + ":counter"));
                        pushes.add(pl.rpush(p + ":list", Long.toString(listLen + i)));
                    }
                    pl.sync();
                    long now = System.nanoTime();
                    for (int i = 0; i < pipeline; i++) {
                        setAt.put(nextKey + i, now);
                        incrAt.put(incrs.get(i).get(), now);
                        pushAt.put(pushes.get(i).get(), now);
                    }
                    nextKey += pipeline;
                    counter = incrs.get(pipeline - 1).get();
                    listLen = pushes.get(pipeline - 1).get();
                    acks += 3L * pipeline;
                }
            } catch (Exception e) {
                // the server was killed under us
            }
        }

        /**
         * After a restart: every write acknowledged earlier than {@code window} before the kill is
         * there (window 0: all of them); a lost one is always a recent suffix. Adopts the server's
         * state for the next round.
         */
        void verify(Jedis j, long killedAt, long window) {
            long firstMissing = -1;
            for (long from = 0; from < nextKey; from += 1000) {
                long to = Math.min(nextKey, from + 1000);
                String[] keys = new String[(int) (to - from)];
                for (long k = from; k < to; k++) keys[(int) (k - from)] = p + ":k:" + k;
                List<String> vals = j.mget(keys);
                for (long k = from; k < to; k++) {
                    String v = vals.get((int) (k - from));
                    if (v == null && firstMissing < 0) firstMissing = k;
                    if (firstMissing >= 0) {
                        assertThat(v).as("writes are lost only as a suffix (%s:k:%d)", p, k).isNull();
                        assertLostRecently(setAt, k, killedAt, window, "SET " + p + ":k:" + k);
                    } else {
                        assertThat(v).as("acknowledged SET %s:k:%d", p, k).isEqualTo("v" + k);
                    }
                }
            }
            if (firstMissing >= 0) nextKey = firstMissing;
            String cv = j.get(p + ":counter");
            long c = cv == null ? 0 : Long.parseLong(cv);
            assertThat(c).as("INCR %s:counter", p).isLessThanOrEqualTo(counter + pipeline);
            for (long v = c + 1; v <= counter; v++) assertLostRecently(incrAt, v, killedAt, window, "INCR " + p + " -> " + v);
            counter = c;
            long len = j.llen(p + ":list");
            assertThat(len).as("RPUSH %s:list", p).isLessThanOrEqualTo(listLen + pipeline);
            for (long v = len + 1; v <= listLen; v++) assertLostRecently(pushAt, v, killedAt, window, "RPUSH " + p + " -> " + v);
            if (len > 0) {
                List<String> tail = j.lrange(p + ":list", Math.max(0, len - 50), -1);
                for (int i = 0; i < tail.size(); i++) assertThat(tail.get(i)).isEqualTo(Long.toString(len - tail.size() + i));
                assertThat(j.lindex(p + ":list", 0)).isEqualTo("0");
            }
            listLen = len;
        }

        private void assertLostRecently(Times t, long i, long killedAt, long window, String what) {
            long at = t.get(i);
            assertThat(window).as("acknowledged %s lost", what).isGreaterThan(0);
            assertThat(killedAt - at).as("acknowledged %s lost although %d ms older than the kill", what,
                (killedAt - at) / 1_000_000).isLessThanOrEqualTo(window);
            lostWithinWindow++;
        }
    }

    /** A growable long[] by index. */
    private static final class Times {
        private long[] a = new long[1024];

        void put(long i, long v) {
            if (i >= a.length) a = java.util.Arrays.copyOf(a, (int) Math.max(i + 1, a.length * 2L));
            a[(int) i] = v;
        }

        long get(long i) { return i < a.length ? a[(int) i] : 0; }
    }

    /**
     * @param window how long before the kill an acknowledged write may still be lost (0: never):
     *               everysec postpones writes by up to two seconds while a background fsync runs
     */
    private void crashLoop(String fsync, int iterations, long window) throws Exception {
        ServerProcess.assumeOurServer();
        // One writer waits for each reply, the other pipelines (replies held while their batch is written).
        List<Writer> writers = List.of(new Writer("a", 1), new Writer("b", 8));
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        long totalAcks = 0;
        long killedAt = 0;
        for (int it = 0; it < iterations; it++) {
            ServerProcess s = ServerProcess.ours(dir, "--appendonly", "yes", "--appendfsync", fsync,
                "--aof-load-truncated", "yes", "--aof-use-rdb-preamble", it % 2 == 0 ? "yes" : "no");
            try {
                try (Jedis j = s.client()) {
                    for (Writer w : writers) w.verify(j, killedAt, window);
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
                    // Crash during (or right after) a rewrite: the log already continues in its new incr file.
                    try (Jedis j = s.client()) {
                        j.configSet("rdb-key-save-delay", Integer.toString(rnd.nextInt(0, 50)));
                        j.bgrewriteaof();
                    }
                    Thread.sleep(rnd.nextInt(1, 300));
                }
                killedAt = System.nanoTime();
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
            long lost = 0;
            for (Writer w : writers) {
                w.verify(j, killedAt, window);
                totalAcks += w.acks;
                lost += w.lostWithinWindow;
            }
            System.out.printf("AofCrashIT appendfsync %s: %d kill -9, %d acknowledged writes, %d lost (all within %d ms of a kill)%n",
                fsync, iterations, totalAcks, lost, window / 1_000_000);
        } finally {
            s.shutdown();
        }
        assertThat(totalAcks).as("acknowledged writes checked").isGreaterThan(iterations * 10L);
    }

    @Test
    void alwaysLosesNoAcknowledgedWriteAcrossKills() throws Exception {
        crashLoop("always", Integer.getInteger("aof.crash.iterations", 20), 0);
    }

    @Test
    void everysecLosesAtMostAboutTwoSecondsOfAcknowledgedWrites() throws Exception {
        crashLoop("everysec", Math.max(3, Integer.getInteger("aof.crash.iterations", 20) / 4),
            java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(2500));
    }
}

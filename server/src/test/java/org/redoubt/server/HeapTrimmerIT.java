package org.redoubt.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * jemalloc-bg-thread (the heap trimmer): a write burst makes G1 grow the committed heap far past
 * the data; once the server is quiet it hands that headroom back (INFO's allocator_active is the
 * committed heap); with the directive off it keeps it. Runs a server process with the launcher's GC options, since the
 * trimmer only acts where System.gc() is concurrent.
 */
class HeapTrimmerIT {

    private static long info(Jedis j, String field) {
        for (String line : j.info("memory").split("\r\n")) {
            if (line.startsWith(field + ":")) return Long.parseLong(line.substring(field.length() + 1).trim());
        }
        throw new AssertionError("no " + field + " in INFO memory");
    }

    /** ~100 MB of live values written by 4 pipelining clients: enough GC pressure for G1 to grow the heap well past the data. */
    private static void load(int port) throws Exception {
        byte[] value = new byte[500];
        Thread[] writers = new Thread[4];
        Throwable[] failed = new Throwable[1];
        for (int w = 0; w < writers.length; w++) {
            int id = w;
            writers[w] = new Thread(() -> {
                try (Jedis j = new Jedis("127.0.0.1", port, 30_000)) {
                    for (int batch = 0; batch < 50; batch++) {
                        Pipeline p = j.pipelined();
                        for (int i = 0; i < 1000; i++) p.set(("k" + id + ":" + batch + ":" + i).getBytes(), value);
                        p.sync();
                    }
                } catch (Throwable t) {
                    failed[0] = t;
                }
            });
            writers[w].start();
        }
        for (Thread t : writers) t.join(120_000);
        if (failed[0] != null) throw new AssertionError("load failed", failed[0]);
    }

    @Test
    void quietServerReturnsTheHeadroomOfABurst() throws Exception {
        int port = ServerFixture.freePort();
        Path dir = Files.createTempDirectory("trim");
        List<String> cmd = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:+UseG1GC", "-Xmn32m", "-XX:MaxHeapFreeRatio=20", "-XX:MinHeapFreeRatio=10",
            "-XX:+ExplicitGCInvokesConcurrent",
            "-cp", System.getProperty("java.class.path"), Main.class.getName(),
            "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", dir.toString(), "--jemalloc-bg-thread", "no"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(dir.resolve("log").toFile()).start();
        try (Jedis j = connect(port, p)) {
            load(port);
            assertThat(j.dbSize()).isEqualTo(200_000);
            Thread.sleep(3000);
            long used = info(j, "used_memory");
            long off = info(j, "allocator_active");
            // The premise: the burst left the committed heap well above the data.
            assertThat(off).as("committed heap after the burst, used %d", used).isGreaterThan(used * 3 / 2 + (32L << 20));
            Thread.sleep(2000);
            assertThat(info(j, "allocator_active")).as("trimmer off: the heap stays committed").isEqualTo(off);

            j.configSet("jemalloc-bg-thread", "yes");
            long bound = used * 13 / 10 + (48L << 20);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            long now = info(j, "allocator_active");
            while (now > bound && System.nanoTime() < deadline) {
                Thread.sleep(250);
                now = info(j, "allocator_active");
            }
            assertThat(now).as("trimmer on: committed heap follows the data (used %d, was %d)", used, off).isLessThanOrEqualTo(bound);
            assertThat(j.dbSize()).isEqualTo(200_000);
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
            for (File f : dir.toFile().listFiles()) f.delete();
            Files.deleteIfExists(dir);
        }
    }

    private static Jedis connect(int port, Process p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            assertThat(p.isAlive()).as("server process alive").isTrue();
            Jedis j = null;
            try {
                j = new Jedis("127.0.0.1", port, 10_000);
                j.ping();
                return j;
            } catch (RuntimeException e) {
                if (j != null) j.close();
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(100);
            }
        }
    }
}
